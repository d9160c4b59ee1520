"""Every case action, declared once: who may take it in which state, its payload schema, its
effect on the folded case and its wording in the timeline and the dossier.

The workflow judge (app.domain.workflow), the fold (app.domain.casefold), the services
(app.cases.handling), the action dialogs (ui.action_dialogs), the dossier text
(app.dossier.casetext) and the district server's ingest all read these declarations. Adding an
action is adding one ``Action(...)`` here (docs/DEVELOPING.md walks through it).

``fields`` is what an operator or a script gives; ``computed`` is what the service adds before
the action is written (deadlines worked out at action time, resolved numbers), so that folding
needs no context. Both together are the stored payload that syncs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.domain.schema import Field
from app.domain.states import (
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
    IN_PROGRESS,
    INTAKE,
    MERGED,
    OPEN_STATES,
    REGISTERED,
    REJECT_CODES,
    REJECTED,
    REVIEW,
    SATISFACTION,
    STATES,
    SUSPENDED,
    SYSTEM,
    UNIT,
    URGE_LEVELS,
    URGENCY_LEVELS,
    WORKING_STATES,
)


class Words(Protocol):
    """What wording needs from its reader: unit names, times and masking for the printing role."""

    def unit(self, code) -> str: ...
    def time(self, value) -> str: ...
    def masked(self, key: str, value): ...


Effect = Callable[[object, object, dict], None]      # (case state, action record, payload)
Wording = Callable[[dict, Words], list[str]]         # (payload, words) -> parts of a sentence


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    roles: frozenset[str]
    # state -> next state (None: unchanged); a state missing here forbids the action.
    moves: dict[str, str | None]
    fields: tuple[Field, ...] = ()
    computed: tuple[Field, ...] = ()
    effect: Effect | None = None
    words: Wording | None = None
    # A unit user may take it only on a case its own unit handles.
    unit_bound: bool = False
    # The dialog's inputs when they differ from ``fields`` (edit asks for one field at a time).
    form: tuple[Field, ...] | None = None
    # The stored payload's schema when it is not ``fields`` + ``computed`` (intake).
    stored_schema: tuple[Field, ...] | None = None

    @property
    def required(self) -> tuple[str, ...]:
        """Keys the stored payload must carry."""
        return tuple(f.key for f in self.stored if f.required)

    @property
    def stored(self) -> tuple[Field, ...]:
        """The schema of the payload as written and synced (computed keys replace input ones)."""
        if self.stored_schema is not None:
            return self.stored_schema
        keys = {f.key for f in self.computed}
        return tuple(f for f in self.fields if f.key not in keys) + self.computed

    @property
    def dialog(self) -> tuple[Field, ...]:
        """The action dialog's inputs; actions without a payload get an optional note."""
        if self.form is not None:
            return self.form
        return self.fields or (NOTE,)


ACTIONS: dict[str, Action] = {}


def register(action: Action) -> Action:
    """Add (or replace) one declaration; returns it."""
    ACTIONS[action.name] = action
    return action


def unregister(name: str) -> None:
    ACTIONS.pop(name, None)


def _a(name, label, roles, moves, fields=(), computed=(), effect=None, words=None, unit_bound=False,
       form=None, stored_schema=None) -> Action:
    return register(Action(name, label, frozenset(roles) | {ADMIN}, dict(moves), tuple(fields),
                           tuple(computed), effect, words, unit_bound, form, stored_schema))


# -- fields used by several actions ------------------------------------------------------------
NOTE = Field("note", "备注")


def _reason(label: str) -> Field:
    return Field("reason", label, required=True)


def _deadline(key: str, label: str) -> Field:
    return Field(key, label, "datetime", future_days=3660)


def _due(key: str, label: str) -> Field:
    """A deadline an operator may type: a date (end of that day) or a time with a zone."""
    return Field(key, label, "date", future_days=3660)


UNIT_F = Field("unit", "承办单位", "code", required=True, widget="unit")
DEADLINES = (_deadline("sign_due_at", "签收时限"), _deadline("sign_warn_at", "签收预警时间"),
             _deadline("due_at", "办结时限"), _deadline("warn_at", "办结预警时间"))

# Fields an ``edit`` may change (the diff is kept in the action).
EDITABLE_FIELDS = {
    "title": "标题", "description": "诉求内容", "address": "地址", "type": "诉求类型",
    "category": "事项分类", "village": "村社", "grid": "网格", "urgency": "紧急程度",
    "reporter_name": "报告人姓名", "reporter_phone": "联系电话", "reporter_id_no": "身份证号码",
}
_EDIT_TYPES = {"title": ("line", 100), "description": ("text", 4000), "address": ("line", 200),
               "reporter_name": ("name", 50), "reporter_phone": ("code", 30), "reporter_id_no": ("code", 30)}


def _edit_fields() -> tuple[Field, ...]:
    out = []
    for key, label in EDITABLE_FIELDS.items():
        kind, size = _EDIT_TYPES.get(key, ("code", 64))
        out.append(Field(key, label, kind, max_len=size))
    return (*out, NOTE)


# -- effects on the folded case ------------------------------------------------------------------
def _dispatch(c, a, p):
    c.unit = p["unit"]
    c.co_units = list(p.get("co_units") or [])
    c.dispatched_at = a.at
    c.signed_at = None
    c.auto_dispatched = bool(p.get("auto"))


def _sign(c, a, p):
    c.signed_at = a.at


def _return(c, a, p):
    c.return_count += 1
    c.last_reason = p.get("reason")
    c.unit, c.co_units = None, []
    c.sign_due_at = c.sign_warn_at = c.due_at = c.warn_at = None


def _transfer(c, a, p):
    c.transfer_count += 1
    c.unit = p["unit"]
    c.last_reason = p.get("reason")


def _cohandle(c, a, p):
    if p["unit"] not in c.co_units:
        c.co_units = [*c.co_units, p["unit"]]


def _result(default_type):
    def effect(c, a, p):
        c.result = p.get("result")
        c.close_type = p.get("close_type", default_type)
        c.review_at = a.at
    return effect


def _reason_only(c, a, p):
    c.last_reason = p.get("reason")


def _suspend(c, a, p):
    c.suspended_at = a.at
    c.last_reason = p.get("reason")


def _resume(c, a, p):
    c.suspended_at = None


def _callback(c, a, p):
    c.satisfaction = p["satisfaction"]
    if c.state == CLOSED:
        c.closed_at = a.at


def _archive(c, a, p):
    c.archived_at = a.at


def _reopen(c, a, p):
    c.reopened_as = p.get("new_case")


def _escalate(c, a, p):
    c.escalated_at = a.at
    c.last_reason = p.get("reason")


def _merge(c, a, p):
    c.merged_into = p["into"]


def _unmerge(c, a, p):
    c.merged_into = None


def _reject(c, a, p):
    c.last_reason = p.get("reason")
    c.closed_at = a.at


def _urge(c, a, p):
    c.urge_count += 1
    c.urge_level = p["level"]
    c.urge_reply_by = p.get("reply_by")


def _extend_request(c, a, p):
    c.extension_pending = p["days"]


def _extend_approve(c, a, p):
    c.extension_days += c.extension_pending
    c.extension_pending = 0


def _edit(c, a, p):
    for name, change in (p.get("changes") or {}).items():
        setattr(c, name, change["to"])


def _flag(c, a, p):
    if "major" in p:
        c.major = bool(p["major"])
    if "urgency" in p:
        c.urgency = p["urgency"]


# -- wording (the content column of the timeline) -----------------------------------------------
def _w_intake(p, w):
    return [f"受理「{p.get('title', '')}」", "加急" if p.get("urgency") == "urgent" else "",
            "重大事项" if p.get("major") else ""]


def _w_dispatch(p, w):
    parts = [f"派至{w.unit(p.get('unit'))}承办"]
    if p.get("co_units"):
        parts.append("协办：" + "、".join(w.unit(c) for c in p["co_units"]))
    if p.get("sign_due_at"):
        parts.append(f"签收时限 {w.time(p['sign_due_at'])}")
    if p.get("due_at"):
        parts.append(f"办结时限 {w.time(p['due_at'])}")
    if p.get("auto"):
        parts.append("自动派单")
    return parts


def _w_reject(p, w):
    code, reason = REJECT_CODES.get(p.get("reason_code"), ""), p.get("reason", "")
    return [f"{code}：{reason}" if code and code != reason else reason]


def _w_edit(p, w):
    parts = []
    for key, ch in (p.get("changes") or {}).items():
        before, after = w.masked(key, (ch or {}).get("from")), w.masked(key, (ch or {}).get("to"))
        parts.append(f"{EDITABLE_FIELDS.get(key, key)}：「{before or '空'}」改为「{after or '空'}」")
    return parts


def _w_flag(p, w):
    parts = []
    if "urgency" in p:
        parts.append(f"紧急程度：{URGENCY_LEVELS.get(p['urgency'], p['urgency'])}")
    if "major" in p:
        parts.append("标记为重大事项" if p["major"] else "取消重大事项")
    return parts


def _w_callback(p, w):
    return [f"评价：{SATISFACTION.get(p.get('satisfaction'), p.get('satisfaction', ''))}",
            "承办单位有责，退回重办" if p.get("unit_at_fault") else ""]


def _w_urge(p, w):
    return [f"{URGE_LEVELS.get(p.get('level'), '')}督办：{p.get('instruction', '')}",
            f"限 {w.time(p['reply_by'])} 前回复" if p.get("reply_by") else ""]


# -- the declarations ------------------------------------------------------------------------------
_ANY_OPEN = {s: None for s in OPEN_STATES}
_ALL = {s: None for s in STATES}
_WORKING = {s: None for s in WORKING_STATES}
_HANDLING = {DISPATCHED: None, IN_PROGRESS: None}

INTAKE_STORED = (
    Field("case_no", "案件编号", "code", required=True, max_len=40), Field("town", "镇街", "code", required=True),
    Field("channel", "受理渠道", "code", required=True), Field("type", "诉求类型", "code", required=True),
    Field("title", "标题", "line", required=True, max_len=100),
    Field("description", "诉求内容", required=True, max_len=4000),
    Field("reporter_name", "报告人姓名", "name"), Field("reporter_phone", "联系电话", "code", max_len=30),
    Field("reporter_id_no", "身份证号码", "code", max_len=30), Field("anonymous", "匿名", "bool"),
    Field("persons", "人次", "int", low=1, high=10000), Field("category", "事项分类", "code"),
    Field("village", "村社", "code"), Field("grid", "网格", "code"), Field("address", "地址", "line"),
    Field("urgency", "紧急程度", "choice", choices=URGENCY_LEVELS), Field("major", "重大事项", "bool"),
    Field("repeat_of", "疑似重复件", "codes", max_items=100), Field("reopened_from", "原案件编号", "code"),
    Field("batch_id", "批次", "code"),
    Field("external_id", "渠道编号", "code", max_len=64),
)
_a("intake", "受理登记", (INTAKE, DISPATCHER, DIRECTOR, SYSTEM, DISTRICT), {}, words=_w_intake,
   stored_schema=INTAKE_STORED)
_a("dispatch", "派单", (DISPATCHER, DIRECTOR, SYSTEM, DISTRICT), {REGISTERED: DISPATCHED, ESCALATED: DISPATCHED},
   (UNIT_F, Field("co_units", "协办单位", "codes", max_items=20, widget="units"), _due("due_at", "办结时限"),
    NOTE),
   (*DEADLINES, Field("auto", "自动派单", "bool")), _dispatch, _w_dispatch)
_a("answer", "即办答复", (INTAKE, DISPATCHER), {REGISTERED: CALLBACK}, (Field("result", "答复内容", required=True),),
   effect=_result("substantive"))
_a("escalate", "上报区级", (DISPATCHER, DIRECTOR), {REGISTERED: ESCALATED, DISPATCHED: ESCALATED, IN_PROGRESS: ESCALATED},
   (_reason("上报理由"),), effect=_escalate)
_a("assign_down", "上级交办", (DISTRICT,), {ESCALATED: REGISTERED}, (NOTE,))
_a("merge", "合并", (INTAKE, DISPATCHER), {REGISTERED: MERGED}, (Field("into", "合并到案件编号", "code", required=True),),
   effect=_merge, words=lambda p, w: [f"合并到 {p.get('into', '')}"])
_a("unmerge", "撤销合并", (INTAKE, DISPATCHER), {MERGED: REGISTERED}, (NOTE,), effect=_unmerge)
_a("reject", "不予受理", (INTAKE, DISPATCHER), {REGISTERED: REJECTED},
   (Field("reason_code", "不予受理原因", "choice", choices=REJECT_CODES), Field("reason", "说明")),
   (Field("reason", "不予受理理由", required=True),), effect=_reject, words=_w_reject,
   form=(Field("reason_code", "不予受理原因", "choice", True, choices=REJECT_CODES), Field("reason", "说明")))
_a("sign", "签收", (UNIT,), {DISPATCHED: IN_PROGRESS}, (NOTE,), effect=_sign, unit_bound=True)
_a("return", "退回", (UNIT,), {DISPATCHED: REGISTERED}, (_reason("退回理由"),), effect=_return, unit_bound=True)
_a("request_close", "申请办结", (UNIT,), {IN_PROGRESS: REVIEW},
   (Field("result", "办理结果", required=True),
    Field("close_type", "办结类型", "choice", required=True, choices=CLOSE_TYPES)),
   effect=_result(None), unit_bound=True,
   words=lambda p, w: [f"{CLOSE_TYPES.get(p.get('close_type'), '')}：{p.get('result', '')}"])
_a("suspend", "挂账", (DIRECTOR,), {IN_PROGRESS: SUSPENDED}, (_reason("挂账理由"),), effect=_suspend)
_a("resume", "恢复办理", (DIRECTOR,), {SUSPENDED: IN_PROGRESS}, (NOTE,), DEADLINES[2:], _resume,
   lambda p, w: ["恢复办理" + (f"，办结时限顺延至 {w.time(p['due_at'])}" if p.get("due_at") else "")])
_a("approve_close", "审核通过", (DIRECTOR,), {REVIEW: CALLBACK}, (NOTE,),
   (_deadline("callback_due_at", "回访时限"), _deadline("callback_warn_at", "回访预警时间")),
   words=lambda p, w: ["审核通过" + (f"，回访时限 {w.time(p['callback_due_at'])}" if p.get("callback_due_at") else "")])
_a("reject_close", "驳回重办", (DIRECTOR,), {REVIEW: IN_PROGRESS}, (_reason("驳回理由"),), effect=_reason_only)
# callback's next state depends on the satisfaction: see workflow.next_state().
_a("callback", "回访", (INTAKE,), {CALLBACK: CLOSED},
   (Field("satisfaction", "满意度", "choice", required=True, choices=SATISFACTION),
    Field("unit_at_fault", "不满意且承办单位有责（退回重办）", "bool"), Field("note", "回访记录")),
   effect=_callback, words=_w_callback)
_a("archive", "归档", (DIRECTOR,), {CLOSED: ARCHIVED}, (NOTE,), effect=_archive)
_a("reopen", "重新启动", (DIRECTOR,), {CLOSED: None}, (_reason("重启理由"),),
   (Field("new_case", "新案件编号", "code"),), _reopen,
   lambda p, w: [f"{p.get('reason', '')}；新案件 {p.get('new_case', '')}".strip("；")])
_a("transfer", "流转", (DISPATCHER, DIRECTOR), _HANDLING,
   (Field("unit", "流转单位", "code", required=True, widget="unit"), _reason("流转理由")), effect=_transfer,
   words=lambda p, w: [f"流转至{w.unit(p.get('unit'))}：{p.get('reason', '')}"])
_a("cohandle", "协办", (DISPATCHER, DIRECTOR, UNIT), _HANDLING,
   (Field("unit", "协办单位", "code", required=True, widget="unit"), _due("due_at", "协办时限"), NOTE),
   (_deadline("due_at", "协办时限"),), _cohandle,
   lambda p, w: [f"请{w.unit(p.get('unit'))}协办" + (f"，时限 {w.time(p['due_at'])}" if p.get("due_at") else "")],
   unit_bound=True)
_a("progress", "办理进展", (UNIT,), {IN_PROGRESS: None, SUSPENDED: None}, (Field("note", "进展说明", required=True),),
   unit_bound=True)
_a("comment", "备注", (INTAKE, DISPATCHER, DIRECTOR, UNIT, SYSTEM, DISTRICT), _ALL,
   (Field("note", "备注内容", required=True),))
ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024  # larger (or empty) attachments: refused when attached and at the server
_a("attach", "添加附件", (INTAKE, DISPATCHER, DIRECTOR, UNIT), _ANY_OPEN | {CLOSED: None},
   (Field("sha256", "附件", "sha256", required=True), Field("filename", "文件名", "name", required=True, max_len=255),
    Field("mime", "文件类型", "code", max_len=100), Field("size", "文件大小", "int", low=1, high=ATTACHMENT_MAX_BYTES,
                                                    message="附件大小应在 1 字节至 50 MB 之间"), NOTE),
   words=lambda p, w: [f"附件「{p.get('filename', '')}」"])
_a("edit", "更正", (INTAKE, DISPATCHER, DIRECTOR), _ANY_OPEN, _edit_fields(),
   (Field("changes", "更正内容", "json"),), _edit, _w_edit,
   form=(Field("field", "更正字段", "choice", True, choices=EDITABLE_FIELDS), Field("value", "更正为", "line", True),
         NOTE))
_a("urge", "督办", (DIRECTOR, DISPATCHER, DISTRICT), _WORKING,
   (Field("level", "督办等级", "choice", required=True, choices=URGE_LEVELS), Field("instruction", "督办要求"),
    _due("reply_by", "反馈期限")),
   (_deadline("reply_by", "反馈期限"),), _urge, _w_urge)
_a("urge_reply", "督办回复", (UNIT,), _WORKING, (Field("note", "回复内容", required=True),), unit_bound=True)
_a("instruct", "领导批示", (DIRECTOR, DISTRICT), _ANY_OPEN, (Field("instruction", "批示内容", required=True),))
_a("extend_request", "申请延期", (UNIT,), _HANDLING,
   (Field("days", "延期天数（工作日）", "number", required=True, low=0.5, high=60, widget="days",
          message="延期天数应为 1 至 60 个工作日"), _reason("延期理由")),
   effect=_extend_request, unit_bound=True,
   words=lambda p, w: [f"申请延期 {p.get('days')} 个工作日：{p.get('reason', '')}"])
_a("extend_approve", "批准延期", (DIRECTOR,), _HANDLING, (NOTE,),
   (Field("days", "延期天数", "number", low=0, high=60), *DEADLINES[2:]), _extend_approve,
   lambda p, w: [f"批准延期 {p.get('days', '')} 个工作日"
                 + (f"，办结时限改为 {w.time(p['due_at'])}" if p.get("due_at") else "")])
_a("flag", "标记", (INTAKE, DISPATCHER, DIRECTOR), _ANY_OPEN,
   (Field("major", "重大事项", "bool"), Field("urgency", "紧急程度", "choice", choices=URGENCY_LEVELS)),
   effect=_flag, words=_w_flag)


# 网格上报 当场解决 (issue 17): a grid event the grid worker already solved on the spot is closed at
# intake with the worker's result. No existing path closes a just-registered case: ``answer`` (即办)
# goes to 回访 because a caller is waiting for the centre's answer; here nobody waits, the worker's
# own report is the result, so the case goes straight to 结案 (counted as 办结 and 结案) without
# dispatch (报办分离: the reporter is never made the handling unit).
def _grid_solve(c, a, p):
    c.result = p.get("result")
    c.close_type = "substantive"
    c.review_at = a.at
    c.closed_at = a.at


_a("grid_solve", "网格当场解决", (INTAKE, DISPATCHER, DIRECTOR, SYSTEM), {REGISTERED: CLOSED},
   (Field("result", "解决情况", required=True, max_len=4000),), effect=_grid_solve,
   words=lambda p, w: ["网格员当场解决"])
