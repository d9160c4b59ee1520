"""Open the window, or explain in one line why not and run the headless tour instead."""
from __future__ import annotations

import os
import sys


def has_display() -> bool:
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM") == "offscreen")


def launch_gui(data_dir: str | None) -> int:
    try:
        from ui.main import run_gui
    except ImportError:
        print("桌面窗口尚未安装 (the desktop window is not available in this build)")
        return 1
    if not has_display():
        print("没有图形显示（未设置 DISPLAY），改为无界面导览 (no display: running the headless tour)")
        from ui.tour import run_tour

        return run_tour(data_dir)
    from app.startup_checks import describe, run_checks

    problems = run_checks(data_dir)
    if problems:  # a clear Chinese message instead of a window that cannot work
        print(describe(problems), file=sys.stderr)
        from ui.startup_notice import show_problems

        return show_problems(describe(problems))
    return run_gui(data_dir)
