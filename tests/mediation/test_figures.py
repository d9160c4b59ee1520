"""Hand-built data with hand-written expected figures: 调解成功率, 诉前化解率, by means, by type,
积案化解率 and the ranking of units (the lowest red)."""
from __future__ import annotations

import pytest

from app.mediation import backlog, indicators, queries, services
from tests.mediation.conftest import AGREEMENT, dispute_input

ALL = ("facts", "lawful", "solved", "satisfied", "approved")


@pytest.fixture
def built(desk, actors, cases):
    """Five disputes: mediation ✓ (agreement), compensation ✓, indemnity ✓, litigation ✗, one open;
    three 积案: two resolved."""
    admin = actors["admin"]
    nos = []
    for i, kind in enumerate(("邻里", "邻里", "合同", "合同", "物业")):
        nos.append(services.open_dispute(desk, admin, cases[i], dispute_input(type=kind))["dispute_no"])
    services.assign(desk, admin, nos[0], "M01", ["M04"])
    services.assign(desk, admin, nos[1], "M01")
    services.assign(desk, admin, nos[2], "M03")
    services.close_dispute(desk, admin, nos[0], {"means": "mediation", "success": True, "agreement": AGREEMENT})
    services.close_dispute(desk, admin, nos[1], {"means": "compensation", "success": True})
    services.close_dispute(desk, admin, nos[2], {"means": "indemnity", "success": True})
    services.close_dispute(desk, admin, nos[3], {"means": "litigation", "success": False,
                                                 "reason": "被申请人拒绝调解，已引导诉讼"})
    plan = {"lead": "王镇长", "members": ["李干部"], "plan": "一案一策，逐户走访", "due": "2027-03-31"}
    b = [backlog.add_backlog(desk, admin, cases[0], {**plan, "units": ["D01"]}),
         backlog.add_backlog(desk, admin, cases[1], {**plan, "units": ["D02"]}),
         backlog.add_backlog(desk, admin, cases[2], {**plan, "units": ["D01", "V01"]})]
    backlog.resolve(desk, admin, b[0]["backlog_no"], ALL)
    backlog.resolve(desk, admin, cases[1], ",".join(ALL))  # by the case number
    return nos


def test_hand_written_figures(desk, built):
    out = indicators.indicators(desk, "2026-11-01", "2026-11-30")
    assert (out["accepted"], out["closed"], out["succeeded"]) == (5, 4, 3)
    assert out["success_rate"] == pytest.approx(3 / 4)
    assert out["pre_litigation"] == 3 and out["pre_litigation_rate"] == pytest.approx(0.75)
    assert out["by_means"] == {"mediation": 1, "compensation": 1, "indemnity": 1, "litigation": 1, "arbitration": 0}
    assert out["avg_days"] == 0  # opened and closed at the same frozen moment
    assert out["backlog"] == {"registered": 3, "resolved": 2, "rate": pytest.approx(2 / 3)}
    # a period before any of it: nothing, and rates without a denominator are None (shown as —)
    empty = indicators.indicators(desk, "2026-10-01", "2026-10-31")
    assert (empty["accepted"], empty["closed"], empty["success_rate"]) == (0, 0, None)
    assert empty["backlog"] == {"registered": 0, "resolved": 0, "rate": None}


def test_by_type_and_mediator(desk, built):
    by_type = {g["key"]: g for g in indicators.indicators(desk, "2026-11-27", "2026-11-27", "type")["groups"]}
    assert list(by_type) == ["邻里", "合同", "物业"]  # the order
    assert (by_type["邻里"]["closed"], by_type["邻里"]["success_rate"]) == (2, 1.0)
    assert (by_type["合同"]["closed"], by_type["合同"]["success_rate"]) == (2, 0.5)
    assert (by_type["物业"]["accepted"], by_type["物业"]["closed"]) == (1, 0)
    by_m = {g["key"]: g for g in indicators.indicators(desk, "2026-11-27", "2026-11-27", "mediator")["groups"]}
    assert by_m["M01"]["label"] == "周立新" and by_m["M01"]["succeeded"] == 2
    assert by_m[None]["label"] == "未指定" and by_m[None]["accepted"] == 2
    load = {w["code"]: w for w in queries.workload(desk)}
    assert (load["M01"]["closed"], load["M04"]["assisting"], load["M03"]["closed"]) == (2, 0, 1)


def test_backlog_ranking_lowest_is_red(desk, built):
    rank = indicators.backlog_ranking(desk)
    assert [(g["key"], g["registered"], g["resolved"]) for g in rank] == [("D02", 1, 1), ("D01", 2, 1), ("V01", 1, 0)]
    assert [g["mark"] for g in rank] == [None, None, "red"]
    by_village = indicators.backlog_ranking(desk, by="village")
    assert [(g["key"], g["rate"]) for g in by_village] == [("V01", pytest.approx(2 / 3))]


def test_bottom_three_red_with_more_units(desk, actors):
    from tests.mediation.conftest import new_cases

    admin = actors["admin"]
    nos = new_cases(desk, 5)
    for no, unit in zip(nos, ("D01", "D02", "D03", "D04", "D05"), strict=True):
        backlog.add_backlog(desk, admin, no, {"lead": "王镇长", "members": ["李干部"], "units": [unit],
                                              "plan": "专班化解", "due": "2027-01-31"})
    for no in nos[:2]:
        backlog.resolve(desk, admin, no, ALL)
    rank = indicators.backlog_ranking(desk)
    assert [g["key"] for g in rank if g["mark"] == "red"] == ["D03", "D04", "D05"]


def test_list_filters(desk, actors, built):
    closed = queries.list_disputes(desk, actors["admin"], state="closed")
    assert len(closed) == 4 and {d["state"] for d in closed} == {"closed"}
    assert [d["dispute_no"] for d in queries.list_disputes(desk, actors["admin"], state="open")] == [built[4]]
    red = queries.list_disputes(desk, actors["admin"], color="red")
    assert [d["dispute_no"] for d in red] == [built[3]]  # the failed mediation
    assert len(queries.list_disputes(desk, actors["admin"], color="绿")) == 4
