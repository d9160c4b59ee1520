"""The risk register: add a risk (routed through the responsibility list, 高 reported to the
district), take a step of its loop (预警 → 处置 → 反馈 → 销号, 督办), list and show risks.

Each user action is one function and one transaction: the risk record, its step record
(append-only), the audit entry and an outbox entry for each synced record."""
from __future__ import annotations

from sqlalchemy import select

from app.desk import Actor, Desk
from app.domain import deadlines as dl
from app.domain import risk as R
from app.domain.ids import new_id
from app.domain.loops import judge
from app.domain.routing import route
from app.domain.schema import Field, validate
from app.errors import NotFound, ValidationError
from app.risk.numbering import next_number
from app.store.audit import audit
from app.store.models import Risk, RiskStep
from app.store.outbox import enqueue_record


def add_risk(desk: Desk, actor: Actor, data: dict, *, session=None) -> dict:
    """Register a risk: ``{"risk_no", "state": "monitoring", "color", "unit"}``. ``color`` is the
    level's colour (高 red, 中 yellow, 低 green); ``unit`` the responsible unit when the
    responsibility list names exactly one (else null: the director names it at 预警)."""
    data, people = _people(data)
    clean = validate(R.RISK_INPUT, data, now=desk.now())
    clean["people"] = people
    judge(R.STEPS["add"], None, actor.role, R.STATE_LABELS, what="风险")
    refs = desk.refs()
    village = refs.find_grid(clean["village"], "village")
    if village is None:
        raise ValidationError(f"村社「{clean['village']}」不存在", field="village")
    grid = None
    if clean.get("grid"):
        g = refs.find_grid(clean["grid"])
        if g is None or g.level == "village" or not _under(refs, g.code, village.code):
            raise ValidationError(f"网格「{clean['grid']}」不存在或不属于{village.name}", field="grid")
        grid = g.code
    if clean.get("category") and clean["category"] not in refs.categories:
        raise ValidationError(f"事项分类「{clean['category']}」不存在", field="category")
    unit, reason = _route(refs, clean, village.code, grid)
    if session is not None:
        return _write(session, desk, actor, clean, village.code, grid, unit, reason)
    with desk.db.tx() as s:
        return _write(s, desk, actor, clean, village.code, grid, unit, reason)


def _people(data):
    """``persons`` may be a count or the list of the people involved (names: the count is their
    number, the names go on the registration step); ``level`` may be given as 高/中/低."""
    if not isinstance(data, dict):
        return data, []
    data = dict(data)
    if data.get("level") in R.LEVEL_WORDS:
        data["level"] = R.LEVEL_WORDS[data["level"]]
    people = data.get("persons")
    if not isinstance(people, list):
        return data, []
    if len(people) > 200:
        raise ValidationError("涉及人员最多 200 人", field="persons")
    names = []
    for i, p in enumerate(people):
        names.append(validate((Field(f"persons.{i}", "涉及人员", "name", required=True),), {f"persons.{i}": p})[
            f"persons.{i}"])
    data["persons"] = len(names)
    return data, names


def _under(refs, grid: str, village: str) -> bool:
    seen = set()
    while grid and grid not in seen:
        seen.add(grid)
        if grid == village:
            return True
        g = refs.grids.get(grid)
        grid = g.parent if g else None
    return False


def _route(refs, clean: dict, village: str, grid: str | None) -> tuple[str | None, str]:
    names = {c.code: c.name for c in refs.categories.values()}
    category = R.category_for(clean["type"], clean.get("category"), names)
    if category is None:
        return None, f"风险类型「{clean['type']}」在事项分类中没有对应，请在预警时指定责任单位"
    found = route(category, refs.rules, village=village, grid=grid, category_parents=refs.category_parents,
                  unit_names={u.code: u.name for u in refs.units.values()}, category_names=names,
                  village_names={g.code: g.name for g in refs.grids.values()},
                  grid_names={g.code: g.name for g in refs.grids.values()})
    if found.unique and found.unit not in refs.units:
        return None, f"责任清单指定的单位「{found.unit}」在本机不存在，请在预警时指定责任单位"
    return found.unit, found.reason


def _write(s, desk: Desk, actor: Actor, clean: dict, village: str, grid: str | None, unit: str | None,
           reason: str) -> dict:
    now = desk.now()
    cal = desk.calendar()
    due = cal.add_workdays(now, R.HANDLE_DAYS[clean["level"]])
    warn = dl.warn_at(cal, now, due, desk.setting("yellow_days"), desk.setting("yellow_fraction"))
    rid = new_id()
    risk = Risk(id=rid, code=next_number(s, desk, Risk, "FX"), name=clean["title"], owner_level="town", sample=False,
                deleted=False, updated_at=now, source=clean["source"], type=clean["type"],
                description=clean["description"], village=village, grid=grid, persons=clean["persons"],
                level=clean["level"], state=R.MONITORING, unit=unit, route_reason=reason,
                reported=clean["level"] == "high", case_nos=list(clean.get("case_nos") or []), created_at=now,
                created_by=actor.username, due_at=due, warn_at=warn, urge_count=0)
    s.add(risk)
    s.flush()
    _step(s, desk, actor, risk, "add", None, R.MONITORING, clean["description"],
          {"source": clean["source"], "level": clean["level"], "unit": unit, "reason": reason,
           **({"people": clean["people"]} if clean["people"] else {})})
    if risk.reported:
        _step(s, desk, actor, risk, "report", R.MONITORING, R.MONITORING, "高风险，自动报区级指挥中心", {"auto": True})
    audit(s, desk, actor.username, "risk.add", risk.code, {"level": risk.level, "unit": unit})
    enqueue_record(s, desk, "risk", risk)
    return {"risk_no": risk.code, "state": risk.state, "color": R.LEVEL_COLOURS[risk.level], "unit": unit}


def _step(s, desk: Desk, actor: Actor, risk: Risk, kind: str, before, after, note: str, detail: dict) -> RiskStep:
    sid = new_id()
    row = RiskStep(id=sid, code=sid.replace("-", ""), name=R.STEPS[kind].label, owner_level="town", sample=False,
                   deleted=False, updated_at=desk.now(), risk_no=risk.code, kind=kind, at=desk.now(),
                   actor=actor.username, actor_name=actor.name, note=note, from_state=before, to_state=after,
                   detail=detail)
    s.add(row)
    s.flush()
    enqueue_record(s, desk, "risk_step", row)
    return row


def act_risk(desk: Desk, actor: Actor, risk_no: str, kind: str, data: dict) -> dict:
    """Take one step of a risk's loop (warn, handle, feedback, close) or 督办 (urge) / 报区级
    (report). A step out of order is refused in Chinese and nothing is written."""
    if kind not in R.ACT_STEPS:
        raise ValidationError("操作应为：" + "、".join(f"{k}（{R.STEPS[k].label}）" for k in R.ACT_STEPS),
                              field="action")
    st = R.STEPS[kind]
    clean = validate(st.fields, data, now=desk.now())
    refs = desk.refs()
    if clean.get("unit") and clean["unit"] not in refs.units:
        raise ValidationError(f"单位「{clean['unit']}」不存在", field="unit")
    with desk.db.tx() as s:
        risk = _get(s, risk_no)
        before = risk.state
        after = judge(st, before, actor.role, R.STATE_LABELS, actor_unit=actor.unit, record_unit=risk.unit,
                      what="风险")
        if kind == "handle" and not (clean.get("unit") or risk.unit):
            raise ValidationError("该风险尚无责任单位，请指定责任单位（unit）", field="unit")
        detail = {k: v for k, v in clean.items() if k != "note"}
        if clean.get("unit"):
            risk.unit = clean["unit"]
        if kind == "urge":
            risk.urge_count += 1
            risk.urge_level = clean.get("level") or "normal"
        if kind == "report":
            risk.reported = True
        if after == R.CLOSED:
            risk.closed_at = desk.now()
        risk.state = after
        risk.updated_at = desk.now()
        _step(s, desk, actor, risk, kind, before, after, clean["note"], detail)
        audit(s, desk, actor.username, f"risk.{kind}", risk.code, {"from": before, "to": after})
        enqueue_record(s, desk, "risk", risk)
        return {"risk_no": risk.code, "state": after, "state_label": R.STATE_LABELS[after], "unit": risk.unit,
                "step": kind}


def _get(s, risk_no: str) -> Risk:
    risk = s.scalar(select(Risk).where(Risk.code == risk_no, Risk.deleted.is_(False)))
    if risk is None:
        raise NotFound(f"风险「{risk_no}」不存在", field="risk_no")
    return risk
