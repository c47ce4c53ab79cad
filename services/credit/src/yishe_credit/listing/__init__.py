"""The two lists: 活动异常名录 (CR-6..CR-11) and 严重违法失信名单 (CR-12, CR-13): triggers, entries, removal."""
