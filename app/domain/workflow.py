"""The workflow table: for each (state, action) the next state and the roles allowed.

This module is the only place that decides transitions; the services and the district server
both call :func:`judge`. ``None`` as a next state means the action leaves the state unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import PermissionDenied, ValidationError, WorkflowError

# -- states -----------------------------------------------------------------------------------
REGISTERED, DISPATCHED, IN_PROGRESS, SUSPENDED = "registered", "dispatched", "in_progress", "suspended"
REVIEW, CALLBACK, CLOSED, ARCHIVED = "review", "callback", "closed", "archived"
ESCALATED, MERGED, REJECTED = "escalated", "merged", "rejected"

STATE_LABELS = {
    REGISTERED: "待分派", DISPATCHED: "待签收", IN_PROGRESS: "办理中", SUSPENDED: "挂账",
    REVIEW: "待审核", CALLBACK: "待回访", CLOSED: "已办结", ARCHIVED: "已归档",
    ESCALATED: "已上报", MERGED: "已合并", REJECTED: "不予受理",
}
STATES = tuple(STATE_LABELS)
OPEN_STATES = (REGISTERED, DISPATCHED, IN_PROGRESS, SUSPENDED, REVIEW, CALLBACK, ESCALATED)
FINAL_STATES = (CLOSED, ARCHIVED, MERGED, REJECTED)

# -- roles ------------------------------------------------------------------------------------
INTAKE, DISPATCHER, DIRECTOR, UNIT, ADMIN = "intake", "dispatcher", "director", "unit", "admin"
SYSTEM, DISTRICT = "system", "district"
ROLE_LABELS = {
    INTAKE: "受理员", DISPATCHER: "调度员", DIRECTOR: "值班长", UNIT: "承办单位", ADMIN: "管理员",
    SYSTEM: "系统", DISTRICT: "区级",
}
USER_ROLES = (INTAKE, DISPATCHER, DIRECTOR, UNIT, ADMIN)
# Roles acting on behalf of the handling unit must be that case's unit (checked by the services).
UNIT_BOUND_ACTIONS = {"sign", "return", "progress", "request_close", "extend_request", "urge_reply"}

# -- actions ----------------------------------------------------------------------------------
SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
CLOSE_TYPES = {"substantive": "实质性办结", "staged": "阶段性办结", "procedural": "程序性办结"}
URGE_LEVELS = {"normal": "普通", "yellow": "黄牌", "red": "红牌"}
REJECT_CODES = {
    "not_in_scope": "不属于受理范围", "duplicate": "重复诉求", "judicial": "已进入司法程序",
    "insufficient": "诉求内容不明确", "other": "其他",
}


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    roles: frozenset[str]
    # state -> next state (None: unchanged); a state missing here forbids the action.
    moves: dict[str, str | None]
    required: tuple[str, ...] = ()
    required_labels: dict[str, str] = field(default_factory=dict)


def _a(name, label, roles, moves, required=(), labels=None):
    return Action(name, label, frozenset(roles) | {ADMIN}, moves, tuple(required), labels or {})


_WORKING = (DISPATCHED, IN_PROGRESS, SUSPENDED, REVIEW)
_ANY_OPEN = {s: None for s in OPEN_STATES}
_ALL = {s: None for s in STATES}

ACTIONS: dict[str, Action] = {a.name: a for a in (
    _a("intake", "受理登记", (INTAKE, DISPATCHER, DIRECTOR, SYSTEM, DISTRICT), {}),
    _a("dispatch", "派单", (DISPATCHER, DIRECTOR, SYSTEM, DISTRICT),
       {REGISTERED: DISPATCHED, ESCALATED: DISPATCHED}, ("unit",), {"unit": "承办单位"}),
    _a("answer", "即办答复", (INTAKE, DISPATCHER), {REGISTERED: CALLBACK}, ("result",), {"result": "答复内容"}),
    _a("escalate", "上报区级", (DISPATCHER, DIRECTOR), {REGISTERED: ESCALATED, DISPATCHED: ESCALATED,
                                                      IN_PROGRESS: ESCALATED}, ("reason",), {"reason": "上报理由"}),
    _a("assign_down", "上级交办", (DISTRICT,), {ESCALATED: REGISTERED}),
    _a("merge", "合并", (INTAKE, DISPATCHER), {REGISTERED: MERGED}, ("into",), {"into": "合并到的案件"}),
    _a("unmerge", "撤销合并", (INTAKE, DISPATCHER), {MERGED: REGISTERED}),
    _a("reject", "不予受理", (INTAKE, DISPATCHER), {REGISTERED: REJECTED}, ("reason",), {"reason": "不予受理理由"}),
    _a("sign", "签收", (UNIT,), {DISPATCHED: IN_PROGRESS}),
    _a("return", "退回", (UNIT,), {DISPATCHED: REGISTERED}, ("reason",), {"reason": "退回理由"}),
    _a("request_close", "申请办结", (UNIT,), {IN_PROGRESS: REVIEW}, ("result", "close_type"),
       {"result": "办理结果", "close_type": "办结类型"}),
    _a("suspend", "挂账", (DIRECTOR,), {IN_PROGRESS: SUSPENDED}, ("reason",), {"reason": "挂账理由"}),
    _a("resume", "恢复办理", (DIRECTOR,), {SUSPENDED: IN_PROGRESS}),
    _a("approve_close", "审核通过", (DIRECTOR,), {REVIEW: CALLBACK}),
    _a("reject_close", "驳回重办", (DIRECTOR,), {REVIEW: IN_PROGRESS}, ("reason",), {"reason": "驳回理由"}),
    # callback's next state depends on the satisfaction: see next_state().
    _a("callback", "回访", (INTAKE,), {CALLBACK: CLOSED}, ("satisfaction",), {"satisfaction": "满意度"}),
    _a("archive", "归档", (DIRECTOR,), {CLOSED: ARCHIVED}),
    _a("reopen", "重新启动", (DIRECTOR,), {CLOSED: None}, ("reason",), {"reason": "重启理由"}),
    _a("transfer", "流转", (DISPATCHER, DIRECTOR), {DISPATCHED: None, IN_PROGRESS: None},
       ("unit", "reason"), {"unit": "流转单位", "reason": "流转理由"}),
    _a("cohandle", "协办", (DISPATCHER, DIRECTOR, UNIT), {DISPATCHED: None, IN_PROGRESS: None},
       ("unit",), {"unit": "协办单位"}),
    _a("progress", "办理进展", (UNIT,), {IN_PROGRESS: None, SUSPENDED: None}, ("note",), {"note": "进展说明"}),
    _a("comment", "备注", (INTAKE, DISPATCHER, DIRECTOR, UNIT, SYSTEM, DISTRICT), dict(_ALL),
       ("note",), {"note": "备注内容"}),
    _a("attach", "添加附件", (INTAKE, DISPATCHER, DIRECTOR, UNIT), dict(_ANY_OPEN) | {CLOSED: None},
       ("sha256", "filename"), {"sha256": "附件", "filename": "文件名"}),
    _a("edit", "更正", (INTAKE, DISPATCHER, DIRECTOR), dict(_ANY_OPEN)),
    _a("urge", "督办", (DIRECTOR, DISPATCHER, DISTRICT), {s: None for s in _WORKING},
       ("level",), {"level": "督办等级"}),
    _a("urge_reply", "督办回复", (UNIT,), {s: None for s in _WORKING}, ("note",), {"note": "回复内容"}),
    _a("instruct", "领导批示", (DIRECTOR, DISTRICT), dict(_ANY_OPEN), ("instruction",), {"instruction": "批示内容"}),
    _a("extend_request", "申请延期", (UNIT,), {DISPATCHED: None, IN_PROGRESS: None},
       ("days", "reason"), {"days": "延期天数", "reason": "延期理由"}),
    _a("extend_approve", "批准延期", (DIRECTOR,), {DISPATCHED: None, IN_PROGRESS: None}),
    _a("flag", "标记", (INTAKE, DISPATCHER, DIRECTOR), dict(_ANY_OPEN)),
)}

# Fields an ``edit`` may change (the diff is kept in the action).
EDITABLE_FIELDS = {
    "title": "标题", "description": "诉求内容", "address": "地址", "type": "诉求类型",
    "category": "事项分类", "village": "村社", "grid": "网格", "urgency": "紧急程度",
    "reporter_name": "报告人姓名", "reporter_phone": "联系电话", "reporter_id_no": "身份证号码",
}


def next_state(state: str, action: str, payload: dict | None = None) -> str:
    """Next state after ``action`` from ``state`` (assumes the move is allowed)."""
    spec = ACTIONS[action]
    target = spec.moves[state]
    if action == "callback" and (payload or {}).get("satisfaction") == "unsatisfied" \
            and (payload or {}).get("unit_at_fault"):
        return IN_PROGRESS
    return state if target is None else target


def allowed_actions(state: str, role: str) -> list[str]:
    """Actions a role may take on a case in ``state``, in table order (for buttons)."""
    return [a.name for a in ACTIONS.values() if state in a.moves and role in a.roles]


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


def judge(state: str | None, action: str, role: str, payload: dict | None = None) -> str:
    """Decide one action. Returns the next state or raises a typed AppError (Chinese message).

    ``state`` is None only for ``intake`` (the case does not exist yet).
    """
    payload = payload or {}
    spec = check_move(state, action, role)
    if action == "intake":
        return REGISTERED
    for key in spec.required:
        value = payload.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationError(f"请填写{spec.required_labels.get(key, key)}", field=key)
    _check_choices(action, payload)
    return next_state(state, action, payload)


def _check_choices(action: str, payload: dict) -> None:
    checks = {
        "callback": ("satisfaction", SATISFACTION, "满意度"),
        "request_close": ("close_type", CLOSE_TYPES, "办结类型"),
        "urge": ("level", URGE_LEVELS, "督办等级"),
    }
    if action in checks:
        key, choices, label = checks[action]
        if payload.get(key) not in choices:
            raise ValidationError(f"{label}应为：{'、'.join(choices.values())}", field=key)
    if action == "extend_request":
        days = payload.get("days")
        if not isinstance(days, int | float) or isinstance(days, bool) or not 0 < days <= 60:
            raise ValidationError("延期天数应为 1 至 60 个工作日", field="days")
    if action == "edit":  # the stored form: {"changes": {field: {"from", "to"}}, "note"}
        changes = payload.get("changes")
        if not isinstance(changes, dict) or not changes:
            raise ValidationError("请指定要更正的字段", field="edit")
        unknown = [k for k in changes if k not in EDITABLE_FIELDS]
        if unknown:
            raise ValidationError("更正的字段无效：" + "、".join(unknown), field="edit")
