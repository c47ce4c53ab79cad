"""`make demo`: a realistic Wenzhou loaded through the public APIs (see scripts/demo.py)."""
