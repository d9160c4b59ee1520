"""Issue 20, the operator's shift: the right receipt every time (two visitors in a row, printed from
the banner and from the list), lists that follow every change and F5."""
from __future__ import annotations

import subprocess

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.cases.intake import take_in
from tests.conftest import load_actors, sample_case
from tests.ui.conftest import type_text


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def last_preview_text() -> str:
    from ui import printing_actions

    dialog = printing_actions.opened[-1]
    text = pdf_text(dialog.path)
    dialog.reject()
    return text


def take_in_visitor(qtbot, page, name: str, phone: str) -> dict:
    """One walk-in through the form; Ctrl+S saves."""
    page.new_form()
    qtbot.keyClicks(page.phone, phone)
    type_text(page.name, name)
    page.category.set_code("PA0101")
    page.location.set_code("V01")
    type_text(page.description, f"{name}反映楼道灯坏了一个月，请求社区尽快维修。")
    page.auto_dispatch.setChecked(False)
    QTest.keyClick(page.description, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.last_saved is not None, page.errors.message_at("description")
    return page.last_saved


def test_two_visitors_receipts_from_banner_and_list_are_the_new_visitors(qtbot, desk, open_window):
    from ui import printing_actions

    printing_actions.opened.clear()
    window = open_window(desk, "intake")
    # the operator looked at the list first: it has been queried once already (the reported bug)
    window.select_page("cases")
    cases = window.current_page()
    assert cases.model.total == 0
    window.select_page("intake")
    page = window.current_page()
    for name, phone in (("范红梅", "13900000025"), ("王建国", "13900000026")):
        view = take_in_visitor(qtbot, page, name, phone)
        assert page.banner_box.isVisible() and view["case_no"] in page.banner.text() and name in page.banner.text()
        # 打印回执 on the banner (Ctrl+P there): this visitor's receipt
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        text = last_preview_text()
        assert view["case_no"] in text and name in text
        # the list shows the new case first, selected; Ctrl+P there prints the same receipt
        window.select_page("cases")
        assert QApplication.focusWidget() is cases.table
        assert cases.current_case_no() == view["case_no"]
        QTest.keyClick(cases.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        text = last_preview_text()
        assert view["case_no"] in text and name in text
        assert "范红梅" not in text or name == "范红梅"
        window.select_page("intake")
    assert cases.model.total == 2
    # 打开案件 on the banner opens the case just saved; 新建 clears the banner (Ctrl+P prints nothing)
    page.open_button.click()
    assert window.detail.case["case_no"] == view["case_no"]
    window.select_page("intake")
    page.new_form()
    assert not page.banner_box.isVisible() and page.print_receipt() is None


def test_list_on_screen_follows_changes_from_elsewhere_and_f5(qtbot, desk, open_window):
    actors = load_actors(desk)
    window = open_window(desk, "dispatcher")
    window.select_page("cases")
    cases = window.current_page()
    assert cases.model.total == 0
    first = take_in(desk, actors["intake"], sample_case(auto_dispatch=False))  # another workstation/window
    qtbot.waitUntil(lambda: cases.model.total == 1, timeout=3000)
    assert cases.model.case_no(0) == first["case_no"]
    # state filter: a dispatch elsewhere drops the case from 待分派-state rows
    cases.apply_filters({"state": "registered"})
    assert cases.model.total == 1
    from app.cases import handling

    handling.act_many(desk, actors["dispatcher"], [first["case_no"]], "dispatch", {"unit": "D01"})
    qtbot.waitUntil(lambda: cases.model.total == 0, timeout=3000)
    # F5 queries again too (events off: a write nobody announced)
    cases.apply_filters({})
    from app import events

    saved = events._subscribers[events.CASE_CHANGED][:]
    events._subscribers[events.CASE_CHANGED].clear()
    try:
        take_in(desk, actors["intake"], sample_case(auto_dispatch=False))
    finally:
        events._subscribers[events.CASE_CHANGED][:] = saved
    assert cases.model.total == 1
    QTest.keyClick(cases.table, Qt.Key.Key_F5)
    assert cases.model.total == 2
    # the dispatch queue and the status counts follow too
    window.select_page("queue")
    queue = window.current_page()
    assert len(queue.model.items) == 1
