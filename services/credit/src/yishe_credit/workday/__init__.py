"""Working-day calendar (工作日): Chinese public holidays and make-up working days (调休), configurable per year."""
