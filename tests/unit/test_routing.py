"""Unit tests for app.domain.routing."""
from __future__ import annotations

import pytest

from app.domain.routing import RouteResult, Rule, category_chain, route

PARENTS = {
    "dispute": None,  # 矛盾纠纷
    "dispute.neighbour": "dispute",  # 邻里纠纷
    "dispute.neighbour.noise": "dispute.neighbour",  # 邻里噪声纠纷
    "noise": None,  # 噪声扰民
    "road": None,
}
CATEGORY_NAMES = {
    "dispute": "矛盾纠纷",
    "dispute.neighbour": "邻里纠纷",
    "dispute.neighbour.noise": "邻里噪声纠纷",
    "noise": "噪声扰民",
}
UNIT_NAMES = {
    "fushan": "府山社区",
    "zhzf": "综合执法队",
    "pcs": "派出所",
    "zzb": "综治办",
    "wgy3": "第三网格工作站",
}
VILLAGE_NAMES = {"v-fushan": "府山社区", "v-tashan": "塔山村"}
GRID_NAMES = {"g-03": "第三网格"}

NAMES = dict(
    category_parents=PARENTS,
    unit_names=UNIT_NAMES,
    category_names=CATEGORY_NAMES,
    village_names=VILLAGE_NAMES,
    grid_names=GRID_NAMES,
)


def test_unique_village_rule():
    rules = [Rule("dispute.neighbour", "fushan", village="v-fushan")]
    r = route("dispute.neighbour", rules, village="v-fushan", **NAMES)
    assert r == RouteResult("fushan", "按责任清单「邻里纠纷」（府山社区）由 府山社区 承办", ("fushan",))
    assert r.unique


def test_unique_town_wide_uses_codes_without_names():
    r = route("road", [Rule("road", "jsb")])
    assert r.unit == "jsb"
    assert r.reason == "按责任清单「road」（全镇）由 jsb 承办"


def test_none():
    r = route("noise", [Rule("road", "jsb"), Rule("noise", "zhzf", village="v-tashan")],
              village="v-fushan", **NAMES)
    assert r == RouteResult(None, "责任清单中没有「噪声扰民」的承办单位，请人工分派", ())
    assert not r.unique


def test_empty_rule_list():
    r = route("road", [])
    assert r.unit is None and r.candidates == ()
    assert r.reason == "责任清单中没有「road」的承办单位，请人工分派"


def test_ambiguous_lists_sorted_candidates():
    rules = [Rule("noise", "zhzf"), Rule("noise", "pcs"), Rule("noise", "zhzf", note="重复行")]
    r = route("noise", rules, village="v-fushan", **NAMES)
    assert r.unit is None
    assert not r.unique
    assert r.candidates == ("pcs", "zhzf")
    assert r.reason == "责任清单中「噪声扰民」有多个承办单位：派出所、综合执法队，请人工分派"


def test_duplicate_rules_same_unit_are_unique():
    r = route("noise", [Rule("noise", "zhzf"), Rule("noise", "zhzf")], **NAMES)
    assert r.unit == "zhzf"


def test_village_scoped_beats_town_wide():
    rules = [Rule("noise", "zhzf"), Rule("noise", "fushan", village="v-fushan")]
    assert route("noise", rules, village="v-fushan", **NAMES).unit == "fushan"
    # Another village only matches the town-wide rule.
    r = route("noise", rules, village="v-tashan", **NAMES)
    assert r.unit == "zhzf"
    assert r.reason == "按责任清单「噪声扰民」（全镇）由 综合执法队 承办"


def test_grid_beats_village():
    rules = [
        Rule("noise", "fushan", village="v-fushan"),
        Rule("noise", "wgy3", grid="g-03"),
        Rule("noise", "zhzf"),
    ]
    r = route("noise", rules, village="v-fushan", grid="g-03", **NAMES)
    assert r.unit == "wgy3"
    assert r.reason == "按责任清单「噪声扰民」（府山社区 第三网格）由 第三网格工作站 承办"
    # A different grid falls back to the village rule.
    assert route("noise", rules, village="v-fushan", grid="g-04", **NAMES).unit == "fushan"


def test_grid_rule_with_village_must_match_both():
    rules = [Rule("noise", "wgy3", village="v-fushan", grid="g-03")]
    assert route("noise", rules, village="v-tashan", grid="g-03").unit is None
    assert route("noise", rules, village="v-fushan", grid="g-03").unit == "wgy3"


def test_exact_category_beats_parent():
    rules = [Rule("dispute", "zzb"), Rule("dispute.neighbour", "fushan")]
    assert route("dispute.neighbour", rules, **NAMES).unit == "fushan"
    # The grandchild has no rule of its own: the nearest ancestor (parent) wins.
    r = route("dispute.neighbour.noise", rules, **NAMES)
    assert r.unit == "fushan"
    assert r.reason == "按责任清单「邻里纠纷」（全镇，「邻里噪声纠纷」的上级类别）由 府山社区 承办"
    # Only the grandparent has a rule.
    assert route("dispute.neighbour.noise", [Rule("dispute", "zzb")], **NAMES).unit == "zzb"


def test_scope_outranks_category_specificity():
    # A village rule for the parent category beats a town-wide rule for the exact category.
    rules = [Rule("dispute.neighbour", "zzb"), Rule("dispute", "fushan", village="v-fushan")]
    assert route("dispute.neighbour", rules, village="v-fushan", **NAMES).unit == "fushan"


def test_ambiguity_only_within_winning_tier():
    rules = [Rule("noise", "zhzf"), Rule("noise", "pcs"), Rule("noise", "fushan", village="v-fushan")]
    assert route("noise", rules, village="v-fushan", **NAMES).unit == "fushan"


def test_child_rule_does_not_apply_to_parent_case():
    rules = [Rule("dispute.neighbour", "fushan")]
    assert route("dispute", rules, **NAMES).unit is None


def test_category_chain_stops_on_cycle():
    assert category_chain("a", {"a": "b", "b": "a"}) == ["a", "b"]
    assert category_chain("x", {}) == ["x"]


def test_rules_are_frozen():
    with pytest.raises(AttributeError):
        Rule("noise", "zhzf").unit = "pcs"  # type: ignore[misc]


def test_accepts_generator_of_rules():
    r = route("noise", (rule for rule in [Rule("noise", "zhzf")]))
    assert r.unit == "zhzf"
