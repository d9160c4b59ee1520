"""Fold a case's action log into the materialized case row.

``apply(state, action)`` is a pure reducer; ``fold(actions)`` is ``apply`` over the log in
order. Everything an action decides that depends on the calendar or policy (deadlines) is
computed by the service *before* the action is written and travels in its payload, so folding
needs no context and gives the same row on every workstation and on the server.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from app.domain import workflow as wf

# Payload keys that set a deadline column directly (computed by the service at action time).
DEADLINE_KEYS = ("sign_due_at", "sign_warn_at", "due_at", "warn_at", "callback_due_at", "callback_warn_at")
INTAKE_FIELDS = (
    "case_no", "town", "channel", "type", "title", "description", "reporter_name", "reporter_phone",
    "reporter_id_no", "anonymous", "persons", "category", "village", "grid", "address", "urgency",
    "major", "repeat_of", "reopened_from", "batch_id", "external_id",
)


@dataclass
class ActionRecord:
    id: str
    case_id: str
    kind: str
    at: datetime
    actor: str
    actor_role: str
    payload: dict
    unit: str | None = None  # the actor's unit, for unit users


@dataclass
class CaseState:
    id: str
    case_no: str = ""
    town: str = ""
    channel: str = ""
    type: str = ""
    title: str = ""
    description: str = ""
    reporter_name: str | None = None
    reporter_phone: str | None = None
    reporter_id_no: str | None = None
    anonymous: bool = False
    persons: int = 1
    category: str | None = None
    village: str | None = None
    grid: str | None = None
    address: str | None = None
    urgency: str = "normal"
    major: bool = False
    batch_id: str | None = None
    external_id: str | None = None  # the channel's own id (feed import)
    state: str = wf.REGISTERED
    unit: str | None = None
    co_units: list = field(default_factory=list)
    auto_dispatched: bool = False
    received_at: datetime | None = None
    dispatched_at: datetime | None = None
    signed_at: datetime | None = None
    sign_due_at: datetime | None = None
    sign_warn_at: datetime | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    callback_due_at: datetime | None = None
    callback_warn_at: datetime | None = None
    clock_due_at: datetime | None = None
    clock_warn_at: datetime | None = None
    suspended_at: datetime | None = None
    review_at: datetime | None = None
    closed_at: datetime | None = None
    archived_at: datetime | None = None
    close_type: str | None = None
    result: str | None = None
    satisfaction: str | None = None
    return_count: int = 0
    transfer_count: int = 0
    urge_count: int = 0
    urge_level: str | None = None
    urge_reply_by: str | None = None
    extension_days: float = 0
    extension_pending: float = 0
    escalated_at: datetime | None = None
    merged_into: str | None = None
    reopened_from: str | None = None
    reopened_as: str | None = None
    repeat_of: list = field(default_factory=list)
    last_reason: str | None = None
    last_action_at: datetime | None = None
    action_count: int = 0

    def to_dict(self) -> dict:
        # Shallow on purpose: asdict() deep-copies and dominated bulk generation time.
        return {f: getattr(self, f) for f in CASE_FIELDS}


CASE_FIELDS = tuple(f.name for f in fields(CaseState))


def _dt(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _set_clock(c: CaseState) -> None:
    """The deadline that is running now decides the case's colour."""
    if c.state == wf.DISPATCHED:
        c.clock_due_at, c.clock_warn_at = c.sign_due_at, c.sign_warn_at
    elif c.state in (wf.IN_PROGRESS, wf.REVIEW):
        c.clock_due_at, c.clock_warn_at = c.due_at, c.warn_at
    elif c.state == wf.CALLBACK:
        c.clock_due_at, c.clock_warn_at = c.callback_due_at, c.callback_warn_at
    else:
        c.clock_due_at = c.clock_warn_at = None


def apply(c: CaseState | None, a: ActionRecord) -> CaseState:
    """Apply one (already judged) action to the case and return it."""
    p = a.payload or {}
    if a.kind == "intake":
        c = CaseState(id=a.case_id)
        for key in INTAKE_FIELDS:
            if key in p:
                setattr(c, key, p[key])
        c.repeat_of = list(c.repeat_of or [])
        c.received_at = a.at
        c.state = wf.REGISTERED
    else:
        assert c is not None, "a case starts with intake"
        c.state = wf.next_state(c.state, a.kind, p)
        _apply_effects(c, a, p)
    for key in DEADLINE_KEYS:
        if key in p:
            setattr(c, key, _dt(p[key]))
    _set_clock(c)
    c.last_action_at = a.at
    c.action_count += 1
    return c


def _apply_effects(c: CaseState, a: ActionRecord, p: dict) -> None:
    effect = wf.ACTIONS[a.kind].effect  # declared with the action (app.domain.actions)
    if effect is not None:
        effect(c, a, p)


def fold(actions) -> CaseState | None:
    """Fold a whole log (already in order) into the case row."""
    c = None
    for a in actions:
        c = apply(c, a)
    return c
