"""The window's side of sync (pytest-qt): the controller runs rounds on the network pool and
reports state; the 冲突 page lists rejected actions and acts on them."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from app.cases import (
    dispatch,  # noqa: E402
    intake,
)
from tests.conftest import sample_case  # noqa: E402
from tests.sync.conftest import sync  # noqa: E402


@pytest.fixture
def make_ctx(qapp, tmp_path):
    made = []

    def make(desk, username: str = "dispatcher"):
        from ui.bus import EventBridge
        from ui.context import UiContext, make_settings
        from ui.tasks import TaskManager

        ctx = UiContext(desk=desk, actor=desk.actors[username], tasks=TaskManager(synchronous=True),
                        bus=EventBridge(), settings=make_settings(str(tmp_path / f"{len(made)}.ini")))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.bus.close()
        ctx.tasks.shutdown()


def test_controller_reports_state_and_syncs(stations, make_ctx, qtbot, server):
    from ui.sync_controller import SyncController
    from ui.widgets.sync_indicator import SyncIndicator

    a = stations("A")
    ctx = make_ctx(a)
    ctrl = SyncController(ctx)
    indicator = SyncIndicator()
    qtbot.addWidget(indicator)
    ctrl.stateChanged.connect(indicator.on_sync_state)
    indicator.syncRequested.connect(ctrl.sync_now)
    states = []
    ctrl.stateChanged.connect(lambda p: states.append(p["state"]))
    intake.take_in(a, a.actors["intake"], sample_case())
    ctrl.start()
    assert ctrl.timer.interval() == 60_000  # the configured default
    assert "syncing" in states and states[-1] == "online" and indicator.state == "online"
    assert ctrl.last["pending"] == 0
    # the server goes away: the indicator says 离线 and the data stays
    server.kill()
    intake.take_in(a, a.actors["intake"], sample_case(title="断网时受理"))
    assert ctrl.sync_now()
    assert states[-1] == "offline" and "离线" in indicator.label.text() and "待上传" in indicator.label.text()
    server.start()
    ctrl.stop()


def test_conflicts_page_lists_and_resolves(stations, make_ctx, qtbot):
    from ui.pages.conflicts import ConflictsPage

    a, b = stations("A"), stations("B", fresh=True)
    no = intake.take_in(a, a.actors["intake"], sample_case())["case_no"]
    sync(a)
    sync(b)
    dispatch.dispatch(a, a.actors["dispatcher"], no, "D01")
    dispatch.dispatch(b, b.actors["dispatcher"], no, "D02")
    sync(a)
    sync(b)
    page = ConflictsPage(make_ctx(b))
    qtbot.addWidget(page)
    page.refresh()
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == no and "派单" in page.table.item(0, 1).text()
    assert page.table.item(0, 5).text()  # the reason
    assert "1 条待处理" in page.summary.text()
    assert not page.dismiss.isEnabled()
    page.table.selectRow(0)
    assert page.redispatch.isEnabled() and page.note.isEnabled() and page.dismiss.isEnabled()
    opened = []
    page.openCase.connect(opened.append)
    page.table.cellDoubleClicked.emit(0, 0)
    assert opened == [no]
    page.dismiss.click()
    assert page.table.rowCount() == 0 and "没有待处理" in page.summary.text()
    page.show_done.setChecked(True)
    assert page.table.rowCount() == 1 and page.table.item(0, 6).text() == "已忽略"


def test_enrolment_by_another_process_is_seen_without_a_restart(make_ctx, qtbot, server, tmp_path, _template_empty):
    """`towndesk enroll` run while the window is open: the next round (timer or F5) syncs."""
    import json
    import shutil

    from app.desk import open_desk
    from tests.conftest import load_actors
    from tests.sync.conftest import cli, server_cli
    from ui.sync_controller import SyncController

    root = tmp_path / "ws"
    shutil.copytree(_template_empty, root)
    desk = open_desk(root)
    desk.actors = load_actors(desk)
    try:
        ctrl = SyncController(make_ctx(desk))
        states = []
        ctrl.stateChanged.connect(lambda p: states.append(p))
        assert not ctrl.sync_now() and "尚未注册" in states[-1]["error"]
        code = server_cli(server, "enroll-code", "--town", "FS").stdout.strip()
        enrolled = cli("enroll", "--server", server.url, "--code", code, "--json", data_dir=root)
        assert enrolled.returncode == 0, enrolled.stderr
        assert ctrl.sync_now()
        assert states[-1]["state"] == "online"
        assert desk.workstation == json.loads(enrolled.stdout)["workstation"]
        ctrl.stop()
    finally:
        desk.close()


def test_conflicts_page_lists_quarantined_changes(desk, make_ctx, qtbot):
    """A pulled change this workstation could not apply shows on 冲突 with its reason; dismissing
    it keeps it (sync --json still counts it)."""
    from app.store.models import Quarantined
    from app.sync import state as st
    from tests.conftest import load_actors
    from ui.pages.conflicts import ConflictsPage

    desk.actors = load_actors(desk)
    with desk.db.tx() as s:
        s.add(Quarantined(seq=42, entity="action", entity_id="a1", data="{}", reason="n的整数超出范围",
                          at="2026-12-01T00:00:00+00:00"))
    page = ConflictsPage(make_ctx(desk))
    qtbot.addWidget(page)
    page.refresh()
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "（区级变更）" and "序号 42" in page.table.item(0, 1).text()
    assert page.table.item(0, 5).text() == "n的整数超出范围" and "已隔离" in page.summary.text()
    page.table.selectRow(0)
    assert page.dismiss.isEnabled() and not page.redispatch.isEnabled() and not page.note.isEnabled()
    page.dismiss.click()
    assert page.table.rowCount() == 0
    assert st.summary(desk)["quarantined"] == 1 and st.summary(desk)["conflicts"] == 0


def test_admin_users_tab_changes_users_online_on_an_enrolled_store(stations, make_ctx, qtbot, server):
    """The window's 用户 tab on an enrolled store: the change goes to the district's directory with
    the administrator's password typed in the tab; a wrong one, or no server, writes nothing."""
    from sqlalchemy import select

    from app.store.models import User
    from ui.pages.admin_data import AdminDataPage

    a = stations("A")
    page = AdminDataPage(make_ctx(a, "admin"))
    qtbot.addWidget(page)
    page.new_username.setText("clerk9")
    page.new_role.setCurrentIndex(page.new_role.findData("intake"))
    page.new_password.setText("Night-shift-26")
    page.admin_password.setText("wrong-pass")
    page.add_user()
    assert "管理员" in page.status.text()
    with a.db.tx() as s:
        a.set_meta(s, "sync.server", "http://127.0.0.1:9")
    page.admin_password.setText("demo1234")
    page.add_user()
    assert "需联网" in page.status.text()
    with a.db.read() as s:
        assert s.scalar(select(User).where(User.code == "clerk9")) is None
    with a.db.tx() as s:
        a.set_meta(s, "sync.server", server.url)
    page.add_user()
    with a.db.read() as s:  # the district accepted it and this workstation pulled it at once
        assert s.scalar(select(User.role).where(User.code == "clerk9")) == "intake"
    from server.models import DirectoryEntry

    with server.db.read() as s:
        assert s.scalar(select(DirectoryEntry.role).where(DirectoryEntry.username == "clerk9")) == "intake"


def test_window_login_on_an_enrolled_store_is_online_and_gives_the_signing_key(stations, qtbot, server):
    """The login form on an enrolled store logs in with the district (the user's key registered);
    with the server gone, only a user who logged in here before gets in."""
    from ui.login import LoginForm
    from ui.tasks import TaskManager

    stations("A")  # founds the town's directory
    b = stations("B", fresh=True)
    tasks = TaskManager(synchronous=True)
    form = LoginForm(b, tasks, {"town_name": "府山街道"})
    qtbot.addWidget(form)
    got = []
    form.loggedIn.connect(got.append)
    form.username.setText("dispatcher")
    form.password.setText("demo1234")
    form.attempt()
    assert got and got[-1].role == "dispatcher" and got[-1].key is not None
    with b.db.tx() as s:
        b.set_meta(s, "sync.server", "http://127.0.0.1:9")
    form.password.setText("demo1234")  # the form clears it after a login
    form.attempt()  # offline: dispatcher logged in here before
    assert len(got) == 2 and got[-1].key.public_b64 == got[0].key.public_b64
    form.username.setText("intake")
    form.password.setText("demo1234")
    form.attempt()  # offline, never logged in on B: refused, said at the field
    assert len(got) == 2 and "联网" in form.errors.message_at("username")
    tasks.shutdown()
