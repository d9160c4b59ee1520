"""The three pages with real widgets (pytest-qt, offscreen): 风险研判 registers a risk from its form,
takes the loop's steps with its buttons, accepts a case-trend proposal and colours the 村社 map;
稳评 opens an assessment, records an opinion, scores from the template's boxes, concludes and
prints; 综合查一次 plans an inspection, records problems and shows the figures."""
from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from app.cases.intake import take_in
from app.risk import queries
from tests.conftest import sample_case
from tests.inspections.test_inspections import uscc
from tests.ui.conftest import type_text


@pytest.fixture(autouse=True)
def _quiet_errors(qapp):
    from ui import errors

    errors.silent = True
    errors.shown.clear()
    yield
    errors.silent = False


def _select(table, row: int) -> None:
    table.selectRow(row)


def test_risk_page(desk, make_ctx, qtbot, clock):
    from ui.pages.risk import RiskPage

    for i in range(5):  # a cluster the default rule proposes
        take_in(desk, make_ctx(desk, "intake").actor, sample_case(
            category="PA0104", location={"village": "V03", "address": "x"},
            reporter={"name": "甲", "phone": f"1350000{i:04d}"}), at=clock() - timedelta(hours=i + 1))
    page = RiskPage(make_ctx(desk, "director"))
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert page.proposal_table.rowCount() == 1 and page.table.rowCount() == 0
    assert "待研判建议 1 条" in page.summary.text()

    type_text(page.f_type, "矛盾纠纷")
    type_text(page.f_title, "两户宅基地纠纷")
    type_text(page.f_description, "多次争吵")
    page.f_level.setCurrentIndex(page.f_level.findData("high"))
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 1 and page.table.item(0, 1).text() == "高"
    assert page.tiles["V01"].text().endswith("1") and "#f4c7c3" in page.tiles["V01"].styleSheet()
    _select(page.table, 0)
    assert page.step_buttons["warn"].isEnabled() and not page.step_buttons["close"].isEnabled()
    type_text(page.note, "发出预警")
    qtbot.mouseClick(page.step_buttons["warn"], Qt.MouseButton.LeftButton)
    risk = queries.list_risks(desk)[0]
    assert risk["state"] == "warning" and risk["title"] == "两户宅基地纠纷"
    assert queries.show_risk(desk, risk["risk_no"])["steps"][-1]["note"] == "发出预警"

    _select(page.proposal_table, 0)
    assert page.accept_button.isEnabled()
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    assert page.proposal_table.rowCount() == 0 and page.table.rowCount() == 2
    assert {r["source"] for r in queries.list_risks(desk)} == {"grid_report", "case_trend"}


def test_a_dispatcher_cannot_decide_proposals(desk, make_ctx, qtbot):
    from ui.pages.risk import RiskPage

    page = RiskPage(make_ctx(desk, "dispatcher"))
    qtbot.addWidget(page)
    page.refresh()
    assert not page.accept_button.isEnabled() and not page.dismiss_button.isEnabled()


def test_assessment_page(desk, make_ctx, qtbot, tmp_path):
    from ui.pages.assessment import AssessmentPage

    page = AssessmentPage(make_ctx(desk, "director"))
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    type_text(page.f_matter, "老旧小区加装电梯")
    type_text(page.f_body, "城建办")
    page.f_households.setValue(420)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 1 and page.table.item(0, 3).text() == "已立项"
    _select(page.table, 0)
    assert page.opinion_button.isEnabled() and not page.score_button.isEnabled()
    assert len(page.score_boxes) == 12  # the default template: 4 dimensions x 3 indicators
    page.o_participants.setValue(30)
    page.o_support.setValue(25)
    type_text(page.o_summary, "多数支持")
    qtbot.mouseClick(page.opinion_button, Qt.MouseButton.LeftButton)
    assert page.score_button.isEnabled()
    for (dim, _ind), box in page.score_boxes.items():
        box.setValue(50 if dim == "controllability" else 90)
    qtbot.mouseClick(page.score_button, Qt.MouseButton.LeftButton)
    # (90 * 3 + 50) / 4 = 80.0 -> 低
    assert page.table.item(0, 4).text() == "80.0" and page.table.item(0, 5).text() == "低"
    type_text(page.c_note, "同意实施")
    qtbot.mouseClick(page.conclude_button, Qt.MouseButton.LeftButton)
    assert page.table.item(0, 6).text() == "实施" and page.reassess_button.isEnabled()
    pdf = tmp_path / "report.pdf"
    page.print_report(str(pdf))
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "老旧小区加装电梯" in text and "综合得分80.0分" in text


def test_inspections_page(desk, make_ctx, qtbot):
    from ui.pages.inspections import InspectionsPage

    page = InspectionsPage(make_ctx(desk, "dispatcher"))
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert "综合查一次 0 次" in page.stats_label.text()
    qtbot.keyClicks(page.p_departments, "D01,D07,P01")
    type_text(page.p_name, "某某机械有限公司")
    qtbot.keyClicks(page.p_uscc, uscc("91330602MA2BC1234"))
    page.p_matters["fire"].setChecked(True)
    page.p_matters["gas"].setChecked(True)
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 1 and page.table.item(0, 7).text() == "2"
    _select(page.table, 0)
    assert page.result_button.isEnabled()
    type_text(page.r_description, "消防通道堵塞")
    page.r_fixed.setChecked(True)
    qtbot.mouseClick(page.add_problem_button, Qt.MouseButton.LeftButton)
    type_text(page.r_description, "无证经营")
    page.r_case.setChecked(True)
    page.r_clue.setCurrentIndex(page.r_clue.findData("D04"))
    qtbot.mouseClick(page.add_problem_button, Qt.MouseButton.LeftButton)
    assert page.pending_label.text().endswith("2 个")
    qtbot.mouseClick(page.result_button, Qt.MouseButton.LeftButton)
    assert page.stats_label.text() == ("本年综合查一次 1 次，发现问题 2 个，整改 1 个，移交线索 1 条，立案 1 件，减少扰民 2 次")
    assert page.table.item(0, 4).text() == "已检查"


def test_a_bad_code_is_shown_not_written(desk, make_ctx, qtbot):
    from ui import errors
    from ui.pages.inspections import InspectionsPage

    page = InspectionsPage(make_ctx(desk, "dispatcher"))
    qtbot.addWidget(page)
    page.refresh()
    qtbot.keyClicks(page.p_departments, "D01")
    type_text(page.p_name, "某公司")
    qtbot.keyClicks(page.p_uscc, "91330602MA2BC12340")
    page.p_matters["fire"].setChecked(True)
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 0
    assert any("校验位" in m for m in errors.shown)
