"""The workflow table: for each (state, action) the next state and the roles allowed.

This module is the only place that decides transitions; the services and the district server
both call :func:`judge`. ``None`` as a next state means the action leaves the state unchanged.
"""
from __future__ import annotations

from app.domain import actions as _declared
from app.domain.actions import ACTIONS, EDITABLE_FIELDS, Action
from app.domain.schema import validate
from app.domain.states import (  # noqa: F401 — re-exported: wf.REGISTERED, wf.ROLE_LABELS, ...
    ADMIN,
    ARCHIVED,
    CALLBACK,
    CLOSE_TYPES,
    CLOSED,
    DIRECTOR,
    DISPATCHED,
    DISPATCHER,
    DISTRICT,
    ESCALATED,
    FINAL_STATES,
    IN_PROGRESS,
    INTAKE,
    MERGED,
    OPEN_STATES,
    REGISTERED,
    REJECT_CODES,
    REJECTED,
    REVIEW,
    ROLE_LABELS,
    SATISFACTION,
    STATE_LABELS,
    STATES,
    SUSPENDED,
    SYSTEM,
    UNIT,
    URGE_LEVELS,
    USER_ROLES,
    WORKING_STATES,
)
from app.errors import PermissionDenied, ValidationError, WorkflowError

__all__ = ["ACTIONS", "EDITABLE_FIELDS", "Action", "judge", "check_move", "next_state", "allowed_actions"]
_ = _declared  # the declarations register themselves on import


def next_state(state: str, action: str, payload: dict | None = None) -> str:
    """Next state after ``action`` from ``state`` (assumes the move is allowed)."""
    spec = ACTIONS[action]
    target = spec.moves[state]
    if action == "callback" and (payload or {}).get("satisfaction") == "unsatisfied" \
            and (payload or {}).get("unit_at_fault"):
        return IN_PROGRESS
    return state if target is None else target


# Actions a unit user may take only on its own unit's cases (declared with unit_bound=True).
UNIT_BOUND_ACTIONS = frozenset(a.name for a in ACTIONS.values() if a.unit_bound)


def allowed_actions(state: str, role: str, actor_unit: str | None = None, case_unit: str | None = None) -> list[str]:
    """Actions a role may take on a case in ``state``, in table order (for buttons). A unit user
    (``actor_unit``) on another unit's case (``case_unit``) loses the unit-bound ones."""
    foreign = role == UNIT and actor_unit != case_unit
    return [a.name for a in ACTIONS.values()
            if state in a.moves and role in a.roles and not (foreign and a.unit_bound)]


def check_move(state: str | None, action: str, role: str) -> Action:
    """May ``role`` take ``action`` on a case in ``state`` at all? (No payload checks.)"""
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationError(f"未知的操作：{action}", field="action")
    if role not in spec.roles:
        raise PermissionDenied(f"{ROLE_LABELS.get(role, role)}无权执行「{spec.label}」", field="action")
    if action == "intake":
        if state is not None:
            raise WorkflowError("案件已存在，不能重复受理", field="action")
    elif state not in spec.moves:
        raise WorkflowError(
            f"案件当前状态为「{STATE_LABELS.get(state, state)}」，不能执行「{spec.label}」", field="action")
    return spec


def check_unit(spec: Action, role: str, actor_unit: str | None, case_unit: str | None) -> None:
    """A unit user may take a unit-bound action only on a case its own unit handles."""
    if spec.unit_bound and role == UNIT and actor_unit != case_unit:
        raise PermissionDenied("本单位不是该案件的承办单位，不能执行此操作", field="action")


def judge(state: str | None, action: str, role: str, payload: dict | None = None, *,
          actor_unit: str | None = None, case_unit: str | None = None) -> str:
    """Decide one action as it is stored (after its service shaped it). Returns the next state or
    raises a typed AppError (Chinese message).

    ``state`` is None only for ``intake`` (the case does not exist yet). ``actor_unit`` and
    ``case_unit`` decide the unit-bound rule for unit users.
    """
    payload = payload or {}
    spec = check_move(state, action, role)
    check_unit(spec, role, actor_unit, case_unit)
    validate(spec.stored, payload, mode="stored")
    if action == "intake":
        return REGISTERED
    if action == "edit":  # the stored form: {"changes": {field: {"from", "to"}}, "note"}
        changes = payload.get("changes")
        if not isinstance(changes, dict) or not changes:
            raise ValidationError("请指定要更正的字段", field="edit")
        unknown = [k for k in changes if k not in EDITABLE_FIELDS]
        if unknown:
            raise ValidationError("更正的字段无效：" + "、".join(unknown), field="edit")
        if any(not isinstance(c, dict) or "to" not in c for c in changes.values()):
            raise ValidationError("更正内容格式不正确", field="edit")
    return next_state(state, action, payload)
