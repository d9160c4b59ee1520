"""Engine and session set-up for the workstation's SQLite file."""
from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import AppError
from app.store import chain
from app.store.crypto import connect_raw

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DB_FILENAME = "towndesk.sqlite3"
# Meta key under which a bulk load keeps the indexes it dropped (app.store.bulk); open_desk rebuilds
# them after an interrupted load. Here, not in bulk.py, so that checking for it loads no ORM.
BULK_PENDING_KEY = "bulk.dropped_indexes"


class ReadOnlyStore(AppError):
    code = "read_only"
    english = "the store is read-only"


READ_ONLY_MESSAGE = "数据库是只读的（文件或目录没有写权限）：只能查询，不能修改"


def is_read_only(path: Path) -> bool:
    """The store file (or, for a new store, its folder) cannot be written by this user."""
    path = Path(path)
    if path.exists():
        wal = [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
        return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK) \
            or any(not os.access(p, os.W_OK) for p in wal)
    return False


def readonly_uri(path: Path | str) -> str:
    """Read-only URI; without a WAL file nobody is writing, and ``immutable`` spares SQLite the
    shared-memory file it could not create in a folder it may not write."""
    return f"file:{path}?mode=ro" + ("" if Path(f"{path}-wal").exists() else "&immutable=1")


def configure(dbapi_conn, readonly: bool) -> None:
    """What every connection to the store gets: WAL, foreign keys, busy timeout, page cache."""
    # Let SQLAlchemy (or our own BEGIN) own transactions (pysqlite's implicit BEGIN is unreliable).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    if not readonly:
        cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def make_engine(path: Path | str, key: bytes | None = None, readonly: bool = False) -> Engine:
    """An engine whose every connection has WAL, foreign keys and a busy timeout.

    With ``key`` the file is SQLCipher 4 keyed with the raw 32-byte key (sqlcipher3 through
    SQLAlchemy's pysqlcipher dialect); without, plain SQLite. ``readonly`` opens it read-only
    (a store on a read-only medium or without write permission still answers queries). SQL
    parameters never appear in error messages (they hold names, phone numbers, password hashes).
    The pool hands out the most recently used connection first: its page cache is warm, which
    spares SQLCipher decrypting the same pages again (intake CPU 1.35x -> 1.13x of plain).
    """
    # SQLAlchemy is imported here, not at the top: its import is ~0.2 s of a command's start, and
    # read commands (``case list``) run on Database.connection() without it (issue 19).
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import URL
    from sqlalchemy.pool import QueuePool

    target = readonly_uri(path) if readonly else str(path)
    query = {"uri": "true"} if readonly else {}
    if key is not None:
        url = URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=target, query=query)
    else:
        url = URL.create("sqlite+pysqlite", database=target, query=query)
    engine = create_engine(url, poolclass=QueuePool, pool_use_lifo=True, hide_parameters=True,
                           connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record):
        configure(dbapi_conn, readonly)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine


def _seal_logs(session) -> None:
    """Every commit extends the hash chains over the log entries it added (app.store.chain)."""
    session.flush()
    chain.extend(session.connection())


class Database:
    """One workstation database: engine plus a session factory, both made on first use.

    ``connection()`` gives SQL written by hand a DB-API connection without SQLAlchemy, so that a
    read command (``towndesk case list``) never imports it; the engine, the ORM and the models load
    only when something uses ``engine``, ``Session``, ``tx()`` or ``read()``."""

    def __init__(self, path: Path | str, key: bytes | None = None, readonly: bool | None = None):
        self.path = Path(path)
        self.key = key
        self.readonly = is_read_only(self.path) if readonly is None else readonly
        self._engine: Engine | None = None
        self._sessions = None
        self._light = None  # the one connection used before (or without) an engine
        self._light_lock = threading.RLock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.path, self.key, self.readonly)
        return self._engine

    @property
    def Session(self):  # noqa: N802 — a session factory, named as SQLAlchemy's sessionmaker
        if self._sessions is None:
            from sqlalchemy import event
            from sqlalchemy.orm import sessionmaker

            sessions = sessionmaker(self.engine, expire_on_commit=False)
            if not self.readonly:
                event.listen(sessions, "before_commit", _seal_logs)
            self._sessions = sessions
        return self._sessions

    def raw(self):
        """A raw DB-API connection to this store (its key applied), outside the engine's pool."""
        return connect_raw(self.path, self.key, readonly=self.readonly)

    @contextmanager
    def connection(self):
        """A DB-API connection (autocommit; ``BEGIN`` is the caller's): a pooled one of the engine
        once the engine exists, else one light connection kept open for this Database."""
        if self._engine is not None:
            pooled = self._engine.raw_connection()
            try:
                yield pooled.driver_connection
            finally:
                pooled.close()
            return
        with self._light_lock:
            if self._light is None:
                light = connect_raw(self.path, self.key, readonly=self.readonly)
                configure(light, self.readonly)
                self._light = light
            yield self._light

    @contextmanager
    def reading(self):
        """``connection()`` in one read transaction: several statements see the same store."""
        with self.connection() as conn:
            if conn.in_transaction:  # already inside the caller's transaction
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")  # read only: nothing to keep

    @contextmanager
    def raw_tx(self):
        """One write transaction on ``connection()``: committed with the log chains extended over
        what it added (as every ORM commit does), rolled back on any error."""
        with self.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                chain.extend(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def tx(self):
        """One transaction: commit on success, roll back everything on any error.

        Callables in ``session.info["after_commit"]`` run once the commit succeeded (cache drops).
        """
        with self.Session() as session:
            try:
                with session.begin():
                    yield session
            except Exception as e:
                from sqlalchemy.exc import OperationalError  # loaded already: a session ran

                if not isinstance(e, OperationalError):
                    raise
                if "readonly" in str(e.orig) or "read-only" in str(e.orig):
                    raise ReadOnlyStore(READ_ONLY_MESSAGE, field="data_dir") from None
                raise
            for callback in session.info.pop("after_commit", []):
                callback()

    @contextmanager
    def read(self):
        with self.Session() as session:
            yield session

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        with self._light_lock:
            if self._light is not None:
                self._light.close()
                self._light = None
