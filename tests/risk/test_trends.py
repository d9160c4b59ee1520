"""Case trends propose risks: a cluster of one category in one 村社, or one person petitioning again
and again; the director accepts (a risk with source case_trend, the cases linked) or dismisses
(remembered). The rules fire on the demo data with a frozen clock, and not on noise."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cases.intake import take_in
from app.errors import NotFound, PermissionDenied
from app.risk import queries, trends
from app.store.models import Case
from tests.conftest import sample_case
from tests.risk.conftest import counts


def _set(desk, actors, **values):
    from app.admin.centre import setting_set

    for k, v in values.items():
        setting_set(desk, actors["admin"], k, str(v))


def _case(desk, actors, clock, hours_ago: float, **over) -> str:
    at = clock() - timedelta(hours=hours_ago)
    out = take_in(desk, actors["intake"], sample_case(**over), at=at)
    return out["case_no"]


def _phone(i: int) -> dict:
    return {"reporter": {"name": f"李{'一二三四五六七八九十'[i % 10]}", "phone": f"1390000{i:04d}"}}


def test_a_cluster_fires_and_scattered_cases_do_not(desk, actors, clock):
    # five 物业纠纷 in 府山社区 (V03) over six days: the default rule (>= 5 in 7 days) fires
    cluster = [_case(desk, actors, clock, 20 + 30 * i, category="PA0104",
                     location={"village": "V03", "address": "府山社区某小区"}, **_phone(i)) for i in range(5)]
    # noise: the same category elsewhere, other categories here, and an old one here
    _case(desk, actors, clock, 5, category="PA0104", location={"village": "V04", "address": "x"}, **_phone(10))
    _case(desk, actors, clock, 6, category="PA0401", location={"village": "V03", "address": "x"}, **_phone(11))
    _case(desk, actors, clock, 24 * 9, category="PA0104", location={"village": "V03", "address": "x"}, **_phone(12))
    found = trends.proposals(desk)
    assert [(p["rule"], p["village"], p["category"], sorted(p["case_nos"])) for p in found] == \
        [("cluster", "V03", "PA0104", sorted(cluster))]
    assert found[0]["count"] == 5 and found[0]["level"] == "medium" and "物业纠纷" in found[0]["title"]
    # one case fewer and nothing fires
    _set(desk, actors, trend_cluster_cases=6)
    assert trends.proposals(desk) == []


def test_repeat_petitions_by_one_person(desk, actors, clock):
    same = {"reporter": {"name": "王五", "phone": "13900001234"}}
    nos = [_case(desk, actors, clock, 24 * d + 1, category=cat, location={"village": "V02", "address": "x"}, **same)
           for d, cat in ((1, "PA0101"), (8, "PA0401"))]
    assert trends.proposals(desk) == []  # twice is not yet a pattern
    nos.append(_case(desk, actors, clock, 24 * 20, category="PA0104", location={"village": "V02", "address": "x"},
                     **same))
    found = trends.proposals(desk)
    assert [(p["rule"], sorted(p["case_nos"])) for p in found] == [("repeat", sorted(nos))]
    assert found[0]["title"].startswith("王*") and "13900001234" not in str(found[0])
    _set(desk, actors, trend_repeat_days=15)  # the oldest falls out of the window
    assert trends.proposals(desk) == []


def test_accept_makes_a_risk_and_dismiss_is_remembered(desk, actors, clock):
    cluster = [_case(desk, actors, clock, 10 + i, category="PA0104", location={"village": "V03", "address": "x"},
                     **_phone(i)) for i in range(5)]
    key = trends.proposals(desk)[0]["key"]
    with pytest.raises(PermissionDenied):
        trends.accept(desk, actors["dispatcher"], {"key": key})
    before = counts(desk)
    with pytest.raises(NotFound):
        trends.accept(desk, actors["director"], {"key": "cluster:PA0101:V09"})
    assert counts(desk) == before

    out = trends.accept(desk, actors["director"], {"key": key, "note": "物业矛盾集中，纳入风险管理"})
    assert out["state"] == "monitoring" and out["unit"] is None  # 物业纠纷 has two units on the list
    risk = queries.show_risk(desk, out["risk_no"])
    assert risk["source"] == "case_trend" and sorted(risk["case_nos"]) == sorted(cluster)
    assert trends.proposals(desk) == []
    assert len(trends.proposals(desk, include_decided=True)) == 1

    # a sixth case is new evidence: proposed again, and this time dismissed
    cluster.append(_case(desk, actors, clock, 1, category="PA0104", location={"village": "V03", "address": "x"},
                         **_phone(9)))
    again = trends.proposals(desk)
    assert len(again) == 1 and len(again[0]["case_nos"]) == 6
    trends.dismiss(desk, actors["director"], {"key": again[0]["key"], "note": "已在处置中"})
    assert trends.proposals(desk) == []
    clock.advance(days=2)  # the oldest cases leave the window: a subset of what was dismissed
    assert trends.proposals(desk) == []


def _expected_groups(desk, now, days: int, depth: int, threshold: int) -> set:
    """The clusters counted by hand from the case table (independently of app.domain.risk)."""
    refs = desk.refs()
    with desk.db.read() as s:
        rows = s.execute(select(Case.category, Case.village, Case.received_at, Case.state)).all()
    found = Counter()
    for cat, village, at, state in rows:
        if not cat or not village or state == "merged" or not now - timedelta(days=days) <= at <= now:
            continue
        for _ in range(depth):
            cat = refs.categories[cat].parent or cat
        found[(cat, village)] += 1
    return {k for k, n in found.items() if n >= threshold}


def test_fires_on_the_demo_data_with_a_frozen_clock_and_not_on_noise(demo_desk, clock):
    from tests.conftest import load_actors

    actors = load_actors(demo_desk)
    now = clock()
    # the demo's cases are spread at random over 60 days: the default rules see noise, nothing more
    assert _expected_groups(demo_desk, now, 7, 0, 5) == set()
    assert trends.proposals(demo_desk) == []
    # a town that watches whole 二级 categories (depth 1) for 3 cases in a week finds the demo's hot spots
    _set(demo_desk, actors, trend_category_depth=1, trend_cluster_cases=3)
    expected = _expected_groups(demo_desk, now, 7, 1, 3)
    found = trends.proposals(demo_desk)
    assert expected and {(p["category"], p["village"]) for p in found if p["rule"] == "cluster"} == expected
    for p in found:
        assert len(p["case_nos"]) == p["count"] >= 3
    # the same rules a week later, with the clock moved: other hot spots (the clock decides, not the wall)
    clock.advance(days=7)
    assert {(p["category"], p["village"]) for p in trends.proposals(demo_desk) if p["rule"] == "cluster"} == \
        _expected_groups(demo_desk, clock(), 7, 1, 3)
