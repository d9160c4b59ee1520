"""The 风险 figures of the monthly bulletin (月专报): risks registered, closed and open by level,
overdue ones, case-trend proposals answered, 稳评 concluded and 综合查一次 in the period. Plain
data; app.dossier.risk_bulletin lays it out."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.desk import Desk
from app.domain import assessment as A
from app.domain import deadlines as dl
from app.domain import risk as R
from app.inspections.queries import inspection_stats
from app.store.models import Assessment, Risk, RiskDecision


def figures(desk: Desk, p) -> dict:
    """``p`` is an app.supervision.indicators.Period (local dates, inclusive)."""
    start, end = p.utc_start, p.utc_end
    now = desk.now()
    refs = desk.refs()
    with desk.db.read() as s:
        risks = list(s.scalars(select(Risk).where(Risk.deleted.is_(False))))
        decisions = list(s.scalars(select(RiskDecision).where(RiskDecision.at >= start, RiskDecision.at < end)))
        concluded = list(s.scalars(select(Assessment).where(Assessment.concluded_at >= start,
                                                            Assessment.concluded_at < end)))
    new = [r for r in risks if start <= r.created_at < end]
    open_now = [r for r in risks if r.state != R.CLOSED]
    overdue = [r for r in open_now if r.state in R.OPEN_STATES and dl.colour(now, r.due_at, r.warn_at) == "red"]
    by_village = Counter(r.village for r in new)
    return {
        "new": len(new), "new_by_level": {lv: sum(1 for r in new if r.level == lv) for lv in R.LEVELS},
        "new_by_source": {R.SOURCES[k]: n for k, n in Counter(r.source for r in new).most_common()},
        "closed": sum(1 for r in risks if r.closed_at and start <= r.closed_at < end),
        "reported": sum(1 for r in new if r.reported),
        "open": len(open_now), "open_by_level": {lv: sum(1 for r in open_now if r.level == lv) for lv in R.LEVELS},
        "overdue": [{"risk_no": r.code, "title": r.name, "level_label": R.LEVELS[r.level],
                     "unit_name": refs.unit_name(r.unit) or "待指定", "state_label": R.STATE_LABELS[r.state]}
                    for r in sorted(overdue, key=lambda r: r.due_at)[:10]],
        "villages": [{"name": refs.grid_name(v), "count": n} for v, n in by_village.most_common(5)],
        "proposals": {"accepted": sum(1 for d in decisions if d.decision == "accepted"),
                      "dismissed": sum(1 for d in decisions if d.decision == "dismissed")},
        "assessments": {"concluded": len(concluded),
                        "by_conclusion": {A.CONCLUSIONS[k]: sum(1 for a in concluded if a.conclusion == k)
                                          for k in A.CONCLUSIONS}},
        "inspections": inspection_stats(desk, p.start.isoformat(), p.end.isoformat()),
    }
