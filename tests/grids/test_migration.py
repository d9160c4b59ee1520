"""Migration 0014: down to 0011 and up again on a store with cases — the cases keep their rows
and facts triggers, gain ``external_id`` with its partial index, and the grid tables come
back empty and usable."""
from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.cases import intake
from app.grids import reports
from app.store import migrate
from tests.conftest import sample_case
from tests.grids.conftest import REPORT


def test_down_and_up_again(desk, actors):
    before = intake.take_in(desk, actors["intake"], sample_case())
    engine = desk.db.engine
    cfg = migrate.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011_centre_phrases")
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
        assert not {"grid_reports", "points_entries", "grid_admissions", "ix_cases_channel_external"} & names
    assert migrate.upgrade(engine)
    with engine.connect() as conn:
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_cases_channel_external'")).scalar()
        triggers = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = 'cases'")).scalar()
        assert conn.execute(text("SELECT external_id FROM cases WHERE case_no = :n"),
                            {"n": before["case_no"]}).scalar() is None
    assert "UNIQUE" not in sql and "external_id IS NOT NULL" in sql  # not unique: see the migration
    assert triggers >= 3  # the indicator facts' insert/update/delete triggers survived
    desk.invalidate()
    out = reports.report(desk, actors["intake"], {**REPORT, "outcome": "solved", "result": "已处理"})
    assert out["grid_report"]["points"]["points"] == 2
