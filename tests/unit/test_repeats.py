"""Unit tests for app.domain.repeats."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.repeats import Candidate, Probe, find_repeats, normalize_text, similarity

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=SH)

GARBAGE = "府山街道胜利小区3幢门口垃圾堆放多日无人清理，臭味严重。"
GARBAGE_AGAIN = "府山街道胜利小区3幢门口的垃圾堆放多日没人清理，臭味很严重！"
STREETLIGHT = "胜利小区门口路灯不亮，晚上出行不安全。"


# --- similarity ---------------------------------------------------------------------------


def test_identical_is_one():
    assert similarity(GARBAGE, GARBAGE) == 1.0


def test_punctuation_and_whitespace_ignored():
    assert similarity("噪音扰民，请处理！", "噪音 扰民 请处理") == 1.0
    assert similarity("Noise, please!", "noise please") == 1.0
    assert similarity("“路灯”不亮。", '"路灯"不亮.') == 1.0


def test_single_character_texts():
    assert similarity("水", "水。") == 1.0
    assert similarity("水", "电") == 0.0


@pytest.mark.parametrize("a, b", [("", ""), ("", "abc"), ("，。！", "，。！"), (None, "abc")])
def test_empty_is_zero(a, b):
    assert similarity(a, b) == 0.0


def test_slightly_different_chinese_texts_are_similar():
    assert similarity(GARBAGE, GARBAGE_AGAIN) >= 0.6


def test_unrelated_texts_are_not_similar():
    assert similarity(GARBAGE, STREETLIGHT) < 0.6


def test_dice_value_by_hand():
    # bigrams: 路灯 灯不 不亮 vs 路灯 灯坏 -> 2 * 1 / (3 + 2) = 0.4
    assert similarity("路灯不亮", "路灯坏") == pytest.approx(0.4)
    # Multiset: 哈哈哈 has 哈哈 twice, 哈哈 once -> 2 * 1 / 3
    assert similarity("哈哈哈", "哈哈") == pytest.approx(2 / 3)


def test_normalize_text():
    assert normalize_text("  Ａｂ，c—d 【测试】\n") == "abcd测试"


@given(st.text(max_size=30), st.text(max_size=30))
def test_similarity_bounds_and_symmetry(a, b):
    s = similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == similarity(b, a)


# --- find_repeats -------------------------------------------------------------------------


def probe(**kw) -> Probe:
    base = dict(phone="13812345678", text=GARBAGE, village="v-fushan", grid="g-03",
                address="胜利小区3幢", at=NOW)
    base.update(kw)
    return Probe(**base)


def cand(case_no, days_ago, **kw) -> Candidate:
    base = dict(phone=None, text=GARBAGE_AGAIN, village="v-fushan", grid="g-03",
                address=None, at=NOW - timedelta(days=days_ago))
    base.update(kw)
    return Candidate(case_no=case_no, **base)


def test_same_phone_is_repeat_regardless_of_text_and_place():
    c = cand("A1", 3, phone="+86 138-1234-5678", text=STREETLIGHT, village="v-tashan", grid="g-09")
    assert find_repeats(probe(), [c]) == ["A1"]


def test_empty_phones_do_not_match_each_other():
    c = cand("A1", 3, phone="", text=STREETLIGHT, grid="g-09", village="v-tashan")
    assert find_repeats(probe(phone=None), [c]) == []
    assert find_repeats(probe(phone=""), [cand("A2", 3, phone=None, text=STREETLIGHT, grid="g-09")]) == []


def test_same_grid_similar_text_is_repeat():
    assert find_repeats(probe(phone=None), [cand("A1", 2)]) == ["A1"]


def test_same_place_unrelated_text_is_not_repeat():
    assert find_repeats(probe(phone=None), [cand("A1", 2, text=STREETLIGHT)]) == []


def test_similar_text_elsewhere_is_not_repeat():
    assert find_repeats(probe(phone=None), [cand("A1", 2, grid="g-04")]) == []


def test_grid_decides_over_village_when_both_have_grids():
    # Same village but a different grid is a different place.
    assert find_repeats(probe(phone=None), [cand("A1", 2, grid="g-04", village="v-fushan")]) == []


def test_village_used_when_a_grid_is_missing():
    assert find_repeats(probe(phone=None), [cand("A1", 2, grid=None)]) == ["A1"]
    assert find_repeats(probe(phone=None), [cand("A2", 2, grid=None, village="v-tashan")]) == []


def test_address_used_when_no_grid_or_village():
    p = probe(phone=None, grid=None, village=None, address="胜利小区 3幢")
    assert find_repeats(p, [cand("A1", 2, grid=None, village=None, address="胜利小区3幢")]) == ["A1"]
    assert find_repeats(p, [cand("A2", 2, grid=None, village=None, address="塔山村")]) == []
    assert find_repeats(p, [cand("A3", 2, grid=None, village=None, address=None)]) == []
    p2 = probe(phone=None, grid=None, village=None, address="")
    assert find_repeats(p2, [cand("A4", 2, grid=None, village=None, address="")]) == []


def test_window_bounds():
    cands = [
        cand("IN-EDGE", 30),
        cand("OUT", 30.01),
        cand("FUTURE", -0.01),
        cand("NOW", 0),
    ]
    assert find_repeats(probe(phone=None), cands) == ["NOW", "IN-EDGE"]
    assert find_repeats(probe(phone=None), cands, window_days=7) == ["NOW"]


def test_threshold_parameter():
    c = cand("A1", 1, text=STREETLIGHT)
    assert find_repeats(probe(phone=None), [c], threshold=0.1) == ["A1"]


def test_order_most_recent_first_and_unique():
    cands = [cand("OLD", 20), cand("NEW", 1), cand("MID", 5), cand("NEW", 1)]
    assert find_repeats(probe(), cands) == ["NEW", "MID", "OLD"]
