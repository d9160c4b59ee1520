"""The indicator facts kept in step (app.store.facts) always equal a derivation from scratch,
and every way of reading them gives the same figures."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from app.cases import handling, intake
from app.store import facts
from app.store.models import CalendarDay
from app.supervision import indicators as si
from tests.conftest import load_actors, sample_case

MONTH = si.period("2026-10-01", "2026-11-30")


def _clean(desk) -> None:
    out = facts.verify(desk, desk.now())
    assert (out["differences"], out["rollup_differences"]) == (0, 0), out
    assert out["cases"] == _count(desk, "cases")


def _count(desk, table: str) -> int:
    with desk.db.read() as s:
        return s.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def test_kept_in_step_through_actions_and_time(demo_desk, clock):
    desk, a = demo_desk, load_actors(demo_desk)
    si.compute_groups(desk, MONTH, "unit")          # first read derives everything
    assert _count(desk, "facts_dirty") == 0
    _clean(desk)
    new = [intake.take_in(desk, a["intake"], sample_case(auto_dispatch=i % 2 == 0, persons=1 + i))["case_no"]
           for i in range(4)]
    assert _count(desk, "facts_dirty") == 4          # the triggers saw the new rows
    steps = [
        (a["dispatcher"], new[1], "dispatch", {"unit": "D01"}),
        (a["unit"], new[1], "return", {"reason": "不属本单位职责"}),
        (a["dispatcher"], new[1], "dispatch", {"unit": "V01"}),
        (a["unit_v01"], new[0], "sign", {}),
        (a["dispatcher"], new[0], "transfer", {"unit": "D01", "reason": "属综合执法队职责"}),
        (a["director"], new[0], "suspend", {"reason": "等待鉴定"}),
        (a["director"], new[0], "resume", {}),
        (a["unit"], new[0], "request_close", {"result": "已处理", "close_type": "substantive"}),
        (a["director"], new[0], "approve_close", {}),
        (a["intake"], new[0], "callback", {"satisfaction": "basic"}),
        (a["intake"], new[3], "reject", {"reason": "不属于受理范围"}),
    ]
    for i, (who, no, kind, payload) in enumerate(steps):
        clock.advance(hours=5)
        handling.act(desk, who, no, kind, payload)
        if i % 3 == 0:
            si.compute_groups(desk, MONTH, "unit")  # incremental refreshes in between
    _clean(desk)
    # deadlines pass as time goes on (forward several days, then back before the actions)
    for hours in (30, 24 * 6, -24 * 9, 24 * 2):
        clock.advance(hours=hours)
        before = si.compute(desk, MONTH)
        _clean(desk)
        assert si.compute(desk, MONTH) == before


def test_deadlines_crossing_change_counts_without_a_write(desk, clock, actors):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    period = si.period(clock().date(), clock().date())
    assert si.compute(desk, period)["sign_overdue_open"] == 0
    case = handling.act(desk, actors["intake"], no, "comment", {"note": "待签收"})
    sign_due = datetime.fromisoformat(case["sign_due_at"])
    clock.set(sign_due + timedelta(minutes=1))
    r = si.compute(desk, period)
    assert (r["sign_overdue_open"], r["sign_on_time_rate"]) == (1, 0.0)
    clock.set(sign_due - timedelta(minutes=1))
    assert si.compute(desk, period)["sign_overdue_open"] == 0


def test_rollup_and_filtered_rows_agree(demo_desk):
    desk = demo_desk
    for by in ("category", "channel", "village"):
        for row in si.compute_by(desk, MONTH, by):
            if row["key"] is None:
                continue
            alone = si.compute(desk, MONTH, {by: row["key"]})
            assert {k: v for k, v in alone.items() if k not in ("key", "name")} == \
                {k: v for k, v in row.items() if k not in ("key", "name")}, (by, row["key"])
    # per unit (returns and transfers charged to the unit left) from the rollup and from the
    # filtered rows, added up over the channels
    whole = si.compute_groups(desk, MONTH, "unit")
    parts: dict = {}
    for channel in {r["key"] for r in si.compute_by(desk, MONTH, "channel")}:
        for k, c in si.compute_groups(desk, MONTH, "unit", {"channel": channel}).items():
            parts.setdefault(k, si.ind.Counts()).add(c)
    assert parts == whole
    assert sum(c.returned for c in whole.values()) > 0 and sum(c.transferred for c in whole.values()) > 0


def test_calendar_change_rederives_handling_time(demo_desk):
    from app.desk import open_desk

    desk = demo_desk
    before = si.compute(desk, MONTH)
    assert before["handle_cases"] > 0
    other = open_desk(desk.root, clock=desk.clock)  # another process, e.g. an administrator's CLI
    with other.db.tx() as s:  # declares three working days holidays
        for day in ("2026-11-10", "2026-11-11", "2026-11-12"):
            s.add(CalendarDay(day=day, workday=False, note="临时停工"))
    other.close()
    after = si.compute(desk, MONTH)  # this desk's cached calendar is stale: the facts notice
    assert after["handle_cases"] == before["handle_cases"]
    assert after["handle_seconds"] < before["handle_seconds"]
    _clean(desk)


def test_check_reports_and_repairs_facts(demo_desk):
    desk = demo_desk
    si.compute(desk, MONTH)
    with desk.db.tx() as s:  # damage the derived data behind the triggers' back
        s.execute(text("UPDATE case_facts SET persons = persons + 1 WHERE rid IN (SELECT rid FROM case_facts LIMIT 3)"))
        s.execute(text("UPDATE fact_rollup SET n = n + 1 WHERE dim = 2 AND rday = (SELECT max(rday) FROM fact_rollup)"))
    out = facts.verify(desk, desk.now())
    assert out["differences"] == 3 and out["rollup_differences"] > 0
    assert facts.verify(desk, desk.now())["differences"] == 3     # not repaired without asking
    assert facts.verify(desk, desk.now(), repair=True)["differences"] == 3
    _clean(desk)


@pytest.mark.parametrize("by", ["unit", "category", "village"])
def test_received_by_matches_groups(demo_desk, by):
    groups = si.compute_groups(demo_desk, MONTH, by)
    assert {r["key"]: r["received"] for r in si.received_by(demo_desk, MONTH, by)} == \
        {k: c.received for k, c in groups.items() if c.received}
