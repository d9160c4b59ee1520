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


def take_in_visitor(qtbot, page, name: str, phone: str, text: str) -> dict:
    """One walk-in through the form; Ctrl+S saves."""
    page.new_form()
    qtbot.keyClicks(page.phone, phone)
    type_text(page.name, name)
    page.category.set_code("PA0101")
    page.location.set_code("V01")
    type_text(page.description, f"{name}反映{text}")
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
    for name, phone, text in (("范红梅", "13900000025", "楼道灯坏了一个月，请求社区尽快维修。"),
                              ("王建国", "13900000026", "邻居家狗夜里一直叫，影响老人休息。")):
        view = take_in_visitor(qtbot, page, name, phone, text)
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


# -- keyboard end to end ---------------------------------------------------------------------------
def key(k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    """One key press to whatever has the focus (what a person's keyboard does)."""
    for _ in range(100):  # a closed dialog hands the focus back through the event loop
        target = QApplication.focusWidget()
        if target is not None:
            break
        QTest.qWait(10)
    assert target is not None, "no widget has the keyboard focus"
    QTest.keyClick(target, k, mod)


CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def go_to_page(window, page_key: str) -> None:
    """Ctrl+n for the page's place in this role's navigation."""
    n = [c.key for c in window.classes].index(page_key) + 1
    key(getattr(Qt.Key, f"Key_{n}"), CTRL)
    assert window.current_page().key == page_key


def open_first_case_by_keyboard(window, case_no: str) -> None:
    go_to_page(window, "cases")
    assert QApplication.focusWidget() is window.current_page().table  # focus lands in the table
    key(Qt.Key.Key_Home)
    key(Qt.Key.Key_Return)
    assert window.detail.case["case_no"] == case_no


def press_action(window, kind: str) -> None:
    """Alt+n as shown on the action's button."""
    button = window.detail.buttons[kind]
    hint = button.text().rsplit("Alt+", 1)[1].rstrip(")")
    key(getattr(Qt.Key, f"Key_{hint}"), ALT)
    for _ in range(100):  # a button's shortcut clicks it animated (~100 ms)
        if window.detail.dialog is not None and window.detail.dialog.isVisible() \
                and window.detail.dialog.kind == kind:
            break
        QTest.qWait(10)
    dialog = window.detail.dialog
    assert dialog is not None and dialog.isVisible() and dialog.kind == kind
    for _ in range(100):  # the dialog's window becomes active through the event loop
        if QApplication.focusWidget() is not None and dialog.isAncestorOf(QApplication.focusWidget()):
            break
        QTest.qWait(10)


def test_keyboard_walk_intake_to_print(qtbot, desk, open_window):
    """intake → dispatch → sign → request close → approve → callback → print, key events only."""
    from ui import printing_actions
    from ui.keys import ShortcutSheet

    printing_actions.opened.clear()
    presses = 0
    # intake: the form by keys (as test_acceptance), Ctrl+S
    window = open_window(desk, "intake")
    key(Qt.Key.Key_F1)                                               # the shortcut sheet
    sheet = window.findChild(ShortcutSheet)
    assert sheet is not None and sheet.isVisible() and sheet.tabs.tabText(0) == "快捷键"
    assert sheet.table.rowCount() > 20
    qtbot.waitUntil(lambda: QApplication.focusWidget() is sheet.table, timeout=2000)
    key(Qt.Key.Key_Escape)
    assert not sheet.isVisible()
    go_to_page(window, "intake")
    from tests.ui.test_acceptance import fill_intake_by_keyboard

    fill_intake_by_keyboard(qtbot, window.current_page())
    key(Qt.Key.Key_S, CTRL)
    case_no = window.current_page().last_saved["case_no"]
    assert window.current_page().last_saved["state"] == "registered"

    # dispatcher: 待分派 → focus in the table → Ctrl+D → unit by keys → Ctrl+Enter
    window = open_window(desk, "dispatcher")
    go_to_page(window, "queue")
    queue = window.current_page()
    assert QApplication.focusWidget() is queue.table
    key(Qt.Key.Key_End)
    key(Qt.Key.Key_D, CTRL)
    dialog = queue.dialog
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.isAncestorOf(QApplication.focusWidget()), timeout=2000)
    unit = dialog.inputs["unit"]
    if unit.code() != "D01":
        unit.setFocus()
        unit.selectAll()
        QTest.keyClicks(unit, "D01")
        key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Return, CTRL)
    assert not dialog.isVisible()
    from app.cases import queries

    assert queries.show_case(desk, None, case_no)["state"] == "dispatched"

    # unit: 案件查询 → Enter → Alt+n 签收 → Ctrl+Enter; Alt+n 申请办结 → result, 办结类型 by keys
    window = open_window(desk, "unit")
    open_first_case_by_keyboard(window, case_no)
    press_action(window, "sign")
    key(Qt.Key.Key_Return, CTRL)
    assert window.detail.case["state"] == "in_progress"
    press_action(window, "request_close")
    dialog = window.detail.dialog
    assert QApplication.focusWidget() is dialog.inputs["result"]
    type_text(dialog.inputs["result"], "已上门维修，楼道灯恢复。")
    key(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.inputs["close_type"]
    key(Qt.Key.Key_Return, CTRL)                                     # no 办结类型 chosen: refused
    assert dialog.isVisible() and dialog.errors.message_at("close_type") == "请选择办结类型"
    QApplication.focusWidget() is not dialog.inputs["close_type"] and dialog.inputs["close_type"].setFocus()
    key(Qt.Key.Key_Down)
    assert dialog.inputs["close_type"].currentData() == "substantive"
    key(Qt.Key.Key_Return, CTRL)
    assert window.detail.case["state"] == "review"

    # director approves
    window = open_window(desk, "director")
    open_first_case_by_keyboard(window, case_no)
    press_action(window, "approve_close")
    key(Qt.Key.Key_Return, CTRL)
    assert window.detail.case["state"] == "callback"

    # intake calls back: 满意度 has no default (Return alone records nothing)
    window = open_window(desk, "intake")
    open_first_case_by_keyboard(window, case_no)
    press_action(window, "callback")
    dialog = window.detail.dialog
    assert dialog.inputs["satisfaction"].currentData() is None
    key(Qt.Key.Key_Return)                                           # the default button: refused, nothing said
    assert dialog.isVisible() and dialog.errors.message_at("satisfaction") == "请选择满意度"
    dialog.inputs["satisfaction"].setFocus() if QApplication.focusWidget() is not dialog.inputs["satisfaction"] else None
    key(Qt.Key.Key_Down)
    key(Qt.Key.Key_Return, CTRL)
    assert window.detail.case["state"] == "closed" and window.detail.case["satisfaction"] == "satisfied"

    # print: Ctrl+P on the detail previews the dossier of this case
    key(Qt.Key.Key_P, CTRL)
    preview = printing_actions.opened[-1]
    assert case_no in pdf_text(preview.path)
    preview.reject()
    key(Qt.Key.Key_Escape)                                           # back to the list
    assert window.current_page().key == "cases"
    del presses


def test_search_box_keys_and_return_on_page_buttons(qtbot, desk, open_window):
    actors = load_actors(desk)
    case = take_in(desk, actors["intake"], sample_case())
    window = open_window(desk, "director")
    go_to_page(window, "cases")
    cases = window.current_page()
    key(Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is cases.search
    type_text(cases.search, "张三")
    key(Qt.Key.Key_Return)                       # Enter: the query runs, the keyboard goes to the results
    assert QApplication.focusWidget() is cases.table and cases.current_case_no() == case["case_no"]
    key(Qt.Key.Key_F, CTRL)
    key(Qt.Key.Key_Down)                         # Down: straight to the results
    assert QApplication.focusWidget() is cases.table
    key(Qt.Key.Key_F, CTRL)
    key(Qt.Key.Key_Tab)                          # Tab: the table is next after the search box
    assert QApplication.focusWidget() is cases.table
    # 督办: Return on the focused 发出督办 button sends; the form clears (no second issue by accident)
    go_to_page(window, "supervision")
    page = window.current_page()
    page.case_no.setText(case["case_no"])
    page.submit.setFocus()
    key(Qt.Key.Key_Return)                       # no level chosen: refused, nothing issued
    assert page.message.text() == "请选择督办等级"
    page.issue_level.setCurrentIndex(page.issue_level.findData("yellow"))
    type_text(page.note, "请三日内办结")
    page.submit.setFocus()
    key(Qt.Key.Key_Return)
    assert "已督办" in page.message.text()
    assert page.case_no.text() == "" and page.issue_level.currentData() is None
    # Ctrl+P on a case opened from 督办 prints it
    from ui import printing_actions

    window.open_case(case["case_no"])
    key(Qt.Key.Key_P, CTRL)
    assert case["case_no"] in pdf_text(printing_actions.opened[-1].path)
    printing_actions.opened[-1].reject()


# -- side panels that tell the truth ---------------------------------------------------------------
def test_routing_panel_says_what_saving_does(qtbot, desk):
    """The panel's plan and the save come from one function: for every category/place pair (village
    only, grid, none) the preview's outcome is what the saved case shows."""
    from app.cases import overview

    actors = load_actors(desk)
    refs = desk.refs()
    leaves = [c.code for c in refs.categories.values() if c.leaf][:6]
    villages = [g.code for g in refs.grids.values() if g.level == "village"][:2]
    grids = [g.code for g in refs.grids.values() if g.level == "grid"][:1]
    n = 0
    for category in leaves:
        for place in ({}, *({"village": v} for v in villages), *({"grid": g} for g in grids)):
            for auto in (True, False):
                data = sample_case(category=category, location={**place, "address": "测试路1号"},
                                   auto_dispatch=auto, description=f"测试第{n}件：路灯不亮已经很久了，请尽快维修。",
                                   reporter={"name": "测试", "phone": f"139000{n:05d}"})
                n += 1
                plan = overview.intake_preview(desk, data)["routing"]
                view = take_in(desk, actors["intake"], data)
                assert (plan["outcome"] == "dispatch") == (view["state"] == "dispatched"), (category, place, auto)
                if view["state"] == "dispatched":
                    assert view["unit"]["code"] == plan["unit"]["code"]


def fill_for_repeat(page, name="李四"):
    page.new_form()
    page.phone.setText("13800001111")
    type_text(page.name, name)
    page.category.set_code("PA0101")
    page.location.set_code("V01")
    page.address.setText("卧龙社区解放北路1号")
    type_text(page.description, "张三反映楼上住户卫生间漏水，多次协商未果，请求社区调解。")


def test_repeat_asks_merge_link_or_new_before_any_dispatch(qtbot, desk, open_window):
    from app.cases import queries
    from ui.pages.intake import RepeatQuestion

    actors = load_actors(desk)
    earlier = take_in(desk, actors["intake"], sample_case())  # auto-dispatched to its unit
    window = open_window(desk, "intake")
    window.select_page("intake")
    page = window.current_page()

    fill_for_repeat(page)
    page.save()
    question = page.findChild(RepeatQuestion)
    assert question is not None and question.isVisible() and page.last_saved is None  # nothing written yet
    text = question.list.item(0).text()
    assert earlier["case_no"] in text and earlier["title"] in text
    assert earlier["state_label"] in text and earlier["unit"]["name"] in text
    question.link_button.click()                                   # 关联: saved, not auto-dispatched
    linked = page.last_saved
    assert linked["state"] == "registered" and earlier["case_no"] in linked["repeat_of"]

    fill_for_repeat(page)
    page.save()
    question = page.repeat_question
    rows = [question.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(question.list.count())]
    assert set(rows) == {earlier["case_no"], linked["case_no"]}
    question.list.setCurrentRow(rows.index(earlier["case_no"]))
    question.merge_button.click()                                  # 合并: one transaction, merged
    merged = queries.show_case(desk, None, page.last_saved["case_no"])
    assert merged["state"] == "merged" and merged.get("merged_into") == earlier["case_no"]

    fill_for_repeat(page)
    page.save()
    page.repeat_question.new_button.click()                        # 仍新建: the ordinary path (auto-dispatch)
    assert page.last_saved["state"] == "dispatched"

    fill_for_repeat(page)
    page.save()
    page.repeat_question.reject()                                  # 返回修改: nothing saved, form kept
    assert page.description.toPlainText() and page.save_button.isEnabled()

    # the panel already asked for exactly this input: saving asks nothing more of the store
    from app.cases import overview

    calls = []
    real = overview.intake_preview
    overview.intake_preview = lambda *a: (calls.append(1), real(*a))[1]
    try:
        page.panel.refresh_now(page.data())
        assert len(calls) == 1
        page.save()
        assert len(calls) == 1 and page.repeat_question.isVisible()  # the same question, from the panel's answer
        page.repeat_question.reject()
    finally:
        overview.intake_preview = real


def test_caller_history_when_the_number_is_complete_and_reuse(qtbot, desk, open_window):
    actors = load_actors(desk)
    take_in(desk, actors["intake"], sample_case())
    window = open_window(desk, "intake")
    window.select_page("intake")
    page = window.current_page()
    page.phone.setFocus()
    QTest.keyClicks(page.phone, "1380000111")                     # 10 digits: not yet
    QTest.qWait(400)
    assert not page.panel.reuse_button.isEnabled()
    QTest.keyClicks(page.phone, "1")                               # complete: the history comes, focus stays
    qtbot.waitUntil(lambda: page.panel.reuse_button.isEnabled(), timeout=3000)
    assert QApplication.focusWidget() is page.phone
    assert "张三" in page.panel.history.item(0).text()
    page.panel.reuse_button.click()                                # 沿用
    assert page.name.text() == "张三" and page.id_no.text() == "11010519491231002X"
    assert page.address.text() == "卧龙社区解放北路1号" and page.location.code() == "V01"


# -- sync indicator ----------------------------------------------------------------------------------
def test_sync_indicator_says_why_offline_and_click_explains(qtbot, desk, open_window):
    from app.sync.transport import SyncError
    from ui.sync_controller import install, reason_of

    actors = load_actors(desk)
    window = open_window(desk, "intake")
    ctrl = install(window.ctx, window.sync_indicator)
    try:
        indicator = window.sync_indicator
        assert indicator.label.text() == "离线（未注册区级服务器）"
        assert "towndesk enroll" in indicator.toolTip()
        qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)        # cannot sync: says why
        assert ctrl.explained and "尚未注册" in ctrl.explained[-1] and ctrl.explain_box.isVisible()
        ctrl.explain_box.close()
        # the pending count follows a save at once (no F5)
        take_in(desk, actors["intake"], sample_case())
        from app.sync.state import summary

        pending = summary(desk)["pending"]
        assert pending >= 1
        qtbot.waitUntil(lambda: f"待上传 {pending}" in indicator.label.text(), timeout=3000)
        assert reason_of(SyncError("x", code="offline")) == "网络不通"
        assert reason_of(SyncError("x", code="timeout")) == "网络不通"
        assert reason_of(SyncError("x", code="auth")) == "服务器拒绝"
        assert reason_of(None, enrolled=False) == "未注册区级服务器"
        indicator.set_state("offline", 2, reason="网络不通", detail="同步服务器无法连接")
        assert indicator.label.text() == "离线（网络不通） · 待上传 2" and "无法连接" in indicator.toolTip()
    finally:
        ctrl.stop()


def test_qt_dialogs_in_chinese_opening_in_documents(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QFileDialog

    from ui.files import documents_dir, in_documents
    from ui.main import install_translations

    loaded = install_translations(QApplication.instance())
    assert any("qtbase_zh_CN" in f for f in loaded)
    # Qt's own strings come out in Chinese (the file dialog's and the message box's buttons)
    assert QCoreApplication.translate("QFileDialog", "&Open") != "&Open"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    box = QFileDialog(None, "选择附件", documents_dir())
    box.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(box)
    assert box.directory().absolutePath() == documents_dir()
    assert in_documents("x.pdf").startswith(documents_dir())
    from pathlib import Path

    import ui

    assert not documents_dir().startswith(str(Path(ui.__file__).resolve().parents[1]))  # not the program folder


def test_one_window_per_data_folder(qtbot, tmp_path):
    """A second launch on the same folder raises the first and gets None; another folder is free;
    a launch in another process sees the running one too."""
    import sys

    from ui import single

    first = single.claim(tmp_path / "a")
    assert first is not None
    try:
        with qtbot.waitSignal(first.raiseRequested, timeout=3000):
            assert single.claim(tmp_path / "a") is None
        other = single.claim(tmp_path / "b")
        assert other is not None
        other.close()
        code = ("import sys; from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]);"
                "from ui import single; sys.exit(0 if single.claim(sys.argv[1]) is None else 5)")
        proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "a")])
        with qtbot.waitSignal(first.raiseRequested, timeout=10000):
            pass
        assert proc.wait(20) == 0
    finally:
        first.close()
    again = single.claim(tmp_path / "a")  # the first window closed: the folder is free again
    assert again is not None
    again.close()


def test_handover_log_out_and_the_next_user_sees_the_note(qtbot, demo_desk, open_window):
    from app.supervision import handover
    from ui.handover import HandoverDialog, HandoverNotice

    actors = load_actors(demo_desk)
    window = open_window(demo_desk, "intake")
    key(Qt.Key.Key_Q, CTRL | Qt.KeyboardModifier.ShiftModifier)         # 交接班
    dialog = window.findChild(HandoverDialog)
    assert dialog is not None and dialog.isVisible()
    snap = handover.snapshot(demo_desk)
    assert snap["red_count"] > 0 and f"{snap['red_count']:,}" in dialog.summary.text()
    assert dialog.items.count() >= min(20, snap["red_count"])
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.note, timeout=2000)
    type_text(dialog.note, "王建国的回访约了明早九点")
    key(Qt.Key.Key_Return, CTRL)
    assert window.locked and window.lock_form.username.text() == "" and not window.lock_form.username.isReadOnly()
    # the next user logs in on the same window
    window.lock_form.username.setText("dispatcher")
    window.lock_form.password.setText("demo1234")
    window.lock_form.submit.click()
    assert not window.locked and window.ctx.actor.username == "dispatcher"
    notice = window.findChild(HandoverNotice)
    assert notice is not None and notice.isVisible()
    assert "王建国的回访约了明早九点" in notice.note.text() and notice.items.count() > 0
    notice.accept()
    assert handover.latest_unread(demo_desk, actors["director"]) is None
    # an empty note is fine; a note too long is refused in Chinese, nothing written
    import pytest

    from app.errors import ValidationError

    with pytest.raises(ValidationError) as bad:
        handover.hand_over(demo_desk, actors["dispatcher"], "字" * 2001)
    assert bad.value.field == "note"


# -- 常用语 ------------------------------------------------------------------------------------------
def test_phrases_personal_and_centre_lists_and_the_picker(qtbot, desk, open_window):
    import pytest

    from app.errors import PermissionDenied, ValidationError
    from app.reference import phrases

    actors = load_actors(desk)
    # built-in phrases while the centre has none; pinyin initials find them
    built = phrases.list_phrases(desk, actors["intake"], "callback", "")
    assert built and all(p["scope"] == "built_in" for p in built)
    assert phrases.list_phrases(desk, actors["intake"], "callback", "sqrdbl")[0]["text"].startswith("诉求人对办理")
    with pytest.raises(PermissionDenied):
        phrases.add_phrase(desk, actors["intake"], "callback", "中心用语", centre=True)
    with pytest.raises(ValidationError) as bad:
        phrases.add_phrase(desk, actors["intake"], "nonsense", "x")
    assert bad.value.field == "field"
    centre = phrases.add_phrase(desk, actors["admin"], "callback", "已电话回访，诉求人无异议。", centre=True)
    mine = phrases.add_phrase(desk, actors["intake"], "callback", "回访时诉求人不在家，家属代为确认。")
    seen = phrases.list_phrases(desk, actors["intake"], "callback")
    assert [p["scope"] for p in seen] == ["mine", "centre"]           # built-ins step aside once the centre has a list
    assert phrases.list_phrases(desk, actors["dispatcher"], "callback") == [seen[1]]  # personal stays personal
    with pytest.raises(PermissionDenied):
        phrases.delete_phrase(desk, actors["dispatcher"], mine["id"])

    # in the callback dialog: F4 in 回访记录, search by initials, Enter inserts; 满意度 chosen by keys
    from app.cases import handling

    case = take_in(desk, actors["intake"], sample_case())
    for who, kind, payload in (("unit_v01", "sign", {}), ("unit_v01", "request_close",
                                                          {"result": "已处理", "close_type": "substantive"}),
                               ("director", "approve_close", {})):
        handling.act(desk, actors[who], case["case_no"], kind, payload)
    window = open_window(desk, "intake")
    window.open_case(case["case_no"])
    dialog = window.detail.start_action("callback")
    note = dialog.inputs["note"]
    note.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is note, timeout=2000)
    key(Qt.Key.Key_F4)
    picker = note.phrase_picker
    assert picker.isVisible() and picker.list.count() == 2
    qtbot.waitUntil(lambda: QApplication.focusWidget() is picker.search, timeout=2000)
    QTest.keyClicks(picker.search, "ydhhf")                            # 已电话回访…
    picker.reload()
    assert picker.list.count() == 1
    key(Qt.Key.Key_Return)
    assert note.toPlainText() == centre["text"] and not picker.isVisible()
    dialog.set_value("satisfaction", "satisfied")
    dialog.submit()
    assert window.detail.case["state"] == "closed"


# -- bulletins ---------------------------------------------------------------------------------------
def test_bulletin_date_picker_file_name_content_and_one_centre_name(qtbot, demo_desk, open_window, tmp_path):
    import re
    from datetime import date

    from app.domain.timezone import LOCAL_TZ
    from app.supervision.bulletins import file_name
    from ui.pages.dashboard import BulletinDateDialog

    window = open_window(demo_desk, "director")
    window.select_page("dashboard")
    page = window.current_page()
    dialog = page.ask_bulletin("daily")
    today = demo_desk.now().astimezone(LOCAL_TZ).date()
    assert isinstance(dialog, BulletinDateDialog) and dialog.day() == today       # the centre's day
    dialog.date.setDate(dialog.date.date().addDays(-3))
    day = dialog.day()
    dialog.reject()
    name = file_name("daily", day)
    assert name == f"日简报-{day:%Y-%m-%d}.pdf"
    assert file_name("weekly", date(2026, 12, 2)) == "周通报-2026-11-30至2026-12-06.pdf"
    assert file_name("monthly", date(2026, 12, 2)) == "月专报-2026-12.pdf"
    out = tmp_path / name
    page.make_bulletin("daily", str(out), day)
    text = pdf_text(out)
    assert f"统计周期：{day:%Y-%m-%d}" in text.replace(" ", "") or f"{day:%Y-%m-%d}" in text
    assert not re.search(r"docs/|\.md\b|\.py\b|/work/", text)                     # no repository paths
    town = demo_desk.meta("town_name")
    centre = f"{town}综合信息指挥中心"
    assert text.count(centre) >= 2 and f"{town}基层治理" not in text                # title and header agree


def test_batch_print_from_the_case_list_selected_or_filtered(qtbot, desk, open_window, tmp_path):
    from PySide6.QtCore import QItemSelectionModel

    actors = load_actors(desk)
    nos = [take_in(desk, actors["intake"], sample_case(description=f"第{i}件：路灯不亮已经很久了，请尽快维修。",
                                                       reporter={"name": "测试", "phone": f"1390000{i:04d}"}))["case_no"]
           for i in range(3)]
    window = open_window(desk, "director")
    go_to_page(window, "cases")
    cases = window.current_page()
    sel = cases.table.selectionModel()
    sel.select(cases.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    sel.select(cases.model.index(2, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    key(Qt.Key.Key_P, CTRL | Qt.KeyboardModifier.ShiftModifier)
    dialog = cases.batch_dialog
    assert dialog.isVisible() and "2 件" in dialog.count_label.text()
    dialog.target.setText(str(tmp_path / "sel"))
    dialog.start()
    assert dialog.result_data["count"] == 2
    printed = {p.stem.split("-案卷")[0] for p in (tmp_path / "sel").glob("*.pdf")}
    assert printed == {cases.model.case_no(0), cases.model.case_no(2)}
    dialog.reject()
    # nothing multi-selected: every case the filters find
    cases.table.clearSelection()
    dialog = cases.batch_print()
    assert "3 件" in dialog.count_label.text()
    dialog.target.setText(str(tmp_path / "all"))
    dialog.start()
    assert dialog.result_data["count"] == 3 and len(list((tmp_path / "all").glob("*.pdf"))) == 3
    assert set(nos) == {p.stem.split("-案卷")[0] for p in (tmp_path / "all").glob("*.pdf")}


def test_the_guide_lists_the_shortcut_sheet():
    from pathlib import Path

    from ui.keys import SHORTCUTS

    guide = (Path(__file__).resolve().parents[2] / "docs" / "WINDOW.md").read_text(encoding="utf-8")
    for keys_, where, does in SHORTCUTS:
        assert f"| {keys_} | {where} | {does} |" in guide


def test_ctrl_enter_submits_the_other_dialogs(qtbot, desk, open_window):
    from ui.pages.intake import RepeatQuestion

    question = RepeatQuestion([{"case_no": "FS-1", "title": "标题", "state_label": "待分派", "unit_name": ""}], True)
    qtbot.addWidget(question)
    question.show()
    question.activateWindow()
    qtbot.waitUntil(question.isActiveWindow, timeout=2000)
    question.list.setFocus()
    with qtbot.waitSignal(question.decided, timeout=2000) as got:
        QTest.keyClick(question.list, Qt.Key.Key_Return, CTRL)
    assert got.args == ["merge", "FS-1"]
    window = open_window(desk, "director")
    go_to_page(window, "cases")
    dialog = window.current_page().batch_print()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    dialog.target.setFocus()
    QTest.keyClick(dialog.target, Qt.Key.Key_Return, CTRL)   # no target: says so (the start ran)
    assert dialog.status.text() == "请先选择输出目录或文件"
    dialog.reject()


def test_list_follows_a_save_in_place_with_real_threads(qtbot, demo_desk, open_window):
    """The list on screen, real background threads: a save elsewhere enters at the top without a
    reset, a fresh count or the full key list; the operator's selected case stays selected; a
    dispatch drops the case from a 待分派 filter; a report naming no cases (sync) queries again."""
    from app.cases import caselist, handling
    from ui.main import build_window

    actors = load_actors(demo_desk)
    window, ctx = build_window(demo_desk, actors["dispatcher"], settings_path=None)
    qtbot.addWidget(window)
    window.show()
    try:
        window.select_page("cases")
        cases = window.current_page()
        model = cases.model
        qtbot.waitUntil(lambda: model.keys_complete and not model.loading and model.total > 0, timeout=20_000)
        total = model.total
        cases.table.selectRow(3)
        picked = cases.current_case_no()
        counted, resets = [], []
        real_count, real_keys = caselist._count, caselist.case_keys
        caselist._count = lambda *a: (counted.append(1), real_count(*a))[1]
        caselist.case_keys = lambda *a, **k: (counted.append(2), real_keys(*a, **k))[1]
        model.modelReset.connect(lambda: resets.append(1))
        try:
            view = take_in(demo_desk, actors["intake"], sample_case(auto_dispatch=False))
            qtbot.waitUntil(lambda: model.total == total + 1 and model.case_no(0) == view["case_no"], timeout=10_000)
            assert not counted and not resets
            assert cases.current_case_no() == picked                   # the row moved down, still selected
            assert cases.total_label.text() == f"共 {total + 1:,} 件"
            cases.apply_filters({"state": "registered"})
            qtbot.waitUntil(lambda: model.keys_complete and not model.loading, timeout=20_000)
            waiting = model.total
            assert model.case_no(0) == view["case_no"]
            counted.clear()
            resets.clear()
            handling.act(demo_desk, actors["dispatcher"], view["case_no"], "dispatch", {"unit": "D01"})
            qtbot.waitUntil(lambda: model.total == waiting - 1, timeout=10_000)
            assert not counted and not resets and model.case_no(0) != view["case_no"]
        finally:
            caselist._count, caselist.case_keys = real_count, real_keys
        from app import events

        events.publish(events.CASE_CHANGED, {"case_nos": [], "source": "sync"})  # whose cases? query again
        qtbot.waitUntil(lambda: bool(resets), timeout=10_000)
    finally:
        close_real_window(window, ctx)


def close_real_window(window, ctx) -> None:
    """A window with real threads: its pending timers (status counts …) must not fire after its
    tasks are shut down."""
    from PySide6.QtCore import QTimer

    for timer in window.findChildren(QTimer):
        timer.stop()
    ctx.tasks.wait_idle(10_000)
    window.close()
    ctx.close()


def test_every_file_dialog_opens_in_the_documents_folder(qtbot, desk, open_window, monkeypatch):
    """导出 Excel, 导入 workbook, 保存模板, 评估报告 …: never the program's folder (the working directory)."""
    import re
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    from ui.files import documents_dir
    from ui.widgets.export_file import ask_path

    seen = []

    def fake(parent, caption="", directory="", *a, **k):
        seen.append((caption, directory))
        return ("", "")

    for name in ("getSaveFileName", "getOpenFileName"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(fake))
    assert ask_path(None, "案件.xlsx") is None
    window = open_window(desk, "admin")
    window.select_page("admin_data")
    assert window.current_page().key == "admin_data"
    window.current_page().choose_open = None
    window.current_page()._open_path()
    assert [c for c, _d in seen] == ["导出为 Excel", "选择镇街基础数据 Excel"]
    assert all(d.startswith(documents_dir()) for _c, d in seen), seen
    # and every file dialog in the window's code is given the documents folder
    root = Path(__file__).resolve().parents[2] / "ui"
    calls = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"QFileDialog\.get\w+\(([^\n]*)", text):
            calls.append((path.name, m.group(1)))
    assert len(calls) >= 8
    assert all("documents_dir()" in args or "in_documents(" in args for _f, args in calls), calls


def test_handover_shown_to_the_next_user_after_a_restart(qtbot, demo_desk, open_window):
    """The 交班记录 waits in the store: the next user who opens the window on this workstation (a
    new start, not the lock screen) sees it; the user who wrote it does not; once read it is gone."""
    from app.supervision import handover
    from ui.handover import HandoverNotice

    actors = load_actors(demo_desk)
    handover.hand_over(demo_desk, actors["intake"], "夜班：3 件红灯已电话催办")
    window = open_window(demo_desk, "intake")                  # the same user back: nothing to read
    window.show_handover_notice()
    assert window.findChild(HandoverNotice) is None
    window = open_window(demo_desk, "director")                # as run_gui does once the window is shown
    window.show_handover_notice()
    notice = window.findChild(HandoverNotice)
    assert notice is not None and notice.isVisible() and "夜班：3 件红灯已电话催办" in notice.note.text()
    notice.accept()
    window = open_window(demo_desk, "dispatcher")
    window.show_handover_notice()
    assert window.findChild(HandoverNotice) is None


def test_ctrl_enter_on_the_handover_notice_and_the_backlog_form(qtbot, desk, open_window):
    from app.supervision import handover
    from ui.handover import HandoverNotice
    from ui.pages.backlog import BacklogForm

    actors = load_actors(desk)
    window = open_window(desk, "director")
    record = handover.hand_over(desk, actors["intake"], "交班说明")
    notice = HandoverNotice(window.ctx, record, window)
    notice.show()
    notice.activateWindow()
    qtbot.waitUntil(notice.isActiveWindow, timeout=2000)
    QTest.keyClick(notice.items, Qt.Key.Key_Return, CTRL)           # 已阅 from anywhere in it
    assert not notice.isVisible() and handover.latest_unread(desk, actors["director"]) is None
    form = BacklogForm(window.ctx, "add", parent=window)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    form.case_no.setFocus()
    QTest.keyClick(form.case_no, Qt.Key.Key_Return, CTRL)            # submitted: no case number is refused
    assert form.isVisible() and form.error.text()
    form.reject()
