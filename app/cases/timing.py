"""Deadlines worked out at action time (the dispatch payload, a typed deadline, the yellow
warning) and unit lookup: the helpers that dispatch, transfer, cohandle and extensions share."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from app.desk import Desk
from app.domain import deadlines as dl
from app.domain.calendar import WorkCalendar
from app.domain.timezone import LOCAL_TZ
from app.errors import ValidationError


def policy_for(desk: Desk, category: str | None) -> dl.DeadlinePolicy:
    c = desk.refs().categories.get(category or "")
    if c is None:
        return dl.DeadlinePolicy()
    return dl.DeadlinePolicy(c.sign_days, c.handle_days, c.urgent_sign_hours, c.urgent_handle_days)


def parse_due(value, at: datetime) -> datetime | None:
    """A user's deadline override: ISO date (end of that day, Shanghai time) or datetime."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, str) and len(value) == 10:
            d = datetime.fromisoformat(value).date()
            due = datetime.combine(d, time(23, 59, 59), LOCAL_TZ)
        else:
            due = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            if due.tzinfo is None:
                due = due.replace(tzinfo=LOCAL_TZ)
    except ValueError:
        raise ValidationError("办结时限格式应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM", field="due_at") from None
    if due <= at:
        raise ValidationError("办结时限必须晚于当前时间", field="due_at")
    return due


def warn_for(desk: Desk, cal: WorkCalendar, start: datetime, due: datetime, sign: bool = False) -> datetime:
    # The sign clock is short (one working day): only its last 20% is yellow.
    days = 0.0 if sign else desk.setting("yellow_days")
    return dl.warn_at(cal, start, due, days, desk.setting("yellow_fraction"))


def dispatch_payload(desk: Desk, row, unit: str, co_units: list[str], due_override, at: datetime,
                     handle_days: float | None = None) -> dict:
    """The dispatch payload with its sign and handling deadlines worked out now (``handle_days``:
    the responsibility list line's own time limit, instead of the category's)."""
    refs = desk.refs()
    for code, field in [(unit, "unit")] + [(c, "co_units") for c in co_units]:
        if code not in refs.units:
            raise ValidationError(f"单位「{code}」不存在", field=field)
    if unit in co_units:
        raise ValidationError("协办单位不能与主办单位相同", field="co_units")
    cal = desk.calendar()
    policy = policy_for(desk, row.category)
    if handle_days is not None:
        policy = replace(policy, handle_days=handle_days)
    urgent = row.urgency == "urgent"
    due = parse_due(due_override, at) or dl.handle_deadline(cal, at, policy, urgent)
    sign_due = min(dl.sign_deadline(cal, at, policy, urgent), due)
    return {"unit": unit, "co_units": list(co_units), "due_at": due.isoformat(),
            "warn_at": warn_for(desk, cal, at, due).isoformat(), "sign_due_at": sign_due.isoformat(),
            "sign_warn_at": warn_for(desk, cal, at, sign_due, sign=True).isoformat()}


def resolve_unit(desk: Desk, value, field: str = "unit") -> str:
    u = desk.refs().find_unit(str(value or "").strip())
    if u is None:
        raise ValidationError(f"单位「{value}」不存在" if value else "请选择承办单位", field=field)
    return u.code
