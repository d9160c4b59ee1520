"""Reads of 综合查一次: the statistics over a date range, the list and one inspection."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.desk import Desk
from app.domain import inspections as I
from app.errors import NotFound, ValidationError
from app.store.models import Inspection, InspectionProblem


def _day(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValidationError("日期格式应为 YYYY-MM-DD", field=field) from None


def _rows(s, date_from: str | None, date_to: str | None) -> list[Inspection]:
    q = select(Inspection).where(Inspection.deleted.is_(False))
    if date_from:
        q = q.where(Inspection.day >= date_from)
    if date_to:
        q = q.where(Inspection.day <= date_to)
    return list(s.scalars(q.order_by(Inspection.day.desc(), Inspection.code.desc())))


def inspection_stats(desk: Desk, date_from: str | None = None, date_to: str | None = None) -> dict:
    """{inspections, problems, fixed, clues, cases_filed, visits_spared} of the joint inspections
    dated from ``date_from`` to ``date_to`` (inclusive local dates). ``fixed`` counts problems fixed
    on the spot or rectified since; ``visits_spared`` = Σ (departments − 1)."""
    date_from, date_to = _day(date_from, "from"), _day(date_to, "to")
    if date_from and date_to and date_from > date_to:
        raise ValidationError("开始日期不能晚于结束日期", field="from")
    with desk.db.read() as s:
        ins = [{"inspection_no": r.code, "departments": r.departments or []} for r in _rows(s, date_from, date_to)]
        nos = [i["inspection_no"] for i in ins]
        probs = []
        for start in range(0, len(nos), 500):
            probs += [{"inspection_no": p.inspection_no, "fixed": p.fixed, "clue_to": p.clue_to,
                       "case_filed": p.case_filed} for p in s.scalars(select(InspectionProblem).where(
                           InspectionProblem.inspection_no.in_(nos[start:start + 500]),
                           InspectionProblem.deleted.is_(False)))]
    return I.stats(ins, probs)


def list_inspections(desk: Desk, date_from: str | None = None, date_to: str | None = None) -> list[dict]:
    refs = desk.refs()
    with desk.db.read() as s:
        rows = _rows(s, _day(date_from, "from"), _day(date_to, "to"))
        counts: dict[str, list[int]] = {}
        nos = [r.code for r in rows]
        for start in range(0, len(nos), 500):
            for p in s.scalars(select(InspectionProblem).where(InspectionProblem.inspection_no.in_(nos[start:start + 500]))):
                c = counts.setdefault(p.inspection_no, [0, 0])
                c[0] += 1
                c[1] += int(p.fixed)
        return [{"inspection_no": r.code, "date": r.day, "target": {"name": r.name, "uscc": r.uscc},
                 "departments": r.departments, "department_names": [refs.unit_name(d) for d in r.departments],
                 "matters": r.matters, "state": r.state, "state_label": I.STATE_LABELS.get(r.state, r.state),
                 "problems": counts.get(r.code, [0, 0])[0], "fixed": counts.get(r.code, [0, 0])[1],
                 "visits_spared": max(len(r.departments) - 1, 0)} for r in rows]


def show_inspection(desk: Desk, number: str) -> dict:
    refs = desk.refs()
    with desk.db.read() as s:
        r = s.scalar(select(Inspection).where(Inspection.code == number, Inspection.deleted.is_(False)))
        if r is None:
            raise NotFound(f"检查「{number}」不存在", field="inspection_no")
        probs = s.scalars(select(InspectionProblem).where(InspectionProblem.inspection_no == number)
                          .order_by(InspectionProblem.seq))
        return {"inspection_no": r.code, "date": r.day, "target": {"name": r.name, "uscc": r.uscc},
                "departments": r.departments, "department_names": [refs.unit_name(d) for d in r.departments],
                "matters": r.matters, "checked": r.checked, "state": r.state,
                "state_label": I.STATE_LABELS.get(r.state, r.state),
                "problems": [{"seq": p.seq, "description": p.description, "fixed": p.fixed,
                              "rectify_due": p.rectify_due, "clue_to": p.clue_to,
                              "clue_to_name": refs.unit_name(p.clue_to) if p.clue_to else None,
                              "case_filed": p.case_filed} for p in probs]}
