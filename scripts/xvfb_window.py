"""Start the real window (xcb, e.g. under Xvfb), log in through the login dialog as the intake
operator, show the 一窗受理 page, save a screenshot and print JSON. Exit 0 on success.

    Xvfb :99 -screen 0 1366x860x24 &   # then
    DISPLAY=:99 .venv/bin/python scripts/xvfb_window.py --data-dir /tmp/x --shot docs/screenshots/xvfb-intake.png
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--shot")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        del os.environ["QT_QPA_PLATFORM"]

    from app.demo.loader import load_demo
    from app.desk import open_desk

    desk = open_desk(args.data_dir)
    if desk.meta("town_code") is None:
        load_demo(desk, 200)
    desk.close()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.login import LoginDialog
    from ui.main import make_app, run_gui
    from ui.window import MainWindow

    make_app()  # timers need the application (run_gui reuses it)

    report = {"platform": None, "logged_in": False, "page": None}
    started = time.perf_counter()

    def drive() -> None:
        app = QApplication.instance()
        report["platform"] = app.platformName()
        dialog = next((w for w in app.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible()), None)
        window = next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
        if window is not None:
            window.select_page("intake")
            report.update(logged_in=True, page=window.current_page().title, user=window.user_label.text(),
                          seconds=round(time.perf_counter() - started, 2))
            if args.shot:
                app.processEvents()
                window.grab().save(args.shot)
                report["screenshot"] = args.shot
            window.close()
            return
        if dialog is not None and not report.get("submitted"):
            dialog.form.username.setText("intake")
            dialog.form.password.setText("demo1234")
            dialog.form.submit.click()
            report["submitted"] = True
        if time.perf_counter() - started > args.timeout:
            app.exit(3)
            return
        QTimer.singleShot(200, drive)

    QTimer.singleShot(300, drive)
    code = run_gui(args.data_dir)
    print(json.dumps(report, ensure_ascii=False))
    return 0 if code == 0 and report["logged_in"] and report["page"] == "一窗受理" else 1


if __name__ == "__main__":
    raise SystemExit(main())
