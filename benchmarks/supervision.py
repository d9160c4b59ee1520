"""Supervision figures on a large store; prints JSON.

    .venv/bin/towndesk --data-dir /tmp/bench_sv demo --cases 1000000
    .venv/bin/python benchmarks/supervision.py --data-dir /tmp/bench_sv

Targets (issue 5): dashboard refresh <= 500 ms, monthly bulletin <= 3 s, indicators for all units
for one month <= 1 s. Each figure is the median of ``--repeat`` warm runs (the first run, which
also loads the reference cache, the calendar and the SQLite page cache, is reported apart).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn, repeat: int) -> dict:
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return {"first_s": round(first, 3), "median_s": round(statistics.median(runs), 3),
            "max_s": round(max(runs), 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="/tmp/bench_sv")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true", help="also time deriving the indicator facts from scratch")
    ap.add_argument("--page", action="store_true", help="also time the 运行监测 page (offscreen Qt)")
    args = ap.parse_args()

    from sqlalchemy import text

    from app.cases import handling, intake
    from app.desk import open_desk
    from app.domain.timezone import LOCAL_TZ
    from app.dossier.bulletins import render
    from app.store import facts
    from app.store.types import to_sql_dt
    from app.supervision import board as supervision
    from app.supervision import bulletins, dashboard
    from app.supervision import indicators as si

    desk = open_desk(args.data_dir, backup=False)
    with desk.db.read() as s:
        cases = s.execute(text("SELECT count(*) FROM cases")).scalar()
        actions = s.execute(text("SELECT max(seq) FROM case_actions")).scalar()
    today = desk.now().astimezone(LOCAL_TZ).date()
    month = si.Period(today.replace(day=1), today)
    full_month = bulletins.period_for("monthly", today)
    with desk.db.read() as s:
        in_month = s.execute(text("SELECT count(*) FROM cases WHERE received_at >= :a AND received_at < :b"),
                             {"a": to_sql_dt(full_month.utc_start), "b": to_sql_dt(full_month.utc_end)}).scalar()
    tmp = Path(tempfile.mkdtemp())
    rebuild = {}
    if args.rebuild:
        t = time.perf_counter()
        with desk.db.tx() as s:
            facts.rebuild(desk, s, desk.now())
        rebuild = {"facts_rebuild_s": round(time.perf_counter() - t, 3)}
    out = {
        "store": {"cases": cases, "actions": actions, "cases_this_month": in_month,
                  "size_mb": round((Path(args.data_dir) / "towndesk.sqlite3").stat().st_size / 2**20)},
        "indicators_all_units_month": timed(lambda: si.compute_by(desk, full_month, "unit"), args.repeat),
        "indicators_town_month": timed(lambda: si.compute(desk, full_month), args.repeat),
        "indicators_all_units_month_one_channel": timed(
            lambda: si.compute_by(desk, full_month, "unit", {"channel": "phone"}), args.repeat),
        "dashboard_refresh": timed(lambda: dashboard.snapshot(desk), args.repeat),
        "dashboard_refresh_after_work": _after_work(desk, args.repeat, intake, handling, dashboard),
        **rebuild,
        **(_page(desk, args.repeat) if args.page else {}),
        "monthly_bulletin_pdf": timed(lambda: render(bulletins.figures(desk, "monthly", today), tmp / "m.pdf"),
                                      args.repeat),
        "daily_bulletin_pdf": timed(lambda: render(bulletins.figures(desk, "daily", today), tmp / "d.pdf"),
                                    args.repeat),
        "deadline_board": timed(lambda: supervision.board(desk, limit=200), args.repeat),
        "reminder_scan": timed(lambda: supervision.scan_reminders(desk, publish=False), args.repeat),
        "urge_proposals": timed(lambda: supervision.urge_proposals(desk, 200), args.repeat),
        "open_urges": timed(lambda: supervision.open_urges(desk, limit=500), args.repeat),
        "month_to_date": month.as_dict(),
        "targets_s": {"dashboard_refresh": 0.5, "monthly_bulletin_pdf": 3.0, "indicators_all_units_month": 1.0},
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    desk.close()


def _page(desk, repeat: int) -> dict:
    """The 运行监测 page: refresh to painted figures and charts (snapshot + show_data), and the part
    that runs on the GUI thread (show_data: figures, QtCharts, tables)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sqlalchemy import select

    from app.reference.users import actor_of
    from app.store.models import User
    from app.supervision.dashboard import snapshot
    from ui.bus import EventBridge
    from ui.context import UiContext, make_settings
    from ui.main import make_app
    from ui.pages.dashboard import DashboardPage
    from ui.tasks import TaskManager

    app = make_app()
    with desk.db.read() as s:
        director = actor_of(s.scalars(select(User).where(User.code == "director")).one())
    ctx = UiContext(desk, director, TaskManager(synchronous=True), EventBridge(),
                    make_settings(str(Path(tempfile.mkdtemp()) / "bench.ini")))
    page = DashboardPage(ctx)
    page.resize(1600, 1000)
    page.show()
    total, gui = [], []
    for _ in range(repeat + 1):
        t = time.perf_counter()
        page.refresh()
        app.processEvents()
        total.append(time.perf_counter() - t)
        d = snapshot(desk)
        t = time.perf_counter()
        page.show_data(d)
        app.processEvents()
        gui.append(time.perf_counter() - t)
    ctx.close()
    return {"dashboard_page_refresh": {"median_s": round(statistics.median(total[1:]), 3)},
            "dashboard_page_gui_thread": {"median_s": round(statistics.median(gui[1:]), 3)}}


def _after_work(desk, repeat: int, intake, handling, dashboard) -> dict:
    """Dashboard refresh right after an operator's work: 2 cases taken in and 10 actions on open
    cases since the last refresh (the writes themselves are not timed)."""
    from sqlalchemy import select, text

    from app.reference.users import actor_of
    from app.store.models import User
    from tests.conftest import sample_case

    with desk.db.read() as s:
        actors = {u.code: actor_of(u) for u in s.scalars(select(User))}
        open_nos = list(s.execute(text("SELECT case_no FROM cases WHERE state = 'in_progress' LIMIT 200")).scalars())
    runs = []
    for r in range(repeat):
        dashboard.snapshot(desk)
        for i in range(2):
            intake.take_in(desk, actors["intake"], sample_case(title=f"压测受理{r}-{i}"))
        for no in open_nos[r * 10:(r + 1) * 10]:
            handling.act(desk, actors["director"], no, "comment", {"note": "压测批注"})
        t = time.perf_counter()
        dashboard.snapshot(desk)
        runs.append(time.perf_counter() - t)
    return {"median_s": round(statistics.median(runs), 3), "max_s": round(max(runs), 3)}


if __name__ == "__main__":
    main()
