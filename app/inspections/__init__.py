"""综合查一次: joint inspections (services.py) and their statistics (queries.py)."""
