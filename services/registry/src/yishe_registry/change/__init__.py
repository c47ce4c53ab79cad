"""Change registration (变更登记, REG-2: within 30 days of the supervisory unit's consent) and branches
(分支机构/代表机构: none for 民非, no regional ones for 社会团体, no branch of a branch)."""
