"""Evaluation and award: the panel (评审小组) scores each bid; the award goes to the best, PROC-9 preference applied."""
