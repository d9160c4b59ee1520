"""导出 Excel… on 待分派, 超期预警 and 督办: each page exports exactly the cases it lists (all of them,
not only the rows loaded), through the task manager with progress; the file dialog is bypassed by
passing the path."""
from __future__ import annotations

from app.cases import overview
from app.reference.xlsx import read_workbook
from app.supervision import board as sv


def _exported(window, page, tmp_path, name: str) -> list[str]:
    out = tmp_path / name
    page.export_cases(str(out))
    window.ctx.tasks.wait_idle()
    rows = read_workbook(out)["案件"]
    assert rows[0][0] == "案件编号"
    nos = [r[0] for r in rows[1:]]
    assert len(nos) == len(set(nos))
    return nos


def test_dispatch_queue_exports_the_cases_waiting_for_dispatch(demo_desk, open_window, tmp_path):
    window = open_window(demo_desk, "director")
    window.select_page("queue")
    page = window.current_page()
    window.ctx.tasks.wait_idle()
    assert page.findChild(type(page.more), "exportCases") is not None
    expected, after = set(), None
    while True:
        got = overview.dispatch_queue(demo_desk, window.ctx.actor, after, 200)
        expected |= {i["case_no"] for i in got["items"]}
        after = got["next"]
        if not after:
            break
    assert expected and set(_exported(window, page, tmp_path, "queue.xlsx")) == expected


def test_deadlines_board_exports_its_red_and_yellow_cases(demo_desk, open_window, tmp_path):
    window = open_window(demo_desk, "director")
    window.select_page("deadlines")
    page = window.current_page()
    window.ctx.tasks.wait_idle()
    every = sv.board(demo_desk, None, None, 1000)
    assert every["cases"] and len(every["cases"]) < 1000
    assert set(_exported(window, page, tmp_path, "all.xlsx")) == {c["case_no"] for c in every["cases"]}
    page.colour.setCurrentIndex(page.colour.findData("red"))  # 仅超期（红）: only the red ones
    window.ctx.tasks.wait_idle()
    red = {c["case_no"] for c in sv.board(demo_desk, None, "red", 1000)["cases"]}
    assert red and red != {c["case_no"] for c in every["cases"]}
    assert set(_exported(window, page, tmp_path, "red.xlsx")) == red


def test_supervision_exports_the_open_cases_under_supervision(demo_desk, open_window, tmp_path):
    window = open_window(demo_desk, "director")
    window.select_page("supervision")
    page = window.current_page()
    window.ctx.tasks.wait_idle()
    every = sv.open_urges(demo_desk, None, None, 100_000)
    assert every["items"]
    assert set(_exported(window, page, tmp_path, "all.xlsx")) == {i["case_no"] for i in every["items"]}
    level = max(every["counts"], key=lambda k: every["counts"][k])
    page.level.setCurrentIndex(page.level.findData(level))
    window.ctx.tasks.wait_idle()
    some = {i["case_no"] for i in sv.open_urges(demo_desk, level, None, 100_000)["items"]}
    assert some and set(_exported(window, page, tmp_path, "level.xlsx")) == some
