"""公益创投 (venture philanthropy) rounds: applications, grants and reported spending; welfare-lottery (福彩公益金)
grants pay labour costs up to 50 % of the grant (PROC-11)."""
