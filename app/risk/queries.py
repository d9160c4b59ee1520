"""Reads of the risk register: the list (with the 处置时限 light and 督办), one risk with its steps,
and counts by 村社 (the 风险研判 page's map)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.desk import Desk
from app.domain import deadlines as dl
from app.domain import risk as R
from app.domain.loops import allowed_steps
from app.errors import NotFound, ValidationError
from app.store.models import Risk, RiskStep


def _row(desk: Desk, r: Risk, now) -> dict:
    refs = desk.refs()
    running = r.state in R.OPEN_STATES
    return {"risk_no": r.code, "title": r.name, "source": r.source, "source_label": R.SOURCES.get(r.source, r.source),
            "type": r.type, "description": r.description, "village": r.village,
            "village_name": refs.grid_name(r.village), "grid": r.grid, "persons": r.persons, "level": r.level,
            "level_label": R.LEVELS.get(r.level, r.level), "color": R.LEVEL_COLOURS.get(r.level, "green"),
            "state": r.state, "state_label": R.STATE_LABELS.get(r.state, r.state), "unit": r.unit,
            "unit_name": refs.unit_name(r.unit), "route_reason": r.route_reason, "reported": r.reported,
            "case_nos": list(r.case_nos or []), "created_at": r.created_at.isoformat(), "created_by": r.created_by,
            "due_at": r.due_at.isoformat() if r.due_at else None,
            "due_color": dl.colour(now, r.due_at, r.warn_at) if running else None,
            "urge_count": r.urge_count, "urge_level": r.urge_level,
            "closed_at": r.closed_at.isoformat() if r.closed_at else None}


def list_risks(desk: Desk, state: str | None = None, level: str | None = None, village: str | None = None,
               open_only: bool = False) -> list[dict]:
    """Risks newest first, filtered by state, level, 村社; ``open_only`` leaves out 销号."""
    if state and state not in R.STATE_LABELS:
        raise ValidationError("状态应为：" + "、".join(f"{k}（{v}）" for k, v in R.STATE_LABELS.items()), field="state")
    if level and level not in R.LEVELS:
        raise ValidationError("风险等级应为 high、medium 或 low", field="level")
    q = select(Risk).where(Risk.deleted.is_(False))
    if state:
        q = q.where(Risk.state == state)
    if level:
        q = q.where(Risk.level == level)
    if village:
        q = q.where(Risk.village == village)
    if open_only:
        q = q.where(Risk.state != R.CLOSED)
    now = desk.now()
    with desk.db.read() as s:
        rows = list(s.scalars(q.order_by(Risk.created_at.desc(), Risk.code.desc())))
        return [_row(desk, r, now) for r in rows]


def show_risk(desk: Desk, risk_no: str, role: str | None = None) -> dict:
    with desk.db.read() as s:
        r = s.scalar(select(Risk).where(Risk.code == risk_no, Risk.deleted.is_(False)))
        if r is None:
            raise NotFound(f"风险「{risk_no}」不存在", field="risk_no")
        out = _row(desk, r, desk.now())
        steps = s.scalars(select(RiskStep).where(RiskStep.risk_no == risk_no).order_by(RiskStep.at, RiskStep.code))
        out["steps"] = [{"kind": x.kind, "label": x.name, "at": x.at.isoformat(), "actor": x.actor,
                         "actor_name": x.actor_name, "note": x.note, "from": x.from_state, "to": x.to_state,
                         "detail": x.detail} for x in steps]
        acts = {k: R.STEPS[k] for k in R.ACT_STEPS}
        out["allowed"] = allowed_steps(acts, r.state, role) if role else []
        return out


def counts_by_village(desk: Desk, open_only: bool = True) -> list[dict]:
    """[{village, name, high, medium, low, total}] for every 村社 (the map of counts)."""
    refs = desk.refs()
    with desk.db.read() as s:
        q = select(Risk.village, Risk.level).where(Risk.deleted.is_(False))
        if open_only:
            q = q.where(Risk.state != R.CLOSED)
        counts = Counter((v, lv) for v, lv in s.execute(q))
    out = []
    for v in sorted(refs.villages(), key=lambda g: g.code):
        row = {"village": v.code, "name": v.name, **{lv: counts.get((v.code, lv), 0) for lv in R.LEVELS}}
        row["total"] = sum(row[lv] for lv in R.LEVELS)
        out.append(row)
    return out
