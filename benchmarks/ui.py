"""Desktop window figures (issue 3), offscreen, real background threads:

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ui.py --data-dir /tmp/bench_ui

Prints one JSON object: window usable after login, case list first paint, filter and search,
largest event-loop stall while scrolling to the end, intake save to cleared form, resident memory.
The store must exist (``towndesk --data-dir DIR demo --cases N``)."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return -1.0


def ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--user", default="dispatcher")
    args = parser.parse_args()

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from app.services import auth
    from app.services.desk import open_desk
    from ui import errors
    from ui.main import build_window, make_app

    app = make_app()
    errors.silent = True
    desk = open_desk(args.data_dir, backup=False)
    out: dict = {"store": args.data_dir}

    def settle(tasks, timeout_ms: int = 120_000) -> None:
        tasks.wait_idle(timeout_ms)
        app.processEvents()

    # -- login -> window usable -------------------------------------------------------------
    t = time.perf_counter()
    actor = auth.login(desk, args.user, "demo1234")
    out["login_ms"] = ms(t)
    t = time.perf_counter()
    window, ctx = build_window(desk, actor, settings_path=str(Path(args.data_dir) / "bench-window.ini"))
    window.resize(1366, 820)
    window.show()
    settle(ctx.tasks)
    window.repaint()
    out["window_usable_after_login_ms"] = ms(t)
    from app.services.caselist import case_keys

    out["cases_total"] = case_keys(desk, actor, {"state": "open"})["total"]

    # -- case list first paint ----------------------------------------------------------------
    t = time.perf_counter()
    window.select_page("cases")
    page = window.current_page()
    settle(ctx.tasks)          # keys arrive
    page.table.viewport().repaint()
    settle(ctx.tasks)          # the first row window arrives
    page.table.viewport().repaint()
    out["list_first_paint_ms"] = ms(t)
    out["list_rows"] = page.model.total

    def query(filters: dict) -> float:
        t0 = time.perf_counter()
        page.apply_filters(filters)
        settle(ctx.tasks)
        page.table.viewport().repaint()
        settle(ctx.tasks)
        page.table.viewport().repaint()
        return ms(t0)

    probe = page.model.row(0) or {}
    name = ((probe.get("reporter") or {}).get("name") or "张三")[:2]
    figures = {
        "filter_state_open_ms": query({"state": "open"}),
        "filter_red_ms": query({"state": "open", "color": "red"}),
        "filter_unit_ms": query({"unit": "D01"}),
        f"search_2char_{name}_ms": query({"q": name}),
        "search_phone_fragment_ms": query({"q": "1380"}),
        "filter_all_again_ms": query({}),
    }
    out.update(figures)
    out["filter_search_max_ms"] = max(figures.values())

    # -- scroll to the end: largest event-loop stall --------------------------------------------
    page.apply_filters({})
    settle(ctx.tasks)
    bar = page.table.verticalScrollBar()
    heartbeat = QElapsedTimer()
    heartbeat.start()
    gaps: list[int] = []
    last = [heartbeat.elapsed()]

    def beat() -> None:
        now = heartbeat.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    pulse = QTimer()
    pulse.setInterval(5)
    pulse.timeout.connect(beat)
    pulse.start()
    steps = 120
    t = time.perf_counter()
    for i in range(steps + 1):
        bar.setValue(int(bar.maximum() * i / steps))
        deadline = time.perf_counter() + 0.016
        while time.perf_counter() < deadline:
            app.processEvents()
    settle(ctx.tasks)
    page.table.viewport().repaint()
    pulse.stop()
    out["scroll_to_end_ms"] = ms(t)
    out["scroll_max_stall_ms"] = max(gaps) if gaps else None
    out["scroll_p95_gap_ms"] = sorted(gaps)[int(len(gaps) * 0.95)] if gaps else None
    out["rows_fetched_while_scrolling"] = page.model.rows_fetched
    out["rows_cached"] = page.model.cached_rows
    out["last_row_visible"] = page.model.case_no(page.model.total - 1) is not None

    # -- intake save -> cleared form ------------------------------------------------------------
    window.set_actor(auth.get_actor(desk, "intake"))
    window.select_page("intake")
    intake_page = window.current_page()
    samples = []
    for i in range(10):
        intake_page.phone.setText(f"1391234{i:04d}")
        intake_page.name.setText("柏舟")
        intake_page.category.set_code("PA0101")
        intake_page.location.set_code("V01")
        intake_page.description.setPlainText(f"基准测试第 {i} 件：楼上住户深夜噪音扰民，请求社区协调。")
        settle(ctx.tasks)
        t = time.perf_counter()
        intake_page.save()
        settle(ctx.tasks)
        assert intake_page.phone.text() == "" and intake_page.last_saved, "form not cleared"
        samples.append(ms(t))
    out["intake_save_to_cleared_ms"] = {"median": statistics.median(samples), "max": max(samples)}
    out["rss_mb"] = rss_mb()
    print(json.dumps(out, ensure_ascii=False, indent=1))
    window.close()
    ctx.bus.close()
    ctx.tasks.shutdown()
    desk.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
