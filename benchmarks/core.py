"""Foundation figures (issue 2): demo generation, intake, list pages, search, case detail.

    .venv/bin/python benchmarks/core.py --cases 1000000 --store /tmp/bench_core

Prints one JSON object. Reuses an existing store at --store unless --fresh.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cases import (
    intake,  # noqa: E402
    queries,
)
from app.demo.loader import load_demo  # noqa: E402
from app.desk import open_desk  # noqa: E402
from app.reference.users import get_actor  # noqa: E402


def timed(fn, repeat: int = 20) -> dict:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return {"median_ms": round(statistics.median(samples), 2), "max_ms": round(max(samples), 2)}


def raw_insert_rate(store: Path, rows: int = 200_000) -> float:
    """Rows/s for a plain executemany of the same case and action rows into an empty table set."""
    src = sqlite3.connect(store / "towndesk.sqlite3")
    cases = src.execute(f"SELECT * FROM cases LIMIT {rows}").fetchall()
    case_cols = len(cases[0])
    ids = [c[1] for c in cases]
    actions = []
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        actions += src.execute(f"SELECT * FROM case_actions WHERE case_id IN ({','.join('?' * len(chunk))})",
                               chunk).fetchall()
    action_cols = len(actions[0])
    src.close()
    target = store.parent / "raw_insert.sqlite3"
    target.unlink(missing_ok=True)
    dst = sqlite3.connect(target)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=OFF")
    dst.execute(f"CREATE TABLE c ({','.join(f'c{i}' for i in range(case_cols))})")
    dst.execute(f"CREATE TABLE a ({','.join(f'a{i}' for i in range(action_cols))})")
    t = time.perf_counter()
    dst.executemany(f"INSERT INTO c VALUES ({','.join('?' * case_cols)})", cases)
    dst.executemany(f"INSERT INTO a VALUES ({','.join('?' * action_cols)})", actions)
    dst.commit()
    elapsed = time.perf_counter() - t
    dst.close()
    target.unlink(missing_ok=True)
    return len(cases) / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--store", default="/tmp/bench_core")
    ap.add_argument("--fresh", action="store_true")
    args = ap.parse_args()
    store = Path(args.store)
    out: dict = {"cases": args.cases}
    if args.fresh and store.exists():
        shutil.rmtree(store)
    desk = open_desk(store)
    if desk.meta("town_code") is None:
        t = time.perf_counter()
        load_demo(desk, args.cases)
        out["demo_generate_s"] = round(time.perf_counter() - t, 1)
        out["demo_cases_per_s"] = round(args.cases / out["demo_generate_s"])
    out["store_mb"] = round((store / "towndesk.sqlite3").stat().st_size / 2**20)
    clerk = get_actor(desk, "intake")
    sample = {"channel": "visit", "type": "help", "title": "楼上漏水邻里纠纷",
              "description": "张三反映楼上住户卫生间漏水，多次协商未果，请求社区调解。",
              "reporter": {"name": "张三", "phone": "13800001111"}, "category": "PA0101",
              "location": {"village": "V01", "grid": "V01G02", "address": "卧龙社区解放北路1号"}}
    out["intake_one_case"] = timed(lambda: intake.take_in(desk, clerk, sample), 30)
    filters = {"state": "in_progress", "village": "V03"}
    first = {}

    def page1():
        first["page"] = queries.list_cases(desk, None, filters, "received_desc", 50)

    out["list_first_page"] = timed(page1)
    out["list_first_page"]["total"] = first["page"]["total"]
    out["list_next_page"] = timed(lambda: queries.list_cases(desk, None, filters, "received_desc", 50,
                                                             first["page"]["next"]))
    out["list_unfiltered_first_page"] = timed(lambda: queries.list_cases(desk, None, {}, "received_desc", 50))
    out["search_two_chars"] = timed(lambda: queries.list_cases(desk, None, {"q": "漏水"}, limit=50))
    out["search_name"] = timed(lambda: queries.list_cases(desk, None, {"q": "张三"}, limit=50))
    no = first["page"]["items"][0]["case_no"]
    out["open_case_with_timeline"] = timed(lambda: queries.show_case(desk, clerk, no))
    desk.close()
    rate = raw_insert_rate(store)
    out["raw_sqlite_insert_cases_per_s"] = round(rate)
    if "demo_cases_per_s" in out:
        out["demo_vs_raw_insert_ratio"] = round(out["demo_cases_per_s"] / rate, 3)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
