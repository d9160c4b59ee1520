"""运行监测: every figure of the dashboard page in one call (run off the GUI thread).

Nothing is computed here: the figures come from app.services.indicators (the one computation),
app.services.rankings and app.services.supervision, so the page, the rankings and the bulletins
never disagree.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import text

from app.domain import indicators as ind
from app.services import indicators as si
from app.services import rankings, supervision
from app.services.desk import Desk

CACHE_SECONDS = 300  # the month's per-unit groups are reused while no action was written, up to this long
_cache: dict = {}
_lock = threading.Lock()


def data_version(desk: Desk) -> int:
    """Grows whenever an action is written (locally or pulled by sync): the log is append-only."""
    with desk.db.read() as s:
        return s.execute(text("SELECT coalesce(max(seq), 0) FROM case_actions")).scalar()


def unit_groups(desk: Desk, p: si.Period, now, use_cache: bool = True) -> dict:
    """si.compute_groups(p, by="unit"), memoised per store while the data is unchanged (the
    now-dependent counts may then be up to CACHE_SECONDS old; the colour tiles are always fresh)."""
    if not use_cache:
        return si.compute_groups(desk, p, "unit", None, now)
    key = (str(desk.root), p, data_version(desk))
    with _lock:
        hit = _cache.get(key)
    if hit and 0 <= (now - hit[0]).total_seconds() < CACHE_SECONDS:
        return hit[1]
    groups = si.compute_groups(desk, p, "unit", None, now)
    with _lock:
        _cache.clear()
        _cache[key] = (now, groups)
    return groups


def glance(desk: Desk, p: si.Period, now, use_cache: bool = False) -> dict:
    """Received, dispatched and closed in ``p`` (event time) plus the cohort's satisfaction."""
    groups = unit_groups(desk, p, now, use_cache)
    c = ind.summary(si.total(groups))
    return {**si.activity(desk, p, now), "satisfaction_rate": c["satisfaction_rate"],
            "done_rate": c["done_rate"], "persons": c["persons"], "period": p.as_dict(), "groups": groups}


def snapshot(desk: Desk, days: int = 30, red_limit: int = 20, use_cache: bool = True) -> dict:
    """Today, this month, open cases by colour, the daily trend, breakdowns, the unit ranking
    (this month, composite score) and the red list."""
    started = time.perf_counter()
    now = desk.now()
    today = now.astimezone(si.SHANGHAI).date()
    day = si.Period(today, today)
    month = si.Period(today.replace(day=1), today)
    t, m = glance(desk, day, now), glance(desk, month, now, use_cache)
    rank = rankings.ranking(desk, month, now=now, groups=(m.pop("groups"), {}))
    t.pop("groups")
    breakdown = si.received_by_many(desk, month, ("category", "channel", "village"))
    return {
        "now": now.isoformat(), "today": t, "month": m, "open": si.open_colours(desk, now),
        "trend": si.trend(desk, si.Period(today - timedelta(days=days - 1), today)),
        "by_category": breakdown["category"][:10],
        "by_channel": breakdown["channel"],
        "by_village": breakdown["village"],
        "ranking": rank["rows"], "ranking_label": rank["indicator_label"],
        "red": supervision.board(desk, colour="red", limit=red_limit)["cases"],
        "seconds": round(time.perf_counter() - started, 3),
    }
