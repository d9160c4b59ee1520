"""A new workstation starts from a snapshot (issue 15 item 6): the town as of a sequence number in
one stream (server/snapshot.py describes the lines), then the later changes by page.

Applied in ONE transaction with the cursor (``upto``) and the digest: a workstation killed in the
middle is left empty at cursor 0 and starts again. As in a first pull, the secondary indexes of
``cases`` and ``case_actions`` are dropped for the load and rebuilt once (app/store/bulk.py; an
interrupted load gets them back on the next open). Action rows arrive in storage form and go in
with one ``executemany`` per chunk; case rows come from the district's folds (cases changed after
``upto`` are folded here from their actions); records are merged as from pages.

A server that has no snapshot (404: an older district, a relay) leaves the store untouched and the
first pull reads pages as before.
"""
from __future__ import annotations

import gc
import logging
import zlib

import orjson
from sqlalchemy import text

from app.domain.actions import ACTIONS
from app.domain.schema import EARLIEST
from app.store import bulk, chain, search
from app.store.types import to_sql_dt
from app.sync import protocol as P
from app.sync import records as rec
from app.sync import state as st
from app.sync.decode import LATEST
from app.sync.pull import _INSERT_ACTION, PULL_READS_INDEXES, _raw
from app.sync.refold import _INSERT_CASE, _search_values, refold
from app.sync.transport import SyncError, Transport
from app.sync.wire import fold_from_json

log = logging.getLogger("towndesk.sync")
# the storage form of the times a pulled action may have (app.sync.decode: the same bounds)
_EARLIEST = to_sql_dt(EARLIEST)
_LATEST = to_sql_dt(LATEST)
CHUNK = 20_000
# the chain values go in with the rows (app.store.chain.extend_bulk): no second pass at commit
_INSERT_CHAINED = _INSERT_ACTION.replace(", server_seq, verdict)", ", server_seq, verdict, chain)").replace(
    "?)", "?,?)")


class NoSnapshot(Exception):
    """The server serves no snapshot: read pages instead."""


def fetch_lines(t: Transport):
    """The snapshot's lines, parsed, as they stream in (gzip decoded here)."""
    try:
        r = t.call("GET", P.API + "/snapshot", stream=True)  # gzip asked for as for pages (Transport.headers)
    except SyncError as e:
        if e.status in (404, 405):
            raise NoSnapshot from None
        raise
    z = zlib.decompressobj(31) if r.headers.get("Content-Encoding") == "gzip" else None
    rest = b""
    size = 0
    try:
        for chunk in r.raw.stream(1 << 20, decode_content=False):
            size += len(chunk)
            data = rest + (z.decompress(chunk) if z else chunk)
            *whole, rest = data.split(b"\n")
            for line in whole:
                yield orjson.loads(line)
        tail = rest + (z.flush() if z else b"")
        if tail.strip():
            yield orjson.loads(tail)
    except (orjson.JSONDecodeError, zlib.error):
        raise SyncError("同步服务器返回的快照无法解析，本机数据未受影响，稍后重试", code="bad_reply") from None
    finally:
        t.bytes_received += size
        r.close()


def bootstrap(desk, t: Transport, progress=None) -> dict:
    """Load the snapshot into an empty store; returns counts. Raises NoSnapshot (store untouched)."""
    lines = fetch_lines(t)
    head = next(lines, None)
    if not head or head[0] != "h":
        raise SyncError("同步服务器返回的快照不完整，本机数据未受影响，稍后重试", code="bad_reply")
    upto = int(head[1]["upto"])
    _raw(desk, lambda conn: bulk.drop_secondary_indexes(conn, keep=PULL_READS_INDEXES))
    out = {"upto": upto, "actions": 0, "records": 0, "cases": 0, "folded_here": 0}
    gc_was = gc.isenabled()
    gc.disable()
    try:
        with desk.db.tx() as s:
            s.execute(text("PRAGMA defer_foreign_keys = ON"))
            _load(s, lines, out, progress)
            st.put(s, "cursor", upto)
    finally:
        if gc_was:
            gc.enable()
        _raw(desk, bulk.restore_indexes)
    desk.invalidate()
    return out


def _load(s, lines, out: dict, progress) -> None:
    conn = s.connection()
    records, actions, folds, seen_cases = [], [], [], set()
    expected: dict = {}
    ended = False
    xor = 0
    for line in lines:
        kind = line[0]
        if kind == "a":
            _, seq, aid, cid, akind, at, actor, name, role, unit, payload, device = line
            if akind not in ACTIONS or not (_EARLIEST <= str(at) < _LATEST):
                raise SyncError(f"快照中的操作 {aid} 无法在本机保存，改为逐页同步", code="bad_reply")
            actions.append((aid, cid, akind, at, actor, name, role, unit, payload, device, "accepted", seq, None))
            xor ^= P.stored_action_hash((aid, cid, akind, at, actor, name, role, unit, payload, device))
            seen_cases.add(cid)
            if len(actions) >= CHUNK:
                _insert_actions(conn, actions)
                out["actions"] += len(actions)
                actions = []
                if progress:
                    progress(out["actions"], None)
        elif kind == "c":
            folds.append(fold_from_json(line[2]))
            if len(folds) >= CHUNK:
                _cases(s, conn, folds, out)
                folds = []
        elif kind == "r":
            _, entity, rid, owner, deleted, fields = line
            if entity in P.RECORD_ENTITIES:
                records.append((entity, rid, {k: v for k, v in fields.items() if k not in P.LOCAL_FIELDS},
                                bool(deleted), owner))
        elif kind == "x":
            raise SyncError(f"快照中的变更 {line[1]} 无法在本机保存，改为逐页同步", code="bad_reply")
        elif kind == "e":
            ended = True
            expected = line[1]
    if not ended:
        raise SyncError("快照传输中断，本机数据未受影响，稍后重试", code="bad_reply")
    if actions:
        _insert_actions(conn, actions)
        out["actions"] += len(actions)
    if records:  # before the case rows: a case row refers to its units and grids
        rec.merge_many(s, records, {})
        out["records"] = len(records)
    if folds:
        _cases(s, conn, folds, out)
    if out["actions"] != expected["actions"] or out["cases"] != expected["cases"]:
        raise SyncError("快照内容与其结尾的计数不符，本机数据未受影响，稍后重试", code="bad_reply")
    folded = {r[0] for r in conn.exec_driver_sql("SELECT id FROM cases")}
    missing = seen_cases - folded
    if missing:  # changed after upto on the server: fold them here from their actions
        refold(s, missing)
        out["folded_here"] = len(missing)
    st.put(s, "digest.count", out["actions"])
    st.put(s, "digest.xor", xor)
    st.put(s, "digest.kind", st.DIGEST_KIND)


def _insert_actions(conn, actions: list) -> None:
    """One chunk of action rows (storage form), chained as they go in when the log's head is at
    its last row (always, on the fresh store a snapshot loads); else the commit chains them."""
    cur = chain._dbapi(conn).cursor()
    try:
        chained = chain.extend_bulk(cur, "case_actions", actions)
        if chained is None:
            cur.executemany(_INSERT_ACTION, actions)
        else:
            cur.executemany(_INSERT_CHAINED, [a + (c,) for a, c in zip(actions, chained, strict=True)])
    finally:
        cur.close()


def _cases(s, conn, states: list, out: dict) -> None:
    cur = chain._dbapi(conn).cursor()
    try:
        # rids are handed out in order after the largest (one INSERT, nothing else writes cases here)
        first = cur.execute("SELECT coalesce(max(rid), 0) FROM cases").fetchone()[0] + 1
        cur.executemany(_INSERT_CASE, [bulk.state_tuple(x) for x in states])
        cur.executemany(f"INSERT INTO {search.FTS_TABLE}(rowid, body) VALUES (?, ?)",
                        [(first + i, search.document_of(_search_values(x))) for i, x in enumerate(states)])
    finally:
        cur.close()
    out["cases"] += len(states)
