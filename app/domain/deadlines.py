"""Deadlines (签收/办结时限), 挂账 suspension, extension and the green/yellow/red light.

All times are aware datetimes (``ValueError`` on naive ones); results are aware UTC datetimes.
"Days" are working days of a :class:`~app.domain.calendar.WorkCalendar` (24 h of working time
each); urgent sign-for deadlines are real clock hours.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from app.domain.calendar import UTC, WorkCalendar, require_aware

__all__ = [
    "DeadlinePolicy",
    "DEFAULT_POLICY",
    "sign_deadline",
    "handle_deadline",
    "shift_for_suspension",
    "extend",
    "subtract_worktime",
    "warn_at",
    "colour",
]

Colour = Literal["green", "yellow", "red"]


@dataclass(frozen=True)
class DeadlinePolicy:
    """Time limits: working days, except ``urgent_sign_hours`` which are real clock hours."""

    sign_days: float = 1
    handle_days: float = 5
    urgent_sign_hours: float = 2
    urgent_handle_days: float = 1


DEFAULT_POLICY = DeadlinePolicy()


def sign_deadline(
    cal: WorkCalendar, start: datetime, policy: DeadlinePolicy = DEFAULT_POLICY, urgent: bool = False
) -> datetime:
    """签收 deadline: urgent -> ``start`` + ``urgent_sign_hours`` real hours (weekends included);
    otherwise ``start`` + ``sign_days`` working days."""
    if urgent:
        return require_aware(start, "start").astimezone(UTC) + timedelta(hours=policy.urgent_sign_hours)
    return cal.add_workdays(start, policy.sign_days)


def handle_deadline(
    cal: WorkCalendar, start: datetime, policy: DeadlinePolicy = DEFAULT_POLICY, urgent: bool = False
) -> datetime:
    """办结 deadline: ``start`` + ``urgent_handle_days`` (urgent) or ``handle_days`` working days."""
    return cal.add_workdays(start, policy.urgent_handle_days if urgent else policy.handle_days)


def shift_for_suspension(
    cal: WorkCalendar, due: datetime, suspended_at: datetime, resumed_at: datetime
) -> datetime:
    """``due`` moved later by the working time spent 挂账 (from ``suspended_at`` to ``resumed_at``).

    A suspension that covers no working time (or ``resumed_at <= suspended_at``) leaves ``due``
    unchanged.
    """
    paused = cal.worktime_between(suspended_at, resumed_at)
    return cal.add_worktime(due, paused)


def extend(cal: WorkCalendar, due: datetime, days: float) -> datetime:
    """``due`` extended (延期) by ``days`` working days."""
    return cal.add_workdays(due, days)


def subtract_worktime(cal: WorkCalendar, t: datetime, amount: timedelta) -> datetime:
    """"``t`` minus ``amount`` of working time": the earliest instant from which exactly
    ``amount`` of working time remains until ``t`` (walks back over working days)."""
    return cal.subtract_worktime(t, amount)


def warn_at(
    cal: WorkCalendar,
    start: datetime,
    due: datetime,
    yellow_days: float = 1.0,
    yellow_fraction: float = 0.2,
) -> datetime:
    """The instant the case turns yellow (UTC), never before ``start``.

    Yellow once the remaining working time until ``due`` is at most ``yellow_days`` working days
    or at most ``yellow_fraction`` of the allowed working time ``worktime_between(start, due)``.
    Remaining working time only shrinks, so the earliest such instant is
    ``due - max(both thresholds)`` in working time. Boundaries count as yellow (matching
    :func:`colour`, which is yellow from ``warn`` inclusive).
    """
    start_utc = require_aware(start, "start").astimezone(UTC)
    allowed = cal.worktime_between(start, due)
    threshold = max(timedelta(days=yellow_days), allowed * yellow_fraction)
    return max(start_utc, cal.subtract_worktime(due, threshold))


def colour(now: datetime, due: datetime | None, warn: datetime | None) -> Colour:
    """Traffic light: ``"red"`` if ``now > due``; ``"yellow"`` if ``now >= warn``; else ``"green"``.

    ``due is None`` (no deadline running) is always ``"green"``; ``warn is None`` skips yellow.
    """
    require_aware(now, "now")
    if due is None:
        return "green"
    if now > require_aware(due, "due"):
        return "red"
    if warn is not None and now >= require_aware(warn, "warn"):
        return "yellow"
    return "green"
