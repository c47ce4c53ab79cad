"""Cultivation service (培育发展): township/street platforms, community activity, incubation, incentives, targets."""
