"""Figures of the analysis area on a demo store: the case-trend proposals (the 风险研判 page's
heaviest read), the risk list, and the inspection statistics, each against a baseline measured
in the same run (one page of the case list over the same week), so the ratios hold on a noisy
machine.

    .venv/bin/python benchmarks/risk.py [--cases 20000] [--risks 2000] [--inspections 2000] [--rounds 5]

Prints one JSON object: medians in ms and ratios to the baseline.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _ms(fn, rounds: int) -> float:
    fn()
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(out), 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--risks", type=int, default=2000)
    ap.add_argument("--inspections", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    import os

    os.environ.setdefault("TOWNDESK_KEYRING", "0")
    os.environ.setdefault("TOWNDESK_KEY_DIR", tempfile.mkdtemp(prefix="bench-keys-"))
    from app.cases.queries import list_cases
    from app.demo.loader import load_demo
    from app.desk import open_desk
    from app.domain.validation import uscc_check_char
    from app.inspections.queries import inspection_stats
    from app.inspections.services import add_inspection, record_result
    from app.reference.users import get_actor
    from app.risk import queries, trends
    from app.risk.register import add_risk

    desk = open_desk(Path(tempfile.mkdtemp(prefix="bench-risk-")) / "store")
    t = time.perf_counter()
    load_demo(desk, args.cases, seed=7)
    demo_s = time.perf_counter() - t
    who = get_actor(desk, "dispatcher")
    villages = [v.code for v in desk.refs().villages()]
    t = time.perf_counter()
    for i in range(args.risks):
        add_risk(desk, who, {"source": "grid_report", "type": "矛盾纠纷", "title": f"风险{i}", "description": "x",
                             "village": villages[i % len(villages)], "persons": 2,
                             "level": ("high", "medium", "low")[i % 3]})
    add_ms = (time.perf_counter() - t) * 1000 / max(args.risks, 1)
    body = "91330602MA2BC1234"
    for i in range(args.inspections):
        day = (desk.now() - timedelta(days=i % 300)).date().isoformat()
        no = add_inspection(desk, who, {"date": day, "departments": ["D01", "D07", "P01"][: 1 + i % 3],
                                        "target": {"name": "企业", "uscc": body + uscc_check_char(body)},
                                        "matters": ["fire"]})["inspection_no"]
        record_result(desk, who, no, {"problems": [{"description": "问题", "fixed": i % 2 == 0,
                                                    "case_filed": i % 7 == 0}]})
    week = (desk.now() - timedelta(days=7)).date().isoformat()
    base = _ms(lambda: list_cases(desk, None, {"date_from": week}, limit=50), args.rounds)
    figures = {
        "proposals": _ms(lambda: trends.proposals(desk), args.rounds),
        "risk_list": _ms(lambda: queries.list_risks(desk), args.rounds),
        "villages": _ms(lambda: queries.counts_by_village(desk), args.rounds),
        "inspection_stats_year": _ms(lambda: inspection_stats(desk, "2026-01-01", "2026-12-31"), args.rounds),
    }
    print(json.dumps({"cases": args.cases, "risks": args.risks, "inspections": args.inspections,
                      "demo_seconds": round(demo_s, 1), "risk_add_ms": round(add_ms, 2),
                      "baseline_case_list_week_ms": base, "ms": figures,
                      "ratio_to_baseline": {k: round(v / base, 2) for k, v in figures.items()}},
                     ensure_ascii=False, indent=2))
    desk.close()


if __name__ == "__main__":
    main()
