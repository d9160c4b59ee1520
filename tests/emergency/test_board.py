"""pytest-qt: the window chrome turns red on every workstation after a sync when an emergency
starts, and back when it stops; the board shows per-target status (red past the deadline), live
counts and the prepared lists; intake defaults to 加急 with the emergency's categories on top."""
from __future__ import annotations

from datetime import timedelta

import pytest

pytest.importorskip("pytestqt")

from app.emergency import services  # noqa: E402
from tests.sync.conftest import sync  # noqa: E402


@pytest.fixture
def window_for(qtbot, tmp_path):
    made = []

    def make(desk, username: str = "dispatcher"):
        from ui.main import build_window

        window, ctx = build_window(desk, desk.actors[username], synchronous=True,
                                   settings_path=str(tmp_path / f"{username}-{len(made)}.ini"))
        qtbot.addWidget(window)
        window.show()
        made.append(ctx)
        return window

    yield make
    for ctx in made:
        ctx.close()


def _red(window) -> bool:
    return bool(window.property("emergency")) and window.emergency_banner.isVisible() \
        and "#b71c1c" in window.top.styleSheet()


def test_chrome_red_on_both_workstations_after_sync_and_back_on_stop(stations, window_for, qtbot):
    a, b = stations("A"), stations("B", fresh=True)
    wa, wb = window_for(a), window_for(b)
    assert not _red(wa) and not _red(wb)

    services.start(a, a.actors["director"], {"type": "typhoon", "level": 2, "area": "V01,V02", "reason": "台风预警"})
    qtbot.waitUntil(lambda: _red(wa), timeout=3000)  # the event on A, no sync needed
    assert "台风Ⅱ级应急响应" in wa.emergency_banner.text() and "卧龙社区" in wa.emergency_banner.text()
    assert not _red(wb)
    sync(a)
    sync(b)  # B's round publishes its sync state: the banner re-reads the store
    qtbot.waitUntil(lambda: _red(wb), timeout=3000)

    services.stop(a, a.actors["director"], {"reason": "台风过境"})
    qtbot.waitUntil(lambda: not _red(wa), timeout=3000)
    assert wa.top.styleSheet() == ""
    sync(a)
    sync(b)
    qtbot.waitUntil(lambda: not _red(wb), timeout=3000)
    assert not wb.emergency_banner.isVisible()


def test_board_per_target_status_and_counts(desk, window_for, qtbot, clock):
    from tests.conftest import load_actors

    desk.actors = load_actors(desk)
    window = window_for(desk, "director")
    window.select_page("emergency")
    page = window.page("emergency")
    assert page.start_button.isEnabled() and not page.task_button.isEnabled()
    assert page.people.rowCount() > 0 and page.teams.rowCount() > 0  # the prepared lists in peacetime
    page.start_emergency({"type": "flood", "level": 3, "area": "V01", "reason": "内涝"})
    qtbot.waitUntil(lambda: bool(page.data.get("active")), timeout=3000)
    assert page.task_button.isEnabled() and not page.start_button.isEnabled()
    assert all(page.people.item(r, 0).text() == "卧龙社区" for r in range(page.people.rowCount()))
    due = (desk.now() + timedelta(hours=1)).isoformat()
    page.add_task({"title": "排查积水点", "to": "V01G01,V01G02", "due": due})
    qtbot.waitUntil(lambda: page.tasks.topLevelItemCount() == 1, timeout=3000)
    task_id = page.data["tasks"][0]["id"]
    page.enter_receipt(task_id, "V01G01", {"status": "done", "count": 4, "note": "已抽排"})
    qtbot.waitUntil(lambda: page.target_states().get((task_id, "V01G01")) == "done", timeout=3000)
    assert page.target_states()[(task_id, "V01G02")] == "none"
    assert "已完成 1" in page.counts.text() and "超时 0" in page.counts.text()
    clock.advance(hours=2)
    page.refresh()
    assert page.target_states()[(task_id, "V01G02")] == "overdue"
    child = page.tasks.topLevelItem(0).child(1)
    assert child.foreground(1).color().name() == "#c62828" and child.text(1) == "超时未完成"
    assert "超时 1" in page.counts.text()

    # the prepared list: a person marked 已转移 on the board
    page.people.selectRow(0)
    name = page.people.item(0, 1).text()
    page._mark_selected("moved")
    qtbot.waitUntil(lambda: "已转移 1" in page.counts.text(), timeout=3000)
    assert name in page.message.text()

    # intake: 加急 by default and the flood categories first while the emergency is on
    window.select_page("intake")
    intake = window.page("intake")
    intake.refresh()
    assert intake.urgency.currentData() == "urgent"
    assert [e.code for e in intake.category.matches("")][:2] == ["PA0501", "PA0506"]

    page.stop_emergency("积水已排除")
    qtbot.waitUntil(lambda: not page.data.get("active"), timeout=3000)
    assert "总结已生成" in page.message.text()
    pdf = page.message.text().split("：", 1)[1]
    assert pdf.endswith(".pdf") and (desk.root / "exports").exists()
    intake.clear_fields()
    intake.refresh()
    assert intake.urgency.currentData() == "normal"


def test_dispatch_queue_shows_the_emergency_cases_first(desk, window_for, qtbot, clock):
    from app.cases import intake
    from tests.conftest import load_actors, sample_case
    from ui.pages.dispatch_queue import COLUMNS

    desk.actors = load_actors(desk)
    me = desk.actors["intake"]
    before = intake.take_in(desk, me, sample_case(title="停车纠纷", auto_dispatch=False))["case_no"]
    clock.advance(minutes=10)
    services.start(desk, desk.actors["director"], {"type": "flood", "level": 3, "area": "V02", "reason": "内涝"})
    clock.advance(minutes=10)
    outside = intake.take_in(desk, me, sample_case(title="区外", auto_dispatch=False))["case_no"]
    inside = intake.take_in(desk, me, sample_case(title="小区积水", category="PA0501", auto_dispatch=False,
                                                  location={"village": "V02", "address": "望越社区1号"}))["case_no"]
    window = window_for(desk, "dispatcher")
    window.select_page("queue")
    page = window.page("queue")
    page.refresh()
    nos = [i["case_no"] for i in page.model.items]
    assert nos[0] == inside and nos.index(before) < nos.index(outside)
    title_column = [key for key, _ in COLUMNS].index("title")
    assert page.model.data(page.model.index(0, title_column)).startswith("【应急】")
    assert not page.model.data(page.model.index(1, title_column)).startswith("【应急】")
