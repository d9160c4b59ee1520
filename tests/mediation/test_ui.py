"""pytest-qt, offscreen, real windows on real stores: 转调解 from the intake banner opens the dispute
for the case just saved; the 调解 page (queue, detail, sessions, assign/record/close, documents) and
the 积案 page (register, progress, checklist, ranking with the lowest red). Screenshots of both pages
go to docs/ (linked from README.md)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from app.mediation import backlog, queries, services
from tests.mediation.conftest import AGREEMENT, dispute_input, new_cases
from tests.ui.conftest import _styled_app, type_text  # noqa: F401 — _styled_app: the shipped font and style (autouse)
from tests.ui.test_acceptance import fill_intake_by_keyboard, press

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(widget, name: str) -> None:
    widget.grab().save(str(DOCS / name))


def test_intake_hands_the_saved_case_to_mediation(qtbot, desk, open_window):
    window = open_window(desk, "intake")
    window.select_page("intake")
    page = window.current_page()
    fill_intake_by_keyboard(qtbot, page)
    press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    case_no = page.saved_case_no()
    assert case_no and page.mediate_button.isVisible()
    qtbot.mouseClick(page.mediate_button, Qt.MouseButton.LeftButton)
    dialog = page.mediation_dialog
    assert dialog.isVisible() and dialog.case_no == case_no
    assert dialog.applicant.name.text() == "柏舟"  # the reporter becomes the applicant
    assert dialog.applicant.id_no.text() == "11010519491231002X"
    # without the other side: refused at the form, nothing written
    dialog.submit()
    assert "被申请人" in dialog.error.text() and queries.list_disputes(desk, None) == []
    type_text(dialog.respondent.name, "李四")
    dialog.type.setCurrentText("邻里")
    _shot(dialog, "transfer-to-mediation.png")
    dialog.submit()
    assert not dialog.isVisible()
    [d] = queries.list_disputes(desk, None)
    assert (d["case_no"], d["type"], [p["name"] for p in d["parties"]]) == (case_no, "邻里", ["柏舟", "李四"])
    assert d["dispute_no"] in page.banner.text()


def test_mediation_page_queue_detail_and_actions(qtbot, desk, actors, clock, open_window):
    admin = actors["admin"]
    nos = new_cases(desk, 3)
    a = services.open_dispute(desk, admin, nos[0], dispute_input())["dispute_no"]
    b = services.open_dispute(desk, admin, nos[1], dispute_input(type="物业", criminal_risk=True))["dispute_no"]
    c = services.open_dispute(desk, admin, nos[2], dispute_input(type="合同", amount=150000))["dispute_no"]
    services.assign(desk, admin, c, "M03")
    services.record_session(desk, admin, c, {"at": (clock() - timedelta(hours=1)).isoformat(), "place": "调解室",
                                             "attendees": ["张三", "李四"], "record": "继续协商", "outcome": "continue"})
    window = open_window(desk, "director")
    window.resize(1500, 900)
    window.select_page("mediation")
    page = window.current_page()
    assert page.table.rowCount() == 3 and "红色 1 件" in page.summary.text()
    page.table.selectRow([page.items.index(x) for x in page.items if x["dispute_no"] == c][0])
    assert page.current["dispute_no"] == c and page.sessions.rowCount() == 1
    assert "调查记录" in page.detail.text() and "重大疑难" in page.detail.text()
    _shot(window, "mediation-page.png")

    # 指派 and 结案 with an agreement from the page's dialogs
    page.table.selectRow([i for i, x in enumerate(page.items) if x["dispute_no"] == a][0])
    qtbot.mouseClick(page.assign_button, Qt.MouseButton.LeftButton)
    page.dialog.mediator.setCurrentIndex(page.dialog.mediator.findData("M02"))
    page.dialog.submit()
    assert queries.show_dispute(desk, None, a)["mediator"] == "M02"
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    close = page.dialog
    close.submit()  # mediation ✓ without terms: refused at the form
    assert "调解协议" in close.error.text() and close.isVisible()
    type_text(close.terms, AGREEMENT["terms"][0])
    qtbot.keyClick(close.terms, Qt.Key.Key_Return)
    type_text(close.terms, AGREEMENT["terms"][1])
    type_text(close.performance, AGREEMENT["performance"])
    close.submit()
    shown = queries.show_dispute(desk, None, a)
    assert shown["state"] == "closed" and shown["agreement"]["terms"] == AGREEMENT["terms"]
    assert page.current["dispute_no"] == a or page.state.currentData() == "open"
    page.state.setCurrentIndex(page.state.findData(None))  # 全部
    page.table.selectRow([i for i, x in enumerate(page.items) if x["dispute_no"] == a][0])
    assert page.agreement_button.isEnabled() and not page.close_button.isEnabled()
    opened = []
    page.preview("agreement", on_open=opened.append)
    assert opened and opened[0].document.pageCount() >= 1
    opened[0].close()
    assert b  # the red one stays in the queue


def test_backlog_page_register_progress_resolve_and_ranking(qtbot, desk, actors, open_window):
    admin = actors["admin"]
    nos = new_cases(desk, 5)
    for no, unit in zip(nos, ("D01", "D02", "D03", "D04", "D05"), strict=True):
        backlog.add_backlog(desk, admin, no, {"lead": "王镇长", "members": ["李干部", "赵干部"], "units": [unit],
                                              "plan": "一案一策", "due": "2027-03-31"})
    backlog.resolve(desk, admin, nos[0], "facts,lawful,solved,satisfied,approved")
    window = open_window(desk, "director")
    window.resize(1500, 900)
    window.select_page("backlog")
    page = window.current_page()
    assert page.table.rowCount() == 5 and page.rank.rowCount() == 5
    red = [page.rank.item(r, 1).text() for r in range(5) if page.rank.item(r, 0).background().color().name() == "#f8d4d4"]
    assert len(red) == 3
    assert "化解率 20.00%" in page.summary.text()
    page.table.selectRow(1)
    qtbot.mouseClick(page.progress_button, Qt.MouseButton.LeftButton)
    type_text(page.dialog.note, "召开专班推进会")
    page.dialog.submit()
    page.table.selectRow(1)
    assert "召开专班推进会" in page.progress_text.text()
    qtbot.mouseClick(page.resolve_button, Qt.MouseButton.LeftButton)
    form = page.dialog
    for key in ("facts", "lawful", "solved"):
        form.checks[key].setChecked(True)
    form.submit()
    assert "尚缺：信访人满意、化解已审批" in form.error.text()
    for key in ("satisfied", "approved"):
        form.checks[key].setChecked(True)
    form.submit()
    assert "化解率 40.00%" in page.summary.text()
    page.table.selectRow(2)
    _shot(window, "backlog-page.png")
