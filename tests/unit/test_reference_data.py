"""Consistency checks for the reference data under resources/reference/."""
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

REF = Path(__file__).parents[2] / "resources" / "reference"
ROLES = {"intake", "dispatcher", "director", "unit", "admin"}
CASE_TYPES = {"consult", "help", "complaint", "report", "suggestion"}
UNIT_KINDS = {"department", "station", "district", "village"}
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _load(name):
    with open(REF / name, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def taxonomy():
    return _load("taxonomy.json")


@pytest.fixture(scope="module")
def town():
    return _load("demo_town.json")


@pytest.fixture(scope="module")
def text():
    return _load("demo_text.json")


@pytest.fixture(scope="module")
def leaves(taxonomy):
    return {c["code"]: c for c in taxonomy["categories"] if c["parent"] is not None}


def _unique(items, key="code"):
    values = [i[key] for i in items]
    dupes = {v for v in values if values.count(v) > 1}
    assert not dupes, f"duplicate {key}: {sorted(dupes)}"


def test_taxonomy_codes_and_names_unique(taxonomy):
    _unique(taxonomy["platforms"])
    _unique(taxonomy["categories"])
    _unique(taxonomy["categories"], "name")


def test_taxonomy_structure(taxonomy, leaves):
    platforms = {p["code"] for p in taxonomy["platforms"]}
    assert platforms == {"DJ", "JJ", "PA", "GG"}
    groups = {c["code"]: c for c in taxonomy["categories"] if c["parent"] is None}
    for code, g in groups.items():
        assert len(code) == 4 and code[:2] == g["platform"] and g["platform"] in platforms
    for code, c in leaves.items():
        assert len(code) == 6 and c["parent"] in groups and code[:4] == c["parent"]
        assert c["platform"] == groups[c["parent"]]["platform"]
        assert c["case_type"] in CASE_TYPES
        for f in ("sign_days", "handle_days", "urgent_sign_hours", "urgent_handle_days"):
            assert isinstance(c[f], int) and c[f] > 0, (code, f)
        assert isinstance(c["auto_dispatch"], bool)
    assert len(leaves) >= 70
    assert {c["platform"] for c in leaves.values()} == platforms
    manual = [c for c in leaves.values() if not c["auto_dispatch"]]
    assert 5 <= len(manual) <= 12
    assert any(c.get("major") for c in leaves.values())


def test_town_codes_unique(town):
    for key in ("units", "grids", "staff", "rules"):
        assert town[key], key
    _unique(town["units"])
    _unique(town["grids"])
    _unique(town["staff"])
    _unique(town["users"], "username")
    # unit codes may equal village grid codes by design, but staff codes must not clash
    assert not {s["code"] for s in town["staff"]} & {u["code"] for u in town["units"]}


def test_units(town):
    units = town["units"]
    assert len(units) >= 24
    assert all(u["kind"] in UNIT_KINDS for u in units)
    kinds = {u["kind"] for u in units}
    assert kinds == UNIT_KINDS


def test_grids(town):
    grids = {g["code"]: g for g in town["grids"]}
    by_level = defaultdict(list)
    for g in grids.values():
        by_level[g["level"]].append(g)
    assert len(by_level["village"]) >= 10
    assert len(by_level["grid"]) >= 45
    assert by_level["micro"]
    expected_parent = {"village": None, "grid": "village", "micro": "grid"}
    for g in grids.values():
        want = expected_parent[g["level"]]
        if want is None:
            assert g["parent"] is None
        else:
            assert grids[g["parent"]]["level"] == want, g["code"]
            assert g["code"].startswith(g["parent"])


def test_every_village_is_a_unit(town):
    units = {u["code"]: u for u in town["units"]}
    villages = [g for g in town["grids"] if g["level"] == "village"]
    for v in villages:
        assert v["code"] in units and units[v["code"]]["kind"] == "village", v["code"]
        assert v.get("unit") == v["code"]
        assert units[v["code"]]["name"] == v["name"]
    assert {u["code"] for u in units.values() if u["kind"] == "village"} == {v["code"] for v in villages}


def test_rules_reference_existing_records(town, leaves):
    units = {u["code"] for u in town["units"]}
    grids = {g["code"]: g for g in town["grids"]}
    assert len(town["rules"]) >= 60
    for r in town["rules"]:
        assert r["category"] in leaves, r
        assert r["unit"] in units, r
        if r["village"] is not None:
            assert grids[r["village"]]["level"] == "village", r
        if r["grid"] is not None:
            assert grids[r["grid"]]["level"] in ("grid", "micro"), r
            assert r["village"] is None or r["grid"].startswith(r["village"]), r


def test_ambiguous_and_ruleless_categories(town, leaves):
    town_wide = defaultdict(set)
    for r in town["rules"]:
        if r["village"] is None and r["grid"] is None:
            town_wide[r["category"]].add(r["unit"])
    ambiguous = [c for c, us in town_wide.items() if len(us) > 1]
    assert len(ambiguous) >= 3, ambiguous
    ruled = {r["category"] for r in town["rules"]}
    ruleless = set(leaves) - ruled
    assert len(ruleless) >= 5, ruleless


def test_users(town):
    units = {u["code"] for u in town["units"]}
    roles = defaultdict(list)
    for u in town["users"]:
        assert u["role"] in ROLES, u
        roles[u["role"]].append(u)
        assert u["password"]
        if u["role"] == "unit":
            assert u["unit"] in units, u
        else:
            assert u["unit"] is None, u
    assert set(roles) == ROLES
    for role in ROLES - {"unit"}:
        assert len(roles[role]) == 1, role


def test_staff(town):
    grids = {g["code"] for g in town["grids"]}
    for s in town["staff"]:
        assert MOBILE.match(s["phone"]), s
        assert s["grid"] in grids, s
        assert s["role"] in {"网格长", "专职网格员", "兼职网格员", "微网格联络员"}, s


def test_everything_is_marked_sample(town):
    assert town["notice"]
    assert town["town"]["sample"] is True
    for key in ("units", "grids", "staff", "rules", "users"):
        for rec in town[key]:
            assert rec.get("sample") is True, (key, rec)
    assert len(town["streets"]) >= 20


def test_demo_text_templates(text, leaves):
    fills = text["fills"]
    allowed = {"place", "name"} | set(fills)
    assert set(text["templates"]) >= set(leaves)
    for code in leaves:
        tpl = text["templates"][code]
        assert tpl["titles"] and tpl["descriptions"], code
        for s in tpl["titles"] + tpl["descriptions"]:
            unknown = set(PLACEHOLDER.findall(s)) - allowed
            assert not unknown, (code, s, unknown)
    for key, values in fills.items():
        assert values and all(isinstance(v, str) and v for v in values), key


def test_demo_text_lists(text):
    assert len(text["surnames"]) >= 100
    assert len(text["given"]) >= 80
    minimum = {"progress_notes": 15, "results": 15, "return_reasons": 8,
               "reject_reasons": 6, "callback_notes": 8, "urge_instructions": 6}
    for key, n in minimum.items():
        assert len(text[key]) >= n, key
