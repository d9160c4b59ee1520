"""Snapshot enrolment as a pre-built database (issue 15 item 6, second form).

``GET /api/v1/snapshot.db`` answers a SQLCipher file keyed with a one-time key that
travels in the ``X-Snapshot-Key`` reply header (so the copy a spare laptop writes to its disk
while loading it is unreadable once the load is over: the key is never stored). Its tables hold
the town as of ``upto`` in the *workstation's* storage form, so the workstation copies them with
``INSERT … SELECT`` and does no per-row Python (app/sync/snapshot_file.py):

``head(key, value)`` — ``format`` (1), ``upto``, ``digest`` (JSON), ``counts`` (JSON);
``records(n, entity, id, owner_level, deleted, data)`` — every reference record's current state
(``data`` JSON, password hashes left out as in the change log);
``actions(seq, id, case_id, kind, at, actor, actor_name, actor_role, actor_unit, payload,
device_id, chain)`` — every accepted action with ``seq <= upto`` in order, ``at``/``payload`` in
storage form, ``chain`` the value app.store.chain gives it in a log that starts empty;
``cases(rid, <the workstation's case columns>, doc)`` — the district's fold of every case whose
last change is ``<= upto``, as a ``cases`` row, with its search document.

Building costs per-row Python on the district (the same work the JSON-lines snapshot made each
workstation do), so a built file is kept (per town, in a private temp folder, key in memory only)
and served again while the town has moved on by at most ``STALE`` changes and 5 % of the
actions it holds (a small town's file is simply built again): the workstation pulls
the later ones by page, as after any snapshot. An action that cannot be put in storage form makes
the build answer 409: the workstation then reads pages, which quarantine what it cannot keep.
"""
from __future__ import annotations

import atexit
import json
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
import sqlcipher3
from sqlalchemy import select

from app.store import chain, search
from app.store.bulk import CASE_COLUMNS, state_tuple
from app.store.types import dumps
from app.sync.refold import _search_values
from app.sync.snapshot_file import ACTION_COLUMNS, FORMAT, create_tables
from app.sync.wire import fold_from_json
from server import directory
from server.auth import ApiError
from server.changes import digest_of
from server.models import Action, Case, Record, Town
from server.snapshot import _stored_at

STALE = 2000  # changes a kept file may lag behind the town (and 5 % of its actions) before a rebuild
CHUNK = 5000
_WIDTH = len(chain.LOGS["case_actions"])


@dataclass
class Built:
    path: Path  # the encrypted file
    key: str  # hex of the one-time 32-byte key
    upto: int
    size: int
    seconds: float
    actions: int


class Unstorable(Exception):
    pass


def build(db, town_code: str, target: Path) -> tuple[str, int, int]:
    """Write the snapshot of ``town_code`` to ``target`` (a SQLCipher file under a fresh key);
    returns (key hex, upto, actions). Raises Unstorable when an action cannot be put in storage form."""
    key = secrets.token_hex(32)
    con = sqlcipher3.connect(str(target), isolation_level=None)
    try:
        con.execute(f"PRAGMA key = \"x'{key}'\"")
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("BEGIN")
        create_tables(con)
        with db.read() as s:
            town = s.get(Town, town_code)
            if town is None:
                raise ApiError(401, "auth_invalid", "镇街不存在")
            upto, digest = town.last_seq, digest_of(town)
            counts = {"records": 0, "actions": 0, "cases": 0}
            rows = []
            for r in s.execute(select(Record.entity, Record.id, Record.owner_level, Record.deleted, Record.data)
                               .where(Record.scope.in_([town_code, "*"])).order_by(Record.seq)):
                data = json.loads(r.data)
                if r.entity == "user":  # as the change log carries it: never the password hash
                    data = directory.public_fields(data)
                rows.append((r.entity, r.id, r.owner_level, int(bool(r.deleted)), dumps(data)))
            con.executemany("INSERT INTO records (entity, id, owner_level, deleted, data) VALUES (?,?,?,?,?)", rows)
            counts["records"] = len(rows)
            conn = s.connection()  # Core rows: the ORM's row loading costs as much as the rest
            prev = chain.GENESIS
            stmt = (select(Action.seq, Action.data).where(Action.town == town_code, Action.seq <= upto)
                    .order_by(Action.seq).execution_options(yield_per=CHUNK))
            insert = f"INSERT INTO actions VALUES ({','.join('?' * len(ACTION_COLUMNS))})"
            batch = []
            for seq, data in conn.execute(stmt):
                try:
                    a = orjson.loads(data)
                    batch.append((seq, a["id"], a["case_id"], a["kind"], _stored_at(a["at"]), a["actor"],
                                  a["actor_name"], a["actor_role"], a.get("actor_unit"), dumps(a["payload"]),
                                  a["device_id"]))
                except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as e:
                    raise Unstorable(f"{seq}: {type(e).__name__}") from None
                if len(batch) >= CHUNK:
                    prev = _actions(con, insert, batch, prev)
                    counts["actions"] += len(batch)
                    batch = []
            if batch:
                _actions(con, insert, batch, prev)
                counts["actions"] += len(batch)
            stmt = (select(Case.fold).where(Case.town == town_code, Case.last_seq <= upto)
                    .execution_options(yield_per=CHUNK))
            insert = f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}, doc) VALUES ({','.join('?' * (len(CASE_COLUMNS) + 1))})"
            batch = []
            for (fold,) in conn.execute(stmt):
                x = fold_from_json(fold)
                batch.append((*state_tuple(x), search.document_of(_search_values(x))))
                if len(batch) >= CHUNK:
                    con.executemany(insert, batch)
                    counts["cases"] += len(batch)
                    batch = []
            con.executemany(insert, batch)
            counts["cases"] += len(batch)
        head = {"format": FORMAT, "upto": upto, "digest": digest, "counts": counts}
        con.executemany("INSERT INTO head VALUES (?, ?)", [(k, json.dumps(v)) for k, v in head.items()])
        con.execute("COMMIT")
    finally:
        con.close()
    return key, upto, counts["actions"]


def _actions(con, insert: str, batch: list, prev: str) -> str:
    values = chain.links(prev, [row[1:] for row in batch], _WIDTH)
    con.executemany(insert, [(*row, c) for row, c in zip(batch, values, strict=True)])
    return values[-1]


class Cache:
    """The last built snapshot per town, kept while it lags the town by at most STALE changes."""

    def __init__(self):
        self.dir: Path | None = None  # made on the first build (a killed server leaves no empty folder)
        self._built: dict[str, Built] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, db, town_code: str) -> Built:
        with self._guard:
            lock = self._locks.setdefault(town_code, threading.Lock())
        with lock:  # one build per town at a time; the others wait for it and share it
            with db.read() as s:
                town = s.get(Town, town_code)
                last = town.last_seq if town else 0
            kept = self._built.get(town_code)
            if kept and kept.path.exists() and 0 <= last - kept.upto <= min(STALE, kept.actions // 20):
                return kept
            started = time.perf_counter()
            with self._guard:
                if self.dir is None:
                    self.dir = Path(tempfile.mkdtemp(prefix="towndesk-snapshots-"))
                    atexit.register(self.close)
            plain = self.dir / f"{town_code}-{time.time_ns()}.db"
            try:
                key, upto, actions = build(db, town_code, plain)
            except BaseException:
                plain.unlink(missing_ok=True)
                raise
            built = Built(plain, key, upto, plain.stat().st_size, time.perf_counter() - started, actions)
            if kept:
                try:
                    kept.path.unlink(missing_ok=True)  # a reader still streaming it keeps its open handle
                except OSError:
                    pass  # (Windows: still open) left for close()
            self._built[town_code] = built
            return built

    def close(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


def stream(path: Path):
    """The kept file's bytes (not gzip-coded: ciphertext does not compress)."""
    fh = open(path, "rb")  # opened now: a rebuild may unlink the name while the reply streams
    src = fh

    def chunks():
        try:
            while True:
                block = src.read(1 << 20)
                if not block:
                    return
                yield block
        finally:
            src.close()

    return chunks()


__all__ = ["Cache", "Unstorable", "build", "stream", "FORMAT", "STALE"]
