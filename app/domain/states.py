"""Case states, roles and the small vocabularies actions speak (pure constants).

app.domain.workflow re-exports all of these; the action declarations (app.domain.actions) use them.
"""
from __future__ import annotations

from app.domain.vocab import URGENCY as URGENCY_LEVELS  # noqa: F401 — the action payloads speak it

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
WORKING_STATES = (DISPATCHED, IN_PROGRESS, SUSPENDED, REVIEW)

# -- roles ------------------------------------------------------------------------------------
INTAKE, DISPATCHER, DIRECTOR, UNIT, ADMIN = "intake", "dispatcher", "director", "unit", "admin"
SYSTEM, DISTRICT = "system", "district"
ROLE_LABELS = {
    INTAKE: "受理员", DISPATCHER: "调度员", DIRECTOR: "值班长", UNIT: "承办单位", ADMIN: "管理员",
    SYSTEM: "系统", DISTRICT: "区级",
}
USER_ROLES = (INTAKE, DISPATCHER, DIRECTOR, UNIT, ADMIN)

# -- vocabularies of action payloads ------------------------------------------------------------
SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
CLOSE_TYPES = {"substantive": "实质性办结", "staged": "阶段性办结", "procedural": "程序性办结"}
URGE_LEVELS = {"normal": "普通", "yellow": "黄牌", "red": "红牌"}
REJECT_CODES = {
    "not_in_scope": "不属于受理范围", "duplicate": "重复诉求", "judicial": "已进入司法程序",
    "insufficient": "诉求内容不明确", "other": "其他",
}
