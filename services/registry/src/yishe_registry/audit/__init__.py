"""Third-party audits the registration authority commissions and pays for (seed 003): 双随机 inspections,
evaluations, the outgoing legal representative's 离任审计 and the 清算审计 before deregistration (TPA-1..6)."""
