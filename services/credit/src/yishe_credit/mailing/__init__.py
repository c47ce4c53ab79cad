"""Dedicated letters to the registered address (专用信函): two unsigned mailings deem it unreachable (CR-7 → CR-6.6)."""
