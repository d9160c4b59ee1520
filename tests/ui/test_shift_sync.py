"""Issue 20: the sync indicator on a workstation enrolled with a real district server (subprocess
on 127.0.0.1): a click syncs, and when it cannot the indicator says why — 网络不通 (the server is
down) or 服务器拒绝 (the server refuses the workstation's token)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.cases.intake import take_in
from tests.conftest import sample_case
from tests.sync.conftest import server, stations  # noqa: F401 — the real server's fixtures
from tests.ui.test_shift import close_real_window


def test_sync_indicator_on_an_enrolled_station(qtbot, stations, server):  # noqa: F811
    from ui.main import build_window
    from ui.sync_controller import install

    desk = stations("A")
    actor = desk.actors["intake"]  # logged in with the district (its signing key registered)
    window, ctx = build_window(desk, actor, settings_path=None)
    qtbot.addWidget(window)
    window.show()
    indicator = window.sync_indicator
    ctrl = install(ctx, indicator)  # enrolled: the first round starts at once
    try:
        qtbot.waitUntil(lambda: indicator.state == "online" and not ctrl.running, timeout=30_000)
        assert indicator.label.text() == "在线" and "点击立即同步" in indicator.toolTip()
        take_in(desk, actor, sample_case())
        qtbot.waitUntil(lambda: "待上传" in indicator.label.text(), timeout=5_000)
        qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)               # the click syncs
        qtbot.waitUntil(lambda: indicator.label.text() == "在线" and not ctrl.running, timeout=30_000)
        assert ctrl.last["pending"] == 0
        server.kill()                                                       # the district is gone
        qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not ctrl.running and indicator.state == "offline", timeout=30_000)
        assert indicator.label.text().startswith("离线（网络不通）")
        assert "无法连接" in indicator.toolTip() or "稍后自动重试" in indicator.toolTip()
        server.start()
        with desk.db.tx() as s:                                             # a token the server does not know
            desk.set_meta(s, "sync.token", "not-a-token-the-district-issued")
        qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not ctrl.running and indicator.state in ("offline", "error")
                        and indicator.reason is not None, timeout=30_000)
        assert indicator.reason == "服务器拒绝", indicator.label.text()
        assert "（服务器拒绝）" in indicator.label.text()
    finally:
        ctrl.stop()
        ctrl._pending_timer.stop()
        close_real_window(window, ctx)
