"""The case filters and sorts as plain SQL: the one home of what "a list of cases" means.

``queries.list_cases`` (command line, exports, printing, 待分派) and ``caselist`` (the window's big
table) both build their statements here and run them on a DB-API connection
(``Database.connection()``), so a read command such as ``towndesk case list`` needs neither the
ORM nor SQLAlchemy (issue 19: ~0.3 s of its start-up). Every filter rides an index on a million
cases; values are bound as parameters, stored datetimes compared as the stored text (naive UTC,
``app.store.values.to_sql_dt``). Rows come back as :class:`CaseRow`, typed as the mapped ``Case``
would be (tests/unit/test_casesql.py holds the two together).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import orjson

from app.domain import workflow as wf
from app.domain.grids import platform_categories, platform_code
from app.domain.timezone import LOCAL_TZ
from app.domain.vocab import CHANNELS
from app.errors import ValidationError
from app.store import search
from app.store.values import from_sql_dt, to_sql_dt

TABLE = "cases"
# sort -> (column, descending)
SORTS = {
    "received_desc": ("received_at", True), "received_asc": ("received_at", False),
    "case_no_desc": ("case_no", True), "case_no_asc": ("case_no", False),
    "due_asc": ("clock_due_at", False), "due_desc": ("clock_due_at", True),
}
COLOURS = ("red", "yellow", "green")
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)  # sorts cases without a running clock last
CLOSED_STATES = (wf.CLOSED, wf.ARCHIVED)  # "closed in a period" (indicators.activity)
# Event-date filters: (from key, to key, column). Local dates, inclusive, like indicators.activity().
EVENT_DATES = (("dispatched_from", "dispatched_to", "dispatched_at"),
               ("closed_from", "closed_to", "closed_at"))
# How the mapped Case types its columns (checked against app.store.models by a test): every
# "*_at" column is a UTCDateTime, these are JSON text and booleans.
JSON_COLUMNS = frozenset({"co_units", "repeat_of"})
BOOL_COLUMNS = frozenset({"anonymous", "major", "auto_dispatched"})


class Where:
    """Conditions joined with AND, and their parameters in order (qmark style)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list = []

    def add(self, sql: str, *params) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def merge(self, other: Where) -> None:
        self.parts += other.parts
        self.params += other.params

    def sql(self) -> str:
        return " WHERE " + " AND ".join(f"({p})" for p in self.parts) if self.parts else ""


def col(name: str, unindexed: bool = False) -> str:
    """``cases.name``; ``+cases.name`` (the same value, but SQLite will not pick its index)."""
    return f"{'+' if unindexed else ''}{TABLE}.{name}"


def is_in(column: str, values) -> tuple[str, list]:
    values = list(values)
    if not values:
        return "0", []
    return f"{column} IN ({', '.join('?' * len(values))})", values


def as_list(value) -> list[str]:
    if value in (None, "", []):
        return []
    return [v for v in (value if isinstance(value, list | tuple) else str(value).split(",")) if v]


def _day(value, field: str, end: bool) -> datetime:
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError("日期格式应为 YYYY-MM-DD", field=field) from None
    return datetime.combine(d, time.max if end else time.min, LOCAL_TZ)


def _day_start(value, field: str, next_day: bool = False) -> datetime:
    """Local midnight starting ``value`` (or the day after it): half-open periods as activity() counts."""
    d = _day(value, field, False)
    return d + timedelta(days=1) if next_day else d


def expand_states(states: list[str]) -> list[str]:
    return [x for s in states for x in (wf.OPEN_STATES if s == "open" else (s,))]


def colour_condition(colours: list[str], now: datetime, unindexed: bool = False) -> tuple[str, list]:
    """red: past due; yellow: warned, not yet due; green: open with no warning yet (or no clock)."""
    due, warn, state = col("clock_due_at", unindexed), col("clock_warn_at", unindexed), col("state", unindexed)
    n = to_sql_dt(now)
    ors, params = [], []
    if "red" in colours:
        ors.append(f"{due} < ?")
        params.append(n)
    if "yellow" in colours:
        ors.append(f"{warn} <= ? AND {due} >= ?")
        params += [n, n]
    if "green" in colours:
        open_sql, open_params = is_in(state, wf.OPEN_STATES)
        ors.append(f"{open_sql} AND ({due} IS NULL OR {warn} > ?)")
        params += [*open_params, n]
    return " OR ".join(f"({o})" for o in ors), params


def check_colours(colours: list[str]) -> None:
    if any(c not in COLOURS for c in colours):
        raise ValidationError("颜色应为 red、yellow 或 green", field="color")


def conditions(desk, actor, f: dict, now: datetime) -> Where:
    """SQL conditions for a filter dict (state, color, unit, category, platform, channel, village, q,
    date_from, date_to (received), dispatched_from/to, closed_from/to, mine, supervised, urge_level, case_nos
    (a list of case numbers, e.g. the rows selected in 案件查询)). Bad values: ValidationError naming the field."""
    refs = desk.refs()
    w = Where()
    states = as_list(f.get("state"))
    for s in states:
        if s not in wf.STATES and s != "open":
            raise ValidationError("状态应为：" + "、".join(wf.STATES), field="state")
    if states:
        w.add(*flat(is_in(col("state"), expand_states(states))))
    colours = as_list(f.get("color"))
    if colours:
        check_colours(colours)
        w.add(*flat(colour_condition(colours, now)))
    if f.get("unit"):
        u = refs.find_unit(str(f["unit"]))
        if u is None:
            raise ValidationError(f"单位「{f['unit']}」不存在", field="unit")
        w.add(f"{col('unit')} = ?", u.code)
    if f.get("category"):
        c = refs.find_category(str(f["category"]))
        if c is None:
            raise ValidationError(f"事项分类「{f['category']}」不存在", field="category")
        codes = [c.code] + [x.code for x in refs.categories.values() if x.parent == c.code]
        w.add(*flat(is_in(col("category"), codes)))
    if f.get("platform"):  # 四平台 (issue 17): the platform's categories
        w.add(*flat(is_in(col("category"), platform_categories(refs.categories.values(),
                                                                 platform_code(f["platform"])))))
    channels = as_list(f.get("channel"))
    if channels:
        if any(ch not in CHANNELS for ch in channels):
            raise ValidationError("渠道应为：" + "、".join(CHANNELS), field="channel")
        w.add(*flat(is_in(col("channel"), channels)))
    if f.get("village"):
        g = refs.find_grid(str(f["village"]), "village")
        if g is None:
            raise ValidationError(f"村社「{f['village']}」不存在", field="village")
        w.add(f"{col('village')} = ?", g.code)
    if f.get("date_from"):
        w.add(f"{col('received_at')} >= ?", to_sql_dt(_day(f["date_from"], "date_from", False)))
    if f.get("date_to"):
        w.add(f"{col('received_at')} <= ?", to_sql_dt(_day(f["date_to"], "date_to", True)))
    _event_dates(w, f)
    if f.get("supervised"):
        w.add(f"{col('urge_count')} > 0")
    if f.get("urge_level"):  # the 督办 page's level filter (its export)
        if f["urge_level"] not in wf.URGE_LEVELS:
            raise ValidationError("督办等级应为：" + "、".join(wf.URGE_LEVELS), field="urge_level")
        w.add(f"{col('urge_level')} = ?", f["urge_level"])
    if f.get("mine") and actor is not None:
        if actor.role == wf.UNIT:
            w.add(f"{col('unit')} = ?", actor.unit)
        else:
            w.add(f"EXISTS (SELECT 1 FROM case_actions WHERE case_actions.case_id = {col('id')} "
                  "AND case_actions.actor = ?)", actor.username)
    if f.get("case_nos"):
        w.add(*flat(is_in(col("case_no"), [str(n) for n in as_list(f["case_nos"])])))
    q = (f.get("q") or "").strip()
    if q:
        expr = search.match_expression(q)
        if expr:
            fts = search.FTS_TABLE
            w.add(f"{col('rid')} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)", expr)
        else:
            like = f"%{q}%"
            w.add(" OR ".join(f"{col(c)} LIKE ?" for c in search.SEARCH_COLUMNS), *[like] * len(search.SEARCH_COLUMNS))
    return w


def flat(pair: tuple[str, list]) -> tuple:
    """(sql, [params]) -> (sql, *params), the arguments of ``Where.add``."""
    sql, params = pair
    return (sql, *params)


def _event_dates(w: Where, f: dict) -> None:
    """dispatched_from/to and closed_from/to: the case was dispatched (closed, and is now closed or
    archived) on those local dates, counted exactly as app.supervision.indicators.activity() counts.
    Each range rides its index (ix_cases_dispatched, ix_cases_closed)."""
    for lo, hi, name in EVENT_DATES:
        if f.get(lo):
            w.add(f"{col(name)} >= ?", to_sql_dt(_day_start(f[lo], lo)))
        if f.get(hi):
            w.add(f"{col(name)} < ?", to_sql_dt(_day_start(f[hi], hi, next_day=True)))
        if (f.get(lo) or f.get(hi)) and name == "closed_at":
            # "+cases.state": keep SQLite on ix_cases_closed(closed_at, state), not the state index
            w.add(*flat(is_in(col("state", unindexed=True), CLOSED_STATES)))


def check_sort(sort: str) -> None:
    if sort not in SORTS:
        raise ValidationError("排序应为：" + "、".join(SORTS), field="sort")


def sort_key(sort: str) -> str:
    """The ORDER BY value of a sort (due dates: cases without a running clock last)."""
    name, _desc = SORTS[sort]
    if sort.startswith("due"):
        return f"coalesce({col(name)}, '{to_sql_dt(FAR_FUTURE)}')"
    return col(name)


def order_by(sort: str) -> str:
    direction = "DESC" if SORTS[sort][1] else "ASC"
    return f" ORDER BY {sort_key(sort)} {direction}, {col('rid')} {direction}"


def after_condition(sort: str, cursor_value, rid: int) -> tuple[str, list]:
    """Keyset paging: rows after (``cursor_value``, ``rid``) in the sort's order."""
    name, desc = SORTS[sort]
    if name.endswith("_at"):
        cursor_value = to_sql_dt(datetime.fromisoformat(cursor_value))
    return f"({sort_key(sort)}, {col('rid')}) {'<' if desc else '>'} (?, ?)", [cursor_value, rid]


class CaseRow:
    """A ``cases`` row read with plain SQL, with the mapped Case's Python types: aware UTC
    datetimes, JSON lists, booleans. Attribute access as on the ORM row (``case_summary`` takes either)."""

    def __init__(self, names, values) -> None:
        for name, value in zip(names, values, strict=True):
            if value is not None:
                if name.endswith("_at"):
                    value = from_sql_dt(value)
                elif name in JSON_COLUMNS:
                    value = orjson.loads(value)
                elif name in BOOL_COLUMNS:
                    value = bool(value)
            setattr(self, name, value)


def fetch_rows(conn, sql: str, params) -> list[CaseRow]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [CaseRow(names, r) for r in cur.fetchall()]
