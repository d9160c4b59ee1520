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


# Per-case facts packed into one integer (bit -> Counts field); see _main_sql and _unpack.
BITS = ("to_handle", "dispatched", "auto_dispatched", "assigned", "signed", "signed_on_time",
        "sign_overdue_open", "done", "_on_time", "handle_overdue_open", "closed", "callbacks", "satisfied",
        "_red", "_warn", "open")


def _main_sql(key: str, conds: list[str]) -> str:
    """One pass over the cohort. The inner query reduces each case to its group, a bit set of
    facts and its working time; the outer one counts per (group, bit set), so the GROUP BY sorter
    only carries small integers. Working time uses the :ptab/:wtab day tables (see _worktables)."""
    done = f"c.state IN ({_q(DONE)})"
    timed = f"{done} AND c.dispatched_at IS NOT NULL AND c.review_at IS NOT NULL"
    facts = (
        "c.state NOT IN ('merged', 'rejected')", "c.dispatched_at IS NOT NULL",
        "c.dispatched_at IS NOT NULL AND c.auto_dispatched", "c.unit IS NOT NULL", "c.signed_at IS NOT NULL",
        "c.signed_at IS NOT NULL AND (c.sign_due_at IS NULL OR c.signed_at <= c.sign_due_at)",
        "c.state = 'dispatched' AND c.sign_due_at < :now", done,
        "c.due_at IS NULL OR c.review_at IS NULL OR c.review_at <= c.due_at",
        "(c.state IN ('dispatched', 'in_progress') AND c.due_at < :now) "
        "OR (c.state = 'review' AND c.review_at > c.due_at)",
        "c.state IN ('closed', 'archived')", "c.satisfaction IS NOT NULL",
        "c.satisfaction IN ('satisfied', 'basic')", "c.clock_due_at < :now", "c.clock_warn_at <= :now",
        f"c.state IN ({_q(wf.OPEN_STATES)})")
    assert len(facts) == len(BITS)
    bits = " + ".join(f"(CASE WHEN {f} THEN {1 << i} ELSE 0 END)" for i, f in enumerate(facts))
    where = " AND ".join(["c.received_at >= :start", "c.received_at < :end", *conds])
    # The local day numbers of the two timestamps are computed once per case in the innermost
    # query (LIMIT -1 keeps SQLite from flattening it and re-evaluating julianday() per use).
    return f"""
SELECT k, f, count(*), total(persons), total(rc), total(tc), count(secs), total(secs) FROM (
  SELECT k, persons, rc, tc, f, CASE WHEN xr IS NOT NULL THEN {_work('xr')} - {_work('xd')} END AS secs FROM (
    SELECT {key} AS k, c.persons AS persons, c.return_count AS rc, c.transfer_count AS tc, {bits} AS f,
      CASE WHEN {timed} THEN {_LOCAL.format(col='c.review_at')} END AS xr,
      CASE WHEN {timed} THEN {_LOCAL.format(col='c.dispatched_at')} END AS xd
    FROM cases c WHERE {where} LIMIT -1) LIMIT -1)
GROUP BY k, f"""


def _unpack(c: ind.Counts, f: int, n: int) -> None:
    on = {name for i, name in enumerate(BITS) if f >> i & 1}
    for name in on:
        if not name.startswith("_"):
            setattr(c, name, getattr(c, name) + n)
    if "done" in on and "_on_time" in on:
        c.done_on_time += n
    if "open" in on and "_red" in on:
        c.overdue += n
    elif "open" in on and "_warn" in on:
        c.warning += n


def _work(x: str) -> str:
    """SQL: working seconds from the start of the day table to the local day number ``x``
    (_LOCAL of a timestamp; prefix + in-day part)."""
    day = f"(CAST({x} AS INTEGER) - :j0)"
    return (f"(CAST(substr(:ptab, {day} * 6 + 1, 6) AS INTEGER) * 86400.0 "
            f"+ CAST(substr(:wtab, {day} + 1, 1) AS INTEGER) * ({x} - CAST({x} AS INTEGER)) * 86400.0)")


def _worktables(desk: Desk, p: Period, now: datetime) -> dict:
    """Per-day tables for _work(): working days before each day (6 digits) and whether it works.
    They run from the period's first day to 60 days past today (actions never come later)."""
    cal = desk.calendar()
    last = max(now.astimezone(SHANGHAI).date(), p.end) + timedelta(days=60)
    prefix, work, acc = [], [], 0
    for i in range((last - p.start).days + 1):
        w = cal.is_workday(p.start + timedelta(days=i))
        prefix.append(f"{acc:06d}")
        work.append("1" if w else "0")
        acc += w
    return {"j0": p.start.toordinal() + _JD_OFFSET, "ptab": "".join(prefix), "wtab": "".join(work)}


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
    with desk.db.read() as s:
        for k, f, n, persons, rc, tc, timed, secs in s.execute(text(_main_sql(key, conds)),
                                                              {**params, **_worktables(desk, p, now)}):
            c = out[k]
            _unpack(c, f, n)
            c.received += n
            c.persons += int(persons)
            c.returned += int(rc)
            c.transferred += int(tc)
            c.handle_cases += timed
            c.handle_seconds += secs
        if by == "unit":
            _charge_moves(s, out, conds, params)
        for k, secs in _paused(s, desk.calendar(), key, conds, params).items():
            out[k].handle_seconds -= secs
    for c in out.values():
        c.assigned += c.returned + c.transferred
    return dict(out)


def _charge_moves(s, out: dict, conds: list[str], params: dict) -> None:
    """Per unit, a return or transfer is charged to the unit the case left, not its current unit."""
    where = " AND ".join(["c.received_at >= :start", "c.received_at < :end", *conds])
    moved = s.execute(text(f"SELECT c.id, c.unit, c.return_count, c.transfer_count FROM cases c WHERE {where} "
                           f"AND (c.return_count > 0 OR c.transfer_count > 0)"), params).all()
    for _cid, unit, r, t in moved:
        out[unit].returned -= r
        out[unit].transferred -= t
    for field, unit in _left_units(s, [m[0] for m in moved]):
        setattr(out[unit], field, getattr(out[unit], field) + 1)


def _paused(s, cal, key: str, conds: list[str], params: dict) -> dict:
    """Working seconds spent 挂账 between dispatch and 申请办结 of 办结 cases, per group."""
    where = " AND ".join(["c.received_at >= :start", "c.received_at < :end", *conds])
    rows = s.execute(text(
        f"SELECT a.case_id, a.kind, a.at, {key}, c.dispatched_at, c.review_at FROM case_actions a "
        f"JOIN cases c ON c.id = a.case_id WHERE a.kind IN ('suspend', 'resume') AND a.at >= :start "
        f"AND {where} AND c.state IN ({_q(DONE)}) AND c.dispatched_at IS NOT NULL AND c.review_at IS NOT NULL "
        f"ORDER BY a.case_id, a.seq"), params).all()
    out: dict = defaultdict(float)
    started = None
    for i, (cid, kind, at, k, d_at, r_at) in enumerate(rows):
        if i == 0 or rows[i - 1][0] != cid:
            started = None
        at = ind.parse_utc(at)
        if kind == "suspend":
            started = at
        elif started is not None:
            a, b = max(started, ind.parse_utc(d_at)), min(at, ind.parse_utc(r_at))
            if b > a:
                out[k] += cal.worktime_between(a, b).total_seconds()
            started = None
    return out


def _left_units(s, case_ids: list[str]):
    """(field, unit) for every return and transfer of these cases: the unit the case had just before."""
    for i in range(0, len(case_ids), 500):
        chunk = case_ids[i:i + 500]
        names = ",".join(f":c{j}" for j in range(len(chunk)))
        current, last_case = None, None
        for cid, kind, unit in s.execute(text(
                f"SELECT case_id, kind, json_extract(payload, '$.unit') FROM case_actions "
                f"WHERE case_id IN ({names}) AND +kind IN ('dispatch', 'transfer', 'return') ORDER BY case_id, seq"),
                {f"c{j}": c for j, c in enumerate(chunk)}):
            if cid != last_case:
                current, last_case = None, cid
            if kind in ("return", "transfer"):
                yield ("returned" if kind == "return" else "transferred"), current
            current = unit


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
    if not conds:
        return _trend_by_ranges(desk, p)
    params.update(start=to_sql_dt(p.utc_start), end=to_sql_dt(p.utc_end))
    extra = "".join(f" AND {c}" for c in conds)
    day = "date({col}, '+8 hours')"
    with desk.db.read() as s:
        got = dict(s.execute(text(f"SELECT {day.format(col='c.received_at')} d, count(*) FROM cases c "
                                  f"WHERE c.received_at >= :start AND c.received_at < :end{extra} GROUP BY d"),
                             params).all())
        shut = dict(s.execute(text(f"SELECT {day.format(col='c.closed_at')} d, count(*) FROM cases c "
                                   f"WHERE c.closed_at >= :start AND c.closed_at < :end "
                                   f"AND +c.state IN ('closed', 'archived'){extra} GROUP BY d"), params).all())
    out = []
    for i in range(p.days):
        d = (p.start + timedelta(days=i)).isoformat()
        out.append({"date": d, "received": got.get(d, 0), "closed": shut.get(d, 0)})
    return out


def _trend_by_ranges(desk: Desk, p: Period) -> list[dict]:
    """trend() without filters: one index range count per local day and column (no per-row date
    arithmetic; the same local-day boundaries as date(col, '+8 hours'))."""
    got_sql = text("SELECT count(*) FROM cases c WHERE c.received_at >= :a AND c.received_at < :b")
    shut_sql = text("SELECT count(*) FROM cases c WHERE c.closed_at >= :a AND c.closed_at < :b "
                    "AND +c.state IN ('closed', 'archived')")
    out = []
    with desk.db.read() as s:
        for i in range(p.days):
            d = Period(p.start + timedelta(days=i), p.start + timedelta(days=i))
            q = {"a": to_sql_dt(d.utc_start), "b": to_sql_dt(d.utc_end)}
            out.append({"date": d.start.isoformat(), "received": s.execute(got_sql, q).scalar() or 0,
                        "closed": s.execute(shut_sql, q).scalar() or 0})
    return out


def activity(desk: Desk, p: Period, now: datetime | None = None) -> dict:
    """What happened in ``p`` (by event time, not by cohort): received, dispatched, closed."""
    params = {"start": to_sql_dt(p.utc_start), "end": to_sql_dt(p.utc_end)}
    with desk.db.read() as s:
        def n(col: str, extra: str = "") -> int:
            return s.execute(text(f"SELECT count(*) FROM cases c WHERE c.{col} >= :start AND c.{col} < :end"
                                  f"{extra}"), params).scalar() or 0

        return {"received": n("received_at"), "dispatched": n("dispatched_at"),
                "closed": n("closed_at", " AND +c.state IN ('closed', 'archived')")}


def open_colours(desk: Desk, now: datetime | None = None) -> dict:
    """All open cases right now by colour (not bound to a period)."""
    now = now or desk.now()
    p = {"now": to_sql_dt(now)}
    states = _q(wf.OPEN_STATES)
    with desk.db.read() as s:
        open_n = s.execute(text(f"SELECT count(*) FROM cases WHERE state IN ({states})")).scalar() or 0
        # a running clock (clock_due_at set) exists only in open states (casefold._set_clock)
        red = s.execute(text("SELECT count(*) FROM cases WHERE clock_due_at < :now"), p).scalar() or 0
        yellow = s.execute(text("SELECT count(*) FROM cases WHERE clock_due_at >= :now AND clock_warn_at <= :now"),
                           p).scalar() or 0
    return {"open": open_n, "red": red, "yellow": yellow, "green": open_n - red - yellow}


def received_by(desk: Desk, p: Period, by: str) -> list[dict]:
    """受理批次 per unit, category, channel or village (a light count for breakdown charts)."""
    return received_by_many(desk, p, (by,))[by]


def received_by_many(desk: Desk, p: Period, bys) -> dict:
    """{by: received_by(desk, p, by)} for several groupings from one pass over the cohort."""
    bys = tuple(bys)
    for by in bys:
        if by not in GROUPS:
            raise ValidationError("分组应为：unit、category、channel 或 village", field="by")
    params = {"start": to_sql_dt(p.utc_start), "end": to_sql_dt(p.utc_end)}
    keys = ", ".join(GROUPS[by] for by in bys)
    counts: dict = {by: defaultdict(int) for by in bys}
    with desk.db.read() as s:
        for row in s.execute(text(f"SELECT {keys}, count(*) FROM cases c WHERE c.received_at >= :start "
                                  f"AND c.received_at < :end GROUP BY {keys}"), params):
            for i, by in enumerate(bys):
                counts[by][row[i]] += row[-1]
    out = {}
    for by in bys:
        # largest first; ties in descending key order (as SQLite's ORDER BY n DESC gave them)
        rows = sorted(counts[by].items(), key=lambda kv: (kv[0] is not None, str(kv[0])), reverse=True)
        rows.sort(key=lambda kv: -kv[1])
        out[by] = [{"key": k, "name": _names(desk, by, k), "received": n} for k, n in rows]
    return out
