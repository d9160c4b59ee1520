"""The go-live window parts: the first-run wizard, the 基础数据 page (dry run as a table before
anything is written, export, calendar, users, settings) and the calendar banner."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app.domain.timezone import LOCAL_TZ
from app.reference.xlsx import read_workbook
from tests.golive.conftest import TEN_MISTAKES_BOOK, TOWN, write_xlsx
from tests.ui.conftest import type_text


def test_first_run_wizard_sets_up_a_town_from_its_workbook(qtbot, tmp_path, clock):
    from app.desk import open_desk
    from ui.setup_wizard import SetupWizard

    desk = open_desk(tmp_path / "new", clock=clock)
    try:
        wiz = SetupWizard(desk)
        qtbot.addWidget(wiz)
        wiz.show()
        p = wiz.town_page
        qtbot.keyClicks(p.town, "XQ")
        type_text(p.name, "西桥镇")
        qtbot.keyClicks(p.password, "secret-pass")
        qtbot.keyClicks(p.password2, "other-pass")
        wiz.button(QWizard.WizardButton.NextButton).click()
        assert "不一致" in p.message.text() and wiz.currentPage() is p
        p.password2.clear()
        qtbot.keyClicks(p.password2, "secret-pass")
        wiz.button(QWizard.WizardButton.NextButton).click()
        # the set-up runs on the task manager's worker: the click returned with it pending, the
        # busy bar showing and 下一步 disabled; the wizard moves on when the result is back
        assert not wiz.tasks.synchronous and wiz.tasks.pending == 1 and wiz.busy
        assert p.busy.isVisibleTo(wiz) and not wiz.button(QWizard.WizardButton.NextButton).isEnabled()
        assert wiz.currentPage() is p
        qtbot.waitUntil(lambda: wiz.currentPage() is wiz.workbook_page, timeout=30_000)
        assert desk.meta("town_code") == "XQ" and not wiz.busy and not p.busy.isVisibleTo(wiz)
        wb = wiz.workbook_page
        # a bad workbook: the errors in a table, 完成 disabled
        bad = write_xlsx(tmp_path / "bad.xlsx", TEN_MISTAKES_BOOK)
        wb.path.setText(str(bad))
        wb.check()
        assert wiz.tasks.pending == 1 and wb.busy.isVisibleTo(wiz)  # the check is off the UI thread too
        qtbot.waitUntil(lambda: not wiz.busy, timeout=30_000)
        assert wb.preview.issues.rowCount() >= 10 and not wb.isComplete()
        assert not wiz.button(QWizard.WizardButton.FinishButton).isEnabled()
        good = write_xlsx(tmp_path / "town.xlsx", TOWN)
        wb.path.setText(str(good))
        wb.check()
        qtbot.waitUntil(lambda: not wiz.busy, timeout=30_000)
        assert wb.isComplete() and wb.preview.counts.item(0, 1).text() == "3"  # 单位: 3 new
        wiz.button(QWizard.WizardButton.FinishButton).click()
        assert wiz.tasks.pending == 1 and wiz.result() != QWizard.DialogCode.Accepted  # importing on the worker
        assert not wiz.button(QWizard.WizardButton.FinishButton).isEnabled()
        qtbot.waitUntil(lambda: wiz.result() == QWizard.DialogCode.Accepted, timeout=30_000)
        assert wiz.imported["created"]["人员"] == 2
        desk.invalidate()
        assert "C1G1M1" in desk.refs().grids
    finally:
        wiz.tasks.shutdown()
        desk.close()


def test_wizard_keeps_the_demo_one_button_away(qtbot, tmp_path, clock):
    from app.desk import open_desk
    from ui.setup_wizard import SetupWizard

    desk = open_desk(tmp_path / "new", clock=clock)
    try:
        wiz = SetupWizard(desk)
        qtbot.addWidget(wiz)
        wiz.show()
        qtbot.mouseClick(wiz.town_page.demo, Qt.MouseButton.LeftButton)
        assert wiz.demo and wiz.result() == QWizard.DialogCode.Accepted
    finally:
        desk.close()


def test_admin_page_dry_run_table_then_import(desk, open_window, tmp_path):
    window = open_window(desk, "admin")
    window.select_page("admin_data")
    page = window.current_page()
    assert page.key == "admin_data" and page.sheet_tables["微网格"].rowCount() > 100
    bad = write_xlsx(tmp_path / "bad.xlsx", TEN_MISTAKES_BOOK)
    page.choose_open = lambda: str(bad)
    page.import_file()
    assert page.dialog is not None and not page.dialog.confirm.isEnabled()
    assert page.dialog.preview.issues.rowCount() >= 10
    page.dialog.reject()
    book = write_xlsx(tmp_path / "staff.xlsx", {"人员": [["S9", "王小明", "13800001234", "网格长", "V01G01", None]]})
    page.choose_open = lambda: str(book)
    page.import_file()
    assert page.dialog.confirm.isEnabled()
    assert desk.refs() is not None and "S9" not in {s["code"] for s in _staff(desk)}  # nothing written yet
    page.dialog.confirm.click()
    window.ctx.tasks.wait_idle()
    assert "S9" in {s["code"] for s in _staff(desk)}
    assert "S9" in {page.sheet_tables["人员"].item(r, 0).text() for r in range(page.sheet_tables["人员"].rowCount())}
    # export with progress and cancel (synchronous tasks here), then the file reads back
    out = tmp_path / "export.xlsx"
    page.choose_save = lambda _name: str(out)
    page.export_file()
    window.ctx.tasks.wait_idle()
    assert len(read_workbook(out)["人员"]) == page.sheet_tables["人员"].rowCount() + 1


def _staff(desk):
    from app.reference.records import list_refs

    return list_refs(desk, "staff")


def test_admin_page_calendar_users_settings(desk, open_window):
    window = open_window(desk, "admin")
    window.select_page("admin_data")
    page = window.current_page()
    page.year.setValue(2027)
    window.ctx.tasks.wait_idle()
    dates = {page.calendar_table.item(r, 0).text(): page.calendar_table.item(r, 3).text()
             for r in range(page.calendar_table.rowCount())}
    assert dates["2027-02-08"].startswith("暂定")
    page.day.setDate(page.day.date().fromString("2027-02-20", "yyyy-MM-dd"))
    page.day_kind.setCurrentIndex(1)
    page.set_day()
    window.ctx.tasks.wait_idle()
    assert desk.calendar().is_workday(datetime(2027, 2, 20, 12, tzinfo=LOCAL_TZ))
    qtbot_text = "clerk2"
    page.new_username.setText(qtbot_text)
    page.new_password.setText("secret-123")
    page.add_user()
    window.ctx.tasks.wait_idle()
    assert "clerk2" in {u["username"] for u in page.users}
    page.setting_edits["centre_phone"].setText("0575-85123456")
    page.save_settings()
    window.ctx.tasks.wait_idle()
    desk.reload_meta()
    assert desk.setting("centre_phone") == "0575-85123456"


def test_calendar_banner_shows_when_the_coming_days_are_guessed(desk, open_window, clock):
    window = open_window(desk, "intake")  # 2026-11-27: the next 60 days reach into 2027
    assert window.calendar_banner.isVisible() and "2027" in window.calendar_banner.text()
    assert window.page("admin_data") is None  # the administration page is the administrator's
    clock.set(datetime(2026, 9, 1, 10, tzinfo=LOCAL_TZ))
    window.calendar_banner.refresh()
    assert not window.calendar_banner.isVisible()


def test_case_list_exports_what_its_filters_match(demo_desk, open_window, tmp_path):
    window = open_window(demo_desk, "director")
    window.select_page("cases")
    page = window.current_page()
    page.state.setCurrentIndex(page.state.findData("open"))
    window.ctx.tasks.wait_idle()
    out = tmp_path / "cases.xlsx"
    page.export_cases(str(out))
    window.ctx.tasks.wait_idle()
    from app.cases.queries import list_cases

    total = list_cases(demo_desk, window.ctx.actor, page.filters(), limit=1)["total"]
    assert 0 < total < 300 and len(read_workbook(out)["案件"]) == total + 1


def test_export_cancel_leaves_no_file(demo_desk, tmp_path):
    import threading

    import pytest

    from app.cases.export import export_cases
    from app.reference.users import get_actor
    from app.reference.xlsx import Cancelled

    stop = threading.Event()
    stop.set()
    out = tmp_path / "c.xlsx"
    with pytest.raises(Cancelled):
        export_cases(demo_desk, get_actor(demo_desk, None), {}, out, progress=lambda d, t: None, cancel=stop)
    assert not out.exists() and not list(tmp_path.glob(".*part"))
