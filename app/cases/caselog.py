"""The one place that writes a case action.

``record`` judges the action with the workflow table, folds it into the case row, and writes the
action, the row, the search index, the audit entry and the outbox entry in the caller's
transaction. Services build payloads (deadlines included) and call it; nothing else writes
``case_actions`` or ``cases``. The changed case numbers are published once, after the commit
(app.events.note_cases_changed), so the window, the CLI and sync hear of every write alike.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import events
from app.desk import Actor, Desk
from app.domain import workflow as wf
from app.domain.casefold import CASE_FIELDS, ActionRecord, CaseState, apply
from app.domain.ids import new_id
from app.errors import AuthError, NotFound
from app.store import search, userkeys
from app.store.audit import audit
from app.store.models import Case, CaseAction
from app.store.outbox import enqueue

TEXT_ACTIONS = {"intake", "edit"}  # actions that change searchable text


def state_of(row: Case) -> CaseState:
    return CaseState(**{f: getattr(row, f) for f in CASE_FIELDS})


def find_case(session: Session, key: str) -> Case:
    """A case by number or id; NotFound with a Chinese message otherwise."""
    row = session.scalar(select(Case).where(Case.case_no == key)) or \
        session.scalar(select(Case).where(Case.id == key))
    if row is None:
        raise NotFound(f"案件「{key}」不存在", field="case_no")
    return row


def action_dict(a: CaseAction) -> dict:
    return {"id": a.id, "case_id": a.case_id, "kind": a.kind, "at": a.at.isoformat(), "actor": a.actor,
            "actor_name": a.actor_name, "actor_role": a.actor_role, "actor_unit": a.actor_unit,
            "payload": a.payload, "device_id": a.device_id}


def record(session: Session, desk: Desk, actor: Actor, row: Case | None, kind: str, payload: dict,
           at: datetime | None = None, case_id: str | None = None) -> tuple[Case, CaseAction]:
    """Judge and write one action; returns the updated case row and the action row."""
    if actor.key is None and actor.role != wf.SYSTEM and desk.meta("sync.token"):
        raise AuthError("本工作站已注册到区级服务器：须以用户身份登录后才能办理（窗口登录，或命令行 --as 用户 "
                        "并提供密码 TOWNDESK_PASSWORD），操作未执行", field="as", code="login_required")
    wf.judge(row.state if row else None, kind, actor.role, payload, actor_unit=actor.unit,
             case_unit=row.unit if row else None)
    at = at or desk.now()
    cid = row.id if row else (case_id or new_id())
    rec = ActionRecord(id=new_id(), case_id=cid, kind=kind, at=at, actor=actor.username,
                       actor_role=actor.role, payload=payload, unit=actor.unit)
    new_state = apply(state_of(row) if row else None, rec)
    if row is None:
        row = Case(**new_state.to_dict())
        session.add(row)
        session.flush()  # assigns rid
    else:
        for f in CASE_FIELDS:
            value = getattr(new_state, f)
            if getattr(row, f) != value:
                setattr(row, f, value)
    action = CaseAction(id=rec.id, case_id=cid, kind=kind, at=at, actor=actor.username, actor_name=actor.name,
                        actor_role=actor.role, actor_unit=actor.unit, payload=payload, device_id=desk.device_id)
    session.add(action)
    if kind in TEXT_ACTIONS:
        search.index_case(session, row.rid, new_state.to_dict(), replace=kind != "intake")
    audit(session, desk, actor.username, f"case.{kind}", row.case_no, None)
    enqueue(session, desk, "action", rec.id, action_dict(action))
    if actor.key is not None:  # an enrolled store's logged-in user: the action goes up signed by them
        userkeys.sign_action(session, actor.key, rec.id, action_dict(action))
    events.note_cases_changed(session, [row.case_no])
    return row, action
