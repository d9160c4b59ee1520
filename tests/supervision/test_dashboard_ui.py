"""pytest-qt: the 运行监测 page shows the services' numbers; clicking through opens the list."""
from __future__ import annotations

import shutil
import subprocess

import pytest

pytest.importorskip("PySide6.QtCharts")

from app.domain import indicators as ind  # noqa: E402
from app.domain.timezone import LOCAL_TZ
from app.supervision import dashboard  # noqa: E402
from app.supervision import indicators as si  # noqa: E402
from tests.conftest import load_actors  # noqa: E402


@pytest.fixture
def ctx(demo_desk, qtbot, tmp_path):
    from ui.bus import EventBridge
    from ui.context import UiContext, make_settings
    from ui.tasks import TaskManager

    c = UiContext(demo_desk, load_actors(demo_desk)["director"], TaskManager(synchronous=True), EventBridge(),
                  make_settings(str(tmp_path / "ui.ini")))
    yield c
    c.bus.close()
    c.tasks.shutdown()


@pytest.fixture
def page(ctx, qtbot):
    from ui.pages.dashboard import DashboardPage

    p = DashboardPage(ctx)
    qtbot.addWidget(p)
    p.refresh()
    return p


def test_dashboard_shows_the_service_numbers(page, demo_desk):
    d = page.data
    assert d is not None
    now = demo_desk.now()
    today = now.astimezone(LOCAL_TZ).date()
    month = si.compute(demo_desk, si.Period(today.replace(day=1), today))
    activity = si.activity(demo_desk, si.Period(today.replace(day=1), today))
    colours = si.open_colours(demo_desk)
    assert page.figures["month_received"].text() == f"{activity['received']:,}"
    assert page.figures["month_closed"].text() == f"{activity['closed']:,}"
    assert page.figures["month_satisfaction"].text() == ind.pct(month["satisfaction_rate"])
    assert page.figures["open_red"].text() == f"{colours['red']:,}"
    assert page.figures["open_yellow"].text() == f"{colours['yellow']:,}"
    assert page.figures["open_all"].text() == f"{colours['open']:,}"
    assert page.ranking.rowCount() == len(d["ranking"]) > 0
    first = d["ranking"][0]
    assert page.ranking.item(0, 1).text() == first["name"]
    assert page.ranking.item(0, 2).text() == ind.days(first["score"])
    assert page.red.rowCount() == min(20, colours["red"])
    assert d == {**dashboard.snapshot(demo_desk), "seconds": d["seconds"]}
    assert page.stamp.text().startswith("更新于 10:00:00")  # the frozen clock (02:00 UTC) in Shanghai time


def test_trend_day_labels_are_short_and_unique():
    from ui.pages.dashboard_parts import day_labels

    assert day_labels(["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]) == ["30", "31", "1", "2"]
    days = [f"2026-0{m}-{d:02d}" for m in (1, 2) for d in range(1, 29)]  # day numbers repeat
    assert day_labels(days) == [d[5:] for d in days]


def test_clicking_a_number_emits_the_list_filters(page, qtbot):
    with qtbot.waitSignal(page.openList, timeout=2000) as got:
        page.figures["open_red"].value.click()
    assert got.args == [{"state": "open", "color": "red"}]
    with qtbot.waitSignal(page.openList, timeout=2000) as got:
        page.figures["month_received"].value.click()
    m = page.data["month"]["period"]
    assert got.args == [{"date_from": m["from"], "date_to": m["to"]}]
    with qtbot.waitSignal(page.openList, timeout=2000) as got:
        page._open_unit(0, 0)
    assert got.args[0]["unit"] == page.data["ranking"][0]["key"]
    with qtbot.waitSignal(page.openCase, timeout=2000) as got:
        page._open_red(0, 0)
    assert got.args == [page.data["red"][0]["case_no"]]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_bulletin_button_produces_a_pdf(page, tmp_path):
    out = tmp_path / "m.pdf"
    page.make_bulletin("monthly", str(out))
    assert page.bulletin_button.isEnabled() and out.exists()
    txt = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "月专报" in txt and page.data["ranking"][0]["name"] in txt
