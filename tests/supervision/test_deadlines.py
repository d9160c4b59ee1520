"""Colour transitions over simulated time, reminders (one per change), 催办 proposals and 督办."""
from __future__ import annotations

from datetime import datetime

import pytest

from app import events
from app.cases import handling, intake, queries
from app.errors import WorkflowError
from app.supervision import board as sv
from tests.conftest import SHANGHAI, sample_case


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def colour(desk, no):
    return queries.show_case(desk, None, no)["color"]


def test_sign_clock_across_a_tiaoxiu_saturday(desk, clock, actors):
    """Dispatched Fri 2026-10-09 10:00: the next working day is the 调休 Saturday 10-10, so the
    sign deadline is Sat 10:00 and the last 20 % (4.8 h) of it is yellow from Sat 05:12."""
    clock.set(at(10, 9, 10))
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    for when, expected in ((at(10, 9, 23), "green"), (at(10, 10, 5, 11), "green"), (at(10, 10, 5, 12), "yellow"),
                           (at(10, 10, 10), "yellow"), (at(10, 10, 10, 1), "red")):
        clock.set(when)
        assert colour(desk, no) == expected, when


def test_weekend_transitions_and_reminders(desk, clock, actors):
    """Dispatched Fri 2026-11-27 10:00. Sign due Mon 11-30 10:00 (weekend skipped, no yellow over
    the weekend); handling due Fri 12-04 10:00, yellow from Thu 12-03 10:00 (1 working day left)."""
    heard = []
    unsubscribe = events.subscribe(sv.DEADLINE_CHANGED, heard.append)
    try:
        no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
        assert sv.scan_reminders(desk)["baseline"] == 0         # first scan: silent baseline
        steps = [
            (at(11, 28, 12), "green", []), (at(11, 29, 23), "green", []),
            (at(11, 30, 5, 11), "green", []), (at(11, 30, 5, 12), "yellow", ["yellow"]),
            (at(11, 30, 9), "yellow", []),                      # no second notice for the same colour
            (at(11, 30, 10, 1), "red", ["red"]), (at(11, 30, 10, 30), "red", []),
        ]
        for when, expected, notices in steps:
            clock.set(when)
            assert colour(desk, no) == expected, when
            assert [n["color"] for n in sv.scan_reminders(desk)["notices"]] == notices, when
        clock.set(at(11, 30, 11))
        handling.act(desk, actors["unit_v01"], no, "sign")       # the handling clock starts: green
        assert colour(desk, no) == "green"
        assert sv.scan_reminders(desk)["notices"] == []
        for when, expected, notices in ((at(12, 3, 9, 59), "green", []), (at(12, 3, 10), "yellow", ["yellow"]),
                                        (at(12, 4, 10), "yellow", []), (at(12, 4, 10, 1), "red", ["red"])):
            clock.set(when)
            assert colour(desk, no) == expected, when
            assert [n["color"] for n in sv.scan_reminders(desk)["notices"]] == notices, when
        assert [n["color"] for e in heard for n in e["notices"]] == ["yellow", "red", "yellow", "red"]
    finally:
        unsubscribe()


def test_board_and_urge_proposal_the_day_after(desk, clock, actors):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    clock.set(at(11, 30, 10, 1))                                 # sign deadline missed today
    board = sv.board(desk)
    assert board["red"] == 1 and board["units"][0]["unit"] == "V01"
    assert board["cases"][0]["case_no"] == no
    assert sv.urge_proposals(desk) == []                         # not the same day
    clock.set(at(12, 1, 8))
    (p,) = sv.urge_proposals(desk)
    assert (p["case_no"], p["level"]) == (no, "normal")
    out = sv.issue_urges(desk, actors["director"], [p])
    assert out["issued"] == 1 and not out["failed"]
    assert sv.urge_proposals(desk) == []                         # urged since the deadline
    case = queries.show_case(desk, None, no)
    assert (case["urge_count"], case["urge_level"]) == (1, "normal")


def test_urge_reply_and_open_list(desk, clock, actors):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    with pytest.raises(WorkflowError):
        sv.reply(desk, actors["unit_v01"], no, "已在办理")         # nothing to answer yet
    clock.set(at(11, 27, 11))
    sv.urge(desk, actors["director"], no, "red", "请当天化解，结果报指挥中心")
    listed = sv.open_urges(desk)
    assert listed["counts"] == {"normal": 0, "yellow": 0, "red": 1}
    item = listed["items"][0]
    assert item["replied"] is False and item["instruction"].startswith("请当天化解")
    assert datetime.fromisoformat(item["reply_by"]) < at(12, 1, 0)   # end of Mon 11-30
    clock.set(at(12, 1, 9))
    assert sv.open_urges(desk)["items"][0]["reply_overdue"] is True
    sv.reply(desk, actors["unit_v01"], no, "已组织双方调解")
    item = sv.open_urges(desk, level="red")["items"][0]
    assert item["replied"] is True and item["reply_overdue"] is False
    assert queries.list_cases(desk, None, {"supervised": True})["total"] == 1
