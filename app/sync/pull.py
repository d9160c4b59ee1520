"""Pull: read the town's change log after the cursor, page by page. Each page is applied in ONE
SQLite transaction together with the new cursor: new actions are inserted as accepted, own
actions get their server sequence, affected cases are re-folded, records merged field by field.
"""
from __future__ import annotations

import logging

from sqlalchemy import bindparam, insert, select, text, update

from app.store.models import Attachment, CaseAction, CohandleTask
from app.store.types import to_sql_dt
from app.sync import protocol as P
from app.sync import records as rec
from app.sync import state as st
from app.sync.refold import refold
from app.sync.transport import SyncError, Transport
from app.sync.wire import ActionData, RecordData

log = logging.getLogger("towndesk.sync")
_A = CaseAction.__table__
CHUNK = 500


def pull_all(desk, t: Transport, page_size: int = P.PAGE_DEFAULT, after: int | None = None, seen: set | None = None,
             progress=None, cancel=None) -> dict:
    """Pull until the cursor reaches the server's high mark; returns counts and the final digest."""
    out = {"pulled": 0, "pages": 0, "cases": 0, "records": 0, "digest": None, "high": 0}
    with desk.db.read() as s:
        cursor = st.cursor(s) if after is None else after
    while True:
        if cancel is not None and cancel.is_set():
            break
        page = t.json("GET", P.API + "/changes", P.ChangesPage, params={"after": cursor, "limit": page_size})
        if page.changes and (page.changes[0].seq <= cursor or page.next < page.changes[-1].seq):
            raise SyncError("同步服务器返回的变更序号不正确，本机数据未受影响，稍后重试", code="bad_reply")
        if any(b.seq <= a.seq for a, b in zip(page.changes, page.changes[1:], strict=False)):
            raise SyncError("同步服务器返回的变更顺序不正确，本机数据未受影响，稍后重试", code="bad_reply")
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
    return out


def apply_page(desk, page: P.ChangesPage, seen: set | None = None) -> dict:
    """Apply one page and move the cursor, atomically."""
    actions: list[tuple[int, ActionData]] = []
    records: list[tuple[int, str, str, RecordData]] = []
    try:
        for c in page.changes:
            if c.entity == "action":
                a = ActionData.model_validate(c.data)
                if a.id != c.id:
                    raise ValueError("id")
                actions.append((c.seq, a))
            else:
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


def _apply_actions(s, actions, device_id: str, seen: set | None) -> set:
    ids = [a.id for _, a in actions]
    known: dict[str, str] = {}
    for start in range(0, len(ids), CHUNK):
        known.update(s.execute(select(_A.c.id, _A.c.status).where(_A.c.id.in_(ids[start:start + CHUNK]))).all())
    new_rows, updates, newly_accepted, side = [], [], [], []
    for seq, a in actions:
        if seen is not None:
            seen.add(a.id)
        status = known.get(a.id)
        if status is None:
            new_rows.append({"id": a.id, "case_id": a.case_id, "kind": a.kind, "at": a.at, "actor": a.actor,
                             "actor_name": a.actor_name, "actor_role": a.actor_role, "actor_unit": a.actor_unit,
                             "payload": a.payload, "device_id": a.device_id, "status": "accepted",
                             "server_seq": seq, "verdict": None})
            newly_accepted.append(a.id)
            side.append(a)
            known[a.id] = "accepted"
        else:
            updates.append({"_id": a.id, "status": "accepted", "server_seq": seq, "verdict": None})
            if status != "accepted":
                newly_accepted.append(a.id)
    if new_rows:
        s.execute(insert(_A), new_rows)
    if updates:
        s.execute(update(_A).where(_A.c.id == bindparam("_id")), updates)
    st.add_accepted(s, newly_accepted)
    _side_rows(s, side)
    case_ids = {a.case_id for _, a in actions}
    refold(s, case_ids)
    return case_ids


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
