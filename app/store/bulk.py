"""Fast bulk writes for generated data (demo stores and benchmarks): raw sqlite3 executemany
over the same tables the ORM maps, with values formatted the way the column types store them."""
from __future__ import annotations

import operator

import orjson

from app.store import chain, search
from app.store.db import BULK_PENDING_KEY
from app.store.models import Case
from app.store.types import dumps, to_sql_dt

CASE_COLUMNS = [c.key for c in Case.__table__.columns if c.key != "rid"]
ACTION_COLUMNS = ["id", "case_id", "kind", "at", "actor", "actor_name", "actor_role", "actor_unit", "payload",
                  "device_id", "status"]
_JSON_COLUMNS = {"co_units", "repeat_of"}


def _converter(column):
    if column.key in _JSON_COLUMNS:
        return lambda v: dumps(v or [])
    if column.type.__class__.__name__ == "UTCDateTime":
        return to_sql_dt
    if column.type.python_type is bool:
        return lambda v: None if v is None else int(v)
    return None


_CONVERTERS = [(c.key, _converter(c)) for c in Case.__table__.columns if c.key != "rid"]
# Only these columns need converting (dates, JSON lists, booleans); the rest are stored as they are.
_CONVERTED = [(i, conv) for i, (_k, conv) in enumerate(_CONVERTERS) if conv]
_by_key = operator.itemgetter(*CASE_COLUMNS)
_by_attr = operator.attrgetter(*CASE_COLUMNS)


def _stored(values: tuple) -> tuple:
    row = list(values)
    for i, conv in _CONVERTED:
        v = row[i]
        if v is not None or conv is not to_sql_dt:
            row[i] = conv(v)
    return tuple(row)


def case_tuple(state: dict) -> tuple:
    """A ``cases`` row as stored, in CASE_COLUMNS order."""
    return _stored(_by_key(state))


def state_tuple(state) -> tuple:
    """The same row straight from a folded ``CaseState`` (no intermediate dict)."""
    return _stored(_by_attr(state))


def action_tuple(a, device_id: str) -> tuple:
    return (a.id, a.case_id, a.kind, to_sql_dt(a.at), a.actor, getattr(a, "actor_name", a.actor), a.actor_role,
            a.unit, dumps(a.payload), device_id, "local")


def insert_batch(conn, cases: list[tuple], actions: list[tuple], docs: list[str]) -> None:
    """Insert one batch of cases (with their FTS documents, same order) and actions."""
    cur = conn.cursor()
    cur.execute("SELECT coalesce(max(rid), 0) FROM cases")
    first = cur.fetchone()[0] + 1
    cols = ",".join(CASE_COLUMNS)
    cur.executemany(f"INSERT INTO cases ({cols}) VALUES ({','.join('?' * len(CASE_COLUMNS))})", cases)
    cur.executemany(f"INSERT INTO {search.FTS_TABLE}(rowid, body) VALUES (?, ?)",
                    ((first + i, d) for i, d in enumerate(docs)))
    chained = chain.extend_bulk(cur, "case_actions", actions)  # hashed here: no second pass over millions
    if chained is None:
        cur.executemany(f"INSERT INTO case_actions ({','.join(ACTION_COLUMNS)}) "
                        f"VALUES ({','.join('?' * len(ACTION_COLUMNS))})", actions)
    else:
        cols = ACTION_COLUMNS + ["chain"]
        cur.executemany(f"INSERT INTO case_actions ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                        (a + (c,) for a, c in zip(actions, chained, strict=True)))
    cur.close()




# -- bulk mode: secondary indexes are dropped for a large load and rebuilt (sorted) afterwards --
PENDING_KEY = BULK_PENDING_KEY
LOAD_CACHE_KIB = -262144  # page cache (KiB) for a bulk load and its index builds (256 MB), then back


def drop_secondary_indexes(conn, tables=("cases", "case_actions"), keep=()) -> None:
    """Drop the named tables' secondary indexes (except those in ``keep``), remembering their SQL
    in ``meta`` in the same transaction, so that an interrupted load is repaired by
    :func:`restore_indexes` on next open."""
    rows = [r for r in conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({','.join('?' * len(tables))})", tables).fetchall() if r[0] not in keep]
    conn.execute("BEGIN")
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (PENDING_KEY, dumps([r[1] for r in rows])))
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("COMMIT")


def restore_indexes(conn) -> int:
    """Recreate indexes a bulk load dropped (after the load, or after it was interrupted)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (PENDING_KEY,)).fetchone()
    if not row:
        return 0
    statements = orjson.loads(row[0])
    conn.execute("PRAGMA threads = 2")  # index builds sort with a helper thread (the machine has 2 cores)
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {LOAD_CACHE_KIB}")  # the sorter keeps this much in memory
    try:
        conn.execute("BEGIN")
        for sql in statements:
            conn.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        conn.execute("DELETE FROM meta WHERE key = ?", (PENDING_KEY,))
        conn.execute("COMMIT")
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return len(statements)
