"""Purchase projects: purchaser, catalogue item, budget, division, method, term (PROC-6, PROC-7), publication and
amendments with their history."""
