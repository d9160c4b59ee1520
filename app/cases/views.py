"""Plain-data views of cases for the CLI, the window and the printed documents."""
from __future__ import annotations

from datetime import datetime

from app.desk import Actor
from app.domain import workflow as wf
from app.domain.deadlines import colour
from app.domain.timezone import LOCAL_TZ
from app.domain.vocab import CASE_TYPES, CHANNELS

SEE_PERSONAL = {wf.INTAKE, wf.DISPATCHER, wf.DIRECTOR, wf.ADMIN}

# The 督办 marker: one badge ("督"), coloured by level, wherever a case appears (case table, 待分派,
# case detail, dossier cover, CLI). A case stays marked after it is closed, in grey.
URGE_MARK = "督"
URGE_COLOURS = {"red": "#c62828", "yellow": "#b7791f", "normal": "#1f5fa8"}
URGE_PAST_COLOUR = "#8a8f98"


def _platform(refs, category: str | None) -> str | None:
    """四平台 code of a case's category (issue 17)."""
    c = refs.categories.get(category) if category else None
    return c.platform if c else None


def mask_phone(v: str | None) -> str | None:
    return v if not v or len(v) < 7 else v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_id(v: str | None) -> str | None:
    return v if not v or len(v) < 10 else v[:6] + "********" + v[-4:]


def case_colour(row, now: datetime) -> str | None:
    if row.state not in wf.OPEN_STATES:
        return None
    return colour(now, row.clock_due_at, row.clock_warn_at)


def urge_label(level: str | None) -> str:
    """红牌督办 / 黄牌督办 / 普通督办 ("" for no level)."""
    return f"{wf.URGE_LEVELS.get(level, level)}督办" if level else ""


def urge_colour(level: str | None, active: bool = True) -> str | None:
    if not level:
        return None
    return URGE_COLOURS.get(level, URGE_COLOURS["normal"]) if active else URGE_PAST_COLOUR


def urge_view(level: str | None, count: int | None, reply_by, state: str) -> dict | None:
    """The 督办 marker of a case from its row (urge_level, urge_count, urge_reply_by, state), or None
    if the case was never under 督办. ``active``: the case is still open (under 督办 now)."""
    if not level:
        return None
    active = state in wf.OPEN_STATES
    due = datetime.fromisoformat(reply_by) if isinstance(reply_by, str) else reply_by
    due_text = due.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if due else ""
    text = f"{urge_label(level)}（第 {count or 1} 次）"
    text += f"，限 {due_text} 前回复" if due_text else ""
    text += "" if active else "；案件已办结"
    return {"mark": URGE_MARK, "level": level, "level_label": wf.URGE_LEVELS.get(level, level),
            "label": urge_label(level), "count": count or 1, "reply_by": due.isoformat() if due else None,
            "reply_by_text": due_text, "active": active, "colour": urge_colour(level, active), "text": text}


def _iso(v):
    return v.isoformat() if isinstance(v, datetime) else v


def case_summary(row, refs, now: datetime, actor: Actor | None = None) -> dict:
    see = actor is None or actor.role in SEE_PERSONAL
    return {
        "id": row.id, "case_no": row.case_no, "state": row.state, "state_label": wf.STATE_LABELS[row.state],
        "channel": row.channel, "channel_label": CHANNELS.get(row.channel, row.channel),
        "type": row.type, "type_label": CASE_TYPES.get(row.type, row.type),
        "title": row.title, "description": row.description,
        "reporter": {"name": row.reporter_name,
                     "phone": row.reporter_phone if see else mask_phone(row.reporter_phone),
                     "id_no": row.reporter_id_no if see else mask_id(row.reporter_id_no)},
        "anonymous": row.anonymous, "persons": row.persons,
        "category": row.category, "category_name": refs.category_name(row.category),
        "platform": _platform(refs, row.category),
        "location": {"village": row.village, "village_name": refs.grid_name(row.village),
                     "grid": row.grid, "grid_name": refs.grid_name(row.grid), "address": row.address},
        "urgency": row.urgency, "major": row.major,
        "unit": refs.unit_obj(row.unit), "co_units": [refs.unit_obj(u) for u in row.co_units or []],
        "received_at": _iso(row.received_at), "dispatched_at": _iso(row.dispatched_at),
        "signed_at": _iso(row.signed_at), "sign_due_at": _iso(row.sign_due_at), "due_at": _iso(row.due_at),
        "callback_due_at": _iso(row.callback_due_at), "closed_at": _iso(row.closed_at),
        "color": case_colour(row, now), "close_type": row.close_type, "result": row.result,
        "satisfaction": row.satisfaction, "return_count": row.return_count,
        "transfer_count": row.transfer_count, "urge_level": row.urge_level, "urge_count": row.urge_count,
        "urge_reply_by": row.urge_reply_by,
        "urge": urge_view(row.urge_level, row.urge_count, row.urge_reply_by, row.state),
        "extension_pending": row.extension_pending, "repeat_of": list(row.repeat_of or []),
        "merged_into": row.merged_into, "reopened_from": row.reopened_from, "reopened_as": row.reopened_as,
        "last_reason": row.last_reason, "auto_dispatched": row.auto_dispatched,
    }


def action_view(a) -> dict:
    return {"id": a.id, "kind": a.kind, "label": wf.ACTIONS[a.kind].label, "at": a.at.isoformat(),
            "actor": a.actor, "actor_name": a.actor_name, "actor_role": a.actor_role,
            "actor_unit": a.actor_unit, "payload": a.payload, "status": a.status, "verdict": a.verdict}
