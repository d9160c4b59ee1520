"""The headless tour: what `make run` does on a machine without a display.

It takes in a case on the demo store, dispatches it, renders the main pages offscreen to PNG
files and prints the case's dossier PDF, then prints every path it wrote.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from app.cases import dispatch, intake, overview
from app.demo.loader import load_demo
from app.desk import open_desk
from app.paths import data_dir as resolve_data_dir
from app.printing import jobs as printing
from app.reference import users as auth
from ui import errors
from ui.main import build_window, make_app

SIZE = (1366, 820)
TOUR_CASE = {
    "channel": "visit", "type": "complaint", "title": "夜间施工噪声扰民（导览示例）",
    "description": "来访人张三反映小区旁工地连续多晚施工至凌晨，噪声影响老人和孩子休息，请求查处。",
    "reporter": {"name": "张三", "phone": "13800001111"}, "category": "噪声扰民",
    "location": {"village": "V01", "address": "卧龙社区解放北路1号3幢"},
}


def run_tour(data_dir: str | None, out_dir: str | None = None) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

    # The offscreen plugin's "does not support propagateSizeHints()" is noise on a tour.
    qInstallMessageHandler(lambda _kind, _ctx, msg: None if "propagateSizeHints" in msg else print(msg))
    make_app()
    errors.silent = True
    root = resolve_data_dir(data_dir)
    out = Path(out_dir) if out_dir else root / "tour"
    out.mkdir(parents=True, exist_ok=True)
    desk = open_desk(root)
    if desk.meta("town_code") is None:
        load_demo(desk, 2000)
    clerk, dispatcher = auth.get_actor(desk, "intake"), auth.get_actor(desk, "dispatcher")
    case = intake.take_in(desk, clerk, TOUR_CASE)
    print(f"已受理 {case['case_no']}（{case['routing']['reason']}）")
    unit = (case["routing"]["candidates"] or [{"code": "D01"}])[0]["code"]
    case = dispatch.dispatch(desk, dispatcher, case["case_no"], unit, note="导览：人工分派")
    print(f"已派单 {case['case_no']} → {case['unit']['name']}")
    written: list[Path] = []

    window, ctx = build_window(desk, dispatcher, synchronous=True, settings_path=str(out / ".tour.ini"),
                               info=overview.desk_info(desk))
    window.resize(*SIZE)
    window.show()

    def shot(name: str) -> None:
        QApplication.processEvents()
        path = out / f"{name}.png"
        window.grab().save(str(path))
        written.append(path)

    for key, name in (("home", "01-home"), ("intake", "02-intake"), ("queue", "03-dispatch-queue"),
                      ("cases", "04-case-list")):
        if window.page(key) is not None:
            window.select_page(key)
            shot(name)
    window.open_case(case["case_no"])
    shot("05-case-detail")
    dossier = printing.print_case(desk, dispatcher, case["case_no"], "dossier", out / f"{case['case_no']}-案卷.pdf")
    written.append(Path(dossier["path"]))
    ctx.close()
    desk.close()
    for path in written:
        print(path)
    return 0
