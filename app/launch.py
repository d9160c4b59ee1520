"""``towndesk`` without a subcommand: hand over to the desktop window (ui/launch.py).

The core never imports the GUI: the window is an optional part of a build, found by its module
name here, so app/ stays importable and scriptable where PySide6 is missing."""
from __future__ import annotations

import importlib

GUI_MODULE = "ui.launch"


def launch_gui(data_dir: str | None) -> int:
    try:
        gui = importlib.import_module(GUI_MODULE)
    except ImportError:
        print("桌面窗口尚未安装 (the desktop window is not available in this build)")
        return 1
    return gui.launch(data_dir)
