"""四平台: the indicators grouped by platform add up to the per-category figures of each platform's
categories; the case list and the indicators filter by platform; bad platforms exit 2.
网格事项准入清单: a listed task kind is admitted, one outside the list is refused with a clear
message; the list is kept by director/admin."""
from __future__ import annotations

import pytest

from app.cases import queries
from app.domain import indicators as ind
from app.domain.vocab import PLATFORMS
from app.errors import PermissionDenied, ValidationError
from app.grids import admission
from app.supervision import indicators as si
from tests.conftest import load_actors

P = si.Period(si.parse_date("2026-09-01"), si.parse_date("2026-11-30"))


def test_by_platform_sums_the_categories_of_each_platform(demo_desk):
    rows = {r["key"]: r for r in si.compute_by(demo_desk, P, "platform")}
    cats = si.compute_groups(demo_desk, P, "category")
    refs = demo_desk.refs()
    for code in PLATFORMS:
        want = ind.Counts()
        for key, c in cats.items():
            if key in refs.categories and refs.categories[key].platform == code:
                want.add(c)
        assert rows[code]["received"] == want.received and rows[code]["done"] == want.done
        assert rows[code]["name"] == PLATFORMS[code]
        assert si.compute(demo_desk, P, {"platform": code})["received"] == want.received
    assert sum(r["received"] for r in rows.values()) == si.compute(demo_desk, P)["received"]


def test_case_list_filters_by_platform(demo_desk):
    actors = load_actors(demo_desk)
    per = {code: queries.list_cases(demo_desk, actors["director"], {"platform": code}, limit=5) for code in PLATFORMS}
    assert sum(p["total"] for p in per.values()) == queries.list_cases(demo_desk, actors["director"], {})["total"]
    for code, page in per.items():
        assert all(item["platform"] == code for item in page["items"])
    assert queries.list_cases(demo_desk, actors["director"], {"platform": "平安法治"})["total"] == per["PA"]["total"]
    with pytest.raises(ValidationError) as e:
        queries.list_cases(demo_desk, actors["director"], {"platform": "XX"})
    assert e.value.field == "platform"


def test_cli_indicators_by_platform(demo_desk, capsys):
    import json

    from app.cli import main

    assert main(["--data-dir", str(demo_desk.root), "indicators", "--from", "2026-09-01", "--to", "2026-11-30",
                 "--by", "platform", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["by"] == "platform" and {r["key"] for r in out["rows"]} <= set(PLATFORMS)
    assert main(["--data-dir", str(demo_desk.root), "--json", "indicators", "--from", "2026-09-01", "--to",
                 "2026-11-30", "--platform", "nope"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["field"] == "platform"


def test_admission_list(desk, actors, run):
    listed = {a["kind"] for a in admission.list_admissions(desk)}
    assert {"survey", "safety_check"} <= listed  # the demo's list
    assert admission.check(desk, "survey")["admitted"]
    with pytest.raises(ValidationError) as e:
        admission.check(desk, "tax_collection")
    assert "不在网格事项准入清单内" in e.value.message and "入户走访排查" in e.value.message
    with pytest.raises(PermissionDenied):
        admission.add(desk, actors["intake"], "garbage_sorting", "垃圾分类督导")
    admission.add(desk, actors["director"], "garbage_sorting", "垃圾分类督导")
    assert admission.check(desk, "garbage_sorting")["name"] == "垃圾分类督导"
    admission.remove(desk, actors["director"], "garbage_sorting")
    rc, out = run("--json", "grid", "admission", "check", "garbage_sorting")
    assert rc == 2 and out["error"]["field"] == "kind"
    rc, out = run("grid", "admission", "list", "--json")
    assert rc == 0 and "survey" in {a["kind"] for a in out["items"]}
