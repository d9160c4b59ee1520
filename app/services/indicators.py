"""Indicators for any period and any unit, category, channel or village: THE one computation.

The dashboard, the rankings, the bulletins and the CLI all call :func:`compute` (or
:func:`compute_groups`). Counting rules are in docs/INDICATORS.md; the formulas in
app.domain.indicators. The cohort is the cases *received* in the period (local dates, Asia/Shanghai),
judged as they stand at ``now``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import text

from app.domain import indicators as ind
from app.domain import workflow as wf
from app.errors import ValidationError
from app.services.desk import Desk
from app.services.dispatch import SHANGHAI
from app.services.views import CHANNELS
from app.store.types import to_sql_dt

GROUPS = {"unit": "c.unit", "category": "c.category", "channel": "c.channel", "village": "c.village"}
DONE = (wf.CALLBACK, wf.CLOSED, wf.ARCHIVED)
_JD_OFFSET = 1721425  # julian day number minus date.toordinal()
_LOCAL = "(julianday({col}) + 0.5 + 8.0/24 + 1e-9)"  # local (UTC+8) day number + fraction


def _q(states) -> str:
    return ",".join(f"'{s}'" for s in states)


@dataclass(frozen=True)
class Period:
    start: date  # inclusive local date
    end: date    # inclusive local date

    @property
    def utc_start(self) -> datetime:
        return datetime.combine(self.start, time.min, SHANGHAI)

    @property
    def utc_end(self) -> datetime:  # exclusive
        return datetime.combine(self.end + timedelta(days=1), time.min, SHANGHAI)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before (calendar months for whole months)."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1 and self.days >= 28:
            end = self.start - timedelta(days=1)
            return Period(end.replace(day=1), end)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d}" if self.start == self.end else f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    def as_dict(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def parse_date(value, field: str = "date") -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"日期格式应为 YYYY-MM-DD：{value}", field=field) from None


def period(date_from, date_to) -> Period:
    p = Period(parse_date(date_from, "from"), parse_date(date_to, "to"))
    if p.end < p.start:
        raise ValidationError("结束日期不能早于开始日期", field="to")
    if p.days > 3700:
        raise ValidationError("统计区间不能超过十年", field="to")
    return p


def _filters(desk: Desk, f: dict | None) -> tuple[list[str], dict]:
    """SQL conditions (on alias c) and params for category/channel/village filters."""
    refs = desk.refs()
    f = f or {}
    conds, params = [], {}
    if f.get("category"):
        cat = refs.find_category(str(f["category"]))
        if cat is None:
            raise ValidationError(f"事项分类「{f['category']}」不存在", field="category")
        codes = [cat.code] + [x.code for x in refs.categories.values() if x.parent == cat.code]
        names = [f":cat{i}" for i in range(len(codes))]
        conds.append(f"c.category IN ({','.join(names)})")
        params.update({n[1:]: c for n, c in zip(names, codes, strict=True)})
    if f.get("unit"):  # current main unit (see compute() for the unit's own figures)
        u = refs.find_unit(str(f["unit"]))
        if u is None:
            raise ValidationError(f"单位「{f['unit']}」不存在", field="unit")
        conds.append("c.unit = :unit")
        params["unit"] = u.code
    if f.get("channel"):
        if f["channel"] not in CHANNELS:
            raise ValidationError("渠道应为：" + "、".join(CHANNELS), field="channel")
        conds.append("c.channel = :channel")
        params["channel"] = f["channel"]
    if f.get("village"):
        g = refs.find_grid(str(f["village"]), "village")
        if g is None:
            raise ValidationError(f"村社「{f['village']}」不存在", field="village")
        conds.append("c.village = :village")
        params["village"] = g.code
    return conds, params


def _main_sql(key: str, conds: list[str]) -> str:
    done = f"c.state IN ({_q(DONE)})"
    timed = f"{done} AND c.dispatched_at IS NOT NULL AND c.review_at IS NOT NULL"
    la, lb = _LOCAL.format(col="c.dispatched_at"), _LOCAL.format(col="c.review_at")
    open_ = f"c.state IN ({_q(wf.OPEN_STATES)})"
    where = " AND ".join(["c.received_at >= :start", "c.received_at < :end", *conds])
    return f"""
SELECT {key} AS k,
  CASE WHEN {timed} THEN CAST({la} AS INTEGER) END AS da,
  CASE WHEN {timed} THEN CAST({lb} AS INTEGER) END AS db,
  count(*), coalesce(sum(c.persons), 0),
  sum(c.state NOT IN ('merged', 'rejected')),
  sum(c.dispatched_at IS NOT NULL),
  sum(c.dispatched_at IS NOT NULL AND c.auto_dispatched),
  sum(c.unit IS NOT NULL),
  sum(c.signed_at IS NOT NULL),
  sum(c.signed_at IS NOT NULL AND (c.sign_due_at IS NULL OR c.signed_at <= c.sign_due_at)),
  sum(c.state = 'dispatched' AND c.sign_due_at < :now),
  sum({done}),
  sum({done} AND (c.due_at IS NULL OR c.review_at IS NULL OR c.review_at <= c.due_at)),
  sum((c.state IN ('dispatched', 'in_progress') AND c.due_at < :now)
      OR (c.state = 'review' AND c.review_at > c.due_at)),
  sum(c.state IN ('closed', 'archived')),
  sum(c.satisfaction IS NOT NULL),
  sum(c.satisfaction IN ('satisfied', 'basic')),
  sum(CASE WHEN {timed} THEN ({la} - CAST({la} AS INTEGER)) * 86400 ELSE 0 END),
  sum(CASE WHEN {timed} THEN ({lb} - CAST({lb} AS INTEGER)) * 86400 ELSE 0 END),
  sum({open_}),
  sum({open_} AND c.clock_due_at < :now),
  sum({open_} AND c.clock_warn_at <= :now AND c.clock_due_at >= :now)
FROM cases c WHERE {where}
GROUP BY k, da, db"""


_PLAIN = ("received", "persons", "to_handle", "dispatched", "auto_dispatched", "assigned", "signed",
          "signed_on_time", "sign_overdue_open", "done", "done_on_time", "handle_overdue_open", "closed",
          "callbacks", "satisfied")


def compute_groups(desk: Desk, p: Period, by: str | None = None, filters: dict | None = None,
                   now: datetime | None = None) -> dict:
    """{group key: Counts} for the cases received in ``p`` (key None when ``by`` is None)."""
    if by is not None and by not in GROUPS:
        raise ValidationError("分组应为：unit、category、channel 或 village", field="by")
    now = now or desk.now()
    conds, params = _filters(desk, filters)
    params.update(start=to_sql_dt(p.utc_start), end=to_sql_dt(p.utc_end), now=to_sql_dt(now))
    key = GROUPS[by] if by else "NULL"
    out: dict = defaultdict(ind.Counts)
    spans: dict = defaultdict(list)  # key -> [(da, db, n, secs_a, secs_b)]
    with desk.db.read() as s:
        for row in s.execute(text(_main_sql(key, conds)), params):
            k, da, db, *vals = row
            c = out[k]
            for name, v in zip(_PLAIN, vals[:15], strict=True):
                setattr(c, name, getattr(c, name) + (v or 0))
            sa, sb, n_open, n_red, n_yellow = vals[15:]
            c.open += n_open or 0
            c.overdue += n_red or 0
            c.warning += n_yellow or 0
            if da is not None and db is not None:
                spans[k].append((da, db, vals[10], sa or 0.0, sb or 0.0))  # vals[10] = done count
        moves = _moves(s, desk.calendar(), by, conds, params)
    _handle_time(desk, out, spans, moves["paused"])
    for (k, field), n in moves["counts"].items():
        setattr(out[k], field, getattr(out[k], field) + n)
    for c in out.values():
        c.assigned += c.returned + c.transferred
    return dict(out)


def _handle_time(desk: Desk, out: dict, spans: dict, paused: dict) -> None:
    """Working seconds from dispatch to 申请办结 summed per group (linear in the in-day seconds)."""
    days = {d for rows in spans.values() for r in rows for d in r[:2]}
    if not days:
        return
    cal = desk.calendar()
    lo, hi = min(days), max(days)
    prefix, work, acc = {}, {}, 0
    for jd in range(lo, hi + 1):
        w = cal.is_workday(date.fromordinal(jd - _JD_OFFSET))
        prefix[jd], work[jd] = acc, w
        acc += w
    for k, rows in spans.items():
        c = out[k]
        for da, db, n, sa, sb in rows:
            c.handle_cases += n
            c.handle_seconds += n * (prefix[db] - prefix[da]) * 86400 + work[db] * sb - work[da] * sa
    for k, secs in paused.items():
        out[k].handle_seconds -= secs


def _moves(s, cal, by: str | None, conds: list[str], params: dict) -> dict:
    """Returns and transfers (attributed to the unit they left when grouping by unit) and the
    挂账 working time of 办结 cases."""
    where = " AND ".join(["c.received_at >= :start", "c.received_at < :end", *conds])
    key = GROUPS[by] if by else "NULL"
    rows = s.execute(text(
        f"SELECT a.case_id, a.seq, a.kind, a.at, a.actor_unit, {key}, c.state, c.dispatched_at, c.review_at "
        f"FROM case_actions a JOIN cases c ON c.id = a.case_id "
        f"WHERE a.kind IN ('return', 'transfer', 'suspend', 'resume') AND a.at >= :start AND {where} "
        f"ORDER BY a.case_id, a.seq"), params).all()
    counts: dict = defaultdict(int)
    need_from = [r for r in rows if by == "unit" and (r[2] == "transfer" or (r[2] == "return" and not r[4]))]
    from_unit = _from_units(s, need_from) if need_from else {}
    pauses: dict = defaultdict(list)
    for case_id, seq, kind, at, actor_unit, k, state, d_at, r_at in rows:
        if kind in ("return", "transfer"):
            field = "returned" if kind == "return" else "transferred"
            if by == "unit":
                k = actor_unit if kind == "return" and actor_unit else from_unit.get(seq)
            counts[(k, field)] += 1
        elif state in DONE and d_at and r_at:
            pauses[(case_id, k, d_at, r_at)].append((kind, at))
    return {"counts": counts, "paused": _paused(cal, pauses)}


def _paused(cal, pauses: dict) -> dict:
    """Working seconds spent 挂账 between dispatch and 申请办结, per group."""
    out: dict = defaultdict(float)
    for (_cid, k, d_at, r_at), events in pauses.items():
        d_at, r_at = ind.parse_utc(d_at), ind.parse_utc(r_at)
        started = None
        for kind, at in events:
            at = ind.parse_utc(at)
            if kind == "suspend":
                started = at
            elif started is not None:
                a, b = max(started, d_at), min(at, r_at)
                if b > a:
                    out[k] += cal.worktime_between(a, b).total_seconds()
                started = None
    return out


def _from_units(s, rows) -> dict:
    """seq of each return/transfer -> the unit the case had just before it."""
    case_ids = sorted({r[0] for r in rows})
    wanted = {r[1] for r in rows}
    out, history = {}, defaultdict(list)
    for i in range(0, len(case_ids), 500):
        chunk = case_ids[i:i + 500]
        names = ",".join(f":c{j}" for j in range(len(chunk)))
        for cid, seq, unit in s.execute(text(
                f"SELECT case_id, seq, json_extract(payload, '$.unit') FROM case_actions "
                f"WHERE case_id IN ({names}) AND kind IN ('dispatch', 'transfer', 'return') ORDER BY case_id, seq"),
                {f"c{j}": c for j, c in enumerate(chunk)}):
            history[cid].append((seq, unit))
    for events in history.values():
        current = None
        for seq, unit in events:
            if seq in wanted:
                out[seq] = current
            current = unit
    return out


def _names(desk: Desk, by: str | None, key) -> str:
    refs = desk.refs()
    if key is None:
        return "全镇" if by is None else "（未指定）"
    if by == "unit":
        return refs.unit_name(key) or key
    if by == "category":
        return refs.category_name(key) or key
    if by == "village":
        return refs.grid_name(key) or key
    if by == "channel":
        return CHANNELS.get(key, key)
    return str(key)


def compute(desk: Desk, p: Period, filters: dict | None = None, now: datetime | None = None) -> dict:
    """Indicators of one group: the whole town, or one unit (``filters["unit"]``), optionally
    narrowed by category, channel and village. Returns counts and rates (see summary())."""
    filters = dict(filters or {})
    unit = filters.pop("unit", None)
    if unit:
        u = desk.refs().find_unit(str(unit))
        if u is None:
            raise ValidationError(f"单位「{unit}」不存在", field="unit")
        c = compute_groups(desk, p, "unit", filters, now).get(u.code, ind.Counts())
        return {"key": u.code, "name": u.name, **ind.summary(c)}
    c = ind.Counts()
    for part in compute_groups(desk, p, None, filters, now).values():
        c.add(part)
    return {"key": None, "name": "全镇", **ind.summary(c)}


def compute_by(desk: Desk, p: Period, by: str, filters: dict | None = None,
               now: datetime | None = None) -> list[dict]:
    """Indicators per unit, category, channel or village (largest groups first)."""
    filters = dict(filters or {})
    unit = filters.pop("unit", None) if by == "unit" else None
    rows = rows_of(desk, by, compute_groups(desk, p, by, filters, now))
    if unit:
        u = desk.refs().find_unit(str(unit))
        if u is None:
            raise ValidationError(f"单位「{unit}」不存在", field="unit")
        rows = [r for r in rows if r["key"] == u.code]
    return rows


def rows_of(desk: Desk, by: str, groups: dict) -> list[dict]:
    """compute_groups() output as named rows, largest groups first."""
    rows = [{"key": k, "name": _names(desk, by, k), **ind.summary(c)} for k, c in groups.items()]
    rows.sort(key=lambda r: (-r["received"], -r["assigned"], str(r["key"])))
    return rows


def total(groups: dict) -> ind.Counts:
    """The whole of a grouping (every count is attributed to exactly one group)."""
    c = ind.Counts()
    for part in groups.values():
        c.add(part)
    return c


def trend(desk: Desk, p: Period, filters: dict | None = None) -> list[dict]:
    """Per local day of ``p``: cases received, and cases closed (结案) that day."""
    conds, params = _filters(desk, filters)
    params.update(start=to_sql_dt(p.utc_start), end=to_sql_dt(p.utc_end))
    extra = "".join(f" AND {c}" for c in conds)
    day = "date({col}, '+8 hours')"
    with desk.db.read() as s:
        got = dict(s.execute(text(f"SELECT {day.format(col='c.received_at')} d, count(*) FROM cases c "
                                  f"WHERE c.received_at >= :start AND c.received_at < :end{extra} GROUP BY d"),
                             params).all())
        shut = dict(s.execute(text(f"SELECT {day.format(col='c.closed_at')} d, count(*) FROM cases c "
                                   f"WHERE c.closed_at >= :start AND c.closed_at < :end "
                                   f"AND c.state IN ('closed', 'archived'){extra} GROUP BY d"), params).all())
    out = []
    for i in range(p.days):
        d = (p.start + timedelta(days=i)).isoformat()
        out.append({"date": d, "received": got.get(d, 0), "closed": shut.get(d, 0)})
    return out


def activity(desk: Desk, p: Period, now: datetime | None = None) -> dict:
    """What happened in ``p`` (by event time, not by cohort): received, dispatched, closed."""
    params = {"start": to_sql_dt(p.utc_start), "end": to_sql_dt(p.utc_end)}
    with desk.db.read() as s:
        def n(col: str, extra: str = "") -> int:
            return s.execute(text(f"SELECT count(*) FROM cases c WHERE c.{col} >= :start AND c.{col} < :end"
                                  f"{extra}"), params).scalar() or 0

        return {"received": n("received_at"), "dispatched": n("dispatched_at"),
                "closed": n("closed_at", " AND c.state IN ('closed', 'archived')")}


def open_colours(desk: Desk, now: datetime | None = None) -> dict:
    """All open cases right now by colour (not bound to a period)."""
    now = now or desk.now()
    p = {"now": to_sql_dt(now)}
    states = _q(wf.OPEN_STATES)
    with desk.db.read() as s:
        open_n = s.execute(text(f"SELECT count(*) FROM cases WHERE state IN ({states})")).scalar() or 0
        red = s.execute(text(f"SELECT count(*) FROM cases WHERE clock_due_at < :now AND state IN ({states})"),
                        p).scalar() or 0
        yellow = s.execute(text(f"SELECT count(*) FROM cases WHERE clock_due_at >= :now AND clock_warn_at <= :now "
                                f"AND state IN ({states})"), p).scalar() or 0
    return {"open": open_n, "red": red, "yellow": yellow, "green": open_n - red - yellow}


def received_by(desk: Desk, p: Period, by: str) -> list[dict]:
    """受理批次 per unit, category, channel or village (a light count for breakdown charts)."""
    if by not in GROUPS:
        raise ValidationError("分组应为：unit、category、channel 或 village", field="by")
    params = {"start": to_sql_dt(p.utc_start), "end": to_sql_dt(p.utc_end)}
    with desk.db.read() as s:
        rows = s.execute(text(f"SELECT {GROUPS[by]} k, count(*) n FROM cases c WHERE c.received_at >= :start "
                              f"AND c.received_at < :end GROUP BY k ORDER BY n DESC"), params).all()
    return [{"key": k, "name": _names(desk, by, k), "received": n} for k, n in rows]
