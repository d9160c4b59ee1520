"""pytest-qt: the 网格 page shows app.grids.stats' figures and the month's points board (work on
the task manager, not the GUI thread); the dashboard's 四平台 tab shows the platform figures and
double-clicking a platform opens its cases."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtCharts")

from app.domain import indicators as ind  # noqa: E402
from app.grids import overview, reports, stats  # noqa: E402
from tests.conftest import load_actors  # noqa: E402
from tests.grids.conftest import REPORT  # noqa: E402


def _ctx(desk, username, tmp_path):
    from ui.bus import EventBridge
    from ui.context import UiContext, make_settings
    from ui.tasks import TaskManager

    return UiContext(desk, load_actors(desk)[username], TaskManager(synchronous=True), EventBridge(),
                     make_settings(str(tmp_path / "ui.ini")))


@pytest.fixture
def ctx(desk, tmp_path):
    c = _ctx(desk, "director", tmp_path)
    yield c
    c.bus.close()
    c.tasks.shutdown()


def _cells(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_grid_page_shows_the_figures_of_grid_stats(ctx, desk, qtbot):
    from ui.pages import page_classes
    from ui.pages.grids import GridsPage

    intake = load_actors(desk)["intake"]
    reports.report(desk, intake, {**REPORT, "outcome": "solved", "result": "已处理"})
    reports.report(desk, intake, {**REPORT, "grid": "V01G01"})
    reports.report(desk, intake, {**REPORT, "grid": "V02G01", "reporter": "GS0022"})
    assert GridsPage in page_classes("director") and GridsPage not in page_classes("unit")
    page = GridsPage(ctx)
    qtbot.addWidget(page)
    calls = []
    real_run = ctx.tasks.run
    ctx.tasks.run = lambda fn, *a, **kw: (calls.append((fn, kw.get("kind"))), real_run(fn, *a, **kw))[1]
    page.by.setCurrentIndex(page.by.findData("village"))  # re-queries
    assert calls and calls[-1] == (overview.grid_page, "read")  # off the GUI thread (the read pool)
    want = stats.stats(desk, page._iso(page.date_from), page._iso(page.date_to), "village")
    rows = _cells(page.table)
    assert [r[0] for r in rows] == [i["name"] for i in want["items"]] == ["卧龙社区", "望越社区"]
    assert rows[0][1:6] == ["2", "1", "1", ind.pct(0.5), ind.pct(0.5)]
    assert "流转率 66.67%" in page.total.text()
    board = _cells(page.board)
    assert board[0][1] == "田琳" and board[0][3] == "3"


def test_platform_tab_and_its_click_through(demo_desk, qtbot, tmp_path):
    from ui.pages.dashboard import DashboardPage

    c = _ctx(demo_desk, "director", tmp_path)
    try:
        page = DashboardPage(c)
        qtbot.addWidget(page)
        page.refresh()
        labels = [page.tabs.tabText(i) for i in range(page.tabs.count())]
        assert "四平台" in labels
        tab = page.platforms
        want = overview.platform_tab(demo_desk)
        rows = _cells(tab.table)
        assert [r[0] for r in rows] == ["党建统领", "经济生态", "平安法治", "公共服务"]
        for row, w in zip(rows, want["rows"], strict=True):
            assert row[1] == f"{w['received']:,}" and row[3] == ind.pct(w["done_rate"])
        with qtbot.waitSignal(page.openList) as sig:
            tab.table.cellDoubleClicked.emit(2, 0)
        assert sig.args[0] == {"platform": "PA", "date_from": want["period"]["from"], "date_to": want["period"]["to"]}
    finally:
        c.bus.close()
        c.tasks.shutdown()


def test_case_list_platform_filter(demo_desk, qtbot, tmp_path):
    from ui.pages.case_list import CaseListPage

    c = _ctx(demo_desk, "director", tmp_path)
    try:
        page = CaseListPage(c)
        qtbot.addWidget(page)
        page.apply_filters({"platform": "PA"})
        assert page.platform.currentData() == "PA" and page.filters()["platform"] == "PA"
    finally:
        c.bus.close()
        c.tasks.shutdown()


def test_intake_page_grid_report_box(ctx, desk, qtbot):
    from sqlalchemy import select

    from app.store.models import GridReport
    from ui.pages.intake import IntakePage

    page = IntakePage(ctx)
    qtbot.addWidget(page)
    box = page.grid_report
    assert not box.isChecked() and not box.submit.isVisibleTo(page)
    page.category.set_code("PA0101")
    page.location.set_code("V01G01M01")
    page.description.setPlainText("3幢楼道堆放杂物，堵塞消防通道")
    box.setChecked(True)  # loads the roster of the grid's 村社 (卧龙社区) on the read pool
    codes = [box.reporter.itemData(i) for i in range(box.reporter.count())]
    assert "GS0003" in codes and "GS0022" not in codes  # GS0022 works in 望越社区
    box.reporter.setCurrentIndex(box.reporter.findData("GS0003"))
    box.outcome.setCurrentIndex(box.outcome.findData("solved"))
    box.submit.click()  # solved without a result: refused at the field, nothing written
    with desk.db.read() as s:
        assert s.scalar(select(GridReport.code)) is None
    box.result.setPlainText("已督促住户清理")
    box.submit.click()
    assert page.last_saved and page.last_saved["state"] == "closed" and page.last_saved["reporter_staff"] == "GS0003"
    assert page.last_saved["case_no"] in page.banner.text()
    with desk.db.read() as s:
        assert s.scalar(select(GridReport.reporter_staff)) == "GS0003"
