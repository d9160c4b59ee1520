"""LAN relay fixtures: the district server and enrolled workstations of tests/sync, and a relay
served in this process by workstation A (``relay_on``) or as a ``towndesk lan serve`` subprocess."""
from __future__ import annotations

import pytest

from tests.sync.conftest import server, stations, sync  # noqa: F401 — fixtures reused


def peer_sync(desk, url: str):
    from app.lan.peer import peer_transport, run_peer_round

    t = peer_transport(desk, url)
    t.s.backoff = 0.02
    return run_peer_round(desk, url, transport=t)


@pytest.fixture
def relay_on():
    started = []

    def start(desk):
        from app.lan.service import start as start_relay

        srv, thread = start_relay(desk, "127.0.0.1", 0)
        started.append((srv, thread))
        return srv

    yield start
    for srv, thread in started:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


@pytest.fixture
def make_ctx(qapp, tmp_path):
    """A window context for a station (synchronous tasks), as in tests/sync/test_ui_sync.py."""
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


def sign_in(*desks, users=("intake", "dispatcher", "director", "unit")) -> None:
    """Log the users in online while the district is up: offline login (and signing offline work)
    works only for users who logged in on that workstation before (app.sync.login)."""
    for desk in desks:
        for username in users:
            desk.actors[username]
