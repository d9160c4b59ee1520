"""Sync fixtures: a real district server subprocess on 127.0.0.1 and a random free port (SQLite
file, or PostgreSQL when TOWNDESK_TEST_PG names a server URL), and workstations (real SQLite
stores) enrolled into it."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from tests.conftest import FrozenClock

PG = os.environ.get("TOWNDESK_TEST_PG")
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_database() -> str:
    """A fresh database on the test PostgreSQL server; returns its SQLAlchemy URL."""
    import psycopg

    from server.db import normalize_url

    base = normalize_url(PG)
    name = f"td_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    head, _, _ = base.rpartition("/")
    return f"{head}/{name}"


class Server:
    """The district server as a subprocess; ``kill()`` is SIGKILL, ``start()`` brings it back."""

    def __init__(self, root: Path, hooks: bool = True, docs: bool = False, extra_args: tuple = ()):
        self.root = root
        self.docs, self.extra_args = docs, tuple(extra_args)
        root.mkdir(parents=True, exist_ok=True)
        self.db_url = _pg_database() if PG else f"sqlite:///{root / 'server.sqlite3'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.verify = True  # a CA bundle path when serving TLS
        self.hooks = hooks
        self.proc: subprocess.Popen | None = None
        from server import admin, migrate
        from server.db import ServerDB

        self.db = ServerDB(self.db_url)
        migrate.upgrade(self.db)
        admin.add_town(self.db, "FS", "府山街道")
        admin.add_town(self.db, "QL", "其他镇")

    def start(self) -> None:
        cmd = [sys.executable, "-m", "server.cli", "--db", self.db_url, "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--blobs", str(self.root / "blobs")]
        if self.hooks:
            cmd.append("--test-hooks")
        if self.docs:
            cmd.append("--docs")
        cmd.extend(self.extra_args)
        self.log = (self.root / "server.log").open("ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/api/v1/health", timeout=0.5, verify=self.verify).ok:
                    return
            except requests.RequestException:
                time.sleep(0.05)
            if self.proc.poll() is not None:
                raise RuntimeError((self.root / "server.log").read_text()[-2000:])
        raise RuntimeError("server did not start")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        self.proc = None

    def code(self, town: str = "FS") -> str:
        from server import admin

        return admin.enroll_code(self.db, town)

    def close(self) -> None:
        self.kill(signal.SIGTERM)
        self.db.close()


@pytest.fixture
def server(tmp_path, request):
    """The server; a test marked ``server_docs`` gets it with /docs and /openapi.json (serve --docs)."""
    s = Server(tmp_path / "server", docs=request.node.get_closest_marker("server_docs") is not None)
    s.start()
    yield s
    s.close()


class LoginActors(dict):
    """A workstation's users logged in as the window or ``--as`` would (app.sync.login.sign_in:
    online with the district, holding their signing keys), each on first use. Passwords are the
    demo's unless named in ``passwords``."""

    def __init__(self, desk, passwords: dict | None = None):
        super().__init__()
        self.desk, self.passwords = desk, dict(passwords or {})

    def __missing__(self, username: str):
        from app.sync.login import sign_in

        self[username] = sign_in(self.desk, username, self.passwords.get(username, "demo1234"),
                                 transport(self.desk))
        return self[username]

    def get(self, username, default=None):
        from app.errors import AppError

        try:
            return self[username]
        except AppError:  # no such user in the district's directory
            return default


def login_actors(desk, **passwords) -> LoginActors:
    return LoginActors(desk, passwords)


def open_station(root: Path, clock=None):
    from app.desk import open_desk

    return open_desk(root, clock=clock or FrozenClock(), backup=False)


def fast(desk, attempts: int = 1, timeout: float = 10.0) -> None:
    """Short timeouts and few retries for tests."""
    with desk.db.tx() as s:
        desk.set_meta(s, "setting.sync_attempts", str(attempts))
        desk.set_meta(s, "setting.sync_timeout_seconds", str(timeout))
        desk.set_meta(s, "setting.auto_dispatch", "false")
        desk.set_meta(s, "setting.sync_chunk_kib", "64")


def transport(desk, **over):
    from app.sync import state as st
    from app.sync.transport import Transport

    settings = st.settings(desk)
    settings.backoff = 0.02
    for k, v in over.items():
        setattr(settings, k, v)
    return Transport(settings)


def sync(desk, **kw):
    from app.sync.engine import run_round

    return run_round(desk, transport=transport(desk), **kw)


@pytest.fixture
def stations(server, _template_empty, tmp_path):
    """Factory: ``stations("A")`` is an existing demo store enrolled into the server (its town data
    goes up); ``stations("B", fresh=True)`` is an empty data dir that enrolls and pulls the town."""
    made = []

    def make(name: str, fresh: bool = False, town: str = "FS", clock=None):
        from app.domain.ids import new_id
        from app.sync.enroll import enroll

        root = tmp_path / f"station-{name}-{len(made)}"
        if not fresh:
            shutil.copytree(_template_empty, root)
        desk = open_station(root, clock)
        if not fresh:
            with desk.db.tx() as s:  # a separate installation has its own device id
                desk.set_meta(s, "device_id", new_id())
        fast(desk)
        enroll(desk, server.url, server.code(town), sync=False)
        fast(desk)
        sync(desk)
        desk.actors = login_actors(desk)
        made.append(desk)
        return desk

    yield make
    for d in made:
        d.close()


# -- comparison helpers -------------------------------------------------------------------
def _norm(v):
    if isinstance(v, datetime):
        return v.astimezone(UTC).isoformat()
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)  # REAL columns read back as floats
    return v


def rows_hash_of(states) -> str:
    from app.domain.casefold import CASE_FIELDS

    h = hashlib.sha256()
    for st in sorted(states, key=lambda x: x.id):
        h.update(json.dumps([_norm(getattr(st, f)) for f in CASE_FIELDS], ensure_ascii=False, default=str).encode())
    return h.hexdigest()


def station_rows_hash(desk) -> str:
    from sqlalchemy import select

    from app.cases.caselog import state_of
    from app.store.models import Case, CaseAction

    with desk.db.read() as s:
        live = set(s.scalars(select(CaseAction.case_id).where(CaseAction.status == "accepted")))
        return rows_hash_of([state_of(r) for r in s.scalars(select(Case)) if r.id in live])


def server_rows_hash(server, town: str = "FS") -> str:
    from sqlalchemy import select

    from app.sync.wire import fold_from_json
    from server.models import Case

    with server.db.read() as s:
        return rows_hash_of([fold_from_json(c.fold) for c in s.scalars(select(Case).where(Case.town == town))])


def accepted_log(desk) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from app.store.models import CaseAction

    with desk.db.read() as s:
        return sorted(s.execute(select(CaseAction.server_seq, CaseAction.id)
                                .where(CaseAction.status == "accepted")).all())


def server_log(server, town: str = "FS") -> list[tuple[int, str]]:
    from sqlalchemy import select

    from server.models import Action

    with server.db.read() as s:
        return sorted(s.execute(select(Action.seq, Action.id).where(Action.town == town)).all())


def pending(desk) -> int:
    from sqlalchemy import func, select

    from app.store.models import OutboxEntry

    with desk.db.read() as s:
        return s.scalar(select(func.count()).select_from(OutboxEntry))


def cli(*args, data_dir=None, input=None, check=False, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    exe = [sys.executable, "-m", "app.cli"] + (["--data-dir", str(data_dir)] if data_dir else [])
    env = {**os.environ, **env_extra} if env_extra else None
    return subprocess.run(exe + [str(a) for a in args], cwd=ROOT, capture_output=True, text=True, input=input,
                          check=check, timeout=120, env=env)


def server_cli(server, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.cli", "--db", server.db_url, *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def kill_on_exit():
    pids = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def sign_entry(desk, entry: dict) -> dict:
    """An action entry signed as the client would: by its actor's key on this station (the actor
    logged in here), else by the device's key (accepted only for system actors and work dated
    before the enrolment). Entries already signed, and records, are left as they are."""
    from app.errors import AppError
    from app.store.userkeys import Signer
    from app.sync import protocol as P

    if entry.get("entity") != "action" or entry.get("actor_sig") or not isinstance(entry.get("payload"), dict):
        return entry
    key = None
    actors = getattr(desk, "actors", None)
    if isinstance(actors, LoginActors):
        try:
            key = actors[str(entry["payload"].get("actor"))].key
        except AppError:
            key = None
    key = key or Signer.from_b64(desk.meta("sync.device_key"))
    return entry | {"actor_key": key.public_b64, "actor_sig": key.sign(P.action_signed_text(entry["payload"]))}


def raw_push(desk, server_url: str, entries: list[dict], chain: str | None = None, chain_next: str | None = None,
             body: bytes | None = None, headers: dict | None = None, sign: bool = True,
             expand=None, sign_actions: bool = True) -> requests.Response:
    """A push made by hand with the station's token and device key (signed like the client does),
    for tests that send what the client never would. ``body`` replaces the signed body (a replay);
    ``expand(text)`` rewrites the JSON text before it is signed (values json.dumps cannot write)."""
    from app.sync import protocol as P
    from app.sync import state as st
    from app.sync.push import sign as sign_push

    if sign_actions:
        entries = [sign_entry(desk, e) for e in entries]
    if chain is None:
        with desk.db.read() as s:
            chain = st.get(s, "chain")
    chain_next = chain_next or chain
    text = json.dumps({"entries": entries}, ensure_ascii=False, separators=(",", ":"))
    signed = (expand(text) if expand else text).encode()
    h = transport(desk).headers() | {P.H_CHAIN: chain, P.H_CHAIN_NEXT: chain_next,
                                     "Content-Type": "application/json"}
    if sign:
        h[P.H_SIGNATURE] = sign_push(desk, chain, chain_next, signed)
    return requests.post(server_url + P.API + "/push", data=body if body is not None else signed,
                         headers=h | (headers or {}), timeout=10)
