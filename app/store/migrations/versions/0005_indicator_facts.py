"""indicator facts: per-case facts and their rollup, kept in step by triggers on cases

Revision ID: 0005_indicator_facts
Revises: 0004_indicator_facts_index
"""
from alembic import op

revision = "0005_indicator_facts"
down_revision = "0004_indicator_facts_index"
branch_labels = None
depends_on = None

# See app/store/facts.py. The tables are derived data: facts_state without a row (as here)
# makes the first indicator read derive everything from the case rows.
STATEMENTS = [
    """CREATE TABLE case_facts (
        rid INTEGER PRIMARY KEY, rday INTEGER NOT NULL, unit TEXT, category TEXT, channel TEXT,
        village TEXT, f INTEGER NOT NULL, persons INTEGER NOT NULL, rc INTEGER NOT NULL,
        tc INTEGER NOT NULL, secs INTEGER, moves TEXT, next_flip TEXT, last_flip TEXT,
        dday INTEGER, cday INTEGER)""",
    "CREATE INDEX ix_case_facts_day ON case_facts (rday)",
    "CREATE INDEX ix_case_facts_next ON case_facts (next_flip) WHERE next_flip IS NOT NULL",
    "CREATE INDEX ix_case_facts_last ON case_facts (last_flip) WHERE last_flip IS NOT NULL",
    """CREATE TABLE fact_rollup (
        dim INTEGER NOT NULL, key TEXT NOT NULL, rday INTEGER NOT NULL, f INTEGER NOT NULL,
        n INTEGER NOT NULL, persons INTEGER NOT NULL, rc INTEGER NOT NULL, tc INTEGER NOT NULL,
        timed INTEGER NOT NULL, secs INTEGER NOT NULL, PRIMARY KEY (dim, rday, key, f)) WITHOUT ROWID""",
    "CREATE TABLE facts_dirty (rid INTEGER PRIMARY KEY)",
    "CREATE TABLE facts_state (id INTEGER PRIMARY KEY CHECK (id = 1), now TEXT, calendar TEXT)",
    "CREATE TRIGGER tr_cases_facts_insert AFTER INSERT ON cases "
    "BEGIN INSERT OR IGNORE INTO facts_dirty (rid) VALUES (NEW.rid); END",
    "CREATE TRIGGER tr_cases_facts_update AFTER UPDATE ON cases "
    "BEGIN INSERT OR IGNORE INTO facts_dirty (rid) VALUES (NEW.rid); END",
    "CREATE TRIGGER tr_cases_facts_delete AFTER DELETE ON cases "
    "BEGIN INSERT OR IGNORE INTO facts_dirty (rid) VALUES (OLD.rid); END",
    # the wide covering index of 0004 is no longer read (the facts replace the month pass)
    "DROP INDEX IF EXISTS ix_cases_facts",
]


def upgrade() -> None:
    for sql in STATEMENTS:
        op.execute(sql)


def downgrade() -> None:
    for name in ("tr_cases_facts_delete", "tr_cases_facts_update", "tr_cases_facts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("facts_state", "facts_dirty", "fact_rollup", "case_facts"):
        op.execute(f"DROP TABLE IF EXISTS {table}")
    op.create_index("ix_cases_facts", "cases", ["received_at", "unit", "category", "channel", "village", "state",
                                                "persons", "auto_dispatched", "return_count", "transfer_count",
                                                "satisfaction", "dispatched_at", "signed_at", "sign_due_at",
                                                "due_at", "review_at", "clock_due_at", "clock_warn_at", "id"])
