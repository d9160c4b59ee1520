"""Pull: read the town's change log after the cursor, page by page. Each page is applied in ONE
SQLite transaction together with the new cursor: new actions are inserted as accepted, own
actions get their server sequence, affected cases are re-folded, records merged field by field.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import NamedTuple

from pydantic import TypeAdapter
from sqlalchemy import bindparam, insert, select, text, update

from app.store import bulk
from app.store.models import Attachment, CaseAction, CohandleTask
from app.store.types import dumps, to_sql_dt
from app.sync import protocol as P
from app.sync import records as rec
from app.sync import state as st
from app.sync.refold import refold
from app.sync.transport import SyncError, Transport
from app.sync.wire import ActionData, RecordData

log = logging.getLogger("towndesk.sync")
_A = CaseAction.__table__
CHUNK = 500
_ACTIONS = TypeAdapter(list[ActionData])


def pull_all(desk, t: Transport, page_size: int = P.PAGE_DEFAULT, after: int | None = None, seen: set | None = None,
             progress=None, cancel=None) -> dict:
    """Pull until the cursor reaches the server's high mark; returns counts and the final digest."""
    out = {"pulled": 0, "pages": 0, "cases": 0, "records": 0, "digest": None, "high": 0}
    with desk.db.read() as s:
        cursor = st.cursor(s) if after is None else after

    def fetch(after_seq: int) -> P.ChangesPage:
        return t.json("GET", P.API + "/changes", P.ChangesPage, params={"after": after_seq, "limit": page_size})

    # While a page is applied, the next one is requested (read-only; the transport is used by one
    # thread at a time). Pages are still checked and applied one after the other, in order.
    with ThreadPoolExecutor(1, thread_name_prefix="towndesk-pull") as ahead_pool:
        ahead = None
        try:
            while True:
                if cancel is not None and cancel.is_set():
                    break
                page = ahead.result() if ahead is not None else fetch(cursor)
                ahead = None
                if page.changes and (page.changes[0].seq <= cursor or page.next < page.changes[-1].seq):
                    raise SyncError("同步服务器返回的变更序号不正确，本机数据未受影响，稍后重试", code="bad_reply")
                if any(b.seq <= a.seq for a, b in zip(page.changes, page.changes[1:], strict=False)):
                    raise SyncError("同步服务器返回的变更顺序不正确，本机数据未受影响，稍后重试", code="bad_reply")
                if page.more:
                    ahead = ahead_pool.submit(fetch, page.next)
                counts = apply_page(desk, page, seen)
                out["pulled"] += len(page.changes)
                out["pages"] += 1
                out["cases"] += counts["cases"]
                out["records"] += counts["records"]
                out["high"] = page.high
                cursor = page.next
                if progress:
                    progress(out["pulled"], None)
                if not page.more:
                    out["digest"] = page.digest
                    break
        finally:
            if ahead is not None:
                ahead.cancel()  # a page requested but not applied is dropped (the pool waits for it)
    return out


def apply_page(desk, page: P.ChangesPage, seen: set | None = None) -> dict:
    """Apply one page and move the cursor, atomically."""
    actions: list[tuple[int, ActionData]] = []
    records: list[tuple[int, str, str, RecordData]] = []
    try:
        changes = [c for c in page.changes if c.entity == "action"]
        checked = _ACTIONS.validate_python([c.data for c in changes])  # the page's actions in one check
        for c, a in zip(changes, checked, strict=True):
            if a.id != c.id:
                raise ValueError("id")
            actions.append((c.seq, a))
        for c in page.changes:
            if c.entity != "action":
                records.append((c.seq, c.entity, c.id, RecordData.model_validate(c.data)))
    except ValueError:
        raise SyncError("同步服务器返回的变更内容格式不正确，本机数据未受影响，稍后重试", code="bad_reply") from None
    cases = set()
    with desk.db.tx() as s:
        s.execute(text("PRAGMA defer_foreign_keys = ON"))  # case rows are (re)built after their actions
        if actions:
            cases = _apply_actions(s, actions, desk.device_id, seen)
        if records:
            pending = rec.pending_changes(s)
            rec.merge_many(s, ((entity, rid, data.fields, data.deleted, data.owner_level)
                               for _seq, entity, rid, data in records), pending)
        st.put(s, "cursor", page.next)
    if records:
        desk.invalidate()
    return {"cases": len(cases), "records": len(records)}


_INSERT_ACTION = (f"INSERT INTO case_actions ({','.join(bulk.ACTION_COLUMNS)}, server_seq, verdict) "
                  f"VALUES ({','.join('?' * (len(bulk.ACTION_COLUMNS) + 2))})")


class _Logged(NamedTuple):
    """A pulled action as ``refold.fold_rows`` reads it from ``case_actions``."""

    id: str
    case_id: str
    kind: str
    at: datetime
    actor: str
    actor_role: str
    payload: dict
    actor_unit: str | None
    status: str


def _apply_actions(s, actions, device_id: str, seen: set | None) -> set:
    ids = [a.id for _, a in actions]
    case_ids = {a.case_id for _, a in actions}
    conn = s.connection()
    known: dict[str, str] = {}
    for start in range(0, len(ids), CHUNK):
        known.update(s.execute(select(_A.c.id, _A.c.status).where(_A.c.id.in_(ids[start:start + CHUNK]))).all())
    # Cases with no action in the store yet: their whole log is in this page (accepted, in server
    # order, nothing local pending), so they are folded from the page instead of read back.
    fresh = case_ids - _cases_with_actions(conn, case_ids)
    new_rows, updates, newly_accepted, side = [], [], [], []
    logs: dict[str, list] = {}
    for seq, a in actions:
        if seen is not None:
            seen.add(a.id)
        status = known.get(a.id)
        if status is None:
            new_rows.append((a.id, a.case_id, a.kind, to_sql_dt(a.at), a.actor, a.actor_name, a.actor_role,
                             a.actor_unit, dumps(a.payload), a.device_id, "accepted", seq, None))
            newly_accepted.append(a.id)
            side.append(a)
            known[a.id] = "accepted"
            if a.case_id in fresh:
                logs.setdefault(a.case_id, []).append(_Logged(
                    a.id, a.case_id, a.kind, a.at.astimezone(UTC), a.actor, a.actor_role, a.payload, a.actor_unit,
                    "accepted"))
        else:
            fresh.discard(a.case_id)
            updates.append({"_id": a.id, "status": "accepted", "server_seq": seq, "verdict": None})
            if status != "accepted":
                newly_accepted.append(a.id)
    if new_rows:
        conn.exec_driver_sql(_INSERT_ACTION, new_rows)
    if updates:
        s.execute(update(_A).where(_A.c.id == bindparam("_id")), updates)
    st.add_accepted(s, newly_accepted)
    _side_rows(s, side)
    refold(s, case_ids, logs={cid: logs[cid] for cid in fresh if cid in logs})
    return case_ids


def _cases_with_actions(conn, case_ids: set) -> set:
    ids = list(case_ids)
    found: set = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        found.update(r[0] for r in conn.exec_driver_sql(
            f"SELECT DISTINCT case_id FROM case_actions WHERE case_id IN ({','.join('?' * len(chunk))})",
            tuple(chunk)))
    return found


def _side_rows(s, actions: list[ActionData]) -> None:
    """Rows the services write beside an action (co-handling tasks, attachment metadata)."""
    for a in actions:
        p = a.payload
        if a.kind == "cohandle" and p.get("unit"):
            s.execute(insert(CohandleTask.__table__).prefix_with("OR IGNORE"), {
                "id": a.id, "case_id": a.case_id, "action_id": a.id, "unit_code": str(p["unit"]),
                "due_at": to_sql_dt_or_none(p.get("due_at")), "state": "open"})
        elif a.kind == "attach" and isinstance(p.get("sha256"), str):
            s.execute(insert(Attachment.__table__).prefix_with("OR IGNORE"), {
                "id": a.id, "case_id": a.case_id, "action_id": a.id, "sha256": p["sha256"],
                "filename": str(p.get("filename") or p["sha256"][:12])[:255],
                "mime": str(p.get("mime") or "application/octet-stream")[:100],
                "size": int(p.get("size") or 0), "uploaded": True})


def to_sql_dt_or_none(value):
    from datetime import datetime

    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


__all__ = ["pull_all", "apply_page", "to_sql_dt"]
