"""网格上报 (报办分离): a grid worker's report becomes a case (intake, channel ``grid_report``) plus
the report's facts (who reported it, from which grid or micro-grid, the outcome), one
transaction with its audit and outbox entries.

``solved`` (当场解决): closed at once with the worker's result (action ``grid_solve``), counted
for the reporter. ``passed`` (上报中心): left 待分派 (never dispatched automatically), so the
centre decides who handles it — the reporter is never the handling unit of the same event.
"""
from __future__ import annotations

from sqlalchemy import select

from app.cases import handling, intake
from app.desk import Actor, Desk
from app.domain import grids as gd
from app.domain.schema import validate
from app.errors import ValidationError
from app.grids import points
from app.store.audit import audit
from app.store.models import GridReport, Staff
from app.store.outbox import enqueue_record


def _grid_of(refs, code: str):
    """(reported grid, its 基础网格, its micro-grid or None) for a grid or micro-grid code."""
    g = refs.find_grid(code)
    if g is None or g.level == "village":
        raise ValidationError(f"网格「{code}」不存在（应为网格或微网格编码）", field="grid")
    basic, micro, walk = g, None, g
    while walk is not None and walk.level not in ("grid",):
        if walk.level == "micro":
            micro = walk
        walk = refs.grids.get(walk.parent) if walk.parent else None
    if walk is None:
        raise ValidationError(f"网格「{g.name}」不属于任何基础网格", field="grid")
    basic = walk
    return g, basic, micro


def staff_village(refs, staff: Staff) -> str | None:
    g = refs.grids.get(staff.grid_code)
    return g.village if g else None


def report(desk: Desk, actor: Actor, data: dict) -> dict:
    """Take in one grid report. Returns the case view (as ``case add``) plus ``reporter_staff``
    (the staff code) and ``grid_report`` (the report's facts and the points given)."""
    if not isinstance(data, dict):
        raise ValidationError("网格上报内容应为 JSON 对象", field="report")
    clean = validate(gd.GRID_REPORT_INPUT, data, label="网格上报")
    refs = desk.refs()
    reported, basic, micro = _grid_of(refs, clean["grid"])
    outcome = clean["outcome"]
    result = (clean.get("result") or "").strip()
    if outcome == "solved" and not result:
        raise ValidationError("当场解决的事件须填写解决情况（result）", field="result")
    with desk.db.read() as s:
        staff = s.scalar(select(Staff).where(Staff.code == clean["reporter"], Staff.deleted.is_(False)))
    if staff is None:
        raise ValidationError(f"上报人「{clean['reporter']}」不在网格人员名册中", field="reporter")
    home = staff_village(refs, staff)
    if home != reported.village:
        raise ValidationError(f"上报人「{staff.name}」属于{refs.grid_name(home) or '其他村社'}，"
                              f"不能上报{refs.grid_name(reported.village)}的网格事件", field="reporter")
    case_input = {"channel": "grid_report", "category": clean["category"], "description": clean["description"],
                  "location": {"grid": reported.code, "address": clean.get("address")},
                  "reporter": {"name": staff.name}, "auto_dispatch": False}
    for key in ("title", "urgency", "persons"):
        if clean.get(key) is not None:
            case_input[key] = clean[key]
    facts: dict = {}

    def record(s, view: dict) -> dict:
        if outcome == "solved":
            view = {**handling.act_within(s, desk, actor, view["case_no"], "grid_solve", {"result": result}),
                    "routing": view["routing"]}
        at = desk.now()
        row = GridReport(id=view["id"], code=view["case_no"], name=view["title"][:100], owner_level="town",
                         sample=False, deleted=False, updated_at=at, case_id=view["id"], reporter_staff=staff.code,
                         village_code=reported.village, grid_code=basic.code,
                         micro_code=micro.code if micro else None, outcome=outcome, reported_at=at)
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "grid.report", view["case_no"], {"reporter": staff.code, "outcome": outcome})
        enqueue_record(s, desk, "grid_report", row)
        facts.update(report_dict(row, refs, staff), points=points.award_for_report(s, desk, actor, staff, outcome,
                                                                                     view["case_no"]))
        return view

    view = intake.take_in(desk, actor, case_input, then=record)
    if outcome == "solved":
        view["routing"] = {"unit": None, "reason": "网格员当场解决，已办结", "candidates": [], "outcome": "solved"}
    else:
        view["routing"] = {**view["routing"], "outcome": "queue",
                           "reason": f"网格上报（报办分离）：进入待分派，由中心派单。{view['routing']['reason'] or ''}"}
    return {**view, "reporter_staff": staff.code, "grid_report": facts}


def report_dict(r: GridReport, refs, staff: Staff | None = None) -> dict:
    return {"case_no": r.code, "reporter_staff": r.reporter_staff, "reporter_name": staff.name if staff else None,
            "village": r.village_code, "village_name": refs.grid_name(r.village_code), "grid": r.grid_code,
            "grid_name": refs.grid_name(r.grid_code), "micro": r.micro_code,
            "micro_name": refs.grid_name(r.micro_code) if r.micro_code else None,
            "outcome": r.outcome, "outcome_label": gd.OUTCOMES[r.outcome], "reported_at": r.reported_at.isoformat()}


def roster(desk: Desk, grid: str | None = None) -> list[dict]:
    """Grid staff (for the 网格上报 form's reporter picker): all, or those of one grid's 村社."""
    refs = desk.refs()
    village = None
    if grid:
        g = refs.find_grid(grid)
        if g is None:
            raise ValidationError(f"网格「{grid}」不存在", field="grid")
        village = g.village
    with desk.db.read() as s:
        rows = list(s.scalars(select(Staff).where(Staff.deleted.is_(False)).order_by(Staff.code)))
    return [{"code": r.code, "name": r.name, "role": r.role, "grid": r.grid_code,
             "grid_name": refs.grid_name(r.grid_code)} for r in rows
            if village is None or staff_village(refs, r) == village]
