"""The working-day overrides as stored: the district's official days and the town's own days
(synced ``holidays``) and this workstation's older local ``calendar_days``. One reader, used by
the Desk's calendar and by the indicator facts' calendar stamp."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text

# district first, then local legacy days, then the town's own: a later source wins
_SQL = ("SELECT day, workday, 0 FROM holidays WHERE deleted = 0 AND owner_level = 'district' "
        "UNION ALL SELECT day, workday, 1 FROM calendar_days "
        "UNION ALL SELECT day, workday, 2 FROM holidays WHERE deleted = 0 AND owner_level != 'district'")


def read_overrides(session) -> dict[date, bool]:
    """Every entered day: ``True`` a working day, ``False`` a day off."""
    out: dict[date, bool] = {}
    for day, workday, _rank in sorted(session.execute(text(_SQL)), key=lambda r: r[2]):
        out[date.fromisoformat(day)] = bool(workday)
    return out
