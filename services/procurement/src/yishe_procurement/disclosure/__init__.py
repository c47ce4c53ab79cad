"""PROC-12 disclosure: what a funded organisation must publish (income/expenditure, audited report), per contract."""
