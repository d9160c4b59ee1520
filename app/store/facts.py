"""Indicator facts kept in step with the case rows, so every indicator read is a small sum.

Each case is reduced to one narrow ``case_facts`` row: its received, dispatched and closed days,
group keys, the fact
bits of docs/INDICATORS.md (judged at the instant ``facts_state.now``), persons, returns and
transfers, handling time in whole working seconds (挂账 excluded) and, for cases that moved,
which units they left. ``fact_rollup`` sums those rows per (grouping, key, day, bits);
an unfiltered month for all units reads a few thousand rollup rows instead of the cohort.

Keeping in step: triggers on ``cases`` (migration 0005) put every inserted, updated or deleted
case into ``facts_dirty``, whichever path wrote it (an action, sync, re-fold, the demo). Before a
read, :func:`refresh` re-derives the dirty cases plus the cases whose deadline lies between the
instant the facts were judged at and the instant asked for (``next_flip``/``last_flip``), and
applies the difference to the rollup, all in one transaction. :func:`rebuild` derives everything
from scratch (first use, a changed working-day calendar, a very large dirty set); a test checks
that the incremental path and the rebuild always agree.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import chinese_calendar
from sqlalchemy import text

from app.domain import indicators as ind
from app.domain import workflow as wf
from app.domain.timezone import LOCAL_TZ
from app.store.holidays import read_overrides
from app.store.types import to_sql_dt

_JD_OFFSET = 1721425  # julian day number minus date.toordinal()
_LOCAL = "(julianday({col}) + 0.5 + 8.0/24 + 1e-9)"  # local (UTC+8) day number + fraction
DONE = (wf.CALLBACK, wf.CLOSED, wf.ARCHIVED)
# Groupings of the rollup by received day: 0 = the whole town, then the case columns (unit: see
# moves). Two more count the whole town's cases by event day instead: dispatched (latest
# dispatch) and closed (结案, state closed or archived) that day.
DIMS = {None: 0, "unit": 1, "category": 2, "channel": 3, "village": 4}
DISPATCHED_ON, CLOSED_ON = 5, 6
_DAY_OF = {DISPATCHED_ON: "dday", CLOSED_ON: "cday"}
ALL_DIMS = (*DIMS.values(), *_DAY_OF)
FULL_REBUILD_SHARE = 0.25  # a dirty set larger than this share of all cases is rebuilt in one pass


def _q(states) -> str:
    return ",".join(f"'{s}'" for s in states)


_OPEN = f"c.state IN ({_q(wf.OPEN_STATES)})"
# Per-case facts, one bit each (bit -> Counts field; names starting "_" are combined in
# app.supervision.indicators._unpack). The four that compare with :now are the only ones that change
# while the row does not; _TIMED lists their deadlines for next_flip/last_flip.
FACTS = (
    ("to_handle", "c.state NOT IN ('merged', 'rejected')"),
    ("dispatched", "c.dispatched_at IS NOT NULL"),
    ("auto_dispatched", "c.dispatched_at IS NOT NULL AND c.auto_dispatched"),
    ("assigned", "c.unit IS NOT NULL"),
    ("signed", "c.signed_at IS NOT NULL"),
    ("signed_on_time", "c.signed_at IS NOT NULL AND (c.sign_due_at IS NULL OR c.signed_at <= c.sign_due_at)"),
    ("sign_overdue_open", "c.state = 'dispatched' AND c.sign_due_at < :now"),
    ("done", f"c.state IN ({_q(DONE)})"),
    ("_on_time", "c.due_at IS NULL OR c.review_at IS NULL OR c.review_at <= c.due_at"),
    ("handle_overdue_open", "(c.state IN ('dispatched', 'in_progress') AND c.due_at < :now) "
                            "OR (c.state = 'review' AND c.review_at > c.due_at)"),
    ("closed", "c.state IN ('closed', 'archived')"),
    ("callbacks", "c.satisfaction IS NOT NULL"),
    ("satisfied", "c.satisfaction IN ('satisfied', 'basic')"),
    ("_red", f"{_OPEN} AND c.clock_due_at < :now"),
    ("_warn", f"{_OPEN} AND c.clock_warn_at <= :now"),
    ("open", _OPEN),
)
BITS = tuple(name for name, _ in FACTS)
_TIMED = (("c.state = 'dispatched'", "c.sign_due_at"),
          ("c.state IN ('dispatched', 'in_progress')", "c.due_at"),
          (_OPEN, "c.clock_due_at"), (_OPEN, "c.clock_warn_at"))


def _work(x: str) -> str:
    """SQL: working seconds from the first day of the day tables to the local day number ``x``
    (_LOCAL of a timestamp): whole working days from :ptab plus the part of a working day."""
    day = f"(CAST({x} AS INTEGER) - :j0)"
    return (f"(CAST(substr(:ptab, {day} * 6 + 1, 6) AS INTEGER) * 86400.0 "
            f"+ CAST(substr(:wtab, {day} + 1, 1) AS INTEGER) * ({x} - CAST({x} AS INTEGER)) * 86400.0)")


def _facts_sql(where: str) -> str:
    """INSERT the facts of the cases matching ``where`` (on alias c), judged at :now."""
    bits = " + ".join(f"(CASE WHEN {cond} THEN {1 << i} ELSE 0 END)" for i, (_, cond) in enumerate(FACTS))
    timed = f"c.state IN ({_q(DONE)}) AND c.dispatched_at IS NOT NULL AND c.review_at IS NOT NULL"
    nxt = ", ".join(f"CASE WHEN {s} AND {d} >= :now THEN {d} ELSE '~' END" for s, d in _TIMED)
    last = ", ".join(f"CASE WHEN {s} AND {d} <= :now THEN {d} ELSE '' END" for s, d in _TIMED)
    # The local day numbers are computed once per case in the inner query (LIMIT -1 keeps SQLite
    # from flattening it and evaluating julianday() again per use).
    return f"""
INSERT INTO case_facts (rid, rday, unit, category, channel, village, f, persons, rc, tc, secs, next_flip,
  last_flip, dday, cday)
SELECT rid, CAST(xa AS INTEGER) - {_JD_OFFSET}, unit, category, channel, village, f, persons, rc, tc,
  CASE WHEN xr IS NOT NULL THEN CAST(round(max(0, {_work('xr')} - {_work('xd')})) AS INTEGER) END, nf, lf,
  CAST({_LOCAL.format(col='dispatched_at')} AS INTEGER) - {_JD_OFFSET},
  CAST({_LOCAL.format(col='closed_at')} AS INTEGER) - {_JD_OFFSET}
FROM (
  SELECT c.rid AS rid, c.unit AS unit, c.category AS category, c.channel AS channel, c.village AS village,
    {bits} AS f, c.persons AS persons, c.return_count AS rc, c.transfer_count AS tc,
    {_LOCAL.format(col='c.received_at')} AS xa, c.dispatched_at AS dispatched_at,
    CASE WHEN c.state IN ('closed', 'archived') THEN c.closed_at END AS closed_at,
    CASE WHEN {timed} THEN {_LOCAL.format(col='c.review_at')} END AS xr,
    CASE WHEN {timed} THEN {_LOCAL.format(col='c.dispatched_at')} END AS xd,
    nullif(min({nxt}), '~') AS nf, nullif(max({last}), '') AS lf
  FROM cases c WHERE {where} LIMIT -1)"""


def _day_tables(desk, s, where: str, now: datetime) -> dict:
    """Day tables for _work(): working days before each day (6 digits) and whether it works.
    Dispatch and 申请办结 come after receipt and before now, so the tables run from the earliest
    receipt of the cases matching ``where`` to a year past now (a margin for clock skew)."""
    # without a WHERE clause SQLite answers min/max from the received_at index
    lo, hi = s.execute(text("SELECT min(received_at), max(received_at) FROM cases c" +
                            ("" if where == "1" else f" WHERE {where}"))).one()
    first = ind.parse_utc(lo).astimezone(LOCAL_TZ).date() if lo else now.astimezone(LOCAL_TZ).date()
    last = max(now.astimezone(LOCAL_TZ).date(), ind.parse_utc(hi).astimezone(LOCAL_TZ).date() if hi else first)
    last += timedelta(days=366)
    cal = desk.calendar()
    prefix, work, acc = [], [], 0
    for i in range((last - first).days + 1):
        w = cal.is_workday(first + timedelta(days=i))
        prefix.append(f"{acc:06d}")
        work.append("1" if w else "0")
        acc += w
    return {"j0": first.toordinal() + _JD_OFFSET, "ptab": "".join(prefix), "wtab": "".join(work)}


def _derive(desk, s, where: str, now: datetime) -> None:
    """Write case_facts rows for the cases matching ``where`` (none may exist yet)."""
    s.execute(text(_facts_sql(where)), {"now": to_sql_dt(now), **_day_tables(desk, s, where, now)})
    moved = s.execute(text(f"SELECT c.rid, c.id FROM cases c WHERE ({where}) "
                           f"AND (c.return_count > 0 OR c.transfer_count > 0)")).all()
    _write_moves(s, moved)
    _subtract_paused(desk, s, where)


def _write_moves(s, moved) -> None:
    """Per moved case, the units it left: {unit or "": [returns, transfers]}."""
    rid_of = {cid: rid for rid, cid in moved}
    per: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for cid, field, unit in _left_units(s, list(rid_of)):
        per[cid][unit or ""][0 if field == "returned" else 1] += 1
    s.execute(text("UPDATE case_facts SET moves = :m WHERE rid = :rid"),
              [{"rid": rid_of[cid], "m": json.dumps(dict(sorted(units.items())), separators=(",", ":"))}
               for cid, units in per.items()] or [{"rid": -1, "m": None}])


def _left_units(s, case_ids: list[str]):
    """(case id, field, unit) for every return and transfer: the unit the case had just before."""
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
                yield cid, ("returned" if kind == "return" else "transferred"), current
            current = unit


def _subtract_paused(desk, s, where: str) -> None:
    """Take the working time spent 挂账 between dispatch and 申请办结 off each timed case."""
    # all cases: from the kind index; a few: from each case's own log ("+" keeps the kind index out)
    kind = "a.kind" if where == "1" else "+a.kind"
    rows = s.execute(text(
        f"SELECT c.rid, a.kind, a.at, c.dispatched_at, c.review_at FROM cases c "
        f"JOIN case_actions a ON a.case_id = c.id WHERE ({where}) AND c.state IN ({_q(DONE)}) "
        f"AND c.dispatched_at IS NOT NULL AND c.review_at IS NOT NULL AND {kind} IN ('suspend', 'resume') "
        f"ORDER BY c.rid, a.seq")).all()
    cal = desk.calendar()
    paused: dict = defaultdict(float)
    started, last = None, None
    for rid, kind, at, d_at, r_at in rows:
        if rid != last:
            started, last = None, rid
        at = ind.parse_utc(at)
        if kind == "suspend":
            started = at
        elif started is not None:
            a, b = max(started, ind.parse_utc(d_at)), min(at, ind.parse_utc(r_at))
            if b > a:
                paused[rid] += cal.worktime_between(a, b).total_seconds()
            started = None
    if paused:
        s.execute(text("UPDATE case_facts SET secs = secs - :p WHERE rid = :rid"),
                  [{"rid": rid, "p": round(p)} for rid, p in paused.items()])


# -- the rollup ------------------------------------------------------------------------------

def _rollup_selects(where: str, sign: int) -> list[str]:
    """SELECTs of (dim, key, rday, f, n, persons, rc, tc, timed, secs) contributed by the
    case_facts rows matching ``where``, times ``sign``. Per unit, returns and transfers are
    charged to the unit the case left (the moves), not to its current unit."""
    out = []
    for by, dim in DIMS.items():
        key = "''" if by is None else f"coalesce({by}, '')"
        moves = "0, 0" if by == "unit" else f"{sign} * sum(rc), {sign} * sum(tc)"
        out.append(f"SELECT {dim}, {key}, rday, f, {sign} * count(*), {sign} * sum(persons), {moves}, "
                   f"{sign} * count(secs), {sign} * coalesce(sum(secs), 0) FROM case_facts WHERE {where} "
                   f"GROUP BY 2, 3, 4")
    out.append(f"SELECT {DIMS['unit']}, j.key, rday, 0, 0, 0, {sign} * sum(json_extract(j.value, '$[0]')), "
               f"{sign} * sum(json_extract(j.value, '$[1]')), 0, 0 FROM case_facts, json_each(case_facts.moves) j "
               f"WHERE ({where}) AND moves IS NOT NULL GROUP BY 2, 3")
    for dim, day in _DAY_OF.items():
        out.append(f"SELECT {dim}, '', {day}, 0, {sign} * count(*), 0, 0, 0, 0, 0 FROM case_facts "
                   f"WHERE ({where}) AND {day} IS NOT NULL GROUP BY 3")
    return out


def _add_to_rollup(s, where: str, sign: int) -> None:
    for select in _rollup_selects(where, sign):
        s.execute(text(
            f"INSERT INTO fact_rollup (dim, key, rday, f, n, persons, rc, tc, timed, secs) "
            f"SELECT * FROM ({select}) WHERE true ON CONFLICT (dim, rday, key, f) DO UPDATE SET "
            f"n = n + excluded.n, persons = persons + excluded.persons, rc = rc + excluded.rc, "
            f"tc = tc + excluded.tc, timed = timed + excluded.timed, secs = secs + excluded.secs"))


# -- keeping in step -------------------------------------------------------------------------

def calendar_stamp(desk, s) -> str:
    """Changes whenever the working-day calendar could give another handling time. Read from the
    store (another process may have changed the overrides): a stale cached calendar is dropped."""
    stored = read_overrides(s)
    if stored != desk.calendar().overrides:
        desk.reload_calendar()
    raw = json.dumps(sorted((d.isoformat(), w) for d, w in stored.items()))
    return hashlib.sha1(f"{getattr(chinese_calendar, '__version__', '')}|provisional|{raw}".encode()).hexdigest()[:16]


@dataclass
class State:
    now: str | None
    calendar: str | None


def _state(s) -> State | None:
    row = s.execute(text("SELECT now, calendar FROM facts_state WHERE id = 1")).first()
    return State(row[0], row[1]) if row else None


def up_to_date(desk, s, now: datetime) -> bool:
    """True when the facts answer for ``now`` as they stand (nothing dirty, no deadline
    crossed since they were judged, same calendar). Read-only."""
    st = _state(s)
    if st is None or st.now is None or st.calendar != calendar_stamp(desk, s):
        return False
    if s.execute(text("SELECT 1 FROM facts_dirty LIMIT 1")).first():
        return False
    t = to_sql_dt(now)
    crossed = ("SELECT 1 FROM case_facts WHERE next_flip <= :t LIMIT 1" if t >= st.now
               else "SELECT 1 FROM case_facts WHERE last_flip >= :t LIMIT 1")
    return s.execute(text(crossed), {"t": t}).first() is None


def refresh(desk, s, now: datetime) -> dict:
    """Bring the facts to ``now`` inside the caller's write transaction. Returns what it did."""
    t = to_sql_dt(now)
    # Write first: the transaction takes the write lock before it reads anything.
    s.execute(text("INSERT OR IGNORE INTO facts_state (id, now, calendar) VALUES (1, NULL, NULL)"))
    st = _state(s)
    if st.now is None or st.calendar != calendar_stamp(desk, s):
        return rebuild(desk, s, now)
    crossed = ("next_flip <= :t" if t >= st.now else "last_flip >= :t")
    s.execute(text(f"INSERT OR IGNORE INTO facts_dirty (rid) SELECT rid FROM case_facts WHERE {crossed}"),
              {"t": t})
    dirty = s.execute(text("SELECT count(*) FROM facts_dirty")).scalar()
    if dirty and dirty > FULL_REBUILD_SHARE * (s.execute(text("SELECT max(rid) FROM case_facts")).scalar() or 0):
        return rebuild(desk, s, now)
    if dirty:
        mine = "rid IN (SELECT rid FROM facts_dirty)"
        s.execute(text("CREATE TEMP TABLE IF NOT EXISTS facts_days (rday INTEGER PRIMARY KEY)"))
        for day in ("rday", *_DAY_OF.values()):  # where rollup rows may drop to zero
            s.execute(text(f"INSERT OR IGNORE INTO temp.facts_days SELECT DISTINCT {day} FROM case_facts "
                           f"WHERE {mine} AND {day} IS NOT NULL"))
        _add_to_rollup(s, mine, -1)
        s.execute(text(f"DELETE FROM case_facts WHERE {mine}"))
        _derive(desk, s, "c.rid IN (SELECT rid FROM facts_dirty)", now)
        _add_to_rollup(s, mine, +1)
        s.execute(text(f"DELETE FROM fact_rollup WHERE dim IN ({','.join(str(d) for d in ALL_DIMS)}) "
                       f"AND rday IN (SELECT rday FROM temp.facts_days) AND n = 0 AND rc = 0 AND tc = 0"))
        s.execute(text("DELETE FROM temp.facts_days"))
        s.execute(text("DELETE FROM facts_dirty"))
    s.execute(text("UPDATE facts_state SET now = :t WHERE id = 1"), {"t": t})
    return {"rebuilt": False, "cases": dirty}


def rebuild(desk, s, now: datetime) -> dict:
    """Derive every case's facts and the rollup from scratch (inside the caller's transaction)."""
    s.execute(text("INSERT OR IGNORE INTO facts_state (id, now, calendar) VALUES (1, NULL, NULL)"))
    stamp = calendar_stamp(desk, s)  # first: it reloads a stale cached calendar
    for table in ("case_facts", "fact_rollup", "facts_dirty"):
        s.execute(text(f"DELETE FROM {table}"))
    _derive(desk, s, "1", now)
    _add_to_rollup(s, "1", +1)
    s.execute(text("UPDATE facts_state SET now = :t, calendar = :c WHERE id = 1"),
              {"t": to_sql_dt(now), "c": stamp})
    n = s.execute(text("SELECT count(*) FROM case_facts")).scalar()
    return {"rebuilt": True, "cases": n}


def ensure(desk, now: datetime) -> None:
    """Refresh the facts for ``now`` if they are not up to date (a short write transaction)."""
    with desk.db.read() as s:
        if up_to_date(desk, s, now):
            return
    with desk.db.tx() as s:
        refresh(desk, s, now)


def verify(desk, now: datetime, repair: bool = False) -> dict:
    """Bring the facts to ``now``, derive them again from scratch and count the rows that differ
    (``towndesk check``). The fresh derivation is kept only with ``repair``."""
    tables = {"case_facts": ("rid", "rid, rday, unit, category, channel, village, f, persons, rc, tc, secs, "
                                    "moves, next_flip, last_flip, dday, cday"),
              "fact_rollup": ("dim, key, rday, f", "dim, key, rday, f, n, persons, rc, tc, timed, secs")}
    with desk.db.Session() as s:
        tx = s.begin()
        try:
            refresh(desk, s, now)
            for name, (_, cols) in tables.items():
                s.execute(text(f"DROP TABLE IF EXISTS temp.kept_{name}"))
                s.execute(text(f"CREATE TEMP TABLE kept_{name} AS SELECT {cols} FROM {name}"))
            rebuild(desk, s, now)
            # rows (cases; rollup keys) present or different on either side
            diff = {name: s.execute(text(
                f"SELECT count(*) FROM (SELECT {key} FROM (SELECT {cols} FROM temp.kept_{name} EXCEPT "
                f"SELECT {cols} FROM {name}) UNION SELECT {key} FROM (SELECT {cols} FROM {name} EXCEPT "
                f"SELECT {cols} FROM temp.kept_{name}))")).scalar() for name, (key, cols) in tables.items()}
            cases = s.execute(text("SELECT count(*) FROM case_facts")).scalar()
            for name in tables:
                s.execute(text(f"DROP TABLE temp.kept_{name}"))
        except BaseException:
            tx.rollback()
            raise
        if repair:
            tx.commit()
        else:
            tx.rollback()
    return {"cases": cases, "differences": diff["case_facts"], "rollup_differences": diff["fact_rollup"]}
