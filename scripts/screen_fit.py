"""Screen fit, measured in a real X window: start Xvfb at a screen size, open the window on a demo
store as the 值班长 (who sees every page), and check that the window, its status bar, the intake
Save buttons and the print preview lie inside the screen and that the dashboard's tables show
several rows. Saves screenshots (intake, list, detail, preview, dashboard) and prints JSON.

    .venv/bin/python scripts/screen_fit.py --size 1366x768 --out docs/screenshots --data-dir /tmp/fit
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_display() -> int:
    for n in range(140, 200):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


def outer(args) -> int:
    """Start Xvfb at the size, run this script inside it, stop Xvfb."""
    display = _free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", f"{args.size}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while not Path(f"/tmp/.X11-unix/X{display}").exists() and time.time() < deadline:
            time.sleep(0.05)
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        env["DISPLAY"] = f":{display}"
        run = subprocess.run([sys.executable, __file__, "--inner", *sys.argv[1:]], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=args.timeout)
        sys.stdout.write(run.stdout)
        if run.returncode:
            sys.stderr.write(run.stderr[-4000:])
        return run.returncode
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def inner(args) -> int:
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from app.demo.loader import load_demo
    from app.desk import open_desk
    from app.reference.users import actor_of
    from app.store.models import User
    from ui import errors, printing_actions
    from ui.main import build_window, make_app

    app = make_app()
    errors.silent = True
    desk = open_desk(args.data_dir, backup=False)
    (Path(args.data_dir) / f"fit-{args.size}.ini").unlink(missing_ok=True)  # first start on this screen
    if desk.meta("town_code") is None:
        load_demo(desk, args.cases, seed=7)
    with desk.db.read() as s:
        actor = actor_of(s.scalars(select(User).where(User.code == "director")).one())
    window, ctx = build_window(desk, actor, synchronous=True, settings_path=str(Path(args.data_dir) / f"fit-{args.size}.ini"))
    window.show()
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    screen = window.screen().availableGeometry()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tag = args.size.split("x")[0]
    report: dict = {"size": args.size, "platform": app.platformName(),
                    "screen": [screen.width(), screen.height()], "shots": []}

    def inside(widget) -> bool:
        top_left = widget.mapToGlobal(QPoint(0, 0))
        return screen.contains(QRect(top_left, widget.size()))

    def settle() -> None:
        for _ in range(10):
            app.processEvents()
            time.sleep(0.02)

    def shot(widget, name: str) -> None:
        settle()
        path = out / f"fit-{tag}-{name}.png"
        widget.grab().save(str(path))
        report["shots"].append(str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path))

    frame = window.frameGeometry()
    report["window"] = [frame.width(), frame.height()]
    report["window_inside"] = screen.contains(frame)
    report["status_bar_inside"] = inside(window.statusBar())
    window.select_page("intake")
    settle()
    page = window.current_page()
    report["save_buttons_inside"] = inside(page.save_button) and inside(page.save_dispatch_button)
    shot(window, "intake")
    window.select_page("cases")
    shot(window, "list")
    case_no = window.current_page().model.case_no(0)
    window.open_case(case_no)
    shot(window, "detail")
    printing_actions.preview_case(ctx, case_no, "dossier", window)
    preview = printing_actions.opened[-1]
    settle()
    report["preview"] = [preview.frameGeometry().width(), preview.frameGeometry().height()]
    report["preview_inside"] = screen.contains(preview.frameGeometry())
    shot(preview, "preview")
    preview.reject()
    window.select_page("dashboard")
    dash = window.current_page()
    settle()
    rows_shown = {}
    for name, table in (("ranking", dash.ranking), ("red", dash.red)):
        row_h = table.verticalHeader().defaultSectionSize()
        rows_shown[name] = (table.viewport().height()) // max(1, row_h)
    report["dashboard_rows_visible"] = rows_shown
    shot(window, "dashboard")
    from PySide6.QtWidgets import QScrollArea

    scroll = dash.findChild(QScrollArea)
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())  # the ranking and red list
    shot(window, "dashboard-tables")
    report["ok"] = bool(report["window_inside"] and report["status_bar_inside"] and report["save_buttons_inside"]
                        and report["preview_inside"] and min(rows_shown.values()) >= 5)
    print(json.dumps(report, ensure_ascii=False))
    window.close()
    ctx.close()
    desk.close()
    QApplication.processEvents()
    return 0 if report["ok"] else 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--inner", action="store_true")
    args = parser.parse_args()
    return inner(args) if args.inner else outer(args)


if __name__ == "__main__":
    sys.exit(main())
