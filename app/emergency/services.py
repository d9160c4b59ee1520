"""The emergency's user actions: start, broadcast a task, enter a receipt, stop. Each validates its
input, then writes the record, its audit entry (who, when, why) and its outbox entry in one
transaction; every record is a synced reference record, so the other workstations of the town see
the switch, the tasks and the receipts after their next sync."""
from __future__ import annotations

from datetime import datetime

from app import events
from app.desk import Actor, Desk
from app.domain import emergency as E
from app.domain import workflow as wf
from app.domain.ids import new_id
from app.domain.schema import validate
from app.domain.timezone import LOCAL_TZ
from app.emergency.queries import active_row, area_out, find_task
from app.errors import PermissionDenied, ValidationError, WorkflowError
from app.store.audit import audit
from app.store.models import Emergency, EmergencyReceipt, EmergencyTask
from app.store.outbox import enqueue_record

EMERGENCY_CHANGED = events.EMERGENCY_CHANGED
COMMAND_ROLES = (wf.DISPATCHER, wf.DIRECTOR, wf.ADMIN)  # who switches the mode and sends tasks


def _commander(actor: Actor, what: str) -> None:
    if actor.role not in COMMAND_ROLES:
        raise PermissionDenied(f"{what}需由调度员、值班长或管理员操作", field="role")


def _announce(session, payload: dict) -> None:
    session.info.setdefault("after_commit", []).append(lambda: events.publish(EMERGENCY_CHANGED, payload))


def resolve_area(desk: Desk, value: str) -> list[str]:
    """``all`` -> [] (the whole town), else the 村社 codes (each must be a known 村社)."""
    codes = E.split_codes(value)
    if codes == [E.ALL]:
        return []
    if not codes or E.ALL in codes:
        raise ValidationError("范围应为 all 或逗号分隔的村社代码", field="area")
    refs = desk.refs()
    for code in codes:
        g = refs.grids.get(code)
        if g is None or g.level != "village":
            raise ValidationError(f"范围中的「{code}」不是本镇街的村社代码", field="area")
    return codes


def resolve_targets(desk: Desk, value: str, area: list[str]) -> list[str]:
    """``all`` -> every 村社 of the emergency's area (the town's when it covers the whole town),
    else 村社 or 网格 codes (each must be known)."""
    codes = E.split_codes(value)
    refs = desk.refs()
    if codes == [E.ALL]:
        villages = sorted(g.code for g in refs.villages())
        return [c for c in villages if not area or c in area]
    if not codes or E.ALL in codes:
        raise ValidationError("下发对象应为 all 或逗号分隔的村社/网格代码", field="to")
    for code in codes:
        g = refs.grids.get(code)
        if g is None or g.level not in ("village", "grid"):
            raise ValidationError(f"下发对象中的「{code}」不是本镇街的村社或网格代码", field="to")
    return codes


def start(desk: Desk, actor: Actor, data: dict) -> dict:
    """启动应急响应: type, level, area (all or 村社 codes) and reason; refused while one is active."""
    _commander(actor, "启动应急响应")
    clean = validate(E.START_INPUT, data)
    area = resolve_area(desk, clean["area"])
    now = desk.now()
    with desk.db.tx() as s:
        current = active_row(s)
        if current is not None:
            raise WorkflowError(f"已有进行中的应急响应：{current.name}（{current.code}），请先结束", field="type")
        rid = new_id()
        row = Emergency(id=rid, code=f"YJ{now.astimezone(LOCAL_TZ):%Y%m%d%H%M}-{rid[-4:]}",
                        name=E.title(clean["type"], clean["level"]), owner_level="town", sample=False,
                        deleted=False, updated_at=now, type=clean["type"], level=clean["level"],
                        area=",".join(area) or E.ALL, reason=clean["reason"], started_at=now,
                        started_by=actor.username)
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "emergency.start", row.id,
              {"code": row.code, "type": row.type, "level": row.level, "area": row.area, "reason": row.reason})
        enqueue_record(s, desk, "emergency", row)
        out = _started(row)
        _announce(s, {"id": row.id, "active": True})
    return out


def _started(row: Emergency) -> dict:
    return {"id": row.id, "code": row.code, "type": row.type, "level": row.level, "area": area_out(row.area),
            "started_at": row.started_at.isoformat(), "started_by": row.started_by}


def stop(desk: Desk, actor: Actor, data: dict) -> dict:
    """结束应急响应 (with a reason); refused when none is active. The summary PDF is printed from it."""
    _commander(actor, "结束应急响应")
    clean = validate(E.STOP_INPUT, data)
    now = desk.now()
    with desk.db.tx() as s:
        row = active_row(s)
        if row is None:
            raise WorkflowError("当前没有进行中的应急响应", field="reason")
        row.stopped_at, row.stopped_by, row.stop_reason, row.updated_at = now, actor.username, clean["reason"], now
        s.flush()
        audit(s, desk, actor.username, "emergency.stop", row.id, {"code": row.code, "reason": clean["reason"]})
        enqueue_record(s, desk, "emergency", row)
        out = {**_started(row), "stopped_at": now.isoformat(), "stopped_by": actor.username,
               "reason": clean["reason"]}
        _announce(s, {"id": row.id, "active": False})
    return out


def add_task(desk: Desk, actor: Actor, data: dict) -> dict:
    """一呼百应: a task (title, instructions, deadline) to all or selected 村社/网格 of the active emergency."""
    _commander(actor, "下发应急任务")
    clean = validate(E.TASK_INPUT, data)
    due = datetime.fromisoformat(clean["due"])
    now = desk.now()
    with desk.db.tx() as s:
        current = active_row(s)
        if current is None:
            raise WorkflowError("当前没有进行中的应急响应，不能下发应急任务", field="to")
        targets = resolve_targets(desk, clean["to"], [] if current.area == E.ALL else E.split_codes(current.area))
        if not targets:
            raise ValidationError("下发对象为空", field="to")
        rid = new_id()
        row = EmergencyTask(id=rid, code=rid.replace("-", ""), name=clean["title"], owner_level="town", sample=False,
                            deleted=False, updated_at=now, emergency_id=current.id,
                            instructions=clean.get("instructions") or "", targets=",".join(targets), due_at=due,
                            created_at=now, created_by=actor.username)
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "emergency.task", row.id,
              {"emergency": current.code, "title": row.name, "targets": len(targets), "due_at": clean["due"]})
        enqueue_record(s, desk, "emergency_task", row)
        _announce(s, {"id": current.id, "task": row.id})
    return {"id": rid, "targets": targets, "title": clean["title"], "due_at": due.isoformat()}


def _may_answer(desk: Desk, actor: Actor, target: str) -> None:
    if actor.role != wf.UNIT:
        return
    g = desk.refs().grids.get(target)
    village = g.village or g.parent if g and g.level == "grid" else target
    if actor.unit not in (target, village):
        raise PermissionDenied("承办单位只能为本村社的下发对象录入回执", field="target")


def add_receipt(desk: Desk, actor: Actor, task_key: str, data: dict) -> dict:
    """A target's receipt (已收到/处置中/已完成 with a number and a note), entered at the desk
    (phoned in) or by the village itself; a code that is not one of the task's targets is refused."""
    clean = validate(E.RECEIPT_INPUT, data)
    now = desk.now()
    with desk.db.tx() as s:
        task = find_task(s, task_key)
        targets = E.split_codes(task.targets)
        if clean["target"] not in targets:
            raise ValidationError(f"「{clean['target']}」不是该任务的下发对象（{'、'.join(targets[:10])}"
                                  f"{'…' if len(targets) > 10 else ''}）", field="target")
        _may_answer(desk, actor, clean["target"])
        rid = new_id()
        row = EmergencyReceipt(id=rid, code=rid.replace("-", ""), name=f"{clean['target']} {E.RECEIPT_STATUS[clean['status']]}",
                               owner_level="town", sample=False, deleted=False, updated_at=now, task_id=task.id,
                               target=clean["target"], status=clean["status"], count=clean.get("count"),
                               note=clean.get("note") or "", at=now, entered_by=actor.username)
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "emergency.receipt", row.id,
              {"task": task.id, "target": row.target, "status": row.status, "count": row.count})
        enqueue_record(s, desk, "emergency_receipt", row)
        _announce(s, {"id": task.emergency_id, "task": task.id, "receipt": rid})
    return {"id": rid, "task_id": task.id, "target": row.target, "status": row.status, "count": row.count,
            "note": row.note, "at": now.isoformat()}
