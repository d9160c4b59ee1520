"""网格上报 (报办分离): a solved report is closed at once with its result, a passed one waits in
待分派; the report's facts, the reporter's points, audit and outbox go in the same transaction;
bad reports (unknown staff, staff of another 村社, solved without a result) exit 2 and write nothing;
a 联络员's own unit may not handle the event the 联络员 reported."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.cases import handling, intake
from app.errors import ValidationError
from app.grids import reports
from app.store.models import GridReport, OutboxEntry, PointsEntry
from tests.conftest import sample_case
from tests.grids.conftest import REPORT, counts


def test_solved_report_is_closed_with_the_result_and_counted_for_the_reporter(desk, actors):
    out = reports.report(desk, actors["intake"], {**REPORT, "outcome": "solved", "result": "已督促住户清理"})
    assert out["state"] == "closed" and out["result"] == "已督促住户清理" and out["close_type"] == "substantive"
    assert out["unit"] is None and out["dispatched_at"] is None  # never dispatched: nobody else handles it
    assert out["channel"] == "grid_report" and out["reporter_staff"] == "GS0003"
    assert out["location"]["grid"] == "V01G01M01" and out["location"]["village"] == "V01"
    assert out["routing"]["outcome"] == "solved"
    with desk.db.read() as s:
        r = s.scalar(select(GridReport).where(GridReport.code == out["case_no"]))
        assert (r.reporter_staff, r.grid_code, r.micro_code, r.village_code, r.outcome) == \
            ("GS0003", "V01G01", "V01G01M01", "V01", "solved")
        entry = s.scalar(select(PointsEntry).where(PointsEntry.case_no == out["case_no"]))
        assert (entry.person, entry.rule, entry.points) == ("GS0003", "grid_solved", 2)
        queued = sorted(e.entity for e in s.scalars(select(OutboxEntry)))
    assert queued == ["action", "action", "grid_report", "points_entry"]  # intake + grid_solve, the facts, points


def test_passed_report_waits_for_the_dispatcher(desk, actors):
    out = reports.report(desk, actors["intake"], {**REPORT, "grid": "V01G01"})
    assert out["state"] == "registered" and out["unit"] is None and not out["auto_dispatched"]
    assert out["routing"]["outcome"] == "queue"
    assert out["grid_report"]["micro"] is None and out["grid_report"]["grid"] == "V01G01"
    assert out["grid_report"]["points"]["points"] == 1


def test_cli_report_prints_the_case_json_of_case_add_plus_the_reporter(desk, run):
    rc, added = run("case", "add", "--json", "-", stdin=sample_case())
    assert rc == 0
    rc, out = run("grid", "report", "--json", "-", stdin={**REPORT, "outcome": "solved", "result": "已清理"})
    assert rc == 0, out
    assert set(out) == set(added) | {"reporter_staff", "grid_report"}
    assert out["reporter_staff"] == "GS0003" and out["state"] == "closed"


@pytest.mark.parametrize("change,field", [
    ({"reporter": "GS9999"}, "reporter"),                          # not on the roster
    ({"grid": "V02G01"}, "reporter"),                              # GS0003 works in 卧龙社区, not 望越社区
    ({"outcome": "solved"}, "result"),                             # solved without a result
    ({"outcome": "later"}, "outcome"),
    ({"grid": "V01"}, "grid"),                                     # a 村社 is not a grid
    ({"category": "NOPE"}, "category"),
    ({"description": ""}, "description"),
])
def test_bad_reports_exit_2_and_write_nothing(desk, run, change, field):
    before = counts(desk.root)
    rc, out = run("grid", "report", "--json", "-", stdin={**REPORT, **change})
    assert rc == 2
    assert out["error"]["field"] == field and out["error"]["message"]
    assert counts(desk.root) == before


def test_a_liaison_unit_never_handles_what_its_liaison_reported(desk, actors):
    liaison = next(r for r in reports.roster(desk, "V01") if r["role"] == "联络员")
    with desk.db.read() as s:
        from app.store.models import Staff
        unit = s.scalar(select(Staff.unit_code).where(Staff.code == liaison["code"]))
    assert unit
    out = reports.report(desk, actors["intake"], {**REPORT, "reporter": liaison["code"]})
    with pytest.raises(ValidationError) as e:
        handling.act(desk, actors["dispatcher"], out["case_no"], "dispatch", {"unit": unit})
    assert e.value.field == "unit" and "报办分离" in e.value.message
    other = "D02" if unit != "D02" else "D03"
    assert handling.act(desk, actors["dispatcher"], out["case_no"], "dispatch", {"unit": other})["unit"]["code"] == other
    # an ordinary case may go to that unit
    plain = intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=False))
    assert handling.act(desk, actors["dispatcher"], plain["case_no"], "dispatch", {"unit": unit})["state"] == "dispatched"


def test_demo_roster_has_one_chief_and_three_staff_for_every_grid(desk):
    staff = reports.roster(desk)
    with desk.db.read() as s:
        from app.store.models import Grid
        grids = [g.code for g in s.scalars(select(Grid).where(Grid.level == "grid"))]
        micros = [g.code for g in s.scalars(select(Grid).where(Grid.level == "micro"))]
    roles = {(r["grid"], r["role"]) for r in staff}
    for g in grids:
        assert {(g, "网格长"), (g, "专职网格员"), (g, "兼职网格员"), (g, "网格指导员")} <= roles
    for m in micros:
        assert (m, "微网格长") in roles
    assert sum(1 for r in staff if r["role"] == "联络员") >= 3
