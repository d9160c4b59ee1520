"""Indicators for any period and any unit, category, channel or village: THE one computation.

The dashboard, the rankings, the bulletins and the CLI all call :func:`compute` (or
:func:`compute_groups`). Counting rules are in docs/INDICATORS.md; the formulas in
app.domain.indicators. The cohort is the cases *received* in the period (local dates in LOCAL_TZ),
judged as they stand at ``now``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import text

from app.desk import Desk
from app.domain import indicators as ind
from app.domain.grids import platform_categories, platform_code
from app.domain.timezone import LOCAL_TZ
from app.domain.vocab import CHANNELS, PLATFORMS
from app.errors import ValidationError
from app.store import facts

GROUPS = {"unit": "c.unit", "category": "c.category", "channel": "c.channel", "village": "c.village"}
# 四平台 (issue 17): a grouping summed from the per-category figures (each category has one platform)
PLATFORM = "platform"
BY_MESSAGE = "分组应为：unit、category、channel、village 或 platform"


@dataclass(frozen=True)
class Period:
    start: date  # inclusive local date
    end: date    # inclusive local date

    @property
    def utc_start(self) -> datetime:
        return datetime.combine(self.start, time.min, LOCAL_TZ)

    @property
    def utc_end(self) -> datetime:  # exclusive
        return datetime.combine(self.end + timedelta(days=1), time.min, LOCAL_TZ)

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
    if f.get("platform"):  # 四平台: the platform's categories
        codes = platform_categories(refs.categories.values(), platform_code(f["platform"])) or [""]
        names = [f":plat{i}" for i in range(len(codes))]
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


@lru_cache(maxsize=4096)
def _fields_of(f: int) -> tuple[str, ...]:
    """The Counts fields that ``n`` cases with fact bits ``f`` add to."""
    on = {name for i, name in enumerate(facts.BITS) if f >> i & 1}
    out = [name for name in facts.BITS if name in on and not name.startswith("_")]
    if "done" in on and "_on_time" in on:
        out.append("done_on_time")
    if "open" in on and "_red" in on:
        out.append("overdue")
    elif "open" in on and "_warn" in on:
        out.append("warning")
    return tuple(out)


def _unpack(c: ind.Counts, f: int, n: int) -> None:
    """Add ``n`` cases with fact bits ``f`` (app.store.facts.FACTS) to ``c``."""
    for name in _fields_of(f):
        setattr(c, name, getattr(c, name) + n)


def compute_groups(desk: Desk, p: Period, by: str | None = None, filters: dict | None = None,
                   now: datetime | None = None) -> dict:
    """{group key: Counts} for the cases received in ``p`` (key None when ``by`` is None).

    Reads the per-case facts (app.store.facts), brought up to ``now`` first: unfiltered
    groupings sum the rollup, filtered ones the cohort's narrow facts rows. ``by="platform"``:
    the per-category groups summed per platform (四平台)."""
    if by == PLATFORM:
        return _per_platform(desk, compute_groups(desk, p, "category", filters, now))
    if by is not None and by not in GROUPS:
        raise ValidationError(BY_MESSAGE, field="by")
    now = now or desk.now()
    conds, params = _filters(desk, filters)
    params.update(a=p.start.toordinal(), b=p.end.toordinal())
    facts.ensure(desk, now)
    with desk.db.read() as s:
        rows = (s.execute(text(_cohort_sql(by, conds)), params).all() if conds
                else _rollup_rows(s, facts.DIMS[by], params["a"], params["b"]))
    return _counts(rows)


def _per_platform(desk: Desk, per_category: dict) -> dict:
    """{platform code: Counts} from {category: Counts}; a case without a category is "（未指定）"."""
    cats = desk.refs().categories
    out: dict = defaultdict(ind.Counts)
    for key, c in per_category.items():
        out[cats[key].platform if key in cats else None].add(c)
    return dict(out)


_ALL_DAYS = (1, 10 ** 7)  # date.toordinal() bounds wider than any stored day


def _rollup_rows(s, dim: int, a: int, b: int) -> list:
    return s.execute(text(
        "SELECT nullif(key, ''), f, sum(n), sum(persons), sum(rc), sum(tc), sum(timed), sum(secs) "
        "FROM fact_rollup WHERE dim = :dim AND rday BETWEEN :a AND :b GROUP BY key, f"),
        {"dim": dim, "a": a, "b": b}).all()


def _counts(rows) -> dict:
    """{group key: Counts} from (key, bits, n, persons, returned, transferred, timed, seconds) rows."""
    out: dict = defaultdict(ind.Counts)
    for k, f, n, persons, rc, tc, timed, secs in rows:
        c = out[k]
        _unpack(c, f, n)
        c.received += n
        c.persons += persons
        c.returned += rc
        c.transferred += tc
        c.handle_cases += timed
        c.handle_seconds += secs
    for k in [k for k, c in out.items() if not c.received and not c.returned and not c.transferred]:
        del out[k]
    for c in out.values():
        c.assigned += c.returned + c.transferred
    return dict(out)


def counts_of(rows) -> dict:
    """{group key: Counts} from facts rows summed per (key, bits): (key, bits, n, persons, returned,
    transferred, timed, seconds). For areas that pick their own cohort of ``case_facts`` rows (the
    grid figures, app.grids.stats) and must count it exactly as here."""
    return _counts(rows)


def _cohort_sql(by: str | None, conds: list[str]) -> str:
    """The facts rows of a filtered cohort, summed per (group, bits); per unit, returns and
    transfers are charged to the units the cases left (the ``moves`` of each row)."""
    where = " AND ".join(["c.rday BETWEEN :a AND :b", *conds])
    key = GROUPS[by] if by else "NULL"
    moves = "0, 0" if by == "unit" else "sum(c.rc), sum(c.tc)"
    sql = (f"SELECT {key}, c.f, count(*), sum(c.persons), {moves}, count(c.secs), coalesce(sum(c.secs), 0) "
           f"FROM case_facts c WHERE {where} GROUP BY 1, 2")
    if by == "unit":
        sql += (f" UNION ALL SELECT nullif(j.key, ''), 0, 0, 0, sum(json_extract(j.value, '$[0]')), "
                f"sum(json_extract(j.value, '$[1]')), 0, 0 FROM case_facts c, json_each(c.moves) j "
                f"WHERE {where} AND c.moves IS NOT NULL GROUP BY 1")
    return sql


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
    if by == PLATFORM:
        return PLATFORMS.get(key, key)
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
    """Indicators per unit, category, channel, village or platform (largest groups first)."""
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
    params.update(a=p.start.toordinal(), b=p.end.toordinal())
    facts.ensure(desk, desk.now())
    with desk.db.read() as s:
        if conds:
            extra = "".join(f" AND {c}" for c in conds)
            got = dict(s.execute(text(f"SELECT c.rday, count(*) FROM case_facts c WHERE c.rday BETWEEN :a AND :b"
                                      f"{extra} GROUP BY 1"), params).all())
            shut = dict(s.execute(text(f"SELECT c.cday, count(*) FROM case_facts c WHERE c.cday BETWEEN :a AND :b"
                                       f"{extra} GROUP BY 1"), params).all())
        else:
            got, shut = _per_day(s, facts.DIMS[None], params), _per_day(s, facts.CLOSED_ON, params)
    out = []
    for i in range(p.days):
        d = p.start + timedelta(days=i)
        out.append({"date": d.isoformat(), "received": got.get(d.toordinal(), 0),
                    "closed": shut.get(d.toordinal(), 0)})
    return out


def _per_day(s, dim: int, params: dict) -> dict:
    return dict(s.execute(text("SELECT rday, sum(n) FROM fact_rollup WHERE dim = :dim AND rday BETWEEN :a AND :b "
                               "GROUP BY rday"), {**params, "dim": dim}).all())


def activity(desk: Desk, p: Period, now: datetime | None = None) -> dict:
    """What happened in ``p`` (by event time, not by cohort): received, dispatched, closed."""
    facts.ensure(desk, now or desk.now())
    params = {"a": p.start.toordinal(), "b": p.end.toordinal()}
    with desk.db.read() as s:
        def n(dim: int) -> int:
            return sum(_per_day(s, dim, params).values())

        return {"received": n(facts.DIMS[None]), "dispatched": n(facts.DISPATCHED_ON),
                "closed": n(facts.CLOSED_ON)}


def open_colours(desk: Desk, now: datetime | None = None) -> dict:
    """All open cases right now by colour (not bound to a period)."""
    c = open_by(desk, None, now).get(None, ind.Counts())
    return {"open": c.open, "red": c.overdue, "yellow": c.warning, "green": c.open - c.overdue - c.warning}


def open_by(desk: Desk, by: str | None, now: datetime | None = None) -> dict:
    """{group key: Counts} over every case received on any day: its ``open``, ``overdue`` (red)
    and ``warning`` (yellow) are the open cases now by colour (the 超期/临期 board's counts)."""
    facts.ensure(desk, now or desk.now())
    with desk.db.read() as s:
        return _counts(_rollup_rows(s, facts.DIMS[by], *_ALL_DAYS))


def received_by(desk: Desk, p: Period, by: str) -> list[dict]:
    """受理批次 per unit, category, channel or village (a light count for breakdown charts)."""
    return received_by_many(desk, p, (by,))[by]


def received_by_many(desk: Desk, p: Period, bys) -> dict:
    """{by: received_by(desk, p, by)} for several groupings, summed from the facts rollup."""
    bys = tuple(bys)
    for by in bys:
        if by not in GROUPS:
            raise ValidationError("分组应为：unit、category、channel 或 village", field="by")
    facts.ensure(desk, desk.now())
    out = {}
    with desk.db.read() as s:
        for by in bys:
            counts = s.execute(text(
                "SELECT nullif(key, ''), sum(n) FROM fact_rollup WHERE dim = :dim AND rday BETWEEN :a AND :b "
                "GROUP BY key HAVING sum(n) > 0"),
                {"dim": facts.DIMS[by], "a": p.start.toordinal(), "b": p.end.toordinal()}).all()
            # largest first; ties in descending key order
            rows = sorted(counts, key=lambda kv: (kv[0] is not None, str(kv[0])), reverse=True)
            rows.sort(key=lambda kv: -kv[1])
            out[by] = [{"key": k, "name": _names(desk, by, k), "received": n} for k, n in rows]
    return out
