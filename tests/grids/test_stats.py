"""Grid figures from hand-built grid data with hand-written expected figures (per 村社, reporter,
grid and micro-grid; a period boundary; an overdue case; a 不予受理 left out of 办结率), and the
issue's 流转率 of exactly 0.5196 from 10,000 reports (5,196 passed) written through the bulk path."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.cases import handling
from app.grids import bulkload, reports, stats
from tests.conftest import SHANGHAI
from tests.grids.conftest import REPORT

V01_OTHER = "GS0006"  # 专职网格员 of V01G02
V02_STAFF = "GS0022"  # 专职网格员 of V02G01


@pytest.fixture
def built(desk, actors, clock):
    """Six reports: five on Fri 2026-11-27 (the period), one a week earlier (outside it)."""
    intake, dispatcher, director, unit = actors["intake"], actors["dispatcher"], actors["director"], actors["unit"]
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI))
    reports.report(desk, intake, {**REPORT, "outcome": "solved", "result": "已处理"})  # R0: outside
    clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI))
    r1 = reports.report(desk, intake, {**REPORT, "outcome": "solved", "result": "已清理"})
    r2 = reports.report(desk, intake, {**REPORT, "grid": "V01G01"})
    r3 = reports.report(desk, intake, {**REPORT, "grid": "V01G02", "reporter": V01_OTHER})
    r4 = reports.report(desk, intake, {**REPORT, "grid": "V02G01", "reporter": V02_STAFF, "outcome": "solved",
                                       "result": "当场调解"})
    r5 = reports.report(desk, intake, {**REPORT, "grid": "V02G01", "reporter": V02_STAFF})
    # R2: D01 handles it from Fri 10:00 to Mon 10:00 = 14 h + 10 h = exactly one working day
    handling.act(desk, dispatcher, r2["case_no"], "dispatch", {"unit": "D01"})
    handling.act(desk, unit, r2["case_no"], "sign", {})
    handling.act(desk, director, r3["case_no"], "dispatch", {"unit": "D02", "due_at": "2026-11-30"})
    handling.act(desk, intake, r5["case_no"], "reject", {"reason_code": next(iter(__import__(
        "app.domain.workflow", fromlist=["REJECT_CODES"]).REJECT_CODES))})
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    handling.act(desk, unit, r2["case_no"], "request_close", {"result": "已修复", "close_type": "substantive"})
    clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=SHANGHAI))
    handling.act(desk, director, r2["case_no"], "approve_close", {})
    handling.act(desk, intake, r2["case_no"], "callback", {"satisfaction": "satisfied"})
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))  # R3 still not signed: overdue now
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5}


def _by(out) -> dict:
    return {r["key"]: r for r in out["items"]}


def _pick(r: dict) -> tuple:
    return (r["reported"], r["solved_on_spot"], r["passed"], r["flow_rate"], r["closed_rate"], r["overdue"],
            r["avg_handle_days"])


def test_figures_per_village_by_hand(desk, built):
    out = stats.stats(desk, "2026-11-27", "2026-11-30", "village")
    v = _by(out)
    # V01: R1 solved, R2 passed and closed, R3 passed and overdue; 3 to handle, 2 done (R1, R2)
    assert _pick(v["V01"]) == (3, 1, 2, 2 / 3, 2 / 3, 1, 1.0)
    # V02: R4 solved, R5 passed but 不予受理 (not to handle): 1 to handle, 1 done
    assert _pick(v["V02"]) == (2, 1, 1, 0.5, 1.0, 0, None)
    assert _pick(out["total"]) == (5, 2, 3, 0.6, 0.75, 1, 1.0)
    assert [r["key"] for r in out["items"]] == ["V01", "V02"] and v["V01"]["name"] == "卧龙社区"


def test_figures_per_reporter_grid_and_micro_grid(desk, built):
    rep = _by(stats.stats(desk, "2026-11-27", "2026-11-30", "reporter"))
    assert _pick(rep["GS0003"]) == (2, 1, 1, 0.5, 1.0, 0, 1.0)
    assert _pick(rep[V01_OTHER]) == (1, 0, 1, 1.0, 0.0, 1, None)
    assert rep["GS0003"]["name"] == "田琳"
    grid = _by(stats.stats(desk, "2026-11-27", "2026-11-30", "grid"))
    assert {k: r["reported"] for k, r in grid.items()} == {"V01G01": 2, "V01G02": 1, "V02G01": 2}
    micro = _by(stats.stats(desk, "2026-11-27", "2026-11-30", "micro"))
    assert micro["V01G01M01"]["reported"] == 1 and micro[None]["reported"] == 4


def test_period_and_village_filter(desk, built):
    assert stats.stats(desk, "2026-11-20", "2026-11-20")["total"]["reported"] == 1
    assert stats.stats(desk, "2026-11-20", "2026-11-30")["total"]["reported"] == 6
    assert stats.stats(desk, "2026-11-27", "2026-11-30", village="V02")["total"]["reported"] == 2
    assert stats.stats(desk, "2026-12-01", "2026-12-31")["items"][0]["flow_rate"] is None  # no reports: "—"


def test_cli_stats_contract_and_bad_input(desk, built, run):
    rc, out = run("grid", "stats", "--from", "2026-11-27", "--to", "2026-11-30", "--by", "village", "--json")
    assert rc == 0
    for item in out["items"]:
        assert {"reported", "solved_on_spot", "passed", "flow_rate", "closed_rate", "overdue"} <= set(item)
    rc, out = run("--json", "grid", "stats", "--from", "2026-11-27", "--to", "2026-11-30", "--by", "street")
    assert rc == 2 and out["error"]["field"] == "by"
    rc, out = run("--json", "grid", "stats", "--from", "2026-11-31", "--to", "2026-11-30")
    assert rc == 2 and out["error"]["field"] == "from"


PASSED_PER_VILLAGE = [500, 520, 480, 530, 510, 540, 490, 560, 506, 560]  # 5,196 of 10,000


def test_ten_thousand_reports_give_a_flow_rate_of_exactly_0_5196(desk, run):
    assert sum(PASSED_PER_VILLAGE) == 5196
    start = datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI)
    specs = []
    for v, passed in enumerate(PASSED_PER_VILLAGE, 1):
        village = f"V{v:02d}"
        for i in range(1000):
            specs.append(bulkload.Spec(start + timedelta(minutes=3 * len(specs)), f"GSX{v:02d}",
                                       f"{village}G01", village, "passed" if i < passed else "solved"))
    assert bulkload.load_reports(desk, specs) == 10_000
    out = stats.stats(desk, "2026-11-01", "2026-11-30", "village")
    assert out["total"]["reported"] == 10_000 and out["total"]["passed"] == 5196
    assert out["total"]["flow_rate"] == 0.5196
    assert [_by(out)[f"V{v:02d}"]["passed"] for v in range(1, 11)] == PASSED_PER_VILLAGE
    assert out["total"]["solved_on_spot"] == 4804 and out["total"]["done"] >= 4804
    rc, cli_out = run("grid", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    assert rc == 0 and cli_out["items"][0]["flow_rate"] == 0.5196 and cli_out["items"][0]["reported"] == 10_000
