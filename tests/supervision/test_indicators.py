"""Indicator arithmetic on a hand-built week of cases, expected values worked out by hand.

Week of Monday 2026-11-02 (no holidays). Category PA0101 (邻里纠纷) in V01: signed within 1
working day, handled within 5; the responsibility list routes it to V01 automatically.

  A  auto V01, signed Mon 10:00, 申请办结 Wed 09:00, 满意             -> closed, 2 wd
  B  auto V01, 3 persons, signed Tue 12:00 (late), 办结 Thu 09:00, 不满意 (unit not at fault) -> closed, 3 wd
  C  manual D01, 退回 by D01, manual V01 Mon 12:00, signed, never finished -> overdue (due Mon 11-09 12:00)
  D  auto V01, signed, 流转 to D01, 挂账 Mon 11:00 - Wed 11:00, 办结 Thu 11:00, awaiting callback
     -> done, 3 wd + 2 h - 2 wd 挂账 = 1 wd + 2 h; its callback deadline (end of Fri 11-06) has passed
  E  不予受理
  F  auto V01, 延期 2 wd approved (due Mon 11-09 09:00 -> Wed 11-11 09:00), 办结 Tue 11-10 09:00, 基本满意
     -> closed on time only thanks to the extension, 6 wd
"""
from __future__ import annotations

from datetime import datetime

import pytest

from app.cases import handling, intake
from app.domain import indicators as ind
from app.supervision import indicators as si
from tests.conftest import SHANGHAI, sample_case


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def week(desk, clock, actors):
    a = actors
    v01, d01, disp, dire, ink = a["unit_v01"], a["unit"], a["dispatcher"], a["director"], a["intake"]
    clock.set(at(2, 9))
    A = intake.take_in(desk, ink, sample_case())["case_no"]
    B = intake.take_in(desk, ink, sample_case(persons=3))["case_no"]
    C = intake.take_in(desk, ink, sample_case(auto_dispatch=False))["case_no"]
    D = intake.take_in(desk, ink, sample_case())["case_no"]
    E = intake.take_in(desk, ink, sample_case(auto_dispatch=False))["case_no"]
    F = intake.take_in(desk, ink, sample_case())["case_no"]

    def do(when, who, no, kind, payload=None):
        clock.set(when)
        return handling.act(desk, who, no, kind, payload or {})

    do(at(2, 9, 10), v01, F, "sign")
    do(at(2, 9, 30), v01, D, "sign")
    do(at(2, 10), v01, A, "sign")
    do(at(2, 10), disp, C, "dispatch", {"unit": "D01"})
    do(at(2, 10), disp, D, "transfer", {"unit": "D01", "reason": "属综合执法队职责"})
    do(at(2, 11), d01, C, "return", {"reason": "不属本单位职责"})
    do(at(2, 11), dire, D, "suspend", {"reason": "等待上级政策"})
    do(at(2, 11), ink, E, "reject", {"reason": "不属于受理范围"})
    do(at(2, 12), disp, C, "dispatch", {"unit": "V01"})
    do(at(2, 13), v01, C, "sign")
    do(at(3, 10), v01, F, "extend_request", {"days": 2, "reason": "需多部门会商"})
    do(at(3, 11), dire, F, "extend_approve")
    do(at(3, 12), v01, B, "sign")
    for no, day, sat in ((A, 4, "satisfied"), (B, 5, "unsatisfied")):
        do(at(day, 9), v01, no, "request_close", {"result": "已调解", "close_type": "substantive"})
        do(at(day, 10), dire, no, "approve_close")
        do(at(day, 11), ink, no, "callback", {"satisfaction": sat})
    do(at(4, 11), dire, D, "resume")
    do(at(5, 11), d01, D, "request_close", {"result": "已处理", "close_type": "substantive"})
    do(at(5, 12), dire, D, "approve_close")
    do(at(10, 9), v01, F, "request_close", {"result": "已调解", "close_type": "substantive"})
    do(at(10, 10), dire, F, "approve_close")
    do(at(10, 11), ink, F, "callback", {"satisfaction": "basic"})
    clock.set(at(12, 10))
    return {"A": A, "B": B, "C": C, "D": D, "E": E, "F": F}


WEEK = si.Period(datetime(2026, 11, 2).date(), datetime(2026, 11, 8).date())


def test_town_figures_by_hand(desk, week):
    r = si.compute(desk, WEEK)
    assert (r["received"], r["persons"], r["to_handle"]) == (6, 8, 5)
    assert (r["dispatched"], r["auto_dispatched"]) == (5, 4)
    assert (r["assigned"], r["returned"], r["transferred"]) == (7, 1, 1)      # 5 current + 1 + 1
    assert (r["signed"], r["signed_on_time"], r["sign_overdue_open"]) == (5, 4, 0)
    assert (r["done"], r["done_on_time"], r["handle_overdue_open"]) == (4, 4, 1)
    assert (r["closed"], r["callbacks"], r["satisfied"]) == (3, 3, 2)
    assert (r["open"], r["overdue"], r["warning"]) == (2, 2, 0)             # C handling, D callback
    assert r["sign_on_time_rate"] == pytest.approx(4 / 5)
    assert r["on_time_rate"] == pytest.approx(4 / 5)                        # 4 on time / (4 done + C)
    assert r["done_rate"] == pytest.approx(4 / 5)
    assert r["close_rate"] == pytest.approx(3 / 5)
    assert r["satisfaction_rate"] == pytest.approx(2 / 3)
    assert r["return_rate"] == pytest.approx(1 / 7)
    assert r["transfer_rate"] == pytest.approx(1 / 7)
    assert r["auto_dispatch_rate"] == pytest.approx(4 / 5)
    # (2 + 3 + (1 + 2/24) + 6) / 4 working days
    assert r["avg_handle_days"] == pytest.approx((2 + 3 + 1 + 2 / 24 + 6) / 4, abs=1e-6)


def test_unit_attribution(desk, week):
    v01 = si.compute(desk, WEEK, {"unit": "V01"})
    assert (v01["received"], v01["assigned"], v01["transferred"], v01["returned"]) == (4, 5, 1, 0)
    assert v01["transfer_rate"] == pytest.approx(1 / 5)
    d01 = si.compute(desk, WEEK, {"unit": "D01"})
    assert (d01["received"], d01["assigned"], d01["returned"], d01["done"]) == (1, 2, 1, 1)
    assert d01["return_rate"] == pytest.approx(1 / 2)
    assert d01["satisfaction_rate"] is None          # D awaits its callback: no callbacks
    assert ind.pct(d01["satisfaction_rate"]) == "—"
    rows = {r["key"]: r for r in si.compute_by(desk, WEEK, "unit")}
    assert sum(r["received"] for r in rows.values()) == 6
    assert sum(r["assigned"] for r in rows.values()) == 7


def test_empty_period_shows_dashes(desk, week):
    r = si.compute(desk, si.period("2026-11-09", "2026-11-15"))
    assert r["received"] == 0
    for key in ind.RATE_NAMES:
        assert r[key] is None
    assert r["avg_handle_days"] is None
    assert ind.pct(r["satisfaction_rate"]) == "—" and ind.days(None) == "—"


def test_filters_by_channel_and_village(desk, week):
    assert si.compute(desk, WEEK, {"channel": "visit"})["received"] == 6
    assert si.compute(desk, WEEK, {"channel": "phone"})["received"] == 0
    assert si.compute(desk, WEEK, {"village": "V01"})["received"] == 6
    by = si.compute_by(desk, WEEK, "category")
    assert [(r["key"], r["received"]) for r in by] == [("PA0101", 6)]


def test_holiday_period_handling_time(desk, clock, actors):
    """Received Wed 2026-09-30 10:00 before the National Day holiday (10-01..10-07); Saturday
    10-10 is a 调休 working day. 申请办结 Mon 10-12 10:00: 14 h + 10-08, 10-09, 10-10 + 10 h = 4 wd."""
    clock.set(at(30, 10, month=9))
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    case = handling.act(desk, actors["intake"], no, "comment", {"note": "节前受理"})
    assert datetime.fromisoformat(case["sign_due_at"]) == at(8, 10, month=10)  # Thu 10-08 10:00
    assert datetime.fromisoformat(case["due_at"]) == at(13, 10, month=10)   # Sat 10-10 counts, Sun not
    clock.set(at(8, 9, month=10))
    handling.act(desk, actors["unit_v01"], no, "sign")
    clock.set(at(12, 10, month=10))
    handling.act(desk, actors["unit_v01"], no, "request_close", {"result": "已处理", "close_type": "substantive"})
    handling.act(desk, actors["director"], no, "approve_close")
    r = si.compute(desk, si.period("2026-09-28", "2026-10-11"))
    assert (r["received"], r["signed_on_time"], r["done"], r["done_on_time"]) == (1, 1, 1, 1)
    assert r["avg_handle_days"] == pytest.approx(4.0, abs=1e-6)


def test_previous_period():
    assert si.period("2026-11-01", "2026-11-30").previous() == si.period("2026-10-01", "2026-10-31")
    assert si.period("2026-11-23", "2026-11-29").previous() == si.period("2026-11-16", "2026-11-22")
    assert si.period("2026-11-27", "2026-11-27").previous() == si.period("2026-11-26", "2026-11-26")


def test_bad_input_messages(desk):
    from app.errors import ValidationError

    with pytest.raises(ValidationError, match="日期格式"):
        si.period("2026-13-01", "2026-12-01")
    with pytest.raises(ValidationError, match="结束日期"):
        si.period("2026-11-02", "2026-11-01")
    with pytest.raises(ValidationError, match="单位"):
        si.compute(desk, WEEK, {"unit": "NOPE"})
    with pytest.raises(ValidationError, match="分组"):
        si.compute_by(desk, WEEK, "weather")


def test_sql_working_time_matches_calendar(desk, clock):
    """The facts' SQL working time (prefix day table + in-day part) equals
    WorkCalendar.worktime_between across National Day and the 调休 Saturday 10-10."""
    from sqlalchemy import text

    from app.store import facts
    from app.store.types import to_sql_dt

    cal = desk.calendar()
    clock.set(at(25, 0, month=9))  # the day tables start at the earliest receipt, or today
    pts = [at(30, 10, month=9), at(3, 12, month=10), at(10, 8, month=10), at(11, 23, month=10), at(12, 10, month=10)]
    local = facts._LOCAL.format(col=":t")
    with desk.db.read() as s:
        tables = facts._day_tables(desk, s, "1", clock())
        clock_of = {p: s.execute(text(f"SELECT {facts._work(local)}"), {**tables, "t": to_sql_dt(p)}).scalar()
                    for p in pts}
    for a in pts:
        for b in pts:
            if b > a:
                assert clock_of[b] - clock_of[a] == pytest.approx(cal.worktime_between(a, b).total_seconds(), abs=1)
