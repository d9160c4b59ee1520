"""一网格 figures on a store with many grid reports; prints JSON with ratios to baselines measured
in the same run on the same store.

    PYTHONPATH=. .venv/bin/python benchmarks/grids.py --cases 20000 --reports 10000 100000

For each report count: ``grid stats`` for a month by 村社 / 网格 / 上报人 against the supervision
indicators by 村社 for the same month (the rollup path the dashboard uses), ``indicators --by
platform`` against ``--by category`` (what it is summed from), one grid report against one
``case add`` and a 1,000-row feed import per row against one ``case add``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn, repeat: int) -> float:
    fn()  # warm: reference cache, facts brought up to date, page cache
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def ms(x: float) -> float:
    return round(x * 1000, 2)


def run_one(n: int, cases: int, repeat: int) -> dict:
    """One store: the demo with ``cases`` cases plus ``n`` generated grid reports."""
    from app.cases import intake
    from app.demo.loader import load_demo
    from app.desk import open_desk
    from app.domain.timezone import LOCAL_TZ
    from app.grids import bulkload, feeds, reports, stats
    from app.supervision import indicators as si
    from tests.conftest import load_actors, sample_case
    from tests.grids.conftest import REPORT

    root = Path(tempfile.mkdtemp(prefix=f"bench-grids-{n}-"))
    desk = open_desk(root, backup=False)
    load_demo(desk, cases, seed=17)
    actors = load_actors(desk)
    now = desk.now()
    start = now - timedelta(days=60)
    step = timedelta(days=59) / n
    villages = [f"V{v:02d}" for v in range(1, 11)]
    specs = [bulkload.Spec(start + step * i, f"GS{2001 + i % 400:04d}", f"{villages[i % 10]}G0{1 + i % 4}",
                           villages[i % 10], "passed" if i % 100 < 52 else "solved") for i in range(n)]
    t = time.perf_counter()
    bulkload.load_reports(desk, specs)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    stats.stats(desk, start.date(), now.date())  # derives the facts of the new cases once
    derive_s = time.perf_counter() - t
    today = now.astimezone(LOCAL_TZ).date()
    month = (today - timedelta(days=30), today)
    p = si.Period(*month)
    row = {"reports": n, "load_s": round(load_s, 1), "first_stats_with_facts_s": round(derive_s, 1)}
    base = timed(lambda: si.compute_by(desk, p, "village"), repeat)
    row["indicators_by_village_ms"] = ms(base)
    for by in ("village", "grid", "reporter"):
        v = timed(lambda by=by: stats.stats(desk, *month, by), repeat)
        row[f"grid_stats_by_{by}_ms"] = ms(v)
        row[f"grid_stats_by_{by}_ratio"] = round(v / base, 2)
    cat = timed(lambda: si.compute_by(desk, p, "category"), repeat)
    plat = timed(lambda: si.compute_by(desk, p, "platform"), repeat)
    row.update(indicators_by_category_ms=ms(cat), indicators_by_platform_ms=ms(plat),
               platform_ratio=round(plat / cat, 2))
    add = timed(lambda: intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=False)), repeat)
    rep = timed(lambda: reports.report(desk, actors["intake"], {**REPORT, "outcome": "solved", "result": "已处理"}),
                repeat)
    row.update(case_add_ms=ms(add), grid_report_ms=ms(rep), grid_report_ratio=round(rep / add, 2))
    feed = root / "feed.json"
    feed.write_text(json.dumps([{"external_id": f"B-{i}", "category": "PA0101", "anonymous": True,
                                 "description": f"路面积水第 {i} 处，影响通行"} for i in range(1000)],
                               ensure_ascii=False), encoding="utf-8")
    t = time.perf_counter()
    got = feeds.import_feed(desk, actors["intake"], feed, "hotline_12345")
    per_row = (time.perf_counter() - t) / 1000
    t = time.perf_counter()
    again = feeds.import_feed(desk, actors["intake"], feed, "hotline_12345")
    skip_row = (time.perf_counter() - t) / 1000
    assert len(got["created"]) == 1000 and len(again["skipped_existing"]) == 1000
    row.update(feed_import_per_row_ms=ms(per_row), feed_row_ratio=round(per_row / add, 2),
               feed_reimport_per_row_ms=ms(skip_row))
    desk.close()
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20_000, help="generated demo cases beside the reports")
    ap.add_argument("--reports", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    out = {"cases": args.cases, "runs": []}
    for n in args.reports:
        row = run_one(n, args.cases, args.repeat)
        out["runs"].append(row)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    out["at"] = datetime.now().isoformat(timespec="seconds")
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
