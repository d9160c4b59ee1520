"""The conflicts list: actions (and record changes) the district rejected, with the reason, and
changes pulled from the district that this workstation could not apply (quarantined, ``q<seq>``).

Nothing here deletes anything: a rejected action stays in the log with status ``rejected``.
The operator can re-dispatch (do the intended move again on the case as it is now), add it to the
case as a note, or dismiss it (the record is kept; only the list entry is marked done).
"""
from __future__ import annotations

import json

from sqlalchemy import select

from app.cases import handling
from app.cases.dispatch import dispatch
from app.desk import Actor, Desk
from app.domain import entities
from app.domain import workflow as wf
from app.errors import NotFound, ValidationError
from app.store.models import Case, CaseAction, Quarantined, SyncState
from app.sync import state as st

HOW = ("redispatch", "note", "dismiss")


def list_conflicts(desk: Desk, include_done: bool = False) -> list[dict]:
    out = []
    with desk.db.read() as s:
        done = {r.key.removeprefix("dismissed."): json.loads(r.value) for r in
                s.scalars(select(SyncState).where(SyncState.key.like("dismissed.%")))}
        rows = s.execute(select(CaseAction, Case.case_no, Case.state, Case.title).join(Case, Case.id == CaseAction.case_id)
                         .where(CaseAction.status == "rejected").order_by(CaseAction.seq)).all()
        for a, case_no, state, title in rows:
            if a.id in done and not include_done:
                continue
            out.append({"id": a.id, "kind": "action", "action": a.kind,
                        "label": wf.ACTIONS[a.kind].label if a.kind in wf.ACTIONS else a.kind,
                        "case_no": case_no, "case_title": title, "case_state": state,
                        "case_state_label": wf.STATE_LABELS.get(state, state), "at": a.at.isoformat(),
                        "actor": a.actor, "actor_name": a.actor_name, "payload": a.payload,
                        "reason": a.verdict, "done": done.get(a.id),
                        "can_redispatch": a.kind in ("dispatch", "transfer") and bool((a.payload or {}).get("unit"))})
        for r in s.scalars(select(SyncState).where(SyncState.key.like("conflict.record.%"))):
            c = json.loads(r.value)
            if c["entry_id"] in done and not include_done:
                continue
            out.append({"id": c["entry_id"], "kind": "record", "action": c["entity"],
                        "label": f"基础数据（{entities.label(c['entity'])}）",
                        "case_no": None, "case_title": (c["payload"] or {}).get("name"), "at": c["at"],
                        "reason": c["reason"], "payload": c["payload"], "done": done.get(c["entry_id"]),
                        "can_redispatch": False})
        for r in s.scalars(select(SyncState).where(SyncState.key.like("conflict.scope.%"))):
            c = json.loads(r.value)  # own work on a case that left this unit's copy (app/sync/scope.py)
            if c["id"] in done and not include_done:
                continue
            out.append({"id": c["id"], "kind": "action", "action": c["action"],
                        "label": wf.ACTIONS[c["action"]].label if c["action"] in wf.ACTIONS else c["action"],
                        "case_no": c["case_no"], "case_title": None, "case_state": None, "case_state_label": None,
                        "at": c["at"], "actor": c["actor"], "actor_name": c["actor_name"], "payload": c["payload"],
                        "reason": c["reason"], "done": done.get(c["id"]), "can_redispatch": False})
        for q in s.scalars(select(Quarantined).order_by(Quarantined.seq)):
            cid = f"q{q.seq}"
            if cid in done and not include_done:
                continue
            out.append({"id": cid, "kind": "quarantine", "action": q.entity,
                        "label": f"无法应用的区级变更（{entities.label(q.entity)}，序号 {q.seq}）",
                        "case_no": None, "case_title": None, "at": q.at, "reason": q.reason, "payload": None,
                        "data": q.data[:2000], "seq": q.seq, "entity_id": q.entity_id, "done": done.get(cid),
                        "can_redispatch": False})
    return out


def _find(desk: Desk, conflict_id: str) -> dict:
    for c in list_conflicts(desk, include_done=True):
        if c["id"] == conflict_id:
            return c
    raise NotFound(f"冲突记录「{conflict_id}」不存在", field="id")


def resolve(desk: Desk, actor: Actor, conflict_id: str, how: str, unit: str | None = None) -> dict:
    """Act on one conflict: ``redispatch`` (optionally to another unit), ``note`` or ``dismiss``."""
    if how not in HOW:
        raise ValidationError("处理方式应为：redispatch（重新派单）、note（作为备注）、dismiss（忽略）", field="how")
    c = _find(desk, conflict_id)
    if c["done"]:
        raise ValidationError("该冲突已处理", field="id")
    result = None
    if how == "redispatch":
        result = _redispatch(desk, actor, c, unit)
    elif how == "note":
        result = _as_note(desk, actor, c)
    with desk.db.tx() as s:
        st.put(s, f"dismissed.{conflict_id}", json.dumps(
            {"how": how, "by": actor.username, "at": desk.now().isoformat()}, ensure_ascii=False))
    return {"id": conflict_id, "how": how, "case": result}


def _redispatch(desk: Desk, actor: Actor, c: dict, unit: str | None):
    if not c["can_redispatch"]:
        raise ValidationError("只有派单或流转类的冲突可以重新派单", field="how")
    unit = unit or c["payload"]["unit"]
    state = c["case_state"]
    if state in ("registered", "escalated"):
        return dispatch(desk, actor, c["case_no"], unit, note="冲突后重新派单")
    if state in ("dispatched", "in_progress"):
        return handling.act(desk, actor, c["case_no"], "transfer", {"unit": unit, "reason": "同步冲突后重新派单"})
    raise ValidationError(f"案件当前状态为「{c['case_state_label']}」，不能重新派单", field="how")


def _as_note(desk: Desk, actor: Actor, c: dict):
    if not c["case_no"]:
        raise ValidationError("基础数据冲突不能作为案件备注", field="how")
    p = c["payload"] or {}
    detail = "；".join(f"{k}：{v}" for k, v in p.items() if isinstance(v, str | int | float) and not k.endswith("_at"))
    note = f"未生效的「{c['label']}」（{c['actor_name']}，{c['at'][:16]}）{detail}。未生效原因：{c['reason']}"
    return handling.act(desk, actor, c["case_no"], "comment", {"note": note[:2000]})
