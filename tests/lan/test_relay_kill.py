"""kill -9 of the relay (a ``towndesk lan serve`` subprocess) in the middle of a round, 20 times:
nothing lost, nothing duplicated; afterwards every workstation holds every case once and the
relay's digest agrees with each of them. ``TOWNDESK_LAN_KILLS`` / ``_SEED`` for longer runs."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from app.store.models import Case, CaseAction, LanEntry
from app.sync.transport import SyncError
from tests.lan.conftest import sign_in
from tests.lan.test_relay import _check_ok, _no_duplicates, _take_in
from tests.sync.conftest import ROOT, free_port, sync

KILLS = int(os.environ.get("TOWNDESK_LAN_KILLS", "20"))
SEED = int(os.environ.get("TOWNDESK_LAN_SEED", "15"))


class RelayProcess:
    def __init__(self, root, port: int):
        self.root, self.port, self.proc = root, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        log = (self.root.parent / f"relay-{self.port}.log").open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "app.cli", "--data-dir", str(self.root), "lan", "serve",
                                      "--host", "127.0.0.1", "--port", str(self.port), "--interval", "1"],
                                     cwd=ROOT, stdout=log, stderr=log, env={**os.environ, "TOWNDESK_NO_ZEROCONF": "1"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/api/v1/health", timeout=0.5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.05)
            assert self.proc.poll() is None, "relay exited"
        raise RuntimeError("relay did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


def _round(desk, url: str, results: list) -> None:
    from app.lan.peer import peer_transport, run_peer_round

    try:
        t = peer_transport(desk, url)
        t.s.attempts, t.s.backoff = 1, 0.01
        results.append(run_peer_round(desk, url, transport=t, batch=2))
    except SyncError as e:
        results.append(e)


@pytest.mark.slow
def test_relay_killed_mid_round_loses_and_duplicates_nothing(stations, server):
    a, b, c = stations("A"), stations("B", fresh=True), stations("C", fresh=True)
    for d in (a, b, c):
        sync(d)
    sign_in(a, b, c)
    server.kill()
    relay = RelayProcess(a.root, free_port())
    relay.start()
    rng = random.Random(SEED)
    made: list[str] = []
    results: list = []
    try:
        for i in range(KILLS):
            who = (b, c)[i % 2]
            made += _take_in(who, f"轮{i}", 3)
            th = threading.Thread(target=_round, args=(who, relay.url, results))
            th.start()
            time.sleep(rng.uniform(0.0, 0.25))
            relay.kill()
            th.join(60)
            relay.start()
        for d in (b, c, b, c):
            _round(d, relay.url, results)
        assert not isinstance(results[-1], Exception) and not isinstance(results[-2], Exception)
    finally:
        relay.kill()
    killed_mid = sum(1 for r in results[:KILLS] if isinstance(r, Exception))
    print(f"rounds cut by the kill: {killed_mid} of {KILLS}")
    for r in results[KILLS:]:
        print(r if isinstance(r, Exception) else {k: r[k] for k in ("pushed", "accepted", "pulled", "digest")})
    with a.db.read() as s:
        ids = s.execute(select(LanEntry.entity_id).where(LanEntry.entity == "action")).scalars().all()
    assert len(ids) == len(set(ids))                                   # nothing duplicated in the relay
    for d in (b, c):
        with d.db.read() as s:
            nos = set(s.scalars(select(Case.case_no)))
            assert set(made) <= nos                                     # nothing lost
            assert s.scalar(select(func.count()).select_from(CaseAction)) == len(made)
        _no_duplicates(d)
        _check_ok(d)
    assert results[-1]["digest"]["equal"] and results[-2]["digest"]["equal"]
    assert len(ids) == len(made)
