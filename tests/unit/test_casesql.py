"""app/cases/casesql.py reads ``cases`` rows without the ORM: its idea of the column types must be
the mapped Case's, and a row read either way must give the same case view."""
from __future__ import annotations

from sqlalchemy import Boolean, select

from app.cases import casesql
from app.cases.views import case_summary
from app.store.models import Case
from app.store.types import JSONText, UTCDateTime


def test_column_kinds_agree_with_the_mapped_case():
    columns = Case.__table__.columns
    assert {c.key for c in columns if isinstance(c.type, UTCDateTime)} == {c.key for c in columns if c.key.endswith("_at")}
    assert {c.key for c in columns if isinstance(c.type, JSONText)} == casesql.JSON_COLUMNS
    assert {c.key for c in columns if isinstance(c.type, Boolean)} == casesql.BOOL_COLUMNS


def test_a_plain_row_gives_the_same_view_as_the_orm_row(demo_desk):
    refs, now = demo_desk.refs(), demo_desk.now()
    with demo_desk.db.read() as s:
        orm = {c.rid: c for c in s.scalars(select(Case))}
    with demo_desk.db.reading() as conn:
        plain = casesql.fetch_rows(conn, "SELECT * FROM cases", [])
    assert len(plain) == len(orm) == 300
    for row in plain:
        mapped = orm[row.rid]
        for column in Case.__table__.columns:
            assert getattr(row, column.key) == getattr(mapped, column.key), column.key
            assert type(getattr(row, column.key)) is type(getattr(mapped, column.key)), column.key
        assert case_summary(row, refs, now) == case_summary(mapped, refs, now)


def test_the_total_of_all_cases_is_counted_on_the_narrow_index(desk):
    """Migration 0017_perf: the unfiltered total (after every save in the window) reads the smallest
    index, not a timestamp index three times its size (each page decrypted on an encrypted store)."""
    with desk.db.connection() as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM cases").fetchall())
    assert "ix_cases_count" in plan
