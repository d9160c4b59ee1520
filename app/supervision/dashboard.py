"""运行监测: every figure of the dashboard page in one call (run off the GUI thread).

Nothing is computed here: the figures come from app.supervision.indicators (the one computation),
app.supervision.rankings and app.supervision.board, so the page, the rankings and the bulletins
never disagree.
"""
from __future__ import annotations

import time
from datetime import timedelta

from app.desk import Desk
from app.domain import indicators as ind
from app.domain.timezone import LOCAL_TZ
from app.supervision import board as supervision
from app.supervision import indicators as si
from app.supervision import rankings


def glance(desk: Desk, p: si.Period, now) -> dict:
    """Received, dispatched and closed in ``p`` (event time) plus the cohort's satisfaction."""
    groups = si.compute_groups(desk, p, "unit", None, now)
    c = ind.summary(si.total(groups))
    return {**si.activity(desk, p, now), "satisfaction_rate": c["satisfaction_rate"],
            "done_rate": c["done_rate"], "persons": c["persons"], "period": p.as_dict(), "groups": groups}


def snapshot(desk: Desk, days: int = 30, red_limit: int = 20) -> dict:
    """Today, this month, open cases by colour, the daily trend, breakdowns, the unit ranking
    (this month, composite score) and the red list."""
    started = time.perf_counter()
    now = desk.now()
    today = now.astimezone(LOCAL_TZ).date()
    day = si.Period(today, today)
    month = si.Period(today.replace(day=1), today)
    t, m = glance(desk, day, now), glance(desk, month, now)
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
