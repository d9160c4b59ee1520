"""A new workstation starts from a pre-built snapshot database (issue 15 item 6; the file is
described in server/snapshot_file.py): downloaded to ``snapshot.partial`` beside the store (a
SQLCipher file under a one-time key held only in memory), ATTACHed, and copied with
``INSERT … SELECT`` — rows, chain values and search documents come built, so the load does no
per-row Python except one pass over the action log that checks every chain value from the start
of the log and sums the digest.

Guarantees as the line-by-line loader (app/sync/snapshot.py): ONE transaction with the cursor
(``upto``) and the digest (a workstation killed in the middle is left empty at cursor 0); a cut
download, a file whose counts, columns, action kinds or times the store cannot take, or a chain
value that is not the one this workstation computes is refused with ``bad_reply`` before anything
is written (the round then reads pages, which quarantine what cannot be kept); a server without
the file (404/405, or 409 when it cannot build one) leaves the store untouched (NoSnapshot).
"""
from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import time
import zlib
from pathlib import Path

import requests
import sqlcipher3
import urllib3
from sqlalchemy import text

from app.domain.actions import ACTIONS
from app.store import bulk, chain, search
from app.sync import protocol as P
from app.sync import records as rec
from app.sync import state as st
from app.sync.pull import PULL_READS_INDEXES, _raw
from app.sync.refold import refold
from app.sync.snapshot import _EARLIEST, _LATEST, NoSnapshot
from app.sync.transport import SyncError, Transport

log = logging.getLogger("towndesk.sync")
FORMAT = 1
PARTIAL = "snapshot.partial"
_CONTENT = chain.LOGS["case_actions"]
_ACTION_COPY = (f"INSERT INTO main.case_actions ({', '.join(_CONTENT)}, status, server_seq, verdict, chain) "
                f"SELECT {', '.join(_CONTENT)}, 'accepted', seq, NULL, chain FROM snap.actions "
                "WHERE kind IN ({kinds}) AND at >= ? AND at < ? ORDER BY seq")
_CASE_COLS = ", ".join(bulk.CASE_COLUMNS)
ACTION_COLUMNS = ("seq", *_CONTENT, "chain")


def create_tables(con, schema: str = "main") -> None:
    """The file's tables (server/snapshot_file.py describes them), on the sending side."""
    con.execute(f"CREATE TABLE {schema}.head (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    con.execute(f"CREATE TABLE {schema}.records (n INTEGER PRIMARY KEY, entity TEXT, id TEXT, owner_level TEXT, "
                "deleted INTEGER, data TEXT)")
    con.execute(f"CREATE TABLE {schema}.actions (seq INTEGER PRIMARY KEY, {', '.join(ACTION_COLUMNS[1:])})")
    con.execute(f"CREATE TABLE {schema}.cases (rid INTEGER PRIMARY KEY, {_CASE_COLS}, doc TEXT)")


def _bad(message: str) -> SyncError:
    return SyncError(f"同步服务器返回的快照{message}，本机数据未受影响，改为逐页同步", code="bad_reply")


def download(t: Transport, target: Path) -> str:
    """The file into ``target`` (gzip decoded); returns its key. Raises NoSnapshot."""
    try:
        r = t.call("GET", P.API + "/snapshot.db", stream=True)
    except SyncError as e:
        if e.status in (404, 405, 409):
            raise NoSnapshot from None
        raise
    size = 0
    try:
        key = r.headers.get("X-Snapshot-Key", "")
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise _bad("缺少密钥")
        z = zlib.decompressobj(31) if r.headers.get("Content-Encoding") == "gzip" else None
        length = r.headers.get("Content-Length")
        with open(target, "wb") as out:
            for chunk in r.raw.stream(1 << 20, decode_content=False):
                size += len(chunk)
                out.write(z.decompress(chunk) if z else chunk)
            if z:
                out.write(z.flush())
        if (z and not z.eof) or (length is not None and not z and int(length) != size):
            raise _bad("传输中断")
        return key
    except zlib.error:
        raise _bad("无法解压") from None
    except (requests.RequestException, urllib3.exceptions.HTTPError, ValueError):  # cut mid-way
        raise _bad("传输中断") from None
    finally:
        t.bytes_received += size
        r.close()


def bootstrap(desk, t: Transport, progress=None) -> dict:
    """Load the server's snapshot file into an empty store; returns counts."""
    if desk.db.key is None:  # a plain store cannot ATTACH a keyed file: the JSON lines do it
        raise NoSnapshot
    path = desk.root / PARTIAL
    _remove(path)  # a load killed before leaves an unreadable file (its key died with it)
    try:
        started = time.perf_counter()
        key = download(t, path)
        fetched = round(time.perf_counter() - started, 3)
        out = _load(desk, path, key, progress)
        out["seconds"] = {"download": fetched, **out["seconds"]}
        return out
    finally:
        _remove(path)


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-journal")):
        p.unlink(missing_ok=True)


def _load(desk, path: Path, key: str, progress) -> dict:
    _raw(desk, lambda conn: bulk.drop_secondary_indexes(conn, keep=PULL_READS_INDEXES))
    commit = indexes = 0.0
    try:
        with desk.db.engine.connect() as sa:
            raw = sa.connection.driver_connection  # ATTACH is refused inside a transaction: before BEGIN
            cache = raw.execute("PRAGMA cache_size").fetchone()[0]
            try:
                raw.execute("ATTACH DATABASE ? AS snap KEY ?", (str(path), f"x'{key}'"))
            except (sqlite3.DatabaseError, sqlcipher3.DatabaseError) as e:
                raise _bad(f"无法读取（{type(e).__name__}）") from None
            try:  # from here the pooled connection is given back as it was: detached, its cache size
                raw.execute(f"PRAGMA cache_size = {bulk.LOAD_CACHE_KIB}")  # the id index and FTS stay in memory
                try:
                    raw.execute("SELECT count(*) FROM snap.sqlite_master").fetchone()
                except (sqlite3.DatabaseError, sqlcipher3.DatabaseError) as e:  # not a database under this key
                    raise _bad(f"无法读取（{type(e).__name__}）") from None
                with desk.db.Session(bind=sa) as s:
                    with s.begin():
                        s.execute(text("PRAGMA defer_foreign_keys = ON"))
                        try:
                            out = _copy(s, raw, progress)
                        except (sqlite3.DatabaseError, sqlcipher3.DatabaseError) as e:  # damaged/cut file
                            raise _bad(f"无法读取（{type(e).__name__}）") from None
                        commit = time.perf_counter()
                    commit = time.perf_counter() - commit
            finally:
                raw.execute("DETACH DATABASE snap")
                raw.execute(f"PRAGMA cache_size = {int(cache)}")
    finally:
        indexes = time.perf_counter()
        _raw(desk, bulk.restore_indexes)
        indexes = time.perf_counter() - indexes
    desk.invalidate()
    out["seconds"].update(commit=round(commit, 3), indexes=round(indexes, 3))
    return out


def _head(raw) -> dict:
    try:
        head = {k: json.loads(v) for k, v in raw.execute("SELECT key, value FROM snap.head")}
        cases = {r[1] for r in raw.execute("PRAGMA snap.table_info(cases)")}
        actions = {r[1] for r in raw.execute("PRAGMA snap.table_info(actions)")}
    except (sqlite3.DatabaseError, sqlcipher3.DatabaseError, ValueError, TypeError) as e:
        raise _bad(f"无法读取（{type(e).__name__}）") from None
    if head.get("format") != FORMAT or not {"upto", "counts"} <= head.keys():
        raise _bad("格式不受支持")
    if not set(bulk.CASE_COLUMNS) | {"rid", "doc"} <= cases or not {"seq", "chain", *_CONTENT} <= actions:
        raise _bad("缺少本机需要的列")
    return head


def _copy(s, raw, progress) -> dict:
    steps, t0 = {}, time.perf_counter()

    def step(name: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        steps[name] = round(now - t0, 3)
        t0 = now

    head = _head(raw)
    counts = head["counts"]
    if raw.execute("SELECT count(*) FROM main.case_actions").fetchone()[0] or chain._head(raw, "case_actions"):
        raise _bad("只能装入空的本机数据")  # the engine only asks for one when nothing was pulled
    _check_links(raw)
    step("checks")
    # only rows this store can keep are copied (a kind it knows, a time within bounds): one pass
    kinds = sorted(ACTIONS)
    n_actions = raw.execute(_ACTION_COPY.format(kinds=",".join("?" * len(kinds))),
                            (*kinds, _EARLIEST, _LATEST)).rowcount
    if n_actions != counts.get("actions"):
        bad = raw.execute(f"SELECT seq FROM snap.actions WHERE kind NOT IN ({','.join('?' * len(kinds))}) "
                          "OR at IS NULL OR at < ? OR at >= ? LIMIT 1", (*kinds, _EARLIEST, _LATEST)).fetchone()
        raise _bad(f"中的操作（序号 {bad[0]}）无法在本机保存" if bad else "内容与其计数不符")  # rolled back
    step("actions")
    if progress:
        progress(n_actions, None)
    if n_actions:
        seq, last = raw.execute("SELECT seq, chain FROM main.case_actions ORDER BY seq DESC LIMIT 1").fetchone()
        raw.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                    (chain._key("case_actions"), json.dumps({"seq": seq, "hash": last, "count": n_actions})))
    records = [(e, i, {k: v for k, v in json.loads(d).items() if k not in P.LOCAL_FIELDS}, bool(x), o)
               for e, i, o, x, d in raw.execute("SELECT entity, id, owner_level, deleted, data FROM snap.records "
                                                "ORDER BY n")]
    n_records = len(records)
    records = [r for r in records if r[0] in P.RECORD_ENTITIES]
    if records:  # before the case rows: a case row refers to its units and grids
        rec.merge_many(s, records, {})
        s.flush()
    step("records")
    off = raw.execute("SELECT coalesce(max(rid), 0) FROM main.cases").fetchone()[0]
    n_cases = raw.execute(f"INSERT INTO main.cases (rid, {_CASE_COLS}) SELECT rid + ?, {_CASE_COLS} "
                          "FROM snap.cases ORDER BY rid", (off,)).rowcount
    step("cases")
    raw.execute(f"INSERT INTO main.{search.FTS_TABLE}(rowid, body) SELECT rid + ?, doc FROM snap.cases", (off,))
    step("search")
    if (n_actions, n_cases, n_records) != (counts.get("actions"), counts.get("cases"), counts.get("records")):
        raise _bad("内容与其计数不符")  # the transaction rolls back
    missing = {r[0] for r in raw.execute("SELECT DISTINCT case_id FROM main.case_actions WHERE case_id NOT IN "
                                         "(SELECT id FROM main.cases)")}
    if missing:  # changed after upto on the server: fold them here from their actions
        refold(s, missing)
    step("folded_here")
    # The district's content digest as of upto (counted against the rows copied): hashing 650k
    # actions here would cost seconds; the first round's full recomputation (no digest.full_at
    # yet, app.sync.engine._full_due) checks it against the table.
    digest = head.get("digest") if isinstance(head.get("digest"), dict) else {}
    try:
        xor = int(str(digest.get("hash")), 16)
    except ValueError:
        raise _bad("摘要无效") from None
    if digest.get("count") != n_actions:
        raise _bad("摘要与操作数不符")
    step("digest")
    upto = int(head["upto"])
    st.put(s, "cursor", upto)
    st.put(s, "digest.count", n_actions)
    st.put(s, "digest.xor", xor)
    st.put(s, "digest.kind", st.DIGEST_KIND)
    return {"upto": upto, "actions": n_actions, "records": len(records), "cases": n_cases,
            "folded_here": len(missing), "form": "file", "seconds": steps}


SAMPLE = 2000  # random links checked, besides the first and the last RUN rows
RUN = 500


def _check_links(raw) -> None:
    """The file's chain values are the sender's claim: each is checked as ``link(value of the row
    before, content)`` over the first and last RUN rows and SAMPLE random rows (any row's link can
    be checked alone), so a sender that chains differently is refused. The whole chain is
    recomputed on demand by ``towndesk audit verify`` / ``check``."""
    cols = ", ".join(_CONTENT)
    row = f"SELECT seq, {cols}, chain FROM snap.actions"
    runs = [raw.execute(f"{row} ORDER BY seq LIMIT {RUN}").fetchall(),
            raw.execute(f"SELECT * FROM ({row} ORDER BY seq DESC LIMIT {RUN + 1}) ORDER BY seq").fetchall()]
    top = raw.execute("SELECT max(seq) FROM snap.actions").fetchone()[0] or 0
    for at in sorted({secrets.randbelow(top) + 1 for _ in range(SAMPLE)}) if top else ():
        # seqs are the district's, not dense: the row at or after each pick, after the one before it
        runs.append(raw.execute(f"SELECT * FROM ({row} WHERE seq < ? ORDER BY seq DESC LIMIT 1) UNION ALL "
                                f"SELECT * FROM ({row} WHERE seq >= ? ORDER BY seq LIMIT 1)", (at, at)).fetchall())
    pairs = [(chain.GENESIS, runs[0][0])] if runs[0] else []  # the first row links to the genesis value
    for run in runs:
        pairs += [(run[i - 1][-1], run[i]) for i in range(1, len(run))]
    for prev, r in pairs:
        if chain.link(prev, r[1:-1]) != r[-1]:
            raise _bad(f"中的操作链值（序号 {r[0]}）与本机计算的不符")
