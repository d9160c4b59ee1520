"""The window's side of the LAN relay (pytest-qt, real zeroconf kept on 127.0.0.1): the 局域网中继
dialog lists the town's relay found on the LAN, remembers it, and a background round falls back
to it while the district is down (the other station's case arrives)."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from sqlalchemy import select  # noqa: E402

from app.cases import intake  # noqa: E402
from app.store.models import Case  # noqa: E402
from tests.conftest import sample_case  # noqa: E402
from tests.lan.conftest import sign_in  # noqa: E402
from tests.sync.conftest import sync  # noqa: E402


def test_dialog_lists_relays_and_the_window_falls_back_to_one(stations, server, relay_on, make_ctx, qtbot,
                                                               monkeypatch):
    monkeypatch.setenv("TOWNDESK_ZEROCONF_INTERFACES", "127.0.0.1")
    from app.lan import discovery
    from ui.lan_dialog import LanDialog
    from ui.sync_controller import SyncController

    a, b = stations("A"), stations("B", fresh=True)
    sync(a)
    srv = relay_on(a)
    ad = discovery.advertise("FS", a.meta("workstation"), a.device_id, "127.0.0.1", srv.server_address[1])
    other = discovery.advertise("QL", "07", "other-town-device", "127.0.0.1", 9)  # another town's: not listed
    try:
        ctx = make_ctx(b)
        dialog = LanDialog(ctx)
        qtbot.addWidget(dialog)
        assert dialog.found.count() == 1
        assert dialog.found.item(0).text() == f"工作站 {a.meta('workstation')} · {srv.url}"
        assert dialog.url.text() == srv.url and "找到 1 个中继" in dialog.status.text()
        dialog.use()
        assert b.meta("lan.peer") == srv.url
        dialog.url.setText("ftp:/x")
        dialog.use()
        assert "中继地址应形如" in dialog.status.text() and b.meta("lan.peer") == srv.url
    finally:
        ad.close()
        other.close()
    # the district goes down; A takes in a case and joins its relay; B's background round falls back
    sign_in(a)
    server.kill()
    no = intake.take_in(a, a.actors["intake"], sample_case(title="甲断网受理"))["case_no"]
    from app.lan.peer import run_peer_round

    run_peer_round(a, srv.url)
    ctrl = SyncController(ctx)
    done = []
    ctrl.finished.connect(done.append)
    assert ctrl.sync_now()
    assert done and done[-1].get("via") == "lan" and done[-1]["pulled"] >= 1
    with b.db.read() as s:
        assert s.scalar(select(Case.title).where(Case.case_no == no)) == "甲断网受理"
