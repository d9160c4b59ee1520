"""China's working-day calendar and "working time" arithmetic for deadlines.

Which days are working days
    1. ``overrides`` entered by an administrator (``True`` = working day, ``False`` = holiday);
    2. the ``chinese_calendar`` package (official holidays and 调休 make-up working days);
    3. for years that package does not know (it raises ``NotImplementedError``): Monday-Friday,
       less (with ``provisional=True``, as the Desk builds it) the statutory holidays the
       ``holidays`` package lists for that year (no 调休 make-up days: those need the State
       Council notice, entered by the district or an administrator).

Working time model
    A working day contributes its whole local day (00:00-24:00 in ``tz``, 24 hours in LOCAL_TZ,
    app.domain.timezone) of working time; a non-working day contributes none. "N working days"
    is N x 24 hours of working time, so Friday 15:00 + 1 working day = next working day 15:00.

Every ``datetime`` argument must be timezone-aware (``ValueError`` otherwise); every returned
``datetime`` is aware and in UTC. Arithmetic loops once per calendar day, never finer.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from app.domain.timezone import LOCAL_TZ

__all__ = ["WorkCalendar", "require_aware", "provisional_days", "library_knows", "UTC"]

_DAY = timedelta(days=1)
_ZERO = timedelta(0)


def require_aware(t: datetime, name: str = "t") -> datetime:
    """Return ``t`` if it is an aware ``datetime``; raise ``ValueError`` for naive ones."""
    if not isinstance(t, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {t!r}")
    return t


@lru_cache(maxsize=16)
def provisional_days(year: int) -> dict[date, str]:
    """Statutory holidays of ``year`` from the ``holidays`` package (Chinese names), for years
    chinese-calendar does not know yet; {} when the package is missing or knows nothing."""
    try:
        import holidays  # loaded on first use (~70 ms): only for a year chinese-calendar lacks
    except ImportError:  # pragma: no cover - declared dependency
        return {}
    try:
        return dict(holidays.China(years=year, language="zh_CN").items())
    except Exception:  # noqa: BLE001 - an unknown year or language: no provisional days
        return {}


def library_knows(year: int) -> bool:
    """Whether chinese-calendar has the official calendar of ``year``."""
    return _library_knows(year)


def _library_knows(year: int) -> bool:
    import chinese_calendar  # see WorkCalendar.is_workday

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Working-day calendar for one time zone (default LOCAL_TZ). Immutable after creation."""

    def __init__(self, overrides: Mapping[date, bool] | None = None, tz: str | ZoneInfo = LOCAL_TZ,
                 provisional: bool = False):
        self._provisional = provisional
        self._tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        self._overrides: dict[date, bool] = {}
        for key, working in (overrides or {}).items():
            day = key.date() if isinstance(key, datetime) else key
            self._overrides[day] = bool(working)
        self._override_years = frozenset(d.year for d in self._overrides)
        self._day_cache: dict[date, bool] = {}
        self._year_cache: dict[int, bool] = {}

    # --- days -------------------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @property
    def overrides(self) -> dict[date, bool]:
        """A copy of the administrator-entered days (to rebuild the calendar elsewhere)."""
        return dict(self._overrides)

    def local_date(self, t: datetime) -> date:
        """The calendar date of instant ``t`` in this calendar's time zone."""
        return require_aware(t).astimezone(self._tz).date()

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (overrides, then chinese_calendar, then Mon-Fri).

        An aware ``datetime`` is accepted and means its local date.
        """
        if isinstance(d, datetime):
            d = self.local_date(d)
        if d in self._overrides:
            return self._overrides[d]
        cached = self._day_cache.get(d)
        if cached is None:
            # imported on first use (~15 ms): the case list colours cases without a working-day question
            import chinese_calendar

            try:
                cached = bool(chinese_calendar.is_workday(d))
            except NotImplementedError:
                cached = d.weekday() < 5 and not (self._provisional and d in provisional_days(d.year))
            self._day_cache[d] = cached
        return cached

    def is_official(self, year: int) -> bool:
        """True if chinese_calendar knows ``year`` or an override falls in it."""
        if year in self._override_years:
            return True
        known = self._year_cache.get(year)
        if known is None:
            known = self._year_cache[year] = _library_knows(year)
        return known

    def missing_years(self, start: date, end: date) -> list[int]:
        """Years from ``start.year`` to ``end.year`` (inclusive, either order) that are not official.

        Aware datetimes are accepted and mean their local dates.
        """
        y1 = (self.local_date(start) if isinstance(start, datetime) else start).year
        y2 = (self.local_date(end) if isinstance(end, datetime) else end).year
        lo, hi = min(y1, y2), max(y1, y2)
        return [y for y in range(lo, hi + 1) if not self.is_official(y)]

    def _day_start(self, d: date) -> datetime:
        """00:00 local of ``d`` as a UTC instant."""
        return datetime.combine(d, time.min, tzinfo=self._tz).astimezone(UTC)

    # --- working time -----------------------------------------------------------------------

    def add_worktime(self, t: datetime, amount: timedelta) -> datetime:
        """The earliest instant by which ``amount`` of working time has elapsed after ``t``.

        ``t`` on a non-working day: the clock starts at 00:00 of the next working day. If the
        amount runs out exactly at 24:00 of a working day, that instant is returned (even when
        the next day is a holiday). ``amount == 0`` returns ``t``; a negative amount delegates
        to :meth:`subtract_worktime`.
        """
        cur = require_aware(t).astimezone(UTC)
        if amount < _ZERO:
            return self.subtract_worktime(t, -amount)
        if amount == _ZERO:
            return cur
        remaining = amount
        d = cur.astimezone(self._tz).date()
        while True:
            end = self._day_start(d + _DAY)
            if self.is_workday(d):
                available = end - cur
                if remaining <= available:
                    return cur + remaining
                remaining -= available
            d += _DAY
            cur = end

    def add_workdays(self, t: datetime, days: float) -> datetime:
        """``t`` advanced by ``days`` x 24 hours of working time (see :meth:`add_worktime`)."""
        return self.add_worktime(t, timedelta(days=days))

    def subtract_worktime(self, t: datetime, amount: timedelta) -> datetime:
        """The earliest instant ``x`` with ``worktime_between(x, t) == amount`` ("t minus amount").

        Walks back over working days. When the amount is used up exactly at 00:00 of a working
        day, the result moves back over any non-working days to 24:00 of the previous working
        day (the same working time separates both instants from ``t``). Negative amounts
        delegate to :meth:`add_worktime`.
        """
        cur = require_aware(t).astimezone(UTC)
        if amount < _ZERO:
            return self.add_worktime(t, -amount)
        remaining = amount
        d = cur.astimezone(self._tz).date()
        while True:
            start = self._day_start(d)
            if self.is_workday(d):
                available = cur - start
                if remaining < available:
                    return cur - remaining
                remaining -= available
            d -= _DAY
            cur = start

    def worktime_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time elapsed from ``a`` to ``b``; ``timedelta(0)`` if ``b <= a``."""
        cur = require_aware(a, "a").astimezone(UTC)
        stop = require_aware(b, "b").astimezone(UTC)
        total = _ZERO
        d = cur.astimezone(self._tz).date()
        while cur < stop:
            end = self._day_start(d + _DAY)
            if self.is_workday(d):
                total += min(end, stop) - cur
            d += _DAY
            cur = end
        return total

    def next_workday_end(self, t: datetime) -> datetime:
        """24:00 local of the first working day strictly after ``t``'s local date, in UTC."""
        d = self.local_date(t) + _DAY
        while not self.is_workday(d):
            d += _DAY
        return self._day_start(d + _DAY)
