"""Case queries: filtered, sorted lists with keyset paging (no OFFSET scans), case detail,
full-text search. Stays fast on a million cases: every filter rides an index.

The list runs the SQL of app.cases.casesql on a DB-API connection: ``towndesk case list`` loads
neither SQLAlchemy nor the models (issue 19). ``show_case`` still reads through the ORM, imported
where it is used.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import TYPE_CHECKING

from app.cases import casesql
from app.cases.casesql import FAR_FUTURE, SORTS, conditions  # noqa: F401 — the names callers know
from app.cases.views import action_view, case_summary
from app.domain import workflow as wf
from app.errors import ValidationError

if TYPE_CHECKING:
    from app.desk import Actor, Desk


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list:
    try:
        value, rid = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return [value, int(rid)]
    except (ValueError, TypeError):
        raise ValidationError("分页游标无效", field="after") from None


def list_cases(desk: Desk, actor: Actor | None, filters: dict | None = None, sort: str = "received_desc",
               limit: int = 50, after: str | None = None, with_total: bool = True) -> dict:
    """One page of cases: {total, items, next}. ``next`` is an opaque keyset cursor."""
    casesql.check_sort(sort)
    if not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise ValidationError("每页条数应为 1 至 1000", field="limit")
    now = desk.now()
    where = conditions(desk, actor, filters or {}, now)
    refs = desk.refs()
    page = casesql.Where()
    page.merge(where)
    if after:
        value, rid = decode_cursor(after)
        try:
            page.add(*casesql.flat(casesql.after_condition(sort, value, rid)))
        except (ValueError, TypeError):
            raise ValidationError("分页游标无效", field="after") from None
    with desk.db.reading() as conn:
        rows = casesql.fetch_rows(conn, f"SELECT * FROM {casesql.TABLE}{page.sql()}{casesql.order_by(sort)} LIMIT ?",
                                  [*page.params, limit + 1])
        total = conn.execute(f"SELECT count(*) FROM {casesql.TABLE}{where.sql()}", where.params).fetchone()[0] \
            if with_total else None
    items = [case_summary(r, refs, now, actor) for r in rows[:limit]]
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        name = SORTS[sort][0]
        v = getattr(last, name)
        if name.endswith("_at"):
            v = (v or FAR_FUTURE).isoformat()
        nxt = encode_cursor([v, last.rid])
    return {"total": total, "items": items, "next": nxt}


def _urge_details(view: dict, now: datetime) -> None:
    """Add the latest 督办's instruction, issuer, time and the unit's reply to ``view["urge"]``."""
    urge = view.get("urge")
    if not urge:
        return
    acts = [a for a in view["actions"] if a.get("status") != "rejected"]  # as the fold sees them
    at = next((i for i in range(len(acts) - 1, -1, -1) if acts[i]["kind"] == "urge"), None)
    last = acts[at] if at is not None else None
    p = (last or {}).get("payload") or {}
    replies = [a for a in acts[at + 1:] if a["kind"] == "urge_reply"] if last else []
    due = datetime.fromisoformat(urge["reply_by"]) if urge.get("reply_by") else None
    overdue = urge["active"] and not replies and due is not None and now > due
    urge.update({"instruction": p.get("instruction"), "urged_at": last["at"] if last else None,
                 "urged_by": last["actor_name"] if last else None, "replied": bool(replies),
                 "reply_at": replies[-1]["at"] if replies else None, "reply_overdue": overdue,
                 "reply_status": "已回复" if replies else ("逾期未回复" if overdue else
                                                          ("待回复" if urge["active"] else "未回复"))})


def show_case(desk: Desk, actor: Actor | None, key: str) -> dict:
    """The case with its whole timeline, attachments, co-handling tasks and allowed actions."""
    from sqlalchemy import select  # the ORM only for a case's detail (the list runs without it)

    from app.cases import caselog
    from app.store.models import Attachment, CaseAction, CohandleTask

    now = desk.now()
    with desk.db.read() as s:
        row = caselog.find_case(s, key)
        view = case_summary(row, desk.refs(), now, actor)
        acts = s.scalars(select(CaseAction).where(CaseAction.case_id == row.id).order_by(CaseAction.seq))
        view["actions"] = [action_view(a) for a in acts]
        _urge_details(view, now)
        view["attachments"] = [
            {"sha256": a.sha256, "filename": a.filename, "mime": a.mime, "size": a.size}
            for a in s.scalars(select(Attachment).where(Attachment.case_id == row.id))]
        view["cohandle"] = [
            {"unit": desk.refs().unit_obj(t.unit_code), "due_at": t.due_at.isoformat() if t.due_at else None,
             "state": t.state} for t in s.scalars(select(CohandleTask).where(CohandleTask.case_id == row.id))]
        role = actor.role if actor else wf.ADMIN
        allowed = wf.allowed_actions(row.state, role, actor.unit if actor else None, row.unit)
        view["allowed_actions"] = [a for a in allowed if a != "intake"]
    return view
