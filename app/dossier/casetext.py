"""Plain-data helpers shared by the case documents: what each action says in words, masking of
personal data for the printing role, the retention period, and the names of units.

Everything works on the dict from ``app.cases.queries.show_case`` and a ``PrintContext``
whose ``extra`` may hold ``units`` ({code: name}) and ``categories`` ({code: name}).
"""
from __future__ import annotations

from app.cases.views import SEE_PERSONAL, mask_id, mask_phone
from app.domain import workflow as wf
from app.domain.vocab import URGENCY
from app.dossier.layout import PrintContext, fmt_time

PERSONAL_FIELDS = {"reporter_phone": mask_phone, "reporter_id_no": mask_id}


def sees_personal(ctx: PrintContext) -> bool:
    return ctx.role in SEE_PERSONAL


def unit_name(ctx: PrintContext, code) -> str:
    if not code:
        return ""
    if isinstance(code, dict):
        return code.get("name") or code.get("code") or ""
    return (ctx.extra.get("units") or {}).get(code, code)


def reporter_lines(case: dict, ctx: PrintContext) -> dict:
    """Reporter name, phone and id number as the printing role may see them."""
    rep = case.get("reporter") or {}
    see = sees_personal(ctx)
    name = rep.get("name") or ""
    if case.get("anonymous"):
        name = f"{name}（匿名）" if see and name else "匿名"
    phone, id_no = rep.get("phone"), rep.get("id_no")
    if not see:  # show_case already masks for the viewer; mask again in case it was built for another
        phone, id_no = mask_phone(phone), mask_id(id_no)
    return {"name": name or "—", "phone": phone or "—", "id_no": id_no or "—"}


def _mask_value(ctx: PrintContext, key: str, value):
    if key in PERSONAL_FIELDS and not sees_personal(ctx) and isinstance(value, str):
        return PERSONAL_FIELDS[key](value)
    return value


def describe(action: dict, ctx: PrintContext) -> str:
    """The content column of the timeline: what this action said, in Chinese."""
    k, p = action["kind"], action.get("payload") or {}
    u = lambda key="unit": unit_name(ctx, p.get(key))  # noqa: E731
    t = lambda key: fmt_time(p.get(key))  # noqa: E731
    parts: list[str] = []
    if k == "intake":
        parts.append(f"受理「{p.get('title', '')}」")
        if p.get("urgency") == "urgent":
            parts.append("加急")
        if p.get("major"):
            parts.append("重大事项")
    elif k == "dispatch":
        parts.append(f"派至{u()}承办")
        if p.get("co_units"):
            parts.append("协办：" + "、".join(unit_name(ctx, c) for c in p["co_units"]))
        if p.get("sign_due_at"):
            parts.append(f"签收时限 {t('sign_due_at')}")
        if p.get("due_at"):
            parts.append(f"办结时限 {t('due_at')}")
        if p.get("auto"):
            parts.append("自动派单")
        if p.get("note"):
            parts.append(str(p["note"]))
    elif k == "transfer":
        parts.append(f"流转至{u()}：{p.get('reason', '')}")
    elif k == "cohandle":
        parts.append(f"请{u()}协办" + (f"，时限 {t('due_at')}" if p.get("due_at") else ""))
    elif k == "request_close":
        parts.append(f"{wf.CLOSE_TYPES.get(p.get('close_type'), '')}：{p.get('result', '')}")
    elif k == "approve_close":
        parts.append("审核通过" + (f"，回访时限 {t('callback_due_at')}" if p.get("callback_due_at") else ""))
    elif k == "callback":
        parts.append(f"评价：{wf.SATISFACTION.get(p.get('satisfaction'), p.get('satisfaction', ''))}")
        if p.get("unit_at_fault"):
            parts.append("承办单位有责，退回重办")
    elif k == "urge":
        parts.append(f"{wf.URGE_LEVELS.get(p.get('level'), '')}督办：{p.get('instruction', '')}")
        if p.get("reply_by"):
            parts.append(f"限 {t('reply_by')} 前回复")
    elif k == "reject":
        code = wf.REJECT_CODES.get(p.get("reason_code"), "")
        reason = p.get("reason", "")
        parts.append(f"{code}：{reason}" if code and code != reason else reason)
    elif k == "extend_request":
        parts.append(f"申请延期 {p.get('days')} 个工作日：{p.get('reason', '')}")
    elif k == "extend_approve":
        parts.append(f"批准延期 {p.get('days', '')} 个工作日" + (f"，办结时限改为 {t('due_at')}" if p.get("due_at") else ""))
    elif k == "resume":
        parts.append("恢复办理" + (f"，办结时限顺延至 {t('due_at')}" if p.get("due_at") else ""))
    elif k == "merge":
        parts.append(f"合并到 {p.get('into', '')}")
    elif k == "reopen":
        parts.append(f"{p.get('reason', '')}；新案件 {p.get('new_case', '')}".strip("；"))
    elif k == "attach":
        parts.append(f"附件「{p.get('filename', '')}」")
    elif k == "edit":
        for field, ch in (p.get("changes") or {}).items():
            label = wf.EDITABLE_FIELDS.get(field, field)
            before = _mask_value(ctx, field, (ch or {}).get("from"))
            after = _mask_value(ctx, field, (ch or {}).get("to"))
            parts.append(f"{label}：「{before or '空'}」改为「{after or '空'}」")
    elif k == "flag":
        if "urgency" in p:
            parts.append(f"紧急程度：{URGENCY.get(p['urgency'], p['urgency'])}")
        if "major" in p:
            parts.append("标记为重大事项" if p["major"] else "取消重大事项")
    for key in ("reason", "result", "note", "instruction"):
        if key in p and p[key] and not any(str(p[key]) in x for x in parts):
            parts.append(str(p[key]))
    return "；".join(x for x in parts if x) or action.get("label", "")


def actor_line(action: dict) -> str:
    role = wf.ROLE_LABELS.get(action.get("actor_role"), action.get("actor_role") or "")
    name = action.get("actor_name") or action.get("actor") or ""
    return f"{name}（{role}）" if role else name


def actor_unit(action: dict, ctx: PrintContext) -> str:
    """The actor's unit; town staff without one belong to the command centre."""
    if action.get("actor_unit"):
        return unit_name(ctx, action["actor_unit"])
    role = action.get("actor_role")
    if role in (wf.INTAKE, wf.DISPATCHER, wf.DIRECTOR, wf.ADMIN):
        return "指挥中心"
    return wf.ROLE_LABELS.get(role, "—") if role else "—"


def retention(case: dict) -> str:
    """保管期限: 永久 for major cases, 30年 for complaints, reports and supervised or escalated
    cases, 10年 for the rest."""
    if case.get("major"):
        return "永久"
    if case.get("type") in ("complaint", "report") or case.get("urge_count") or \
            any(a["kind"] in ("escalate", "assign_down", "instruct") for a in case.get("actions", ())):
        return "30年"
    return "10年"


def handling_units(case: dict, ctx: PrintContext) -> list[str]:
    """Every unit that held the case (main, transfers, co-handling), in order of first appearance."""
    seen: list[str] = []
    for a in case.get("actions", ()):
        p = a.get("payload") or {}
        codes = [p.get("unit")] if a["kind"] in ("dispatch", "transfer", "cohandle") else []
        codes += list(p.get("co_units") or []) if a["kind"] == "dispatch" else []
        for c in codes:
            name = unit_name(ctx, c)
            if name and name not in seen:
                seen.append(name)
    main = unit_name(ctx, case.get("unit"))
    if main and main not in seen:
        seen.append(main)
    return seen


def last_action(case: dict, *kinds: str) -> dict | None:
    for a in reversed(case.get("actions", ())):
        if a["kind"] in kinds:
            return a
    return None
