"""Annual work reports (AR-1..AR-6): windows by kind, submission with finance and Party-building sections,
first-instance review by the supervisory unit, the bureau's result, disclosure, and the overdue job (CR-6.1)."""
