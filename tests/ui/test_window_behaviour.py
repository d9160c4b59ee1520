"""Idle lock keeps typed work; side panel; 即办; layout persistence; openList from the home page."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.cases import queries
from app.cases.intake import take_in
from tests.conftest import load_actors, sample_case
from tests.ui.conftest import type_text


def test_idle_lock_returns_to_login_without_losing_typed_work(qtbot, desk, open_window):
    window = open_window(desk, "intake")
    window.select_page("intake")
    page = window.current_page()
    type_text(page.description, "尚未保存的诉求内容")
    window.idle.limit_ms = 1
    qtbot.wait(5)
    window.idle.check()
    assert window.locked
    form = window.lock_form
    assert form.username.text() == "intake" and form.username.isReadOnly()
    qtbot.keyClicks(form.password, "bad-password")
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    assert window.locked and form.errors.message_at("password")
    form.password.clear()
    qtbot.keyClicks(form.password, "demo1234")
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    assert not window.locked
    assert page.description.toPlainText() == "尚未保存的诉求内容"


def test_side_panel_shows_routing_repeats_and_history(qtbot, desk, open_window):
    actors = load_actors(desk)
    earlier = take_in(desk, actors["intake"], sample_case(auto_dispatch=False))
    window = open_window(desk, "intake")
    window.select_page("intake")
    page = window.current_page()
    page.phone.setText("13800001111")
    page.category.set_code("PA0101")
    page.location.set_code("V01")
    type_text(page.description, "张三反映楼上住户卫生间漏水，多次协商未果，请求社区调解。")
    page.panel.refresh_now(page.data())
    assert "自动派单至" in page.panel.routing.text() or "人工分派" in page.panel.routing.text()
    assert earlier["case_no"] in page.panel.repeats.item(0).text()
    assert page.panel.history.count() == 1 and "待分派" in page.panel.history.item(0).text()


def test_instant_case_closes_on_the_spot(qtbot, desk, open_window):
    window = open_window(desk, "intake")
    window.select_page("intake")
    page = window.current_page()
    page.phone.setText("13912340000")
    page.category.set_code("PA0101")
    type_text(page.description, "咨询社区调解室的开放时间。")
    qtbot.keyClick(page.description, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)
    assert page.instant.isChecked()
    type_text(page.result, "已当场告知开放时间为工作日 9:00-17:00。")
    page.save()
    assert page.last_saved["state"] == "closed"
    assert "当场办结" in page.banner.text()


def test_column_layout_and_geometry_persist(qtbot, desk, open_window, tmp_path):
    window = open_window(desk, "admin")
    window.select_page("cases")
    table = window.current_page().table
    table.setColumnWidth(3, 411)
    window.resize(760, 580)
    size = window.size()
    window.close()
    again = open_window(desk, "admin")
    again.select_page("cases")
    assert again.current_page().table.columnWidth(3) == 411
    assert again.size() == size


def test_home_tiles_open_the_filtered_list(qtbot, demo_desk, open_window):
    window = open_window(demo_desk, "unit")
    home = window.current_page()
    assert home.key == "home" and home.task_tiles
    pending_sign = home.task_tiles[0]
    qtbot.mouseClick(pending_sign.button, Qt.MouseButton.LeftButton)
    cases = window.current_page()
    assert cases.key == "cases" and cases.unit.code() == "D01" and cases.state.currentData() == "dispatched"
    expected = queries.list_cases(demo_desk, None, {"state": "dispatched", "unit": "D01"}, limit=1)["total"]
    assert cases.model.total == expected == int(pending_sign.count.text().replace(",", ""))


def test_status_bar_counts(qtbot, demo_desk, open_window):
    from app.cases.overview import status_counts

    window = open_window(demo_desk, "director")
    counts = status_counts(demo_desk)
    assert window.count_labels["red"].text() == f"红灯 {counts['red']:,}"
    assert window.count_labels["open"].text() == f"在办 {counts['open']:,}"


def test_sorting_by_header_click(qtbot, demo_desk, open_window):
    window = open_window(demo_desk, "admin")
    window.select_page("cases")
    page = window.current_page()
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(0) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().topLeft() + type(header.rect().topLeft())(x, 5))
    first = page.model.case_no(0)
    assert page.model.sort_key.startswith("case_no")
    expected = queries.list_cases(demo_desk, None, {}, sort=page.model.sort_key, limit=1)["items"][0]["case_no"]
    assert first == expected
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=type(header.rect().topLeft())(header.sectionViewportPosition(3) + 5, 5))
    assert page.model.sort_key.startswith("case_no")  # 标题 does not sort


def test_case_model_with_real_threads_paints_first_window_then_keys(qtbot, demo_desk):
    from ui.bus import EventBridge
    from ui.context import UiContext, make_settings
    from ui.models.case_table import CaseTableModel
    from ui.tasks import TaskManager

    actors = load_actors(demo_desk)
    ctx = UiContext(demo_desk, actors["admin"], TaskManager(), EventBridge(), make_settings(None))
    model = CaseTableModel(ctx)
    totals = []
    model.totalChanged.connect(totals.append)
    model.set_query({"state": "open"})
    assert model.rowCount() == 0  # nothing on the GUI thread yet
    qtbot.waitUntil(lambda: model.keys_complete and not model.loading, timeout=10_000)
    expected = queries.list_cases(demo_desk, None, {"state": "open"}, limit=1)["total"]
    assert totals[-1] == expected == model.rowCount()
    model.data(model.index(expected - 1, 0))
    qtbot.waitUntil(lambda: model.case_no(expected - 1) is not None, timeout=10_000)
    ctx.tasks.shutdown()
    ctx.bus.close()


def test_search_with_many_matches_grows_to_the_full_count(qtbot, demo_desk):
    from app.demo.loader import load_demo
    from ui.bus import EventBridge
    from ui.context import UiContext, make_settings
    from ui.models.case_table import CaseTableModel
    from ui.tasks import TaskManager

    load_demo(demo_desk, 1000, seed=3)
    actors = load_actors(demo_desk)
    ctx = UiContext(demo_desk, actors["admin"], TaskManager(synchronous=True), EventBridge(), make_settings(None))
    model = CaseTableModel(ctx)
    totals, inserted = [], []
    model.totalChanged.connect(totals.append)
    model.rowsInserted.connect(lambda *_: inserted.append(1))
    model.set_query({"q": "社区"})
    expected = queries.list_cases(demo_desk, None, {"q": "社区"}, limit=1)["total"]
    assert expected > 100
    assert totals == [100, expected] and inserted and model.rowCount() == expected and model.keys_complete
    ctx.bus.close()


def test_intake_with_a_photo_and_save_and_dispatch(qtbot, desk, open_window, tmp_path):
    from PySide6.QtGui import QColor, QImage

    photo = tmp_path / "现场.png"
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#2e7d32"))
    image.save(str(photo))
    window = open_window(desk, "dispatcher")
    window.select_page("intake")
    page = window.current_page()
    page.files.add_paths([str(photo)])
    assert page.files.list.count() == 1 and not page.files.list.item(0).icon().isNull()
    page.phone.setText("13912349999")
    page.category.set_code("PA0101")
    page.auto_dispatch.setChecked(False)
    type_text(page.description, "楼道堆放杂物，存在消防隐患。")
    qtbot.keyClick(page.description, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    view = page.last_saved
    assert view["state"] == "registered" and page.files.list.count() == 0
    dialog = page.dialog  # save and dispatch: the dispatch dialog opens for the new case
    dialog.set_value("unit", "D02")
    dialog.submit()
    shown = queries.show_case(desk, None, view["case_no"])
    assert shown["state"] == "dispatched" and shown["attachments"][0]["filename"] == "现场.png"
    window.open_case(view["case_no"])
    assert window.detail.files.count() == 1


def test_unexpected_errors_are_logged_and_shown_once(qtbot, tmp_path):
    import logging

    from ui import errors

    path = errors.install_logging(tmp_path)
    errors.shown.clear()
    for _ in range(3):
        try:
            raise RuntimeError("boom")
        except RuntimeError as e:
            errors.present_error(e)
    assert len(errors.shown) == 1 and "意外问题" in errors.shown[0]
    root = logging.getLogger("towndesk")
    for h in list(root.handlers):
        h.flush()
    assert "RuntimeError: boom" in path.read_text(encoding="utf-8")
    for h in list(root.handlers):
        if getattr(h, "baseFilename", "").startswith(str(tmp_path)):
            root.removeHandler(h)
            h.close()


def test_startup_heap_is_frozen_out_of_the_collector():
    """run_gui freezes what start-up allocated, so full collections stop pausing the window."""
    import gc

    from ui.main import freeze_startup_heap

    gc.unfreeze()
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() > 1000
        before = len(gc.get_objects())
        junk = [[i] for i in range(100)]
        assert len(gc.get_objects()) - before >= 100  # new objects are still collected as usual
        del junk
    finally:
        gc.unfreeze()
