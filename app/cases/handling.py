"""Every workflow action after intake: one entry point, ``act_many`` (``act`` for one case), that
validates the payload against the action's declaration (app.domain.actions), shapes what the
service adds (deadlines worked out now, units resolved, edits turned into diffs) and writes it
through caselog.record in one transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app.cases import caselog
from app.cases.intake import _take_in, normalize, take_in
from app.cases.timing import dispatch_payload, parse_due, resolve_unit, warn_for
from app.cases.views import case_summary
from app.desk import Actor, Desk
from app.domain import deadlines as dl
from app.domain import workflow as wf
from app.domain.schema import validate
from app.errors import AppError, ValidationError, WorkflowError
from app.store.models import CohandleTask, GridReport, Staff


@dataclass
class Outcome:
    """What an action on one or many cases did: the case views, the cases it could not act on
    (per-case mode) with the reason, and the case numbers that changed."""

    views: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        return [v["case_no"] for v in self.views]

    def to_dict(self) -> dict:
        return {"views": self.views, "failed": self.failed, "changed": self.changed}


def act(desk: Desk, actor: Actor, key: str, kind: str, payload: dict | None = None) -> dict:
    """Carry out one workflow action on case ``key`` (number or id). Returns the case view."""
    return act_many(desk, actor, [key], kind, payload).views[0]


def act_many(desk: Desk, actor: Actor, keys: list[str], kind: str, payload: dict | None = None, *,
             all_or_nothing: bool = True) -> Outcome:
    """The same action on several cases: in one transaction (``all_or_nothing``: the first refusal
    names its case and changes nothing), or one transaction per case (the refusals are reported
    in ``failed`` and the others go through). The window, the CLI and the queue all call this."""
    spec = wf.ACTIONS.get(kind)
    if spec is None or kind == "intake":
        raise ValidationError(f"未知的操作：{kind}", field="action")
    if not isinstance(payload, dict | None):
        raise ValidationError("操作内容应为 JSON 对象", field="payload")
    payload = dict(payload or {})
    out = Outcome()
    if all_or_nothing:
        with desk.db.tx() as s:
            for key in keys:
                try:
                    out.views.append(_act(s, desk, actor, key, spec, payload, desk.now()))
                except AppError as e:
                    if len(keys) > 1:
                        e.message = f"{key}：{e.message}"
                    raise
        return out
    for key in keys:
        try:
            with desk.db.tx() as s:
                out.views.append(_act(s, desk, actor, key, spec, payload, desk.now()))
        except AppError as e:
            out.failed.append({"case_no": key, "error": e.to_dict()})
    return out


def act_within(s, desk: Desk, actor: Actor, key: str, kind: str, payload: dict | None = None, *,
               now: datetime | None = None) -> dict:
    """``act`` inside the caller's transaction ``s`` (e.g. an intake and its closing written
    together: app.grids.reports). The same validation, shaping and recording as ``act_many``."""
    spec = wf.ACTIONS.get(kind)
    if spec is None or kind == "intake":
        raise ValidationError(f"未知的操作：{kind}", field="action")
    return _act(s, desk, actor, key, spec, dict(payload or {}), now or desk.now())


REPEAT_DECISIONS = {"merge": "合并到原案件", "link": "关联（进待分派，由调度员处理）", "new": "仍新建"}


def take_in_repeat(desk: Desk, actor: Actor, data: dict, decision: str, into: str | None = None, *,
                   files=()) -> dict:
    """Take in a case the operator was told repeats an earlier one, as the operator decided:
    ``merge`` (taken in and merged into ``into`` in the same transaction: nothing dispatched),
    ``link`` (taken in with its repeat marks and left for the dispatcher: never auto-dispatched),
    ``new`` (an ordinary intake). Returns the new case's view."""
    if decision not in REPEAT_DECISIONS:
        raise ValidationError("重复件处理应为：" + "、".join(f"{k}（{v}）" for k, v in REPEAT_DECISIONS.items()),
                              field="repeat")
    if decision == "new":
        return take_in(desk, actor, data, files=files)
    data = {**data, "auto_dispatch": False}
    if decision == "link":
        return take_in(desk, actor, data, files=files)
    if not into:
        raise ValidationError("请选择要合并到的原案件", field="into")
    spec = wf.ACTIONS["merge"]

    def merge(s, view: dict) -> dict:
        return _act(s, desk, actor, view["case_no"], spec, {"into": into}, desk.now())

    return take_in(desk, actor, data, files=files, then=merge)


def _act(s, desk: Desk, actor: Actor, key: str, spec: wf.Action, payload: dict, now: datetime) -> dict:
    row = caselog.find_case(s, key)
    # A forbidden move reports the state, role and unit before any payload detail.
    wf.check_move(row.state, spec.name, actor.role)
    wf.check_unit(spec, actor.role, actor.unit, row.unit)
    if spec.name == "edit":
        unknown = [k for k in payload if k not in wf.EDITABLE_FIELDS and k != "note"]
        if unknown or not payload:
            raise ValidationError("可更正的字段：" + "、".join(wf.EDITABLE_FIELDS), field="edit")
    clean = validate(spec.fields, payload, now=now)
    shaped = _shape(s, desk, actor, row, spec.name, clean, now)
    row, action = caselog.record(s, desk, actor, row, spec.name, shaped, at=now)
    if spec.name == "cohandle":
        s.add(CohandleTask(id=action.id, case_id=row.id, action_id=action.id, unit_code=shaped["unit"],
                           due_at=datetime.fromisoformat(shaped["due_at"]) if shaped.get("due_at") else None))
    return case_summary(row, desk.refs(), now, actor)


def _shape(s, desk: Desk, actor: Actor, row, kind: str, p: dict, now: datetime) -> dict:
    out = dict(p)  # already validated against the declared fields
    cal = desk.calendar()
    if kind == "dispatch":
        unit = resolve_unit(desk, p.get("unit"))
        co = [resolve_unit(desk, c, "co_units") for c in p.get("co_units") or []]
        _not_the_reporter(s, row, unit)
        out.update(dispatch_payload(desk, row, unit, co, p.get("due_at"), now))
    elif kind == "transfer":
        out["unit"] = resolve_unit(desk, p.get("unit"))
        _not_the_reporter(s, row, out["unit"])
        if out["unit"] == row.unit:
            raise ValidationError("流转单位与当前承办单位相同", field="unit")
    elif kind == "cohandle":
        out["unit"] = resolve_unit(desk, p.get("unit"))
        if out["unit"] == row.unit or out["unit"] in (row.co_units or []):
            raise ValidationError("该单位已在办理此案件", field="unit")
        due = parse_due(p.get("due_at"), now) or row.due_at
        if row.due_at and due and due > row.due_at:
            raise ValidationError("协办时限不能晚于主办时限", field="due_at")
        out["due_at"] = due.isoformat() if due else None
    elif kind == "extend_approve":
        if not row.extension_pending:
            raise WorkflowError("没有待批准的延期申请", field="action")
        if row.due_at and now > row.due_at:
            raise WorkflowError("已超过办结时限，不能批准延期", field="action")
        out["days"] = row.extension_pending
        due = dl.extend(cal, row.due_at or now, row.extension_pending)
        out.update(due_at=due.isoformat(), warn_at=warn_for(desk, cal, row.dispatched_at or now, due).isoformat())
    elif kind == "extend_request":
        if row.extension_pending:
            raise WorkflowError("已有待批准的延期申请", field="action")
    elif kind == "resume":
        if row.due_at and row.suspended_at:
            due = dl.shift_for_suspension(cal, row.due_at, row.suspended_at, now)
            out.update(due_at=due.isoformat(),
                       warn_at=warn_for(desk, cal, row.dispatched_at or now, due).isoformat())
    elif kind == "approve_close":
        cb = cal.next_workday_end(now)
        out.update(callback_due_at=cb.isoformat(), callback_warn_at=(cb - timedelta(hours=24)).isoformat())
    elif kind == "callback":
        out["unit_at_fault"] = bool(p.get("unit_at_fault")) and p.get("satisfaction") == "unsatisfied"
    elif kind == "merge":
        target = caselog.find_case(s, str(p.get("into") or "").strip()) if p.get("into") else None
        if target is None:
            raise ValidationError("请指定要合并到的案件编号", field="into")
        if target.id == row.id or target.state == wf.MERGED:
            raise ValidationError("不能合并到自身或已被合并的案件", field="into")
        out["into"] = target.case_no
    elif kind == "reject":
        code = p.get("reason_code")
        if code and code not in wf.REJECT_CODES:
            raise ValidationError("不予受理原因代码应为：" + "、".join(wf.REJECT_CODES), field="reason_code")
        if code and not p.get("reason"):
            out["reason"] = wf.REJECT_CODES[code]
    elif kind == "urge":
        if p.get("reply_by"):
            out["reply_by"] = parse_due(p["reply_by"], now).isoformat()
    elif kind == "urge_reply" and not row.urge_count:
        raise WorkflowError("该案件没有督办，无需回复", field="action")
    elif kind == "flag":
        if "urgency" in out and out["urgency"] not in ("normal", "urgent"):
            raise ValidationError("紧急程度应为 normal 或 urgent", field="urgency")
    elif kind == "edit":
        out = _edit_diff(desk, row, p)
    elif kind == "reopen":
        out["new_case"] = _open_linked_case(s, desk, actor, row, now)
    return out


def _not_the_reporter(s, row, unit: str | None) -> None:
    """报办分离 (issue 17): a grid report is never handled by its reporter's own unit (a 联络员's)."""
    if row.channel != "grid_report" or not unit:
        return
    reporter_unit = s.scalar(select(Staff.unit_code).join(GridReport, GridReport.reporter_staff == Staff.code)
                             .where(GridReport.case_id == row.id))
    if reporter_unit == unit:
        raise ValidationError("报办分离：网格上报的事件不能由上报人所在单位承办，请另选承办单位", field="unit")


def _edit_diff(desk: Desk, row, p: dict) -> dict:
    """Turn {field: new value} into {"changes": {field: {"from", "to"}}} after validation."""
    fields = {k: v for k, v in p.items() if k != "note"}
    unknown = [k for k in fields if k not in wf.EDITABLE_FIELDS]
    if unknown or not fields:
        raise ValidationError("可更正的字段：" + "、".join(wf.EDITABLE_FIELDS), field="edit")
    current = {
        "channel": row.channel, "type": row.type, "title": row.title, "description": row.description,
        "reporter": {"name": row.reporter_name, "phone": row.reporter_phone, "id_no": row.reporter_id_no},
        "anonymous": row.anonymous, "persons": row.persons, "category": row.category, "urgency": row.urgency,
        "location": {"village": row.village, "grid": row.grid, "address": row.address},
    }
    for k, v in fields.items():
        if k.startswith("reporter_"):
            current["reporter"][k.removeprefix("reporter_")] = v
        elif k in ("village", "grid", "address"):
            current["location"][k] = v
            if k == "village" and "grid" not in fields:
                current["location"]["grid"] = None
        else:
            current[k] = v
    try:
        clean = normalize(desk, current)
    except AppError as e:
        e.field = e.field.replace("reporter.", "reporter_").replace("location.", "") if e.field else "edit"
        raise
    changes = {k: {"from": getattr(row, k), "to": clean[k]} for k in
               {*fields, *(("village", "grid") if {"village", "grid"} & set(fields) else ())}
               if clean.get(k) != getattr(row, k)}
    if not changes:
        raise ValidationError("更正内容与原内容相同", field="edit")
    out = {"changes": changes}
    if p.get("note"):
        out["note"] = p["note"]
    return out


def _open_linked_case(s, desk: Desk, actor: Actor, row, now) -> str:
    """重新启动: a closed case is reopened as a new case linked to the old one; returns its number."""
    data = {"channel": row.channel, "type": row.type, "title": row.title, "description": row.description,
            "reporter": {"name": row.reporter_name, "phone": row.reporter_phone, "id_no": row.reporter_id_no},
            "anonymous": row.anonymous, "persons": row.persons, "category": row.category,
            "location": {"village": row.village, "grid": row.grid, "address": row.address},
            "urgency": row.urgency, "auto_dispatch": False, "reopened_from": row.case_no}
    return _take_in(s, desk, actor, data, now)["case_no"]
