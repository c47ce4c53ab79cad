"""Zombie organisations (僵尸型): candidates with evidence, the bureau's decision → registry's simple deregistration."""
