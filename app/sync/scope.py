"""A unit workstation's copy: cases come in whole and leave whole (server/scope.py states the rule).

The district sends a ``scope`` change when this workstation's unit comes to hold a case (``in``:
the case's log up to then, applied like any pulled actions) or stops holding it (``out``:
transferred away or returned). A case that goes out leaves this store in the page's transaction:
its row, search entry, log, attachments' metadata and co-handling tasks; its accepted actions
leave the digest; the action log's hash chain is re-sealed from the first removed entry (the
removal is the program's own, written in the audit log, which stays chained as it is). Attachment
bytes no remaining case names are deleted after the commit. Transferred back, it comes in again.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from app.domain.ids import new_id
from app.store import chain, search
from app.store.models import Attachment, AuditEntry, Case
from app.sync import state as st

CHUNK = 500
CONFLICT_PREFIX = "conflict.scope."  # sync_state: own work on a case that left (app.sync.conflicts lists it)


def net_ops(scopes: list[tuple[int, str, str, str]]) -> dict[str, tuple[str, str]]:
    """The last ``in``/``out`` per case in a page: ``{case_id: (op, case_no)}``."""
    out: dict[str, tuple[str, str]] = {}
    for _seq, op, case_id, case_no in sorted(scopes):
        out[case_id] = (op, case_no)
    return out


def remove_cases(s, case_ids: list[str], case_nos: dict[str, str] | None = None) -> dict:
    """Remove cases that left this unit's scope (inside the page's transaction). Returns the
    counts and the attachment hashes no remaining case names (their bytes can go)."""
    out = {"cases": 0, "actions": 0, "shas": []}
    if not case_ids:
        return out
    conn = chain._dbapi(s.connection())
    for start in range(0, len(case_ids), CHUNK):
        ids = case_ids[start:start + CHUNK]
        marks = ",".join("?" * len(ids))
        found = dict(conn.execute(f"SELECT id, case_no FROM cases WHERE id IN ({marks})", ids).fetchall())
        rows = conn.execute(f"SELECT seq, id, status, case_id, kind, at, actor, actor_name, payload, verdict "
                            f"FROM case_actions WHERE case_id IN ({marks})", ids).fetchall()
        st.drop_accepted(s, [r[1] for r in rows if r[2] == "accepted"])
        for r in rows:
            if r[2] in ("local", "rejected"):  # this workstation's own work on it stays listed (conflicts)
                _keep_conflict(s, r, found.get(r[3]) or (case_nos or {}).get(r[3]) or r[3])
        shas = [r[0] for r in conn.execute(f"SELECT DISTINCT sha256 FROM attachments WHERE case_id IN ({marks})", ids)]
        conn.execute(f"DELETE FROM {search.FTS_TABLE} WHERE rowid IN (SELECT rid FROM cases WHERE id IN ({marks}))",
                     ids)
        for table in ("attachments", "cohandle_tasks", "case_actions"):
            conn.execute(f"DELETE FROM {table} WHERE case_id IN ({marks})", ids)
        conn.execute(f"DELETE FROM cases WHERE id IN ({marks})", ids)
        if rows:
            _reseal(conn, min(r[0] for r in rows))
        for sha in shas:
            if conn.execute("SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1", (sha,)).fetchone() is None:
                out["shas"].append(sha)
        now = datetime.now(UTC)
        for cid in found:
            no = found.get(cid) or (case_nos or {}).get(cid) or cid
            s.add(AuditEntry(id=new_id(), at=now, actor="system", action="sync.scope_out", target=no[:80],
                             detail={"case_id": cid, "reason": "本单位不再承办或协办该案件（已流转或退回）"}))
        out["cases"] += len(found)
        out["actions"] += len(rows)
    return out


def _keep_conflict(s, r, case_no: str) -> None:
    why = "案件已不由本单位承办或协办（已流转或退回），该操作未生效"
    st.put(s, f"{CONFLICT_PREFIX}{r[1]}", json.dumps(
        {"id": r[1], "action": r[4], "case_no": case_no, "at": str(r[5]), "actor": r[6], "actor_name": r[7],
         "payload": json.loads(r[8]) if r[8] else None, "reason": r[9] or why}, ensure_ascii=False, default=str))


def _reseal(conn, from_seq: int) -> None:
    """Re-chain the action log from the first removed entry: the head moves back to the last
    entry before it and the commit's ``chain.extend`` chains the rest in order. Entries this
    transaction added are not chained yet (the head is before them): nothing to move then."""
    key = chain._key("case_actions")
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    head = json.loads(row[0]) if row else None
    if head is None or from_seq > head["seq"]:
        return
    prev = conn.execute("SELECT seq, chain FROM case_actions WHERE seq < ? ORDER BY seq DESC LIMIT 1",
                        (from_seq,)).fetchone()
    count = conn.execute("SELECT count(*) FROM case_actions WHERE seq < ?", (from_seq,)).fetchone()[0]
    new = {"seq": prev[0], "hash": prev[1], "count": count} if prev else {"seq": 0, "hash": chain.GENESIS, "count": 0}
    conn.execute("UPDATE case_actions SET chain = NULL WHERE seq > ?", (new["seq"],))
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(new)))


def forget_bytes(desk, shas: list[str]) -> None:
    """Delete the bytes of attachments that left with their cases (after the commit; a file
    still named by a case, or one that is gone already, is left alone)."""
    if not shas:
        return
    with desk.db.read() as s:
        for sha in shas:
            named = s.execute(select(Attachment.id).where(Attachment.sha256 == sha).limit(1)).first()
            if named is None:
                (desk.attachments_dir / sha[:2] / sha).unlink(missing_ok=True)  # app.cases.attachments.blob_path


def refuse_lan(desk) -> None:
    """A unit workstation neither serves nor uses a centre relay on the LAN (the relay's change log
    is the whole town's; only the district applies the unit rule)."""
    if unit(desk):
        from app.sync.transport import SyncError

        raise SyncError(f"本机是单位工作站（{unit(desk)}），只保存本单位的案件，不能使用或充当局域网中继；"
                        "请直接与区级同步", code="unit_workstation", retry=False)


def unit(desk) -> str | None:
    """This workstation's unit when it was enrolled as a unit workstation."""
    return desk.meta("sync.unit") or None


def holds(unit_code: str | None, case: dict | Case) -> bool:
    """Does this copy's unit hold the case (handles or co-handles it)? Always for a town copy."""
    if not unit_code:
        return True
    get = case.get if isinstance(case, dict) else (lambda k: getattr(case, k, None))
    return get("unit") == unit_code or unit_code in (get("co_units") or [])


__all__ = ["net_ops", "remove_cases", "forget_bytes", "refuse_lan", "unit", "holds"]
