"""Emergency figures as JSON: on the demo town (no cases), an emergency for the whole town with
``--tasks`` broadcast tasks to every 村社 and 网格 and ``--rounds`` receipts per target; then the
median of ``emergency status`` (the live counts), of the board's read, of one receipt entry and one
case intake (the baseline write of the same store), and the summary PDF.

    .venv/bin/python benchmarks/emergency.py [--tasks 40] [--rounds 3] [--repeat 15]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.timezone import LOCAL_TZ  # noqa: E402

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)


def median_ms(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(samples), 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    from app.cases import intake
    from app.demo.loader import load_demo
    from app.desk import open_desk
    from app.emergency import queries, services
    from app.printing.emergency import print_emergency
    from app.reference.users import get_actor

    root = Path(tempfile.mkdtemp(prefix="bench_emg_"))
    clock = [NOW]
    try:
        desk = open_desk(root / "store", clock=lambda: clock[0])
        load_demo(desk, 0)
        boss, clerk = get_actor(desk, "director"), get_actor(desk, "intake")
        refs = desk.refs()
        targets = sorted(g.code for g in refs.grids.values() if g.level in ("village", "grid"))
        services.start(desk, boss, {"type": "flood", "level": 2, "area": "all", "reason": "基准测试"})
        statuses = ("acknowledged", "in_progress", "done")
        t0 = time.perf_counter()
        task_ids = []
        for i in range(args.tasks):
            due = (NOW + timedelta(hours=1 + i % 5)).isoformat()
            task_ids.append(services.add_task(desk, boss, {"title": f"任务{i + 1}", "to": ",".join(targets),
                                                           "due": due})["id"])
        for rnd in range(args.rounds):
            for tid in task_ids:
                for code in targets:
                    clock[0] += timedelta(seconds=1)
                    services.add_receipt(desk, clerk, tid, {"target": code, "status": statuses[rnd % 3],
                                                            "count": 3 if rnd % 3 == 2 else None})
        setup_s = round(time.perf_counter() - t0, 1)
        receipts = args.tasks * len(targets) * args.rounds
        status_ms = median_ms(lambda: queries.status(desk), args.repeat)
        board_ms = median_ms(lambda: queries.board(desk), args.repeat)
        receipt_ms = median_ms(lambda: services.add_receipt(desk, clerk, task_ids[0], {"target": targets[0],
                                                                                      "status": "done"}), args.repeat)
        n = [0]

        def take_one():
            n[0] += 1
            intake.take_in(desk, clerk, {"channel": "visit", "type": "help", "title": f"积水{n[0]}",
                                         "description": "小区门口积水严重，请求抽排。", "category": "PA0501", "anonymous": True,
                                         "location": {"village": "V01", "address": "卧龙社区1号"}})
        intake_ms = median_ms(take_one, args.repeat)
        em = queries.active(desk)
        services.stop(desk, boss, {"reason": "结束"})
        t = time.perf_counter()
        out = print_emergency(desk, boss, em["id"], root / "summary.pdf")
        pdf_ms = round((time.perf_counter() - t) * 1000, 1)
        print(json.dumps({"targets_per_task": len(targets), "tasks": args.tasks, "receipts": receipts,
                          "setup_s": setup_s, "status_ms": status_ms, "board_ms": board_ms,
                          "receipt_entry_ms": receipt_ms, "case_intake_ms": intake_ms,
                          "receipt_vs_intake": round(receipt_ms / intake_ms, 2),
                          "summary_pdf_ms": pdf_ms, "summary_pdf_kb": round(out["bytes"] / 1024, 1)}, indent=2))
        desk.close()
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(root)


if __name__ == "__main__":
    main()
