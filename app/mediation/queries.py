"""矛盾调处 reads: the dispute view (colour, clock, 司法确认 reminder, 卷宗 completeness), the queue,
one dispute with its sessions, the 巡回调解 schedule by 村社, mediator workload and the 积案 list."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from app.cases.views import SEE_PERSONAL, mask_id, mask_phone
from app.desk import Actor, Desk
from app.domain import mediation as md
from app.domain.timezone import LOCAL_TZ
from app.errors import ValidationError
from app.mediation.common import find_backlog, find_dispute
from app.store.models import Backlog, BacklogStep, Dispute, MediationSession, Mediator


def _iso(v):
    return v.isoformat() if isinstance(v, datetime) else v


def sees_personal(actor: Actor | None) -> bool:
    return actor is None or actor.role in SEE_PERSONAL


def party_view(p: dict, see: bool) -> dict:
    out = {"role": p.get("role"), "role_label": md.ROLES.get(p.get("role"), p.get("role")), "name": p.get("name"),
           "id_no": p.get("id_no"), "phone": p.get("phone"), "address": p.get("address")}
    if not see:
        out["id_no"], out["phone"] = mask_id(out["id_no"]), mask_phone(out["phone"])
    return out


def session_view(x: MediationSession) -> dict:
    return {"code": x.code, "at": _iso(x.at), "place": x.place, "village": x.village, "attendees": list(x.attendees or []),
            "record": x.record, "outcome": x.outcome,
            "outcome_label": md.OUTCOMES.get(x.outcome, "计划") if x.outcome else "计划", "mediator": x.mediator}


def _sessions(s, dispute_id: str) -> list[MediationSession]:
    return list(s.scalars(select(MediationSession).where(MediationSession.dispute_id == dispute_id,
                                                         MediationSession.deleted.is_(False))
                          .order_by(MediationSession.at, MediationSession.code)))


def dispute_view(s, row: Dispute, refs, now: datetime, actor: Actor | None, sessions=None) -> dict:
    """The JSON shape of a dispute (CLI, window, documents)."""
    sessions = _sessions(s, row.id) if sessions is None else sessions
    failed = sum(1 for x in sessions if x.outcome == "failed")
    grade = md.grade(state=row.state, success=row.success, difficulty=row.difficulty,
                     criminal_risk=row.criminal_risk, police_calls=row.police_calls or 0, failed_sessions=failed)
    colour = md.dispute_colour(now, state=row.state, due=row.due_at, warn=row.warn_at, grade_colour=grade)
    registered = set(row.documents or [])
    has_record = any(x.outcome and x.record for x in sessions)
    flags = dict(has_record=has_record, closed=row.state == "closed", success=row.success, means=row.means,
                 registered=registered, visited=row.visited_at is not None)
    see = sees_personal(actor)
    return {
        "dispute_no": row.code, "case_no": row.case_no, "title": row.name, "type": row.type, "source": row.source,
        "state": row.state, "state_label": md.STATES.get(row.state, row.state),
        "parties": [party_view(p, see) for p in row.parties or []], "facts": row.facts,
        "amount": row.amount, "persons": row.persons,
        "difficulty": md.DIFFICULTIES.get(row.difficulty, row.difficulty), "difficulty_code": row.difficulty,
        "difficulty_reason": row.difficulty_reason, "criminal_risk": row.criminal_risk,
        "police_calls": row.police_calls, "village": row.village, "village_name": refs.grid_name(row.village),
        "opened_at": _iso(row.opened_at), "due_at": _iso(row.due_at), "warn_at": _iso(row.warn_at),
        "extension_days": row.extension_days, "color": colour, "color_label": md.COLOURS[colour],
        "grade": grade, "grade_lead": md.GRADE_LEADS[grade],
        "mediator": row.mediator, "co_mediators": list(row.co_mediators or []),
        "means": row.means, "means_label": md.MEANS.get(row.means) if row.means else None,
        "success": row.success, "agreement": row.agreement, "reason": row.fail_reason,
        "closed_at": _iso(row.closed_at), "judicial_confirmation_due": _iso(row.judicial_due_at),
        "judicial_applied_at": _iso(row.judicial_applied_at),
        "judicial_reminder": md.judicial_reminder(now, row.judicial_due_at, row.judicial_applied_at is not None),
        "visited_at": _iso(row.visited_at), "visit_note": row.visit_note, "performed": row.performed,
        "session_count": sum(1 for x in sessions if x.outcome), "failed_sessions": failed,
        "documents": sorted(registered), "missing_documents": md.missing_documents(**flags),
        "dossier_items": md.dossier_items(**flags),
    }


def show_dispute(desk: Desk, actor: Actor | None, key: str) -> dict:
    """``dispute show``: the dispute with its sessions, 司法确认 deadline and missing 卷宗 documents."""
    with desk.db.read() as s:
        row = find_dispute(s, key)
        sessions = _sessions(s, row.id)
        view = dispute_view(s, row, desk.refs(), desk.now(), actor, sessions)
        view["sessions"] = [session_view(x) for x in sessions]
        names = {m.code: m.name for m in s.scalars(select(Mediator))}
    view["mediator_name"] = names.get(view["mediator"])
    view["co_mediator_names"] = [names.get(c, c) for c in view["co_mediators"]]
    return view


def _state_filter(state: str | None):
    if not state:
        return None
    code = {v: k for k, v in md.STATES.items()}.get(state, state)
    if code == "open":
        return md.OPEN_STATES
    if code not in md.STATES:
        raise ValidationError("状态应为：open（未结案）、" + "、".join(f"{k}（{v}）" for k, v in md.STATES.items()),
                              field="state")
    return (code,)


def list_disputes(desk: Desk, actor: Actor | None, state: str | None = None, color: str | None = None,
                  mediator: str | None = None) -> list[dict]:
    """``dispute list``: newest first, filtered by state (open = not closed), colour and mediator."""
    states = _state_filter(state)
    if color:
        color = {v: k for k, v in md.COLOURS.items()}.get(color, color)
        if color not in md.COLOURS:
            raise ValidationError("颜色应为 red（红）、yellow（黄）或 green（绿）", field="color")
    now, refs = desk.now(), desk.refs()
    with desk.db.read() as s:
        q = select(Dispute).where(Dispute.deleted.is_(False))
        if states:
            q = q.where(Dispute.state.in_(states))
        if mediator:
            q = q.where(Dispute.mediator == mediator)
        rows = list(s.scalars(q.order_by(Dispute.opened_at.desc(), Dispute.code.desc())))
        by_dispute: dict[str, list] = {}
        ids = [r.id for r in rows]
        for start in range(0, len(ids), 500):
            for x in s.scalars(select(MediationSession).where(MediationSession.deleted.is_(False),
                                                              MediationSession.dispute_id.in_(ids[start:start + 500]))
                               .order_by(MediationSession.at)):
                by_dispute.setdefault(x.dispute_id, []).append(x)
        out = [dispute_view(s, r, refs, now, actor, by_dispute.get(r.id, [])) for r in rows]
    return [v for v in out if not color or v["color"] == color]


def circuit_schedule(desk: Desk, days: int = 30) -> list[dict]:
    """巡回调解: planned sessions from now on, by 村社 (village name, then time)."""
    now, refs = desk.now(), desk.refs()
    with desk.db.read() as s:
        rows = list(s.scalars(select(MediationSession).where(MediationSession.deleted.is_(False),
                                                             MediationSession.at >= now)
                              .order_by(MediationSession.village, MediationSession.at)))
    return [{"village": x.village, "village_name": refs.grid_name(x.village) or "—", "dispute_no": x.dispute_no,
             "at": _iso(x.at), "place": x.place, "mediator": x.mediator} for x in rows
            if (x.at - now).days <= days]


def workload(desk: Desk) -> list[dict]:
    """Per mediator: open disputes as lead, as co-mediator, and closed ones."""
    with desk.db.read() as s:
        mediators = list(s.scalars(select(Mediator).where(Mediator.deleted.is_(False)).order_by(Mediator.code)))
        rows = list(s.scalars(select(Dispute).where(Dispute.deleted.is_(False))))
    lead, co, done = Counter(), Counter(), Counter()
    for r in rows:
        if r.state == "closed":
            done[r.mediator] += 1
        else:
            lead[r.mediator] += 1
            for c in r.co_mediators or []:
                co[c] += 1
    return [{"code": m.code, "name": m.name, "kind": m.kind, "kind_label": md.MEDIATOR_KIND_WORDS.get(m.kind, m.kind),
             "org": m.org, "open": lead[m.code], "assisting": co[m.code], "closed": done[m.code]} for m in mediators]


# -- 积案 ------------------------------------------------------------------------------------------

def backlog_view(row: Backlog, refs, steps: list | None = None) -> dict:
    out = {"backlog_no": row.code, "case_no": row.case_no, "title": row.name, "kind": row.kind,
           "state": row.state, "state_label": md.BACKLOG_STATES.get(row.state, row.state),
           "lead": row.lead, "members": list(row.members or []), "units": list(row.units or []),
           "unit_names": [refs.unit_name(u) or u for u in row.units or []], "village": row.village,
           "village_name": refs.grid_name(row.village), "plan": row.plan, "due": row.due,
           "registered_at": _iso(row.registered_at), "resolved_at": _iso(row.resolved_at),
           "checklist": list(row.checklist or []),
           "checklist_items": [{"key": k, "label": v, "done": k in (row.checklist or [])} for k, v in md.CHECKLIST.items()]}
    if steps is not None:
        out["progress"] = [{"at": _iso(x.at), "note": x.note, "actor": x.actor} for x in steps]
    return out


def _steps(s, backlog_id: str) -> list[BacklogStep]:
    return list(s.scalars(select(BacklogStep).where(BacklogStep.backlog_id == backlog_id,
                                                    BacklogStep.deleted.is_(False))
                          .order_by(BacklogStep.at, BacklogStep.code)))


def list_backlog(desk: Desk, state: str | None = None) -> list[dict]:
    """``backlog list``: the register, oldest first, each with its progress entries."""
    if state and state not in md.BACKLOG_STATES:
        raise ValidationError("状态应为 open（化解中）或 resolved（已实质性化解）", field="state")
    refs, now = desk.refs(), desk.now()
    today = now.astimezone(LOCAL_TZ).date().isoformat()
    with desk.db.read() as s:
        q = select(Backlog).where(Backlog.deleted.is_(False))
        if state:
            q = q.where(Backlog.state == state)
        rows = list(s.scalars(q.order_by(Backlog.registered_at, Backlog.code)))
        steps: dict[str, list] = {}
        for x in s.scalars(select(BacklogStep).where(BacklogStep.deleted.is_(False)).order_by(BacklogStep.at)):
            steps.setdefault(x.backlog_id, []).append(x)
    out = []
    for r in rows:
        v = backlog_view(r, refs, steps.get(r.id, []))
        v["overdue"] = r.state == "open" and r.due < today
        out.append(v)
    return out


def show_backlog(desk: Desk, key: str) -> dict:
    with desk.db.read() as s:
        row = find_backlog(s, key)
        return backlog_view(row, desk.refs(), _steps(s, row.id))
