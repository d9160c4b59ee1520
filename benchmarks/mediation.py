"""矛盾调处 on a town-sized register; prints JSON.

    .venv/bin/python benchmarks/mediation.py --cases 3000 --store /tmp/bench_med

A demo store with ``--cases`` cases; every case is opened as a dispute through the service, half
get a session, 60 % are closed, one in ten becomes a 积案. Then the reads. Writes are timed per
call (median); the baseline in the same run is the intake of one case through its service
(``take_in``), so a dispute write reads as a ratio to it. Reads are the median of ``--repeat`` warm
runs; the baseline is the supervision indicators of the same month (``si.compute_groups``).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PARTIES = [{"role": "applicant", "name": "张三", "id_no": "11010519491231002X", "phone": "13800001111"},
           {"role": "respondent", "name": "李四", "phone": "13900002222"}]
AGREEMENT = {"facts": "漏水纠纷", "terms": ["赔偿二千元"], "performance": "一周内支付"}


def timed(fn, repeat: int) -> float:
    runs = []
    fn()
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return round(statistics.median(runs) * 1000, 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--store", default="/tmp/bench_med")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from sqlalchemy import select

    from app.cases.intake import take_in
    from app.demo.loader import load_demo
    from app.desk import open_desk
    from app.mediation import backlog, indicators, queries, services
    from app.reference.users import actor_of
    from app.store.models import Case, User
    from app.supervision import indicators as si

    shutil.rmtree(args.store, ignore_errors=True)
    desk = open_desk(args.store, backup=False)
    load_demo(desk, args.cases)
    with desk.db.read() as s:
        actors = {u.code: actor_of(u) for u in s.scalars(select(User))}
        case_nos = list(s.scalars(select(Case.case_no).order_by(Case.rid)))
    admin = actors["admin"]
    kinds = ("邻里", "合同", "物业", "劳动争议", "婚姻家庭")
    open_ms, session_ms, close_ms, intake_ms = [], [], [], []
    for i, no in enumerate(case_nos):
        t = time.perf_counter()
        d = services.open_dispute(desk, admin, no, {"type": kinds[i % 5], "source": "当事人申请", "parties": PARTIES,
                                                    "amount": 1000 * (i % 150), "persons": 1 + i % 12})["dispute_no"]
        open_ms.append(time.perf_counter() - t)
        if i % 2 == 0:
            t = time.perf_counter()
            services.record_session(desk, admin, d, {"at": (desk.now() - timedelta(hours=1)).isoformat(),
                                                     "place": "调解室", "attendees": ["张三", "李四"],
                                                     "record": "双方陈述", "outcome": "continue"})
            session_ms.append(time.perf_counter() - t)
        if i % 5 < 3:
            t = time.perf_counter()
            services.close_dispute(desk, admin, d, {"means": "mediation", "success": True, "agreement": AGREEMENT}
                                   if i % 3 else {"means": "litigation", "success": False, "reason": "未达成一致"})
            close_ms.append(time.perf_counter() - t)
        if i % 10 == 0:
            backlog.add_backlog(desk, admin, no, {"lead": "王镇长", "members": ["李干部"], "units": ["D08"],
                                                  "plan": "专班", "due": "2027-03-31"})
    sample = {"channel": "visit", "type": "help", "title": "基线", "description": "基线受理",
              "reporter": {"name": "王五", "phone": "13800003333"}, "category": "PA0101",
              "location": {"village": "V01", "address": "卧龙社区"}}
    for _ in range(50):
        t = time.perf_counter()
        take_in(desk, actors["intake"], sample)
        intake_ms.append(time.perf_counter() - t)
    today = desk.now().date()
    start = (today - timedelta(days=30)).isoformat()
    med = lambda xs: round(statistics.median(xs) * 1000, 2)  # noqa: E731
    base_read = timed(lambda: si.compute_groups(desk, si.period(start, today.isoformat()), "unit", None,
                                                desk.now()), args.repeat)
    reads = {
        "indicators_month_ms": timed(lambda: indicators.indicators(desk, start, today.isoformat()), args.repeat),
        "indicators_by_mediator_ms": timed(lambda: indicators.indicators(desk, start, today.isoformat(), "mediator"),
                                           args.repeat),
        "list_open_ms": timed(lambda: queries.list_disputes(desk, admin, "open"), args.repeat),
        "show_one_ms": timed(lambda: queries.show_dispute(desk, admin, case_nos[0]), args.repeat),
        "backlog_ranking_ms": timed(lambda: indicators.backlog_ranking(desk), args.repeat),
    }
    out = {"disputes": len(case_nos), "sessions": len(session_ms), "closed": len(close_ms),
           "writes_ms": {"open_dispute": med(open_ms), "record_session": med(session_ms), "close": med(close_ms),
                         "baseline_take_in": med(intake_ms)},
           "write_ratio_open_to_intake": round(med(open_ms) / med(intake_ms), 2),
           "reads_ms": reads, "baseline_supervision_month_ms": base_read,
           "read_ratio_indicators_to_supervision": round(reads["indicators_month_ms"] / base_read, 2)}
    desk.close()
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
