"""分析研判: the risk register (register.py), case-trend proposals (trends.py), the major-decision
social risk assessment (assessments.py, report.py) and the 风险 section of the monthly bulletin
(bulletin.py). Joint inspections are app.inspections."""
