"""Display helpers: Shanghai times, colour chips, and one-line Chinese summaries of payloads."""
from __future__ import annotations

from datetime import datetime

from app.domain import workflow as wf
from app.domain.timezone import LOCAL_TZ
from app.domain.vocab import COLOUR_LABELS

COLOUR_NAMES = {code: f"{word}灯" for code, word in COLOUR_LABELS.items()}  # 红灯 黄灯 绿灯
COLOUR_HEX = {"red": "#c62828", "yellow": "#b7791f", "green": "#2e7d32"}
# Row tints for the 三色 of open cases (calm, readable on white).
COLOUR_TINT = {"red": "#fdecea", "yellow": "#fff6dc", "green": None}


def local(value: str | datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not value:
        return ""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return when.astimezone(LOCAL_TZ).strftime(fmt)


def short(value: str | datetime | None) -> str:
    return local(value, "%m-%d %H:%M")


def unit_name(value) -> str:
    if not value:
        return ""
    return value.get("name") or value.get("code") if isinstance(value, dict) else str(value)


def payload_text(kind: str, payload: dict, unit_names: dict[str, str] | None = None) -> str:
    """A short Chinese line describing an action's payload for the timeline."""
    p = payload or {}
    names = unit_names or {}
    parts = []
    if kind == "intake":
        return p.get("title") or ""
    if p.get("unit"):
        parts.append(("承办单位" if kind == "dispatch" else "单位") + "：" + names.get(p["unit"], p["unit"]))
    if p.get("co_units"):
        parts.append("协办：" + "、".join(names.get(u, u) for u in p["co_units"]))
    if kind == "dispatch" and p.get("due_at"):
        parts.append("办结时限：" + local(p["due_at"]))
    if p.get("auto"):
        parts.append("自动派单")
    for key, label in (("reason", "理由"), ("result", "结果"), ("instruction", "内容"), ("into", "合并到"),
                       ("new_case", "新案件")):
        if p.get(key):
            parts.append(f"{label}：{p[key]}")
    if p.get("close_type"):
        parts.append(wf.CLOSE_TYPES.get(p["close_type"], p["close_type"]))
    if p.get("satisfaction"):
        parts.append("满意度：" + wf.SATISFACTION.get(p["satisfaction"], p["satisfaction"]))
    if p.get("unit_at_fault"):
        parts.append("承办单位有责")
    if p.get("level"):
        parts.append(wf.URGE_LEVELS.get(p["level"], p["level"]) + "督办")
    if p.get("days"):
        parts.append(f"{p['days']:g} 个工作日")
    if p.get("filename"):
        parts.append(p["filename"])
    for name, change in (p.get("changes") or {}).items():
        parts.append(f"{wf.EDITABLE_FIELDS.get(name, name)}：{change.get('from') or '（空）'} → {change.get('to')}")
    if p.get("note"):
        parts.append(p["note"])
    return "；".join(str(x) for x in parts)
