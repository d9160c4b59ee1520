"""Following a change report in the window's case table without running its query again.

The table holds the ordered rids of a query (``caselist.case_keys``: a million on a big store).
After a save only the reported cases can have entered, left or moved in that list, so
``follow_changes`` asks the store about those cases alone — do they match the filter now, and
where do they sort — and returns the steps that turn the old key list into the query's answer:
a handful of primary-key lookups instead of the count over the whole table and the full key list
(~1.5 s on a million cases) that a fresh query costs.

Positions come from a binary search over the key list, reading the sort value of the probed rows
(~20 lookups for a million). The list is in the query's order (``casesql.order_by``: the sort
value, then the rid, both in the sort's direction), so the search is exact for the sorts whose
value never changes (受理时间, 编号); for 办结时限 a row changed by a report not yet followed can
leave a neighbour one place off until that report is followed (F5 always queries again)."""
from __future__ import annotations

from array import array
from sys import byteorder
from typing import TYPE_CHECKING

from app.cases import casesql
from app.cases.caselist import _rows, _simplified
from app.cases.casesql import SORTS, TABLE, Where, conditions
from app.store import search

if TYPE_CHECKING:
    from app.desk import Actor, Desk

MAX_CHANGES = 200  # more cases in one report (a sync round): the caller queries again instead
# Sorts by a value a case never changes (受理时间, 编号): a listed case is found where its value
# sorts, so nothing is copied or scanned (the other sorts search the key list's bytes).
FIXED_SORTS = frozenset({"received_desc", "received_asc", "case_no_desc", "case_no_asc"})


def _index(blob: bytes, rid: int) -> int | None:
    """Where ``rid`` is in the key list's bytes (an array('q')), or None: a C-speed byte search."""
    needle = rid.to_bytes(8, byteorder, signed=True)
    at = blob.find(needle)
    while at != -1:
        if at % 8 == 0:
            return at // 8
        at = blob.find(needle, at + 1)
    return None


def _per_row(where: Where) -> Where:
    """The filter asked of a few rows: a full-text condition as a lookup per row (FTS5 seeks the
    rowid in the match's doclist) instead of ``rid IN (every match)``, which materialises all the
    matches of a broad term — 250 ms for 社区 on a million cases against 0.5 ms."""
    fts = search.FTS_TABLE
    listed = f"{casesql.col('rid')} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"
    per_row = f"EXISTS (SELECT 1 FROM {fts} WHERE {fts} MATCH ? AND {fts}.rowid = {casesql.col('rid')})"
    where.parts = [per_row if part == listed else part for part in where.parts]
    return where


def follow_changes(desk: Desk, actor: Actor | None, filters: dict | None, sort: str, keys: array,
                   case_nos) -> dict | None:
    """The steps that make ``keys`` (this query's rids, in order) current after ``case_nos`` changed.

    Returns {"steps": [("remove", i) | ("insert", j, rid) | ("move", i, j)], "rows": case views of
    the changed cases still listed (with ``rid``), "at": {rid: final index}, "delta": change of the
    total}, steps to be applied in order; or None when there are too many cases to follow one by
    one (the caller runs the query again). ``keys`` itself is not modified."""
    case_nos = sorted(set(case_nos or []))
    casesql.check_sort(sort)
    if not case_nos or len(case_nos) > MAX_CHANGES:
        return None
    desc = SORTS[sort][1]
    order_value = casesql.sort_key(sort)
    now = desk.now()
    desk.refs()  # before the read transaction: the reference cache may read on the same connection
    with desk.db.reading() as conn:
        sql, params = casesql.is_in(casesql.col("case_no"), case_nos)
        changed = [r[0] for r in conn.execute(f"SELECT {casesql.col('rid')} FROM {TABLE} WHERE {sql}", params)]
        where = _per_row(conditions(desk, actor, _simplified(filters), now))
        where.add(*casesql.flat(casesql.is_in(casesql.col("rid"), changed)))
        matching = {r[0]: r[1] for r in conn.execute(
            f"SELECT {casesql.col('rid')}, {order_value} FROM {TABLE}{where.sql()}", where.params)}
        if sort in FIXED_SORTS:
            values = {r[0]: r[1] for r in conn.execute(
                f"SELECT {casesql.col('rid')}, {order_value} FROM {TABLE} WHERE {casesql.col('rid')} IN "
                f"({', '.join('?' * len(changed))})", changed)} if changed else {}
            plan = _fixed(conn, order_value, desc, keys, changed, values, matching)
            plan["rows"] = _rows(desk, actor, [rid for rid in changed if rid in matching], conn)
            return plan
        probe_sql = f"SELECT {order_value} FROM {TABLE} WHERE {casesql.col('rid')} = ?"
        probed: dict[int, object] = {}

        def value_of(rid: int):
            if rid not in probed:
                row = conn.execute(probe_sql, [rid]).fetchone()
                probed[rid] = row[0] if row else None
            return probed[rid]

        def before(a: tuple, b: tuple) -> bool:
            """Does sort position ``a`` come before ``b`` (both (value, rid))?"""
            return a > b if desc else a < b

        def position(work: array, rid: int) -> int:
            """Where ``rid`` goes among the rows already in order (the changed rows not placed yet
            may stand out of order: they are stepped over)."""
            me = (matching[rid], rid)
            lo, hi = 0, len(work)
            while lo < hi:
                mid = (lo + hi) // 2
                p = mid
                while p >= lo and work[p] in pending:
                    p -= 1
                if p < lo:
                    p = mid + 1
                    while p < hi and work[p] in pending:
                        p += 1
                    if p >= hi:
                        return lo  # only rows still to be placed here: any place will do
                other = work[p]
                value = value_of(other)
                if value is None or before((value, other), me):  # a vanished row: treat as before
                    lo = p + 1
                else:
                    hi = p
            return lo

        blob = keys.tobytes()
        work = array("q", keys)
        steps: list[tuple] = []

        def current(original: int) -> int:
            """An original index moved by the steps taken so far."""
            i = original
            for step in steps:
                if step[0] == "remove":
                    i -= i > step[1]
                elif step[0] == "insert":
                    i += i >= step[1]
                else:  # move i0 -> j0: a remove then an insert
                    i -= i > step[1]
                    i += i >= step[2]
            return i

        pending = set(changed)
        for rid in changed:
            pending.discard(rid)
            original = _index(blob, rid)
            i = None if original is None else current(original)
            if rid not in matching:
                if i is not None:
                    del work[i]
                    steps.append(("remove", i))
                continue
            if i is not None:
                del work[i]
            j = position(work, rid)
            work.insert(j, rid)
            if i is None:
                steps.append(("insert", j, rid))
            elif i != j:
                steps.append(("move", i, j))
            else:  # in place: the row only repaints
                continue
        listed = [rid for rid in changed if rid in matching]
        rows = _rows(desk, actor, listed, conn)
    final = work.tobytes()
    at = {rid: _index(final, rid) for rid in listed}
    delta = sum(1 for s in steps if s[0] == "insert") - sum(1 for s in steps if s[0] == "remove")
    return {"steps": steps, "rows": rows, "at": at, "delta": delta}


def _fixed(conn, order_value: str, desc: bool, keys: array, changed: list[int], values: dict,
           matching: dict) -> dict:
    """``follow_changes`` for a sort whose value never changes: each changed case is looked up
    where its value sorts in the unchanged list (a binary search reading ~20 rows); present and no
    longer matching → removed there, absent and matching → inserted there. No copy of the list."""
    probe_sql = f"SELECT {order_value} FROM {TABLE} WHERE {casesql.col('rid')} = ?"
    probed: dict[int, object] = {}

    def key_of(rid: int) -> tuple:
        if rid not in probed:
            row = conn.execute(probe_sql, [rid]).fetchone()
            probed[rid] = row[0] if row else None
        return (probed[rid], rid)

    def bisect(me: tuple) -> int:
        lo, hi = 0, len(keys)
        while lo < hi:
            mid = (lo + hi) // 2
            other = key_of(keys[mid])
            if other[0] is not None and (other > me if desc else other < me):
                lo = mid + 1
            else:
                hi = mid
        return lo

    ops: list[tuple[int, tuple, str, int]] = []  # (position in the old list, sort key, op, rid)
    for rid in changed:
        if rid not in values:
            continue
        me = (values[rid], rid)
        p = bisect(me)
        present = p < len(keys) and keys[p] == rid
        if present and rid not in matching:
            ops.append((p, me, "remove", rid))
        elif not present and rid in matching:
            ops.append((p, me, "insert", rid))
    # applied from the end of the list backwards, each index is still the old list's; at one
    # position the removal first, then the inserts, the one shown last first
    ops.sort(key=lambda o: (o[0], o[2] == "remove", _Rev(o[1]) if desc else o[1]), reverse=True)
    steps = [("remove", p) if op == "remove" else ("insert", p, rid) for p, _k, op, rid in ops]
    at = {}
    for rid in changed:
        if rid not in matching or rid not in values:
            continue
        me = (values[rid], rid)
        p = bisect(me)
        if p < len(keys) and keys[p] == rid:  # listed already: shifted by what happened before it
            at[rid] = p + sum(1 for q, _k, op, _r in ops if op == "insert" and q <= p) \
                - sum(1 for q, _k, op, _r in ops if op == "remove" and q < p)
        else:  # inserted: after what is inserted before it
            at[rid] = p + sum(1 for q, k, op, _r in ops if op == "insert" and (q < p or (q == p and k != me and (k > me if desc else k < me)))) \
                - sum(1 for q, _k, op, _r in ops if op == "remove" and q < p)
    delta = sum(1 for o in ops if o[2] == "insert") - sum(1 for o in ops if o[2] == "remove")
    return {"steps": steps, "at": at, "delta": delta}


class _Rev:
    """Reverses the order of a sort key (for the ascending sorts' ties at one position)."""

    def __init__(self, key: tuple) -> None:
        self.key = key

    def __lt__(self, other: _Rev) -> bool:
        return self.key > other.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Rev) and self.key == other.key
