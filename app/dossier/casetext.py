"""Plain-data helpers shared by the case documents: what each action says in words, masking of
personal data for the printing role, the retention period, and the names of units.

Everything works on the dict from ``app.cases.queries.show_case`` and a ``PrintContext``
whose ``extra`` may hold ``units`` ({code: name}) and ``categories`` ({code: name}).
"""
from __future__ import annotations

from app.cases.views import SEE_PERSONAL, mask_id, mask_phone
from app.domain import workflow as wf
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


class _Words:
    """What an action's declared wording needs, read from the print context."""

    def __init__(self, ctx: PrintContext):
        self.ctx = ctx

    def unit(self, code) -> str:
        return unit_name(self.ctx, code)

    def time(self, value) -> str:
        return fmt_time(value)

    def masked(self, key: str, value):
        return _mask_value(self.ctx, key, value)


def describe(action: dict, ctx: PrintContext) -> str:
    """The content column of the timeline: what this action said, in Chinese (the wording is
    declared with the action in app.domain.actions; the reason, result, note or instruction
    follows when the wording did not already say it)."""
    k, p = action["kind"], action.get("payload") or {}
    spec = wf.ACTIONS.get(k)
    parts: list[str] = list(spec.words(p, _Words(ctx))) if spec and spec.words else []
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
