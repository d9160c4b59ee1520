"""Case-list filters by dispatch date and close date count exactly what indicators.activity() counts
(local dates in Asia/Shanghai, inclusive; closed = closed_at in the period and state closed/archived)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.cases import caselist, dispatch, intake, queries
from app.errors import ValidationError
from app.store.models import Case
from app.supervision import indicators as si
from tests.conftest import SHANGHAI, sample_case


def _expected(desk, p: si.Period) -> tuple[set, set]:
    """Independent of SQL: the case numbers dispatched / closed on p's local dates."""
    with desk.db.read() as s:
        rows = s.execute(select(Case.case_no, Case.dispatched_at, Case.closed_at, Case.state)).all()
    def within(t):
        return t is not None and p.start <= t.astimezone(SHANGHAI).date() <= p.end
    return ({r.case_no for r in rows if within(r.dispatched_at)},
            {r.case_no for r in rows if within(r.closed_at) and r.state in ("closed", "archived")})


def _listed(desk, filters: dict) -> set:
    out, after = set(), None
    while True:
        page = queries.list_cases(desk, None, filters, limit=1000, after=after)
        out |= {c["case_no"] for c in page["items"]}
        if not page["next"]:
            return out
        after = page["next"]


def test_filters_return_exactly_the_cases_activity_counts(demo_desk):
    today = demo_desk.now().astimezone(SHANGHAI).date()
    periods = [si.Period(today, today), si.Period(today.replace(day=1), today),
               si.Period(today - timedelta(days=59), today), si.Period(date(2026, 10, 1), date(2026, 10, 31)),
               si.Period(today - timedelta(days=3), today - timedelta(days=3))]
    seen_closed = 0
    for p in periods:
        act = si.activity(demo_desk, p)
        dispatched, closed = _expected(demo_desk, p)
        f_dispatched = {"dispatched_from": p.start.isoformat(), "dispatched_to": p.end.isoformat()}
        f_closed = {"closed_from": p.start.isoformat(), "closed_to": p.end.isoformat()}
        assert act["dispatched"] == len(dispatched), p
        assert act["closed"] == len(closed), p
        assert _listed(demo_desk, f_dispatched) == dispatched, p
        assert _listed(demo_desk, f_closed) == closed, p
        assert caselist.count_cases(demo_desk, None, f_dispatched) == act["dispatched"]
        assert caselist.count_cases(demo_desk, None, f_closed) == act["closed"]
        keys = caselist.case_keys(demo_desk, None, f_closed)
        assert keys["total"] == act["closed"] == len(set(keys["keys"]))
        seen_closed += act["closed"]
    assert seen_closed > 0 and si.activity(demo_desk, periods[1])["dispatched"] > 0


def test_local_midnight_boundaries_and_combination(desk, clock, actors):
    clock.set(datetime(2026, 11, 26, 23, 59, 30, tzinfo=SHANGHAI))   # 15:59:30 UTC: still the 26th locally
    late = intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=False))["case_no"]
    dispatch.dispatch(desk, actors["dispatcher"], late, "D01")
    clock.set(datetime(2026, 11, 27, 0, 0, 30, tzinfo=SHANGHAI))
    early = intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=False))["case_no"]
    dispatch.dispatch(desk, actors["dispatcher"], early, "D01")
    instant = intake.take_in(desk, actors["intake"], sample_case(instant=True, result="当场答复"))["case_no"]
    assert queries.show_case(desk, None, instant)["state"] == "closed"  # 即办: closed on the spot
    clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI))

    def nos(f):
        return {c["case_no"] for c in queries.list_cases(desk, None, f)["items"]}

    assert nos({"dispatched_from": "2026-11-26", "dispatched_to": "2026-11-26"}) == {late}
    assert nos({"dispatched_from": "2026-11-27"}) == {early}
    assert nos({"dispatched_to": "2026-11-26"}) == {late}
    assert nos({"closed_from": "2026-11-27", "closed_to": "2026-11-27"}) == {instant}
    assert nos({"closed_from": "2026-11-27", "dispatched_from": "2026-11-27"}) == set()
    assert nos({"dispatched_from": "2026-11-26", "unit": "D01", "date_from": "2026-11-27"}) == {early}
    with pytest.raises(ValidationError) as e:
        queries.list_cases(desk, None, {"closed_to": "27/11/2026"})
    assert e.value.field == "closed_to"


def test_cli_case_list_date_options(desk, clock, actors, capsys):
    from app.cli import main

    no = intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=False))["case_no"]
    dispatch.dispatch(desk, actors["dispatcher"], no, "D01")
    main(["--data-dir", str(desk.root), "case", "list", "--dispatched-from", "2026-11-27", "--dispatched-to",
          "2026-11-27", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 1 and out["items"][0]["case_no"] == no
    main(["--data-dir", str(desk.root), "case", "list", "--closed-from", "2026-11-01", "--closed-to",
          "2026-11-30", "--json"])
    assert json.loads(capsys.readouterr().out)["total"] == 0
