"""kill -9 of the client and of the server at random points during push, pull and attachment
upload (>= 50 rounds): afterwards no action is lost, none is duplicated, all sides converge.

Client rounds run in a forked child (the store is opened fresh in the child) that is SIGKILLed
after a random delay; server rounds SIGKILL the uvicorn process while a round is running.
Small batches and pages make every round many requests long, so kills land inside them.
"""
from __future__ import annotations

import hashlib
import os
import random
import signal
import threading
import time

import pytest
from sqlalchemy import func, select

from app.cases import dispatch, handling, intake
from app.cases.attachments import attach, read_blob
from app.store.models import Attachment, CaseAction
from app.sync.transport import SyncError
from tests.conftest import sample_case
from tests.sync.conftest import (
    accepted_log,
    open_station,
    pending,
    server_log,
    server_rows_hash,
    station_rows_hash,
    sync,
    transport,
)

CLIENT_ROUNDS = int(os.environ.get("TOWNDESK_CHAOS_CLIENT_ROUNDS", "36"))
SERVER_ROUNDS = int(os.environ.get("TOWNDESK_CHAOS_SERVER_ROUNDS", "14"))
SMALL = {"page_size": 15, "batch": 10}

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _work(desk, rng: random.Random, tmp, tag: str, blobs: bool) -> None:
    a = desk.actors
    for i in range(rng.randint(2, 5)):
        c = intake.take_in(desk, a["intake"], sample_case(title=f"{tag}{i}", description=f"{tag}第{i}件，请处理。"))
        if rng.random() < 0.6:
            dispatch.dispatch(desk, a["dispatcher"], c["case_no"], rng.choice(["D01", "D02"]))
        handling.act(desk, a["dispatcher"], c["case_no"], "comment", {"note": f"{tag}备注{i}"})
    if blobs:
        data = rng.randbytes(rng.randint(200_000, 600_000))
        path = tmp / f"{tag}.bin"
        path.write_bytes(data)
        attach(desk, a["intake"], c["case_no"], path)


def _child_round(root, seed: int) -> None:
    """Runs in the forked child: open the store afresh and sync (killed at some point)."""
    try:
        from app.sync.engine import run_round

        desk = open_station(root)
        run_round(desk, transport=transport(desk, attempts=1, timeout=3), **SMALL)
    finally:
        os._exit(0)


def _kill_client_round(desk, rng: random.Random, within: float) -> bool:
    """Kill the child at a random point within ``within`` seconds; True when it was killed
    mid-round (not already finished)."""
    desk.db.engine.dispose()  # no connection crosses the fork
    pid = os.fork()
    if pid == 0:
        _child_round(desk.root, rng.randint(0, 1 << 30))
    time.sleep(rng.uniform(0.0, within))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)


def _kill_server_round(desk, server, rng: random.Random) -> None:
    def run():
        try:
            from app.sync.engine import run_round

            run_round(desk, transport=transport(desk, attempts=1, timeout=3), **SMALL)
        except SyncError:
            pass

    t = threading.Thread(target=run)
    t.start()
    time.sleep(rng.uniform(0.0, 0.4))
    server.kill()
    t.join(30)
    assert not t.is_alive()
    server.start()


def test_kill9_client_and_server_converge(stations, server, tmp_path):
    rng = random.Random(int(os.environ.get("TOWNDESK_CHAOS_SEED", "20261127")))
    a, b = stations("A"), stations("B", fresh=True)
    for desk in (a, b):  # log in while the server is up: later rounds may find it killed
        desk.actors["intake"], desk.actors["dispatcher"]
    for d in (a, b):
        with d.db.tx() as s:
            d.set_meta(s, "setting.sync_chunk_kib", "64")
    rounds = killed = 0
    within = 0.5  # adapts to how long a round takes on this machine, so kills land mid-round
    for i in range(CLIENT_ROUNDS):
        desk = (a, b)[i % 2]
        _work(desk, rng, tmp_path, f"c{i}", blobs=i % 4 == 0)
        hit = _kill_client_round(desk, rng, within)
        within = min(1.0, within * 1.1) if hit else max(0.02, within * 0.6)
        killed += hit
        rounds += 1
    assert killed >= CLIENT_ROUNDS // 3  # most kills hit a running round
    for i in range(SERVER_ROUNDS):
        desk = (a, b)[i % 2]
        _work(desk, rng, tmp_path, f"s{i}", blobs=i % 3 == 0)
        _kill_server_round(desk, server, rng)
        rounds += 1
    assert rounds == CLIENT_ROUNDS + SERVER_ROUNDS  # 50 by default
    for _ in range(2):  # calm rounds: everything settles
        for d in (a, b):
            out = sync(d)
    assert out["digest"]["equal"]
    assert pending(a) == pending(b) == 0
    # nothing lost: every action either station ever wrote was judged, none is still local
    for d in (a, b):
        with d.db.read() as s:
            assert s.scalar(select(func.count()).select_from(CaseAction).where(CaseAction.status == "local")) == 0
            assert s.scalar(select(func.count()).select_from(CaseAction).where(CaseAction.status == "rejected")) == 0
    # nothing duplicated, all sides agree
    log = server_log(server)
    assert len({i for _, i in log}) == len(log)
    assert accepted_log(a) == accepted_log(b) == log
    assert station_rows_hash(a) == station_rows_hash(b) == server_rows_hash(server)
    # every attachment's bytes reached the server and the other station, intact
    for d in (a, b):
        with d.db.read() as s:
            shas = set(s.scalars(select(Attachment.sha256)))
        for sha in shas:
            assert hashlib.sha256((server.root / "blobs" / sha[:2] / sha).read_bytes()).hexdigest() == sha
            assert hashlib.sha256(read_blob(d, sha)).hexdigest() == sha
