"""Coverage (两个覆盖): organisation and work coverage rates, and the daily flag of uncovered organisations
(PARTY-5 Xuecheng variant → registry reminders; CR-6.2 → credit)."""
