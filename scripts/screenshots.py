"""Render each window page offscreen on a demo store into docs/screenshots/*.png.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--data-dir DIR] [--out DIR]

Without --data-dir a fresh demo store (2,000 cases) is built in a temporary directory."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (1366, 820)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from app.cases import overview
    from app.demo.loader import load_demo
    from app.desk import open_desk
    from app.reference import users as auth
    from ui import errors
    from ui.login import LoginDialog
    from ui.main import build_window, make_app
    from ui.tasks import TaskManager

    make_app()
    errors.silent = True
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="towndesk-shots-")
    desk = open_desk(data_dir)
    if desk.meta("town_code") is None:
        load_demo(desk, 2000)
    info = overview.desk_info(desk)

    def save(widget, name: str) -> None:
        QApplication.processEvents()
        widget.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    login = LoginDialog(desk, TaskManager(synchronous=True), info)
    login.resize(460, 420)
    login.show()
    login.form.username.setText("intake")
    save(login, "01-login")
    login.close()

    actors = {u: auth.get_actor(desk, u) for u in ("intake", "dispatcher", "unit", "director")}
    from app.supervision import board as supervision

    if not supervision.open_urges(desk, limit=1)["total"]:  # a few 督办, so their markers show
        supervision.issue_urges(desk, actors["director"], supervision.urge_proposals(desk, 5))
    window, ctx = build_window(desk, actors["intake"], synchronous=True, settings_path=str(out / ".shots.ini"),
                               info=info)
    window.resize(*SIZE)
    window.show()
    save(window, "02-home")

    window.select_page("intake")
    page = window.current_page()
    page.phone.setText("13800001111")
    page.name.setText("张三")
    page.category.set_code("PA0101")
    page.location.set_code("V01G01")
    page.address.setText("卧龙社区解放北路1号3幢")
    page.description.setPlainText("反映楼上住户卫生间漏水，渗到自家天花板，多次协商未果，请求社区调解。")
    page.panel.refresh_now(page.data())
    save(window, "03-intake")

    window.set_actor(actors["dispatcher"])
    window.select_page("queue")
    save(window, "04-dispatch-queue")

    window.select_page("cases")
    cases = window.current_page()
    cases.apply_filters({"state": "open"})
    save(window, "05-case-list")

    case_no = cases.model.case_no(0)
    window.set_actor(actors["director"])
    window.select_page("cases")
    busy = window.current_page()
    busy.apply_filters({"state": "review"})
    case_no = busy.model.case_no(0) or case_no
    window.open_case(case_no)
    save(window, "06-case-detail")
    if "approve_close" in window.detail.buttons:
        dialog = window.detail.start_action("reject_close")
        dialog.resize(480, 260)
        QApplication.processEvents()
        save(dialog, "07-action-dialog")
        dialog.reject()

    # supervision (督查考评) as the centre's director: the dashboard, the 超期/临期 board, open 督办
    for key, name in (("dashboard", "10-dashboard"), ("deadlines", "11-deadlines"), ("supervision", "12-urges")):
        window.select_page(key)
        page = window.current_page()
        if hasattr(page, "refresh"):
            page.refresh()
        save(window, name)

    window.lock()
    save(window, "08-locked")
    ctx.close()
    desk.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
