"""有奖上报: the rules give points (automatically for grid reports, by hand for a verified citizen
report or a micro-grid survey), the ledger shows every entry with its reason and case, a reversal
is a new negative entry in the original's month (never a change or a delete), the monthly board
ranks with ties; nothing moves points from one person to another."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, ValidationError
from app.grids import points, reports
from app.store.models import PointsEntry
from tests.conftest import SHANGHAI, sample_case
from tests.grids.conftest import REPORT


def test_rules_award_reverse_and_board(desk, actors, clock):
    intake, director = actors["intake"], actors["director"]
    solved = reports.report(desk, intake, {**REPORT, "outcome": "solved", "result": "已处理"})   # GS0003 +2
    reports.report(desk, intake, {**REPORT, "grid": "V01G01"})                                   # GS0003 +1
    reports.report(desk, intake, {**REPORT, "grid": "V01G02", "reporter": "GS0006"})             # GS0006 +1
    survey = points.award(desk, director, "micro_survey", person="GS0006", note="3幢入户走访")     # GS0006 +3
    from app.cases import intake as cases_intake
    citizen_case = cases_intake.take_in(desk, intake, sample_case(channel="mini_program"))
    citizen = points.award(desk, director, "citizen_verified", case_no=citizen_case["case_no"])  # 13800001111 +5
    assert (citizen["person"], citizen["person_kind"], citizen["points"]) == ("13800001111", "citizen", 5)
    assert survey["reason"] == "完成微网格走访排查：3幢入户走访"

    board = points.board(desk, "2026-11")
    assert [(i["rank"], i["person"], i["points"]) for i in board["items"]] == [
        (1, "138****1111", 5), (2, "GS0006", 4), (3, "GS0003", 3)]

    # the solved report's case is found invalid: its points are reversed, not deleted
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI))
    out = points.reverse(desk, director, "核实为重复上报", case_no=solved["case_no"])
    assert len(out["entries"]) == 1 and out["entries"][0]["points"] == -2
    assert out["entries"][0]["month"] == "2026-11"          # counts against the month it corrected
    ledger = points.ledger(desk, "GS0003")
    assert ledger["total"] == 1 and ledger["name"] == "田琳"
    assert [(e["points"], e["case_no"] == solved["case_no"]) for e in ledger["entries"]][0] == (-2, True)
    original = next(e for e in ledger["entries"] if e["code"] == out["reversed"][0])
    assert original["points"] == 2 and original["reversed"] and original["reason"] == "网格员当场解决事件"
    board = points.board(desk, "2026-11")
    assert [(i["rank"], i["person"], i["points"]) for i in board["items"]] == [
        (1, "138****1111", 5), (2, "GS0006", 4), (3, "GS0003", 1)]
    with desk.db.read() as s:  # append-only: the original is still there, unchanged
        assert s.scalar(select(PointsEntry.points).where(PointsEntry.code == out["reversed"][0])) == 2

    with pytest.raises(ValidationError, match="没有可冲正"):   # a second reversal of the same case
        points.reverse(desk, director, "再次冲正", case_no=solved["case_no"])
    with pytest.raises(ValidationError, match="冲正记录不能再冲正"):
        points.reverse(desk, director, "冲正的冲正", entry=out["entries"][0]["code"])


def test_ties_share_a_rank_and_rules_can_be_changed(desk, actors):
    director = actors["director"]
    points.set_rule(desk, director, "micro_survey", 4)
    assert {r["code"]: r["points"] for r in points.list_rules(desk)}["micro_survey"] == 4
    for person in ("GS0003", "GS0006"):
        points.award(desk, director, "micro_survey", person=person)
    points.award(desk, director, "micro_survey", person="GS0022")
    points.award(desk, director, "micro_survey", person="GS0022")
    ranks = [(i["rank"], i["person"], i["points"]) for i in points.board(desk, "2026-11")["items"]]
    assert ranks == [(1, "GS0022", 8), (2, "GS0003", 4), (2, "GS0006", 4)]


def test_refusals(desk, actors):
    director, intake = actors["director"], actors["intake"]
    with pytest.raises(PermissionDenied):
        points.award(desk, intake, "micro_survey", person="GS0003")
    with pytest.raises(ValidationError, match="自动计分"):
        points.award(desk, director, "grid_solved", person="GS0003")
    with pytest.raises(ValidationError) as e:
        points.award(desk, director, "micro_survey", person="GS9999")
    assert e.value.field == "person"
    with pytest.raises(ValidationError):
        points.set_rule(desk, director, "micro_survey", -5)
    with pytest.raises(ValidationError) as e:
        points.board(desk, "2026-13")
    assert e.value.field == "month"
    with pytest.raises(ValidationError) as e:
        points.ledger(desk, "nobody")
    assert e.value.field == "person"
    assert not hasattr(points, "transfer")  # points are personal: nothing moves them


def test_cli_ledger_and_board(desk, actors, run):
    reports.report(desk, actors["intake"], {**REPORT, "outcome": "solved", "result": "已处理"})
    rc, out = run("points", "ledger", "GS0003", "--json")
    assert rc == 0 and out["total"] == 2 and out["entries"][0]["case_no"]
    rc, out = run("points", "board", "--month", "2026-11", "--json")
    assert rc == 0 and out["items"][0]["person"] == "GS0003" and out["items"][0]["points"] == 2
    rc, out = run("--json", "points", "board", "--month", "11/2026")
    assert rc == 2 and out["error"]["field"] == "month"
    rc, out = run("--as", "director", "points", "reverse", "--entry", "nope", "--reason", "无效", "--json")
    assert rc == 2
