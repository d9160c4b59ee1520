"""The 督办 marker: one plain-data view (app.cases.views.urge_view) shown wherever a case appears —
case list rows, case detail, the 待分派 queue, the CLI — with the same label, colour and reply date."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from app.cases import caselist, dispatch, handling, intake, queries
from app.cases.views import URGE_COLOURS, URGE_PAST_COLOUR, urge_view
from tests.conftest import sample_case

INSTRUCTION = "请今日内上门处置并书面回复"


@pytest.fixture
def urged(desk, actors):
    """Two cases dispatched to D01: the first under 红牌督办 (reply by 2026-11-30), the second not."""
    nos = []
    for _ in range(2):
        no = intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=False))["case_no"]
        dispatch.dispatch(desk, actors["dispatcher"], no, "D01")
        nos.append(no)
    handling.act(desk, actors["director"], nos[0], "urge",
                 {"level": "red", "instruction": INSTRUCTION, "reply_by": "2026-11-30"})
    return nos


def test_urge_view_labels_colours_and_reply_date():
    assert urge_view(None, 0, None, "in_progress") is None
    u = urge_view("yellow", 2, "2026-11-30T23:59:59+08:00", "in_progress")
    assert (u["mark"], u["label"], u["level_label"], u["count"], u["active"]) == ("督", "黄牌督办", "黄牌", 2, True)
    assert u["colour"] == URGE_COLOURS["yellow"]
    assert u["text"] == "黄牌督办（第 2 次），限 2026-11-30 23:59 前回复"
    closed = urge_view("red", 1, None, "closed")
    assert not closed["active"] and closed["colour"] == URGE_PAST_COLOUR and closed["text"].endswith("案件已办结")


def test_case_views_carry_the_marker(desk, actors, urged, capsys):
    a, b = urged
    row = {r["case_no"]: r for r in queries.list_cases(desk, actors["director"], {"unit": "D01"})["items"]}
    assert row[a]["urge"]["label"] == "红牌督办" and row[a]["urge_reply_by"].startswith("2026-11-30")
    assert row[b]["urge"] is None and row[b]["urge_level"] is None  # existing keys unchanged
    detail = queries.show_case(desk, actors["director"], a)["urge"]
    assert detail["instruction"] == INSTRUCTION and detail["reply_status"] == "待回复"
    assert detail["urged_by"] == actors["director"].name
    handling.act(desk, actors["unit"], a, "sign", {})
    handling.act(desk, actors["unit"], a, "urge_reply", {"note": "已上门处置"})
    assert queries.show_case(desk, actors["unit"], a)["urge"]["reply_status"] == "已回复"

    from app.cli import main

    assert main(["--data-dir", str(desk.root), "case", "show", a, "--json"]) in (0, None)
    shown = json.loads(capsys.readouterr().out)
    assert shown["urge"]["label"] == "红牌督办" and shown["urge"]["instruction"] == INSTRUCTION
    assert shown["urge_level"] == "red" and shown["urge_count"] == 1
    assert main(["--data-dir", str(desk.root), "case", "list", "--supervised", "--json"]) in (0, None)
    listed = json.loads(capsys.readouterr().out)
    assert [c["case_no"] for c in listed["items"]] == [a] and listed["items"][0]["urge"]["mark"] == "督"
    assert main(["--data-dir", str(desk.root), "case", "list", "--unit", "D01"]) in (0, None)
    text = capsys.readouterr().out
    assert f"{a}" in text and "【督·红牌督办】" in text and text.count("【督") == 1


def test_case_table_and_detail_show_the_marker(desk, actors, urged, contexts, qtbot):
    from ui.case_detail import CaseDetailView
    from ui.models.case_table import CaseTableModel

    a, b = urged
    ctx = contexts("director")
    model = CaseTableModel(ctx)
    model.set_query({"unit": "D01"})
    assert model.total == 2
    rows = {model.case_no(i): i for i in range(model.rowCount())}
    badge = model.data(model.index(rows[a], 0), Qt.ItemDataRole.DecorationRole)
    assert badge is not None and not badge.isNull()
    tip = model.data(model.index(rows[a], 0), Qt.ItemDataRole.ToolTipRole)
    assert "红牌督办" in tip and "2026-11-30" in tip
    assert model.data(model.index(rows[a], 0), Qt.ItemDataRole.DisplayRole) == a  # the number stays clean
    assert model.data(model.index(rows[b], 0), Qt.ItemDataRole.DecorationRole) is None
    assert model.data(model.index(rows[b], 0), Qt.ItemDataRole.ToolTipRole) is None

    view = CaseDetailView(ctx)
    qtbot.addWidget(view)
    view.show()
    view.load(a)
    assert view.urge_label.isVisible()
    assert "督" in view.urge_label.text() and "红牌督办" in view.urge_label.text()
    assert URGE_COLOURS["red"] in view.urge_label.text()
    assert INSTRUCTION in view.urge_label.toolTip() and "2026-11-30" in view.urge_label.toolTip()
    fact = view.findChild(type(view.urge_label), "fact_督办")
    assert fact is not None and "红牌督办" in fact.text() and "待回复" in fact.text()
    view.load(b)
    assert not view.urge_label.isVisible()
    assert not [w for w in view.findChildren(type(view.urge_label), "fact_督办") if w.isVisible()]


def test_list_page_supervised_filter_and_queue_marker(desk, actors, urged, contexts, qtbot):
    from ui.pages.case_list import CaseListPage
    from ui.pages.dispatch_queue import DispatchQueuePage

    a, b = urged
    page = CaseListPage(contexts("director"))
    qtbot.addWidget(page)
    page.apply_filters({"supervised": True})
    assert page.supervised.isChecked() and page.model.total == 1 and page.model.case_no(0) == a

    # an urged case returned by the unit waits in 待分派 again, still marked
    handling.act(desk, actors["unit"], a, "return", {"reason": "不属于本单位职责"})
    queue = DispatchQueuePage(contexts("dispatcher"))
    qtbot.addWidget(queue)
    queue.refresh()
    row = next(i for i, it in enumerate(queue.model.items) if it["case_no"] == a)
    assert queue.model.data(queue.model.index(row, 0), Qt.ItemDataRole.DecorationRole) is not None
    assert "红牌督办" in queue.model.data(queue.model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    queue.select_case(a)
    assert "红牌督办" in queue.detail.text()
    assert caselist.count_cases(desk, None, {"supervised": True}) == 1
