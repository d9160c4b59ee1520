"""Open the window, or explain in one line why not and run the headless tour instead.

Reached from ``towndesk`` without a subcommand through app/launch.py, which finds this module by
name (the core never imports the GUI)."""
from __future__ import annotations

import os
import sys

from app.startup_checks import describe, run_checks
from ui import main, startup_notice


def has_display() -> bool:
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM") == "offscreen")


def launch(data_dir: str | None) -> int:
    if not has_display():
        print("没有图形显示（未设置 DISPLAY），改为无界面导览 (no display: running the headless tour)")
        from ui.tour import run_tour  # the tour drives the whole app: loaded only when it runs

        return run_tour(data_dir)
    problems = run_checks(data_dir)
    if problems:  # a clear Chinese message instead of a window that cannot work
        print(describe(problems), file=sys.stderr)
        return startup_notice.show_problems(describe(problems))
    return main.run_gui(data_dir)
