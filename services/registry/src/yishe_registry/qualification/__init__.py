"""Qualifications (慈善组织认定, 公开募捐资格, 免税资格, 公益性捐赠税前扣除资格) and major-matter filings
(重大事项备案)."""
