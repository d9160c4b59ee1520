"""矛盾调处 figures: 调解受理, 调解成功率 (succeeded ÷ closed), 诉前化解率 (closed by mediation,
compensation or indemnity, i.e. without court or arbitration, ÷ closed), average days (working
days from acceptance to close), by means, and by type, source, mediator or 村社; 积案化解率
(substantively resolved ÷ registered, the register as it stands at the period's end) with the
ranking of units and 村社 (bottom three red), and the bulletins' 矛盾调处 section.

Definitions (docs/MEDIATION.md): a dispute counts as accepted in the period it was opened in, as
closed (and succeeded or not) in the period it was closed in."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from app.desk import Desk
from app.domain import mediation as md
from app.domain.indicators import ratio
from app.errors import ValidationError
from app.store.models import Backlog, Dispute, Mediator
from app.supervision import indicators as si

BY = ("type", "source", "mediator", "village")
RED_COUNT = 3


def _figure_rows(s, p: si.Period) -> list:
    """The disputes opened or closed in ``p``, with only the columns the figures read."""
    cols = (Dispute.opened_at, Dispute.closed_at, Dispute.state, Dispute.success, Dispute.means,
            Dispute.type, Dispute.source, Dispute.mediator, Dispute.village)
    start, end = p.utc_start, p.utc_end
    inside = or_(and_(Dispute.opened_at >= start, Dispute.opened_at < end),
                 and_(Dispute.closed_at >= start, Dispute.closed_at < end))
    return list(s.execute(select(*cols).where(Dispute.deleted.is_(False), inside)))


def _tally(rows: list, p: si.Period, cal) -> dict:
    start, end = p.utc_start, p.utc_end

    def inside(t: datetime | None) -> bool:
        return t is not None and start <= t < end

    accepted = [r for r in rows if inside(r.opened_at)]
    closed = [r for r in rows if r.state == "closed" and inside(r.closed_at)]
    succeeded = [r for r in closed if r.success]
    pre = [r for r in succeeded if r.means in md.PRE_LITIGATION_MEANS]
    days = [cal.worktime_between(r.opened_at, r.closed_at) / timedelta(days=1) for r in closed]
    return {"accepted": len(accepted), "closed": len(closed), "succeeded": len(succeeded),
            "success_rate": ratio(len(succeeded), len(closed)), "pre_litigation": len(pre),
            "pre_litigation_rate": ratio(len(pre), len(closed)),
            "avg_days": round(sum(days) / len(days), 2) if days else None,
            "by_means": {m: sum(1 for r in closed if r.means == m) for m in md.MEANS}}


def backlog_figures(rows: list[Backlog], end: datetime) -> dict:
    registered = [r for r in rows if r.registered_at < end]
    resolved = [r for r in registered if r.state == "resolved" and r.resolved_at is not None and r.resolved_at < end]
    return {"registered": len(registered), "resolved": len(resolved), "rate": ratio(len(resolved), len(registered))}


def _just_after(now: datetime) -> datetime:
    """The exclusive end that takes in everything written up to ``now``."""
    return now + timedelta(microseconds=1)


def _group_label(by: str, key, refs, mediators: dict) -> str:
    if key is None:
        return "未指定"
    if by == "mediator":
        return mediators.get(key, key)
    if by == "village":
        return refs.grid_name(key) or key
    return key


def indicators(desk: Desk, date_from, date_to, by: str | None = None) -> dict:
    """``mediation indicators``."""
    p = si.period(date_from, date_to)
    if by is not None and by not in BY:
        raise ValidationError("--by 应为 type、source、mediator 或 village", field="by")
    cal, refs = desk.calendar(), desk.refs()
    with desk.db.read() as s:
        rows = _figure_rows(s, p)
        backlogs = list(s.scalars(select(Backlog).where(Backlog.deleted.is_(False))))
        mediators = {m.code: m.name for m in s.scalars(select(Mediator))}
    out = {"from": p.start.isoformat(), "to": p.end.isoformat(), **_tally(rows, p, cal),
           "backlog": backlog_figures(backlogs, p.utc_end)}
    if by:
        groups: dict = defaultdict(list)
        for r in rows:
            groups[getattr(r, by)].append(r)
        order = {"type": md.DISPUTE_TYPES, "source": md.SOURCES}.get(by)
        keys = sorted(groups, key=lambda k: (order.index(k) if order and k in order else 99, str(k)))
        out["by"] = by
        out["groups"] = [{"key": k, "label": _group_label(by, k, refs, mediators), **_tally(groups[k], p, cal)}
                         for k in keys]
        out["groups"] = [g for g in out["groups"] if g["accepted"] or g["closed"]]
    return out


def backlog_ranking(desk: Desk, end: datetime | None = None, by: str = "unit") -> list[dict]:
    """积案化解率 per responsible unit (a 积案 counts for each of its units) or per 村社, lowest rate
    last; the bottom three are marked red."""
    end = end or _just_after(desk.now())
    refs = desk.refs()
    with desk.db.read() as s:
        rows = list(s.scalars(select(Backlog).where(Backlog.deleted.is_(False))))
    groups: dict = defaultdict(list)
    for r in rows:
        for key in (r.units or [None]) if by == "unit" else [r.village]:
            groups[key].append(r)
    out = []
    for key, items in groups.items():
        f = backlog_figures(items, end)
        if not f["registered"]:
            continue
        name = (refs.unit_name(key) if by == "unit" else refs.grid_name(key)) or key or "未指定"
        out.append({"key": key, "name": name, **f})
    out.sort(key=lambda g: (-(g["rate"] or 0), -g["registered"], str(g["key"])))
    for i, g in enumerate(out, start=1):
        g["rank"] = i
        g["mark"] = "red" if len(out) > RED_COUNT and i > len(out) - RED_COUNT else None
    if 0 < len(out) <= RED_COUNT:  # three or fewer: only the lowest rate is red
        low = min(g["rate"] or 0 for g in out)
        for g in out:
            g["mark"] = "red" if (g["rate"] or 0) == low and low < 1 else None
    return out


def bulletin_section(desk: Desk, p: si.Period, now: datetime | None = None) -> dict:
    """The 矛盾调处 section of 日简报 / 周通报 / 月专报: the period's figures, the open red disputes
    and the 积案 ranking by unit (bottom three red)."""
    now = now or desk.now()
    cal = desk.calendar()
    with desk.db.read() as s:
        rows = _figure_rows(s, p)
        backlogs = list(s.scalars(select(Backlog).where(Backlog.deleted.is_(False))))
        still_open = Dispute.deleted.is_(False), Dispute.state.in_(md.OPEN_STATES)
        open_count = s.scalar(select(func.count()).select_from(Dispute).where(*still_open))
        overdue = s.scalar(select(func.count()).select_from(Dispute).where(*still_open, Dispute.due_at < now))
    figures = _tally(rows, p, cal)
    end = min(p.utc_end, _just_after(now))
    return {"figures": figures, "open": open_count, "overdue": overdue,
            "backlog": backlog_figures(backlogs, end), "ranking": backlog_ranking(desk, end)}
