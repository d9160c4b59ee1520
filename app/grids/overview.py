"""The grid and platform figures other places show: the 网格 page, the dashboard's 四平台 tab and
the bulletins' grid section. Nothing is computed here: grid figures come from app.grids.stats,
platform figures from app.supervision.indicators (``by="platform"``), points from app.grids.points."""
from __future__ import annotations

import time
from datetime import datetime

from app.desk import Desk
from app.domain.timezone import LOCAL_TZ
from app.domain.vocab import PLATFORMS
from app.grids import points, stats
from app.supervision import indicators as si

PLATFORM_KEYS = ("received", "done", "done_rate", "on_time_rate", "satisfaction_rate", "overdue")


def platforms(desk: Desk, p: si.Period, now: datetime | None = None) -> list[dict]:
    """The four platforms in their fixed order (a platform without cases shows zeros and "—")."""
    rows = {r["key"]: r for r in si.compute_by(desk, p, "platform", None, now)}
    out = []
    for code, name in PLATFORMS.items():
        r = rows.get(code)
        out.append({"key": code, "name": name, **({k: r[k] for k in PLATFORM_KEYS} if r else
                                                   {k: (0 if k in ("received", "done", "overdue") else None)
                                                    for k in PLATFORM_KEYS})})
    return out


def month_of(desk: Desk) -> si.Period:
    today = desk.now().astimezone(LOCAL_TZ).date()
    return si.Period(today.replace(day=1), today)


def platform_tab(desk: Desk) -> dict:
    """The dashboard's 四平台 tab: this month per platform."""
    started = time.perf_counter()
    p = month_of(desk)
    return {"period": p.as_dict(), "rows": platforms(desk, p), "seconds": round(time.perf_counter() - started, 3)}


def grid_page(desk: Desk, date_from, date_to, by: str = "grid") -> dict:
    """The 网格 page: grid figures of the period by ``by`` with the total, and the points board of
    the month the period ends in."""
    started = time.perf_counter()
    figures = stats.stats(desk, date_from, date_to, by)
    month = figures["period"]["to"][:7]
    return {**figures, "board": points.board(desk, month, limit=20), "seconds": round(time.perf_counter() - started, 3)}


def bulletin_section(desk: Desk, p: si.Period, now: datetime | None = None) -> dict:
    """The bulletins' 一网格与四平台 section: grid figures of the period (total and per 村社) and the
    four platforms."""
    by_village = stats.stats(desk, p.start, p.end, "village", now=now)
    return {"total": by_village["total"], "by_village": by_village["items"], "platforms": platforms(desk, p, now)}
