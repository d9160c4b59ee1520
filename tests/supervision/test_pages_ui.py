"""pytest-qt: the 超期预警 board and the 督办 page."""
from __future__ import annotations

from datetime import datetime

from app.cases import intake, queries
from app.supervision import board as sv
from tests.conftest import SHANGHAI, sample_case


def test_board_lists_red_cases_and_issues_proposed_urges(desk, clock, actors, contexts, qtbot):
    from ui.pages.deadlines_board import DeadlinesBoardPage

    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    page = DeadlinesBoardPage(contexts("director"))
    qtbot.addWidget(page)
    page.check_reminders()                                       # baseline: nothing announced
    clock.set(datetime(2026, 11, 30, 10, 30, tzinfo=SHANGHAI))   # sign deadline (Mon 10:00) missed
    page.check_reminders()
    assert page.notices.count() == 1 and no in page.notices.item(0).text()
    page.refresh()
    assert page.summary.text().startswith("超期 1 件")
    assert page.units.item(0, 0).text() == "卧龙社区" and page.cases.item(0, 0).text() == no
    assert page.proposal_table.rowCount() == 0                   # the same day: no 催办 yet
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    page.refresh()
    assert page.proposal_table.rowCount() == 1
    page.proposal_table.selectRow(0)
    page.issue_selected()
    assert queries.show_case(desk, None, no)["urge_count"] == 1
    assert page.proposal_table.rowCount() == 0
    with qtbot.waitSignal(page.openCase, timeout=2000) as got:
        page.cases.cellDoubleClicked.emit(0, 0)
    assert got.args == [no]


def test_supervision_page_issue_and_reply(desk, clock, actors, contexts, qtbot):
    from tests.ui.conftest import type_text
    from ui.pages.supervision import SupervisionPage

    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    director = SupervisionPage(contexts("director"))
    qtbot.addWidget(director)
    director.show()
    director.case_no.setText(no)
    director.issue_level.setCurrentIndex(director.issue_level.findData("red"))  # 红牌 (no default level)
    type_text(director.note, "请当天化解")
    director.submit.click()
    assert "已督办" in director.message.text()
    assert director.table.rowCount() == 1 and director.table.item(0, 3).text() == "红牌"
    assert sv.open_urges(desk)["counts"]["red"] == 1

    unit = SupervisionPage(contexts("unit_v01"))
    qtbot.addWidget(unit)
    unit.show()
    unit.refresh()
    assert unit.table.rowCount() == 1 and unit.submit.text().startswith("回复督办")
    unit.table.cellClicked.emit(0, 0)
    type_text(unit.note, "已组织调解")
    unit.submit.click()
    assert "已回复督办" in unit.message.text()
    assert unit.table.item(0, 6).text() == "已回复"
