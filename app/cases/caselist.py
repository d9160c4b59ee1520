"""Backing queries for the window's big case table: the ordered key list of a query (integer
``rid``s only, a few MB even for a million cases) and the rows for a window of those keys.

The table model holds the key list and asks for rows lazily (ARCHITECTURE.md section 6)."""
from __future__ import annotations

from array import array

from sqlalchemy import and_, func, literal_column, or_, select

from app.cases.queries import FAR_FUTURE, SORTS, conditions
from app.cases.views import case_summary
from app.desk import Actor, Desk
from app.domain import workflow as wf
from app.errors import ValidationError
from app.store.models import Case

MAX_WINDOW = 1000


def _unindexed(column) -> object:
    """``+cases.col``: the same value, but SQLite will not pick that column's index for it."""
    return literal_column(f"+{Case.__tablename__}.{column.key}", type_=column.type)


def _first_page_conditions(desk: Desk, actor: Actor | None, filters: dict, now) -> list:
    """The filter's conditions, arranged so that a first page with LIMIT walks the sort index.

    A colour filter (15-25 % of a big store) would otherwise make SQLite read every matching row
    through the clock index and sort them all just to show the first 100."""
    if not filters.get("color"):
        return conditions(desk, actor, filters, now)
    rest = {k: v for k, v in filters.items() if k not in ("color", "state")}
    conds = conditions(desk, actor, rest, now)
    conditions(desk, actor, {"color": filters["color"], "state": filters.get("state")}, now)  # validates
    states = [s for s in str(filters.get("state") or "").split(",") if s]
    if states:
        expanded = [x for s in states for x in (wf.OPEN_STATES if s == "open" else (s,))]
        conds.append(_unindexed(Case.state).in_(expanded))
    colours = [c for c in str(filters["color"]).split(",") if c] if isinstance(filters["color"], str) \
        else list(filters["color"])
    due, warn = _unindexed(Case.clock_due_at), _unindexed(Case.clock_warn_at)
    ors = []
    if "red" in colours:
        ors.append(due < now)
    if "yellow" in colours:
        ors.append(and_(warn <= now, due >= now))
    if "green" in colours:
        ors.append(and_(_unindexed(Case.state).in_(wf.OPEN_STATES), or_(due.is_(None), warn > now)))
    conds.append(or_(*ors))
    return conds


def _simplified(filters: dict | None) -> dict:
    """Only open cases have a running clock, so a colour already means "open": drop a redundant
    state=open (it would steer SQLite to a slower index)."""
    f = dict(filters or {})
    if f.get("color") and f.get("state") == "open":
        f.pop("state")
    return f


def _ordered(desk: Desk, actor: Actor | None, filters: dict | None, sort: str, first_page: bool = False):
    if sort not in SORTS:
        raise ValidationError("排序应为：" + "、".join(SORTS), field="sort")
    filters = _simplified(filters)
    now = desk.now()
    conds = _first_page_conditions(desk, actor, filters or {}, now) if first_page and sort.startswith("received") \
        else conditions(desk, actor, filters or {}, now)
    col, desc = SORTS[sort]
    key = func.coalesce(col, FAR_FUTURE) if sort.startswith("due") else col
    order = (key.desc(), Case.rid.desc()) if desc else (key.asc(), Case.rid.asc())
    return conds, select(Case.rid).where(*conds).order_by(*order)


def case_keys(desk: Desk, actor: Actor | None, filters: dict | None = None,
              sort: str = "received_desc") -> dict:
    """{"total": n, "keys": array('q') of rids in display order} for a filter and sort."""
    _conds, stmt = _ordered(desk, actor, filters, sort)
    with desk.db.read() as s:
        keys = _fast_keys(s, stmt)
    return {"total": len(keys), "keys": keys}


def _fast_keys(session, stmt) -> array:
    """The rids of ``stmt`` read straight from the sqlite3 cursor: ~5x faster than result rows
    for a million keys. Falls back to the ordinary path if the statement cannot be inlined."""
    conn = session.connection()
    try:
        sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    except Exception:  # noqa: BLE001 — e.g. a parameter type without a literal form
        return array("q", session.execute(stmt).scalars())
    cursor = conn.connection.driver_connection.execute(sql)
    keys = array("q")
    while rows := cursor.fetchmany(50_000):
        keys.extend(r[0] for r in rows)
    return keys


def first_page(desk: Desk, actor: Actor | None, filters: dict | None = None, sort: str = "received_desc",
               limit: int = 100, count: bool | None = None) -> dict:
    """What the table paints first: {"total", "keys" (the first ``limit``), "rows"} — fast on a
    million cases (index order with LIMIT plus one count); the full key list follows.

    ``total`` is None when not counted: by default a full-text search is not counted here,
    because counting its matches costs as much as listing them (the key list gives the total)."""
    if count is None:
        count = not (filters or {}).get("q")
    _, stmt = _ordered(desk, actor, filters, sort, first_page=True)
    with desk.db.read() as s:
        keys = array("q", s.execute(stmt.limit(limit)).scalars())
        if len(keys) < limit:
            total = len(keys)
        elif not count:
            total = None
        else:  # counting is fastest with every index available
            conds = conditions(desk, actor, _simplified(filters), desk.now())
            total = s.scalar(select(func.count()).select_from(Case).where(*conds))
    return {"total": total, "keys": keys, "rows": case_rows(desk, actor, keys)}


def count_cases(desk: Desk, actor: Actor | None, filters: dict | None = None) -> int:
    """How many cases match a filter (one indexed count, no rows)."""
    conds = conditions(desk, actor, _simplified(filters), desk.now())
    with desk.db.read() as s:
        return s.scalar(select(func.count()).select_from(Case).where(*conds)) or 0


def case_rows(desk: Desk, actor: Actor | None, keys) -> list[dict]:
    """Case views for ``keys`` (rids), in the same order; missing keys are skipped."""
    keys = list(keys)
    if len(keys) > MAX_WINDOW:
        raise ValidationError(f"一次最多读取 {MAX_WINDOW} 行", field="keys")
    if not keys:
        return []
    now = desk.now()
    refs = desk.refs()
    with desk.db.read() as s:
        rows = {r.rid: r for r in s.scalars(select(Case).where(Case.rid.in_(keys)))}
        return [dict(case_summary(rows[k], refs, now, actor), rid=k) for k in keys if k in rows]
