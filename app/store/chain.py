"""Tamper evidence: the action log and the audit log are hash chains.

Each entry's ``chain`` is sha256(previous entry's chain + the digest of its own content), in the
local order (``seq``); the head (last seq, its chain, the number of entries) is kept in ``meta``.
Every committing transaction extends both chains over the rows it added (a ``before_commit`` hook
in app.store.db), whatever wrote them (ORM, the sync's raw inserts, the demo's bulk load).

The content of an action is what never changes once written (id, case, kind, time, who, payload,
device); the sync's bookkeeping on it (status, server_seq, verdict) is not covered. :func:`verify`
walks both chains and names the first entry that was edited, deleted, reordered or added outside
the program. Someone holding the store's key can recompute a chain; anchoring its head elsewhere
(the district server) is what would catch that (docs/SECURITY.md).
"""
from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64
LOGS = {
    "case_actions": ("id", "case_id", "kind", "at", "actor", "actor_name", "actor_role", "actor_unit", "payload",
                     "device_id"),
    "audit_log": ("id", "at", "actor", "action", "target", "detail"),
}
LABELS = {"case_actions": "案件操作日志", "audit_log": "审计日志"}
REASONS = {"edited": "内容被改动", "deleted": "之前的记录被删除", "reordered": "顺序被调换",
           "unsealed": "不在链上（在程序之外写入或链值被清除）", "truncated": "末尾的记录被删除",
           "head_missing": "链头记录缺失",
           "anchor_mismatch": "与区级服务器锚定的链值不符（该条或之前的记录被改动、删除，且其后的哈希链被重新计算）",
           "anchor_missing": "区级服务器锚定的这一条已不在本机日志中（末尾的记录被删除，或恢复了更早的数据）"}
_SEP = "\x1f"


def _key(log: str) -> str:
    return f"chain.{log}"


def digest(values) -> bytes:
    return hashlib.sha256(_SEP.join("\x00" if v is None else str(v) for v in values).encode()).digest()


def link(prev: str, values) -> str:
    return hashlib.sha256(bytes.fromhex(prev) + digest(values)).hexdigest()


def links(prev: str, rows, width: int) -> list[str]:
    """The chain values of ``rows`` (content first, ``width`` columns) after ``prev``, in order: the
    same as :func:`link` row by row, with the previous value kept as bytes (bulk loads hash
    hundreds of thousands of rows)."""
    sha, sep, out = hashlib.sha256, _SEP, []
    append, p = out.append, bytes.fromhex(prev)
    for row in rows:
        d = sha(sep.join(["\x00" if v is None else str(v) for v in row[:width]]).encode()).digest()
        p = sha(p + d).digest()
        append(p.hex())
    return out


def _dbapi(conn):
    """The DB-API connection under a SQLAlchemy Connection (same transaction), or ``conn`` itself:
    the chain is extended by ORM commits and by app.store.db.Database.raw_tx alike, and needs no
    SQLAlchemy of its own (a read command's audit entry is written without it)."""
    return conn.connection.driver_connection if hasattr(conn, "exec_driver_sql") else conn


def _head(conn, log: str) -> dict | None:
    row = _dbapi(conn).execute("SELECT value FROM meta WHERE key = ?", (_key(log),)).fetchone()
    return json.loads(row[0]) if row else None


BATCH = 20_000


def extend(conn) -> int:
    """Chain the rows added since the heads (in the caller's transaction), a batch at a time (a
    bulk load adds millions). Returns how many."""
    conn = _dbapi(conn)
    total = 0
    for log, cols in LOGS.items():
        head = _head(conn, log) or {"seq": 0, "hash": GENESIS, "count": 0}
        start = dict(head)
        while True:
            rows = conn.execute(f"SELECT seq, {', '.join(cols)} FROM {log} WHERE seq > ? "
                                f"ORDER BY seq LIMIT {BATCH}", (head["seq"],)).fetchall()
            if not rows:
                break
            hashes = links(head["hash"], [row[1:] for row in rows], len(cols))
            prev = hashes[-1]
            conn.executemany(f"UPDATE {log} SET chain = ? WHERE seq = ?",
                             zip(hashes, (row[0] for row in rows), strict=True))
            head = {"seq": rows[-1][0], "hash": prev, "count": head["count"] + len(rows)}
            total += len(rows)
            if len(rows) < BATCH:
                break
        if head != start:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (_key(log), json.dumps(head)))
    return total


def extend_bulk(cur, log: str, rows: list[tuple]) -> list[str] | None:
    """Chain values for ``rows`` about to be appended with a raw ``executemany`` (content columns
    first, in LOGS order), and the head moved past them — or None when the log already has rows
    beyond its head (then the next commit's :func:`extend` chains everything in order). ``cur`` is
    a DB-API cursor inside the caller's transaction; the rows must get the next seqs."""
    cur.execute("SELECT value FROM meta WHERE key = ?", (_key(log),))
    found = cur.fetchone()
    head = json.loads(found[0]) if found else {"seq": 0, "hash": GENESIS, "count": 0}
    cur.execute(f"SELECT coalesce(max(seq), 0) FROM {log}")
    if cur.fetchone()[0] != head["seq"] or not rows:
        return None
    out = links(head["hash"], rows, len(LOGS[log]))
    head = {"seq": head["seq"] + len(rows), "hash": out[-1], "count": head["count"] + len(rows)}
    cur.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (_key(log), json.dumps(head)))
    return out


def _bad(log: str, row, reason: str, position: int) -> dict:
    return {"log": log, "label": LABELS[log], "seq": row[0] if row else None, "id": row[1] if row else None,
            "position": position, "reason": reason, "message": f"{LABELS[log]}第 {position} 条"
            + (f"（seq {row[0]}，{row[1]}）" if row else "") + f"：{REASONS[reason]}"}


def _rows(conn, log: str, with_values: bool = True):
    """The log in seq order, streamed a batch at a time."""
    from sqlalchemy import text  # verification runs on a session's connection (audit verify, check)

    cols = ", ".join(LOGS[log]) + ", " if with_values else ""
    after = None
    while True:
        where = "" if after is None else f"WHERE seq > {int(after)} "
        batch = conn.execute(text(f"SELECT seq, {cols}chain FROM {log} {where}ORDER BY seq LIMIT {BATCH}")).all()
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1][0]


def verify_log(conn, log: str, anchor: dict | None = None) -> dict:
    """One chain walked from the start; ``anchor`` ({seq, chain, count}: the district's copy of an
    earlier head) is checked against the value recomputed at its seq — a chain rebuilt after an
    edit passes the walk but not the anchor."""
    head = _head(conn, log)
    out = {"entries": 0, "first_bad": None}
    prev, prev_seq, last, n = GENESIS, 0, None, 0
    at_anchor = None
    for n, row in enumerate(_rows(conn, log), 1):
        stored, values = row[-1], row[1:-1]
        if stored is None:
            out["first_bad"] = _bad(log, row, "unsealed", n)
            break
        if stored == link(prev, values):
            prev, prev_seq, last = stored, row[0], row
            if anchor is not None and row[0] == anchor["seq"]:
                at_anchor = (row, stored, n)
            continue
        if row[0] - prev_seq > 1:
            reason = "deleted"
        elif stored == link(GENESIS, values) or any(
                other[-1] and stored == link(other[-1], values) for other in _rows(conn, log, with_values=False)):
            reason = "reordered"  # intact, but chained to another predecessor than the one before it
        else:
            reason = "edited"
        out["first_bad"] = _bad(log, row, reason, n)
        break
    out["entries"] = _dbapi(conn).execute(f"SELECT count(*) FROM {log}").fetchone()[0]
    if out["first_bad"]:
        return out
    if anchor is not None and anchor["seq"]:
        out["first_bad"] = _anchored(conn, log, anchor, at_anchor)
        if out["first_bad"]:
            return out
    if n and head is None:
        out["first_bad"] = _bad(log, None, "head_missing", n)
    elif head is not None and (head["count"] != n or head["hash"] != prev):
        out["first_bad"] = _bad(log, last, "truncated", n + 1)
    return out


def _anchored(conn, log: str, anchor: dict, found) -> dict | None:
    """The walk's value at the anchored seq against the anchor (None: they agree)."""
    if found is None:
        row = _dbapi(conn).execute(f"SELECT seq, id FROM {log} WHERE seq = ?", (anchor["seq"],)).fetchone()
        position = _dbapi(conn).execute(f"SELECT count(*) FROM {log} WHERE seq <= ?", (anchor["seq"],)).fetchone()[0]
        return _bad(log, row, "anchor_missing" if row is None else "anchor_mismatch", position + (row is None))
    row, value, n = found
    if value != anchor["chain"] or n != anchor["count"]:
        return _bad(log, row, "anchor_mismatch", n)
    return None


def verify(conn, anchors: dict | None = None) -> dict:
    """Both chains: ``{"ok", "first_bad", "logs": {log: {"entries", "first_bad"}}}``; ``anchors``:
    {log: {seq, chain, count}} from the district (app.sync.anchor), checked too when given."""
    anchors = anchors or {}
    logs = {log: verify_log(conn, log, anchors.get(log)) for log in LOGS}
    first = next((v["first_bad"] for v in logs.values() if v["first_bad"]), None)
    return {"ok": first is None, "first_bad": first, "logs": logs}
