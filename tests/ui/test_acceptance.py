"""Issue 3 acceptance, offscreen: log in; intake by keyboard; a bad 身份证 saves nothing; the new
case in the list and in search; dispatch from the queue; sign -> request close -> approve ->
callback -> closed with the buttons; forbidden buttons absent; the list fetches lazily."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.cases import overview, queries
from app.cases.intake import take_in
from tests.conftest import load_actors, sample_case
from tests.ui.conftest import type_text


def press(key, modifier=Qt.KeyboardModifier.NoModifier):
    target = QApplication.focusWidget()
    assert target is not None, "no widget has the keyboard focus"
    QTest.keyClick(target, key, modifier)


def test_login_dialog(qtbot, desk):
    from ui.login import LoginDialog
    from ui.tasks import TaskManager

    dialog = LoginDialog(desk, TaskManager(synchronous=True), overview.desk_info(desk))
    qtbot.addWidget(dialog)
    form = dialog.form
    assert form.demo_list is not None and form.demo_list.count() >= 5
    qtbot.keyClicks(form.username, "intake")
    qtbot.keyClicks(form.password, "wrong-password")
    qtbot.mouseClick(form.submit, Qt.MouseButton.LeftButton)
    assert dialog.actor is None
    assert form.errors.message_at("password") == "用户名或密码错误"
    form.password.clear()
    qtbot.keyClicks(form.password, "demo1234")
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.username == "intake" and dialog.result() == 1


def test_login_lockout_message(qtbot, desk):
    from ui.login import LoginForm
    from ui.tasks import TaskManager

    form = LoginForm(desk, TaskManager(synchronous=True), overview.desk_info(desk))
    qtbot.addWidget(form)
    form.username.setText("dispatcher")
    for _ in range(6):
        form.password.setText("nope-nope")
        form.attempt()
    assert "账号已锁定" in form.errors.message_at("username")


def fill_intake_by_keyboard(qtbot, page, name="柏舟", id_no="11010519491231002X"):
    page.phone.setFocus()
    press(Qt.Key.Key_F2)
    assert QApplication.focusWidget() is page.phone
    qtbot.keyClicks(page.phone, "13912345678")
    press(Qt.Key.Key_Tab)                       # -> 匿名
    press(Qt.Key.Key_Tab)                       # -> 姓名
    type_text(QApplication.focusWidget(), name)
    press(Qt.Key.Key_Tab)                       # -> 身份证
    qtbot.keyClicks(QApplication.focusWidget(), id_no)
    press(Qt.Key.Key_Tab)                       # -> 人次
    press(Qt.Key.Key_Tab)                       # -> 事项分类
    assert QApplication.focusWidget() is page.category
    qtbot.keyClicks(page.category, "lljf")
    press(Qt.Key.Key_Tab)                       # best match taken -> 村社/网格
    assert page.category.code() == "PA0101" and page.category.text() == "邻里纠纷"
    qtbot.keyClicks(QApplication.focusWidget(), "wlsq")
    press(Qt.Key.Key_Tab)                       # -> 地址
    assert page.location.location().get("village") == "V01"
    type_text(QApplication.focusWidget(), "卧龙社区解放北路8号")
    press(Qt.Key.Key_Tab)                       # -> 标题
    press(Qt.Key.Key_Tab)                       # -> 诉求内容
    assert QApplication.focusWidget() is page.description
    type_text(page.description, f"{name}反映楼上住户深夜噪音，多次沟通无果，请求社区协调。")
    press(Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # 自动派单 off: goes to the dispatch queue
    assert not page.auto_dispatch.isChecked()


def test_intake_by_keyboard_then_list_search_dispatch_and_full_life(qtbot, desk, open_window):
    window = open_window(desk, "intake")
    window.select_page("intake")
    page = window.current_page()
    fill_intake_by_keyboard(qtbot, page)
    press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    view = page.last_saved
    assert view is not None and view["state"] == "registered"
    assert view["case_no"] in page.banner.text() and page.banner.isVisible()
    assert page.phone.text() == "" and page.description.toPlainText() == "" and page.category.code() is None
    case_no = view["case_no"]

    # The list shows it; a 2-character name finds it.
    window.select_page("cases")
    cases = window.current_page()
    assert cases.model.total == 1 and cases.model.case_no(0) == case_no
    cases.search.setText("柏舟")
    cases.run_query()
    assert cases.model.total == 1 and cases.model.case_no(0) == case_no
    cases.search.setText("不存在的名字")
    cases.run_query()
    assert cases.model.total == 0

    # Dispatch from the queue (dispatcher).
    window = open_window(desk, "dispatcher")
    window.select_page("queue")
    queue = window.current_page()
    assert queue.select_case(case_no)
    assert "建议" in queue.detail.text()
    dialog = queue.start("dispatch")
    dialog.set_value("unit", "D01")
    dialog.submit()
    assert queries.show_case(desk, None, case_no)["state"] == "dispatched"
    assert not queue.select_case(case_no)

    # Unit D01 signs and asks to close; another unit sees no such buttons.
    other = open_window(desk, "unit_v01")
    other.open_case(case_no)
    assert "sign" not in other.detail.buttons and "request_close" not in other.detail.buttons
    window = open_window(desk, "unit")
    window.open_case(case_no)
    detail = window.detail
    assert "dispatch" not in detail.buttons and "approve_close" not in detail.buttons
    qtbot.mouseClick(detail.buttons["sign"], Qt.MouseButton.LeftButton)
    detail.dialog.submit()
    assert detail.case["state"] == "in_progress"
    assert "签收" in [detail.timeline.topLevelItem(i).text(1) for i in range(detail.timeline.topLevelItemCount())]
    qtbot.mouseClick(detail.buttons["request_close"], Qt.MouseButton.LeftButton)
    dialog = detail.dialog
    dialog.submit()  # nothing filled: the field error shows, nothing is written
    assert dialog.errors.message_at("result") == "请填写办理结果"
    type_text(dialog.inputs["result"], "已上门协调，双方达成谅解。")
    dialog.set_value("close_type", "substantive")
    dialog.submit()
    assert detail.case["state"] == "review"

    # Director approves; the intake operator calls back and the case closes.
    window = open_window(desk, "director")
    window.open_case(case_no)
    assert "callback" not in window.detail.buttons
    qtbot.mouseClick(window.detail.buttons["approve_close"], Qt.MouseButton.LeftButton)
    window.detail.dialog.submit()
    assert window.detail.case["state"] == "callback"
    window = open_window(desk, "intake")
    window.open_case(case_no)
    assert "approve_close" not in window.detail.buttons and "sign" not in window.detail.buttons
    qtbot.mouseClick(window.detail.buttons["callback"], Qt.MouseButton.LeftButton)
    window.detail.dialog.set_value("satisfaction", "satisfied")
    window.detail.dialog.submit()
    assert window.detail.case["state"] == "closed"
    assert window.detail.state_label.text().startswith("<b>已办结")


def test_bad_id_number_shows_field_error_and_saves_nothing(qtbot, desk, open_window):
    window = open_window(desk, "intake")
    window.select_page("intake")
    page = window.current_page()
    fill_intake_by_keyboard(qtbot, page, id_no="110105194912310021")
    press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.last_saved is None
    assert "身份证" in page.errors.message_at("reporter.id_no")
    assert QApplication.focusWidget() is page.id_no
    assert page.description.toPlainText()  # typed work kept
    assert queries.list_cases(desk, None, {}, limit=1)["total"] == 0


def test_case_list_fetches_lazily_and_refreshes_one_row(qtbot, demo_desk):
    from app.demo.loader import load_demo
    from ui.bus import EventBridge
    from ui.context import UiContext, make_settings
    from ui.models.case_table import CaseTableModel
    from ui.tasks import TaskManager

    load_demo(demo_desk, 3000, seed=11)
    actors = load_actors(demo_desk)
    ctx = UiContext(demo_desk, actors["admin"], TaskManager(synchronous=True), EventBridge(), make_settings(None))
    model = CaseTableModel(ctx)
    model.set_query({})
    total = model.rowCount()
    assert total == 3300
    assert model.rows_fetched == 100 and model.keys_complete  # only the first window comes with the query
    model.data(model.index(0, 0))
    model.data(model.index(total - 1, 0))
    model.data(model.index(total // 2, 3))
    assert model.rows_fetched == 300 and model.rows_fetched < total / 10
    first = model.case_no(0)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    changed = []
    model.dataChanged.connect(lambda a, b: changed.append(a.row()))
    from app.cases.handling import act

    act(demo_desk, actors["admin"], first, "comment", {"note": "测试"})
    model.refresh_cases([first])
    assert changed == [0] and not resets
    ctx.bus.close()


def test_button_the_role_may_not_use_is_absent(qtbot, desk, open_window):
    actors = load_actors(desk)
    case = take_in(desk, actors["intake"], sample_case(auto_dispatch=False))
    window = open_window(desk, "unit")
    window.open_case(case["case_no"])
    assert window.detail.case["state"] == "registered"
    assert not {"dispatch", "reject", "merge", "escalate"} & set(window.detail.buttons)
    window = open_window(desk, "dispatcher")
    window.open_case(case["case_no"])
    assert {"dispatch", "reject", "escalate"} <= set(window.detail.buttons)
    assert "sign" not in window.detail.buttons


def test_case_detail_offers_the_printed_documents(qtbot, desk, open_window):
    actors = load_actors(desk)
    case = take_in(desk, actors["intake"], sample_case())  # dispatched: dossier, receipt, slip apply
    window = open_window(desk, "dispatcher")
    window.open_case(case["case_no"])
    menu = window.detail.print_btn.menu()
    menu.aboutToShow.emit()
    entries = {a.text(): a.isEnabled() for a in menu.actions() if a.text()}
    assert any("案卷" in t and on for t, on in entries.items())
    assert any("督办单" in t and not on for t, on in entries.items())  # never supervised
