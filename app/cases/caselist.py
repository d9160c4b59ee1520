"""Backing queries for the window's big case table: the ordered key list of a query (integer
``rid``s only, a few MB even for a million cases) and the rows for a window of those keys.

The table model holds the key list and asks for rows lazily (ARCHITECTURE.md section 6). The
statements are app.cases.casesql's, the same as the case list's, run on a DB-API connection."""
from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

from app.cases import casesql
from app.cases.casesql import TABLE, Where, conditions
from app.cases.views import case_summary
from app.errors import ValidationError

if TYPE_CHECKING:
    from app.desk import Actor, Desk

MAX_WINDOW = 1000


def _first_page_conditions(desk: Desk, actor: Actor | None, filters: dict, now) -> Where:
    """The filter's conditions, arranged so that a first page with LIMIT walks the sort index.

    A colour filter (15-25 % of a big store) would otherwise make SQLite read every matching row
    through the clock index and sort them all just to show the first 100."""
    if not filters.get("color"):
        return conditions(desk, actor, filters, now)
    rest = {k: v for k, v in filters.items() if k not in ("color", "state")}
    where = conditions(desk, actor, rest, now)
    conditions(desk, actor, {"color": filters["color"], "state": filters.get("state")}, now)  # validates
    states = casesql.as_list(filters.get("state"))
    if states:
        where.add(*casesql.flat(casesql.is_in(casesql.col("state", unindexed=True), casesql.expand_states(states))))
    where.add(*casesql.flat(casesql.colour_condition(casesql.as_list(filters["color"]), now, unindexed=True)))
    return where


def _simplified(filters: dict | None) -> dict:
    """Only open cases have a running clock, so a colour already means "open": drop a redundant
    state=open (it would steer SQLite to a slower index)."""
    f = dict(filters or {})
    if f.get("color") and f.get("state") == "open":
        f.pop("state")
    return f


def _ordered(desk: Desk, actor: Actor | None, filters: dict | None, sort: str,
             first_page: bool = False) -> tuple[str, list]:
    """``SELECT rid … ORDER BY …`` of a filter and sort, and its parameters."""
    casesql.check_sort(sort)
    filters = _simplified(filters)
    now = desk.now()
    where = _first_page_conditions(desk, actor, filters or {}, now) if first_page and sort.startswith("received") \
        else conditions(desk, actor, filters or {}, now)
    return f"SELECT {casesql.col('rid')} FROM {TABLE}{where.sql()}{casesql.order_by(sort)}", where.params


def case_keys(desk: Desk, actor: Actor | None, filters: dict | None = None,
              sort: str = "received_desc") -> dict:
    """{"total": n, "keys": array('q') of rids in display order} for a filter and sort."""
    sql, params = _ordered(desk, actor, filters, sort)
    keys = array("q")
    with desk.db.reading() as conn:
        cursor = conn.execute(sql, params)
        while rows := cursor.fetchmany(50_000):  # ~5x faster than result rows for a million keys
            keys.extend(r[0] for r in rows)
    return {"total": len(keys), "keys": keys}


def first_page(desk: Desk, actor: Actor | None, filters: dict | None = None, sort: str = "received_desc",
               limit: int = 100, count: bool | None = None) -> dict:
    """What the table paints first: {"total", "keys" (the first ``limit``), "rows"} — fast on a
    million cases (index order with LIMIT plus one count); the full key list follows.

    ``total`` is None when not counted: by default a full-text search is not counted here,
    because counting its matches costs as much as listing them (the key list gives the total)."""
    if count is None:
        count = not (filters or {}).get("q")
    sql, params = _ordered(desk, actor, filters, sort, first_page=True)
    with desk.db.reading() as conn:
        keys = array("q", (r[0] for r in conn.execute(f"{sql} LIMIT ?", [*params, limit]).fetchall()))
        if len(keys) < limit:
            total = len(keys)
        elif not count:
            total = None
        else:  # counting is fastest with every index available
            total = _count(desk, actor, filters, conn)
        rows = _rows(desk, actor, keys, conn)
    return {"total": total, "keys": keys, "rows": rows}


def _count(desk: Desk, actor: Actor | None, filters: dict | None, conn) -> int:
    where = conditions(desk, actor, _simplified(filters), desk.now())
    return conn.execute(f"SELECT count(*) FROM {TABLE}{where.sql()}", where.params).fetchone()[0] or 0


def count_cases(desk: Desk, actor: Actor | None, filters: dict | None = None) -> int:
    """How many cases match a filter (one indexed count, no rows)."""
    desk.refs()  # before the read transaction: the reference cache may read on the same connection
    with desk.db.reading() as conn:
        return _count(desk, actor, filters, conn)


def case_rows(desk: Desk, actor: Actor | None, keys) -> list[dict]:
    """Case views for ``keys`` (rids), in the same order; missing keys are skipped."""
    keys = list(keys)
    if len(keys) > MAX_WINDOW:
        raise ValidationError(f"一次最多读取 {MAX_WINDOW} 行", field="keys")
    if not keys:
        return []
    desk.refs()
    with desk.db.reading() as conn:
        return _rows(desk, actor, keys, conn)


def _rows(desk: Desk, actor: Actor | None, keys, conn) -> list[dict]:
    keys = list(keys)
    if not keys:
        return []
    now = desk.now()
    refs = desk.refs()
    sql, params = casesql.is_in(casesql.col("rid"), keys)
    rows = {r.rid: r for r in casesql.fetch_rows(conn, f"SELECT * FROM {TABLE} WHERE {sql}", params)}
    return [dict(case_summary(rows[k], refs, now, actor), rid=k) for k in keys if k in rows]
