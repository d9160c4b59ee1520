"""The centre relay serves a snapshot of the town from its own store (issue 15 items 5 and 6), so a
spare laptop enrolled with the district can start while the district is down: ``towndesk sync
--peer URL`` on an empty store loads it (app/sync/snapshot_file.py, the district's format), then
pulls the relay's log as usual; when the district returns, the laptop pulls after ``upto``.

The file holds what this store holds *from the district*, as of its district cursor (``upto``):
the accepted actions in the district's order (``server_seq``), with chain values computed for a log
that starts empty; the case rows that no local or relay-held action touches (the others are folded
by the laptop from the actions; relay-held ones then arrive by the relay's pages); the reference
records (no password hashes); the digest of the accepted log. Built through ``ATTACH`` of a fresh
SQLCipher file under a one-time key, rows copied with ``INSERT … SELECT``; kept while the district
cursor and the accepted count are unchanged (while the district is down, that is until it returns).
"""
from __future__ import annotations

import atexit
import json
import secrets
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select

from app.store import chain, search
from app.store.bulk import CASE_COLUMNS
from app.store.outbox import record_payload
from app.store.types import dumps
from app.sync import protocol as P
from app.sync import records as rec
from app.sync import state as st
from app.sync.snapshot_file import FORMAT, create_tables

_CONTENT = chain.LOGS["case_actions"]
_CASE_COLS = ", ".join(CASE_COLUMNS)
_WIDTH = len(_CONTENT)


def build(desk, target: Path) -> tuple[str, dict]:
    """Write the relay's snapshot to ``target``; returns (key hex, head)."""
    key = secrets.token_hex(32)
    with desk.db.read() as s:  # the records through the ORM (a handful), before the raw copy
        records = []
        for entity, model in rec.MODELS.items():
            for row in s.scalars(select(model)):
                data = {k: v for k, v in record_payload(row).items() if k not in P.LOCAL_FIELDS and k != "password_hash"}
                records.append((entity, row.id, row.owner_level, int(bool(row.deleted)), dumps(data)))
    raw = desk.db.raw()
    try:
        raw.isolation_level = None
        raw.execute("ATTACH DATABASE ? AS snap KEY ?", (str(target), f"x'{key}'"))
        raw.execute("PRAGMA snap.journal_mode = OFF")
        raw.execute("BEGIN")
        create_tables(raw, "snap")
        upto = int(raw.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()[0])
        count = int((raw.execute("SELECT value FROM sync_state WHERE key = 'digest.count'").fetchone() or [0])[0])
        xor = int((raw.execute("SELECT value FROM sync_state WHERE key = 'digest.xor'").fetchone() or [0])[0])
        raw.executemany("INSERT INTO snap.records (entity, id, owner_level, deleted, data) VALUES (?,?,?,?,?)",
                        records)
        cols = ", ".join(_CONTENT)
        n_actions = raw.execute(f"INSERT INTO snap.actions (seq, {cols}) SELECT server_seq, {cols} "
                                "FROM main.case_actions WHERE status = 'accepted' ORDER BY server_seq").rowcount
        prev, after = chain.GENESIS, 0
        while True:  # chain values for a log that starts empty (this store's own cover its local order)
            rows = raw.execute(f"SELECT seq, {cols} FROM snap.actions WHERE seq > ? ORDER BY seq LIMIT 20000",
                               (after,)).fetchall()
            if not rows:
                break
            values = chain.links(prev, [r[1:] for r in rows], _WIDTH)
            raw.executemany("UPDATE snap.actions SET chain = ? WHERE seq = ?",
                            zip(values, (r[0] for r in rows), strict=True))
            prev, after = values[-1], rows[-1][0]
        n_cases = raw.execute(
            f"INSERT INTO snap.cases (rid, {_CASE_COLS}, doc) SELECT c.rid, "
            f"{', '.join('c.' + c for c in CASE_COLUMNS)}, f.body FROM main.cases c "
            f"JOIN main.{search.FTS_TABLE} f ON f.rowid = c.rid WHERE NOT EXISTS (SELECT 1 FROM main.case_actions a "
            "WHERE a.case_id = c.id AND a.status IN ('local', 'lan')) "
            "AND EXISTS (SELECT 1 FROM main.case_actions a WHERE a.case_id = c.id AND a.status = 'accepted')").rowcount
        head = {"format": FORMAT, "upto": upto, "digest": {"upto": upto, "count": count, "hash": P.digest_hex(xor)},
                "counts": {"records": len(records), "actions": n_actions, "cases": n_cases}}
        raw.executemany("INSERT INTO snap.head VALUES (?, ?)", [(k, json.dumps(v)) for k, v in head.items()])
        raw.execute("COMMIT")
        raw.execute("DETACH DATABASE snap")
    finally:
        raw.close()
    return key, head


class RelaySnapshots:
    """The relay's last built snapshot, kept while its district cursor and accepted count stand."""

    def __init__(self, desk):
        self.desk = desk
        self.dir: Path | None = None  # made on the first build, removed on close or at exit
        self._lock = threading.Lock()
        self._kept: tuple | None = None  # (mark, path, key, head)

    def _mark(self) -> tuple:
        with self.desk.db.read() as s:
            return st.cursor(s), st.get(s, "digest.count", "0"), st.get(s, "digest.xor", "0")

    def get(self) -> tuple[Path, str, dict]:
        with self._lock:
            mark = self._mark()
            if self._kept and self._kept[0] == mark and self._kept[1].exists():
                return self._kept[1:]
            if self.dir is None:
                self.dir = Path(tempfile.mkdtemp(prefix="towndesk-relay-snapshot-"))
                atexit.register(self.close)
            path = self.dir / f"snapshot-{time.time_ns()}.db"
            try:
                key, head = build(self.desk, path)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            if self._kept:
                try:
                    self._kept[1].unlink(missing_ok=True)
                except OSError:
                    pass
            self._kept = (mark, path, key, head)
            return path, key, head

    def close(self) -> None:
        import shutil

        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
