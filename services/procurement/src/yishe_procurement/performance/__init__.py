"""Performance evaluation (绩效评价, PROC-8): weighted indicator scores, third-party evaluators, results emitted for
the credit record (CR-4 其他信息)."""
