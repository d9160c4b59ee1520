"""综合查一次 services: the plan entry (departments lead first, a target with a validated 统一社会
信用代码, matters from the combined checklist, the date), the record of what was checked and the
problems found with their follow-ups (rectification order with a deadline, clue passed to a
department, case filed), and a rectification tracked to done. One transaction per action with
its audit and outbox entries."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from app.desk import Actor, Desk
from app.domain import inspections as I
from app.domain.ids import new_id
from app.domain.loops import judge
from app.domain.schema import Field, validate
from app.domain.timezone import LOCAL_TZ
from app.domain.validation import check_uscc
from app.errors import NotFound, ValidationError
from app.risk.numbering import next_number
from app.store.audit import audit
from app.store.models import Inspection, InspectionProblem
from app.store.outbox import enqueue_record


def _matters(value, field: str) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > 50:
        raise ValidationError("检查事项应为 1 至 50 项的列表（一表通查的编码或名称）", field=field)
    out = []
    for i, m in enumerate(value):
        text = validate((Field("m", "检查事项", "line", required=True, max_len=50),), {"m": m}, path=f"{field}.{i}")["m"]
        label = I.matter_label(text)
        if label not in out:
            out.append(label)
    return out


def _unit(desk: Desk, code: str, field: str, label: str) -> str:
    if code not in desk.refs().units:
        raise ValidationError(f"{label}「{code}」不存在", field=field)
    return code


def add_inspection(desk: Desk, actor: Actor, data: dict) -> dict:
    """Plan a joint inspection: ``{"inspection_no", "state": "planned", "departments", "visits_spared"}``."""
    clean = validate(I.ADD_INPUT, data, now=desk.now())
    judge(I.STEPS["add"], None, actor.role, I.STATE_LABELS, what="检查")
    depts = clean["departments"]
    for i, code in enumerate(depts):
        _unit(desk, code, f"departments.{i}", "检查部门")
    if len(set(depts)) != len(depts):
        raise ValidationError("检查部门不能重复", field="departments")
    uscc = check_uscc(clean["target"]["uscc"], "target.uscc")
    matters = _matters(clean["matters"], "matters")
    now = desk.now()
    with desk.db.tx() as s:
        rid = new_id()
        row = Inspection(id=rid, code=next_number(s, desk, Inspection, "ZC"), name=clean["target"]["name"],
                         owner_level="town", sample=False, deleted=False, updated_at=now, day=clean["date"][:10],
                         departments=depts, uscc=uscc, matters=matters, checked=[], state=I.PLANNED, created_at=now,
                         created_by=actor.username)
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "inspection.add", row.code, {"departments": depts})
        enqueue_record(s, desk, "inspection", row)
        return {"inspection_no": row.code, "state": row.state, "departments": depts,
                "visits_spared": len(depts) - 1}


def record_result(desk: Desk, actor: Actor, number: str, data: dict) -> dict:
    """What was checked and the problems found, each with its follow-up. A problem not fixed on the
    spot gets a rectification order (整改期限: ``rectify_due`` or 10 working days after the
    inspection), tracked to done with :func:`mark_rectified`."""
    clean = validate(I.RESULT_INPUT, data, now=desk.now())
    raw = clean.get("problems") or []
    if not isinstance(raw, list) or len(raw) > 200:
        raise ValidationError("发现问题应为列表（最多 200 项）", field="problems")
    problems = []
    for i, p in enumerate(raw):
        item = validate(I.PROBLEM, p, now=desk.now(), path=f"problems.{i}", label="问题")
        if item.get("clue_to"):
            _unit(desk, item["clue_to"], f"problems.{i}.clue_to", "移交线索单位")
        problems.append(item)
    now = desk.now()
    with desk.db.tx() as s:
        row = _get(s, number)
        row.state = judge(I.STEPS["result"], row.state, actor.role, I.STATE_LABELS, actor_unit=actor.unit,
                          record_unit=(row.departments or [None])[0], what="检查")
        row.checked = _matters(clean["checked"], "checked") if clean.get("checked") else list(row.matters)
        row.done_at = row.updated_at = now
        due_default = _rectify_due(desk, row.day)
        for i, p in enumerate(problems, start=1):
            pid = new_id()
            prob = InspectionProblem(
                id=pid, code=pid.replace("-", ""), name=p["description"][:100], owner_level="town", sample=False,
                deleted=False, updated_at=now, inspection_no=row.code, seq=i, description=p["description"],
                fixed=p["fixed"], fixed_at=now if p["fixed"] else None,
                rectify_due=None if p["fixed"] else (p.get("rectify_due") or due_default)[:10],
                clue_to=p.get("clue_to"), case_filed=bool(p.get("case_filed")))
            s.add(prob)
            s.flush()
            enqueue_record(s, desk, "inspection_problem", prob)
        audit(s, desk, actor.username, "inspection.result", row.code, {"problems": len(problems)})
        enqueue_record(s, desk, "inspection", row)
        return {"inspection_no": row.code, "state": row.state, "problems": len(problems),
                "fixed": sum(1 for p in problems if p["fixed"]),
                "rectifying": sum(1 for p in problems if not p["fixed"])}


def _rectify_due(desk: Desk, day: str) -> str:
    start = datetime.combine(date.fromisoformat(day), time(18, 0), LOCAL_TZ)
    return desk.calendar().add_workdays(start, I.RECTIFY_DAYS).astimezone(LOCAL_TZ).date().isoformat()


def mark_rectified(desk: Desk, actor: Actor, number: str, data: dict) -> dict:
    """A rectification order done: the problem counts as fixed from now."""
    clean = validate(I.RECTIFIED_INPUT, data, now=desk.now())
    with desk.db.tx() as s:
        row = _get(s, number)
        judge(I.STEPS["rectified"], row.state, actor.role, I.STATE_LABELS, actor_unit=actor.unit,
              record_unit=(row.departments or [None])[0], what="检查")
        prob = s.scalar(select(InspectionProblem).where(InspectionProblem.inspection_no == number,
                                                        InspectionProblem.seq == clean["problem"]))
        if prob is None:
            raise NotFound(f"检查「{number}」没有第 {clean['problem']} 个问题", field="problem")
        if prob.fixed:
            raise ValidationError(f"第 {prob.seq} 个问题已整改完成", field="problem")
        prob.fixed, prob.fixed_at, prob.updated_at = True, desk.now(), desk.now()
        audit(s, desk, actor.username, "inspection.rectified", number, {"problem": prob.seq, "note": clean["note"]})
        enqueue_record(s, desk, "inspection_problem", prob)
        return {"inspection_no": number, "problem": prob.seq, "fixed": True}


def _get(s, number: str) -> Inspection:
    row = s.scalar(select(Inspection).where(Inspection.code == number, Inspection.deleted.is_(False)))
    if row is None:
        raise NotFound(f"检查「{number}」不存在", field="inspection_no")
    return row
