"""Grid figures (网格指标) for any period: per 网格, 微网格, 村社 or reporter — reported, solved on
the spot, passed to the centre, 流转率, 办结率, average handling days, overdue. THE one
computation for the CLI (``grid stats``), the 网格 page, the dashboard and the bulletins.

The cohort is the grid reports whose case was received in the period (local dates, as the
supervision indicators); each case's state is read from the indicator facts
(app.store.facts, brought up to date first) and counted by app.supervision.indicators.counts_of,
so 办结率, 平均办理时长 and 超期 mean exactly what they mean there (docs/INDICATORS.md).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select, text

from app.desk import Desk
from app.domain import grids as gd
from app.errors import ValidationError
from app.store import facts
from app.store.models import Staff
from app.store.types import to_sql_dt
from app.supervision import indicators as si

BY = {"grid": "gr.grid_code", "micro": "gr.micro_code", "village": "gr.village_code",
      "reporter": "gr.reporter_staff"}
BY_LABELS = {"grid": "网格", "micro": "微网格", "village": "村社", "reporter": "上报人"}


def _sql(by: str | None, village: bool) -> str:
    """The cohort's facts rows per (group, outcome, bits). Read from the reports (their
    ``reported_at`` index, a day's margin either side: a report is written in its intake's
    transaction) to the case and its facts, so a period costs its grid reports, not all its cases;
    the received day (``c.rday``) decides membership exactly."""
    key = BY[by] if by else "NULL"
    extra = " AND gr.village_code = :village" if village else ""
    return (f"SELECT {key}, gr.outcome, c.f, count(*), sum(c.persons), sum(c.rc), sum(c.tc), count(c.secs), "
            f"coalesce(sum(c.secs), 0) FROM grid_reports gr CROSS JOIN cases k CROSS JOIN case_facts c "
            f"WHERE k.id = gr.case_id AND c.rid = k.rid AND gr.deleted = 0 AND gr.reported_at >= :lo "
            f"AND gr.reported_at < :hi AND c.rday BETWEEN :a AND :b{extra} GROUP BY 1, 2, 3")


def groups(desk: Desk, p: si.Period, by: str | None = None, village: str | None = None,
           now: datetime | None = None) -> dict:
    """{group key: GridCounts} of the grid reports received in ``p``."""
    if by is not None and by not in BY:
        raise ValidationError("分组应为：grid（网格）、micro（微网格）、village（村社）或 reporter（上报人）", field="by")
    params = {"a": p.start.toordinal(), "b": p.end.toordinal(),
              "lo": to_sql_dt(p.utc_start - timedelta(days=1)), "hi": to_sql_dt(p.utc_end + timedelta(days=1))}
    if village:
        g = desk.refs().find_grid(str(village), "village")
        if g is None:
            raise ValidationError(f"村社「{village}」不存在", field="village")
        params["village"] = g.code
    facts.ensure(desk, now or desk.now())
    with desk.db.read() as s:
        rows = s.execute(text(_sql(by, bool(village))), params).all()
    per: dict = defaultdict(lambda: defaultdict(list))
    for key, outcome, *rest in rows:
        per[key][outcome].append((None, *rest))
    out: dict = {}
    for key, by_outcome in per.items():
        g = out[key] = gd.GridCounts()
        for outcome, facts_rows in by_outcome.items():
            part = si.counts_of(facts_rows).get(None)
            if part is None:
                continue
            g.reported += part.received
            if outcome == "solved":
                g.solved_on_spot += part.received
            else:
                g.passed += part.received
            g.cases.add(part)
    return out


def _names(desk: Desk, by: str | None, keys) -> dict:
    refs = desk.refs()
    if by == "reporter":
        with desk.db.read() as s:
            found = dict(s.execute(select(Staff.code, Staff.name).where(Staff.code.in_([k for k in keys if k]))).all())
        return {k: found.get(k, k) for k in keys}
    return {k: (refs.grid_name(k) if k else ("全镇" if by is None else "（无）")) for k in keys}


def stats(desk: Desk, date_from, date_to, by: str | None = None, village: str | None = None,
          now: datetime | None = None) -> dict:
    """``grid stats``: {"period", "by", "items": [{key, name, reported, solved_on_spot, passed,
    flow_rate, closed_rate, avg_handle_days, overdue, ...}], "total": {...}} (largest first)."""
    p = si.period(date_from, date_to)
    got = groups(desk, p, by, village, now)
    total = gd.GridCounts()
    for g in got.values():
        total.add(g)
    names = _names(desk, by, list(got))
    items = [{"key": k, "name": names[k], **gd.grid_summary(g)} for k, g in got.items()]
    items.sort(key=lambda r: (-r["reported"], str(r["key"])))
    if by is None:
        items = [{"key": None, "name": "全镇", **gd.grid_summary(total)}]
    return {"period": p.as_dict(), "by": by, "items": items, "total": gd.grid_summary(total)}
