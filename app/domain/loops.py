"""The moves of a record with a life of its own (a risk, an assessment), declared once the way
app.domain.actions declares case actions: who may take a step, in which states, to which state,
with which payload. ``judge`` is the one place that says whether a step may be taken now; the
services call it and a step out of order is a ValidationError in Chinese (exit 2 on the CLI).

Data and pure functions only."""
from __future__ import annotations

from dataclasses import dataclass

from app.domain.schema import Field
from app.domain.states import ADMIN, ROLE_LABELS
from app.errors import PermissionDenied, WorkflowError


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    roles: frozenset[str]
    # state -> next state (None: unchanged); a state missing here forbids the step.
    moves: dict[str | None, str | None]
    fields: tuple[Field, ...] = ()
    # a unit user may take it only on a record its own unit is responsible for
    unit_bound: bool = False


def step(name: str, label: str, roles: tuple[str, ...], moves: dict, fields: tuple[Field, ...] = (),
         unit_bound: bool = False) -> Step:
    return Step(name, label, frozenset(roles) | {ADMIN}, moves, fields, unit_bound)


def judge(s: Step, state: str | None, role: str, state_labels: dict[str, str], *, actor_unit: str | None = None,
          record_unit: str | None = None, what: str = "记录") -> str | None:
    """The next state of a record in ``state`` after step ``s`` by ``role`` (``state`` unchanged when
    the step does not move it). Refuses, in Chinese, a role that may not take the step, a unit user
    on another unit's record, and a step out of order (naming the states it is allowed in)."""
    if role not in s.roles:
        allowed = "、".join(ROLE_LABELS.get(r, r) for r in sorted(s.roles) if r != ADMIN)
        raise PermissionDenied(f"「{s.label}」只能由{allowed}操作", field="as")
    if s.unit_bound and role == "unit" and record_unit != actor_unit:
        raise PermissionDenied(f"只能对本单位负责的{what}「{s.label}」", field="as")
    if state not in s.moves:
        here = state_labels.get(state or "", state or "未登记")
        allowed = "、".join(state_labels.get(x, x) for x in s.moves if x)
        raise WorkflowError(f"{what}当前为「{here}」，不能「{s.label}」（只能在{allowed}时{s.label}）",
                              field="action")
    nxt = s.moves[state]
    return state if nxt is None else nxt


def allowed_steps(steps: dict[str, Step], state: str | None, role: str) -> list[str]:
    """Names of the steps ``role`` may take on a record in ``state`` (for the window's buttons)."""
    return [n for n, s in steps.items() if state in s.moves and role in s.roles]
