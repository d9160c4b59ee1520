"""The figures of 日简报 / 周通报 / 月专报 (plain data; app.dossier.bulletins lays them out).

Every number comes from app.supervision.indicators (the one computation), the ranking from
app.supervision.rankings, the overdue list and 督办 status from app.supervision.board.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from app.desk import Desk
from app.domain import indicators as ind
from app.domain.timezone import LOCAL_TZ
from app.domain.workflow import STATE_LABELS
from app.errors import ValidationError
from app.grids.overview import bulletin_section as grid_section
from app.mediation.indicators import bulletin_section as mediation_section
from app.risk import bulletin as risk_bulletin
from app.store.types import to_sql_dt
from app.supervision import board as supervision
from app.supervision import indicators as si
from app.supervision import rankings

KINDS = {"daily": "日简报", "weekly": "周通报", "monthly": "月专报"}
HEADLINE = ("received", "persons", "done", "closed", "done_rate", "close_rate", "on_time_rate",
            "sign_on_time_rate", "satisfaction_rate", "return_rate", "transfer_rate", "auto_dispatch_rate",
            "avg_handle_days", "overdue")
LABELS = {**ind.COUNT_NAMES, **ind.RATE_NAMES, "avg_handle_days": "平均办理时长（工作日）"}


def period_for(kind: str, day) -> si.Period:
    """daily: that day; weekly: its Monday-Sunday week; monthly: its calendar month."""
    if kind not in KINDS:
        raise ValidationError("简报类型应为 daily、weekly 或 monthly", field="kind")
    d = si.parse_date(day, "date")
    if kind == "daily":
        return si.Period(d, d)
    if kind == "weekly":
        start = d - timedelta(days=d.weekday())
        return si.Period(start, start + timedelta(days=6))
    start = d.replace(day=1)
    nxt = (start + timedelta(days=32)).replace(day=1)
    return si.Period(start, nxt - timedelta(days=1))


def _headline(cur: dict, prev: dict) -> list[dict]:
    return [{"key": k, "label": LABELS[k], "value": cur[k], "previous": prev[k],
             "change": ind.change(cur[k], prev[k])} for k in HEADLINE]


# The condition repeats the partial index ix_cases_notable's (migration 0006) word for word, so
# SQLite picks the period's notable cases from it; the index covers the ordering, so only the
# rows listed are read from the (wide) table.
_ORDER = "(c.urge_level = 'red') DESC, c.persons DESC, c.major DESC, c.rid"
NOTABLE_SQL = ("SELECT case_no, title, unit, state, persons, major, urge_level FROM cases c WHERE c.rid IN ("
               "SELECT c.rid FROM cases c WHERE c.received_at >= :start AND c.received_at < :end "
               f"AND (c.major = 1 OR c.persons >= 5 OR c.urge_level = 'red') ORDER BY {_ORDER} LIMIT :limit) "
               f"ORDER BY {_ORDER}")


def notable(desk: Desk, p: si.Period, limit: int = 10) -> list[dict]:
    """重点关注: major (重大) cases, group visits (5+ persons) and red-card 督办 received in ``p``."""
    refs = desk.refs()
    with desk.db.read() as s:
        rows = s.execute(text(NOTABLE_SQL), {"start": to_sql_dt(p.utc_start), "end": to_sql_dt(p.utc_end), "limit": limit}).all()
    out = []
    for no, title, unit, state, persons, major, level in rows:
        why = [w for w, on in (("红牌督办", level == "red"), ("群体性诉求", persons >= 5), ("重大事项", major)) if on]
        out.append({"case_no": no, "title": title, "unit_name": refs.unit_name(unit) or "—",
                    "state_label": STATE_LABELS[state], "persons": persons, "reason": "、".join(why)})
    return out


def figures(desk: Desk, kind: str, day, now=None) -> dict:
    """Everything a bulletin shows, as plain data (also ``towndesk report --json``)."""
    p = period_for(kind, day)
    prev = p.previous()
    now = now or desk.now()
    cur_groups = si.compute_groups(desk, p, "unit", None, now)
    prev_groups = si.compute_groups(desk, prev, "unit", None, now)
    rank = rankings.ranking(desk, p, now=now, groups=(cur_groups, prev_groups))
    cur, before = ind.summary(si.total(cur_groups)), ind.summary(si.total(prev_groups))
    span = p if kind != "daily" else si.Period(p.end - timedelta(days=13), p.end)
    board = supervision.board(desk, limit=15)
    urges = supervision.open_urges(desk, limit=10)
    return {
        "kind": kind, "title": KINDS[kind], "period": p.as_dict(), "period_label": p.label(),
        "previous": prev.as_dict(), "previous_label": prev.label(), "generated_at": now.isoformat(),
        "town": desk.meta("town_name") or desk.town_code,
        "headline": _headline(cur, before), "summary": cur, "previous_summary": before,
        "trend": si.trend(desk, span), "trend_label": span.label(),
        "by_channel": _brief(si.compute_by(desk, p, "channel", None, now)),
        "by_category": _brief(si.compute_by(desk, p, "category", None, now))[:10],
        "ranking": rank,
        "overdue": {"red": board["red"], "yellow": board["yellow"], "units": board["units"][:10],
                    "cases": board["cases"]},
        "urges": urges, "notable": notable(desk, p),
        "issue": issue_number(kind, p),
        "mediation": mediation_section(desk, p, now),  # 矛盾调处 (app.mediation.indicators)
        "grids": grid_section(desk, p, now),  # 一网格与四平台 (issue 17: app/grids/overview.py)
        "risk": risk_bulletin.figures(desk, p) if kind == "monthly" else None,  # the 风险 section (issue 18)
    }


def issue_number(kind: str, p: si.Period) -> dict:
    """期号, per kind and year, from the period itself (so a bulletin printed again keeps its
    number): 日简报 the day of the year, 周通报 the ISO week, 月专报 the month."""
    if kind == "daily":
        year, number = p.start.year, p.start.timetuple().tm_yday
    elif kind == "weekly":
        year, number, _day = p.start.isocalendar()
    else:
        year, number = p.start.year, p.start.month
    return {"year": year, "number": number, "label": f"{year}年第{number}期"}


def _brief(rows: list[dict]) -> list[dict]:
    return [{"key": r["key"], "name": r["name"], "received": r["received"], "done": r["done"],
             "done_rate": r["done_rate"], "satisfaction_rate": r["satisfaction_rate"]} for r in rows]


def file_name(kind: str, day) -> str:
    """The suggested file name: the bulletin and the same period its content covers."""
    p = period_for(kind, day)
    span = f"{p.start:%Y-%m-%d}" if p.start == p.end else (
        f"{p.start:%Y-%m}" if kind == "monthly" else f"{p.start:%Y-%m-%d}至{p.end:%Y-%m-%d}")
    return f"{KINDS[kind]}-{span}.pdf"


def default_date(desk: Desk) -> date:
    return desk.now().astimezone(LOCAL_TZ).date()
