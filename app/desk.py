"""The Desk: one open workstation store (database, data directory, identity, caches).

Every service function takes a Desk as its first argument. A Desk is cheap to share between
threads: sessions are opened per operation, caches are immutable snapshots replaced on change.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app import config
from app.errors import AppError
from app.paths import data_dir as resolve_data_dir
from app.store import crypto, migrate
from app.store.db import BULK_PENDING_KEY, DB_FILENAME, Database, is_read_only
from app.store.refcache import RefCache, load_cache
from app.store.values import utcnow

if TYPE_CHECKING:
    from app.domain.calendar import WorkCalendar

# Opening a Desk and reading through Database.connection() loads no SQLAlchemy (a read command
# such as ``towndesk case list`` starts in ~0.1 s instead of ~0.5 s, issue 19): what needs the ORM,
# a backup, a conversion or the calendar imports it where it is used.


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (or the system) with a role and, for unit users, a unit code."""

    username: str
    name: str
    role: str
    unit: str | None = None
    # On a store enrolled with a district: the user's unsealed signing key (app.store.userkeys.Signer),
    # given by an online or offline login; every action the actor writes is signed with it.
    key: object | None = field(default=None, compare=False, repr=False)


SYSTEM_ACTOR = Actor("system", "系统自动派单", "system")
ADMIN_USERNAME = "admin"


class Desk:
    def __init__(self, root: Path, db: Database, clock: Callable[[], datetime] = utcnow):
        self.root = root
        self.db = db
        self.clock = clock
        self._calendar: WorkCalendar | None = None
        self._refs: RefCache | None = None
        self._meta: dict[str, str] | None = None

    # -- places --------------------------------------------------------------------------
    @property
    def attachments_dir(self) -> Path:
        return self.root / "attachments"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    def now(self) -> datetime:
        return self.clock()

    # -- meta and settings ---------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        if self._meta is None:  # read once: settings and identity are asked for on hot paths
            with self.db.connection() as conn:
                self._meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        return self._meta.get(key, default)

    def set_meta(self, session, key: str, value: str) -> None:
        from app.store.models import Meta  # the ORM is loaded already: ``session`` is one of its sessions

        session.merge(Meta(key=key, value=str(value)))
        session.flush()
        self._meta = None
        session.info.setdefault("after_commit", []).append(self.reload_meta)

    def reload_meta(self) -> None:
        """Forget the cached meta: another process (e.g. ``towndesk enroll``) may have changed it."""
        self._meta = None

    def setting(self, name: str):
        return config.parse(name, self.meta(f"setting.{name}"))

    @property
    def town_code(self) -> str:
        code = self.meta("town_code")
        if not code:
            raise AppError("本机尚未初始化，请先运行 towndesk init 或 towndesk demo", code="not_initialized")
        return code

    @property
    def workstation(self) -> str:
        return self.meta("workstation", "01")

    @property
    def device_id(self) -> str:
        return self.meta("device_id", "")

    # -- caches ----------------------------------------------------------------------------
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            from app.domain.calendar import WorkCalendar  # chinese_calendar: only what computes deadlines
            from app.store.holidays import read_overrides

            with self.db.read() as s:
                overrides = read_overrides(s)
            self._calendar = WorkCalendar(overrides, provisional=True)
        return self._calendar

    def refs(self) -> RefCache:
        if self._refs is None:
            self._refs = load_cache(self)
        return self._refs

    def reload_calendar(self) -> None:
        """Forget the cached working-day calendar (its overrides changed in the store)."""
        self._calendar = None

    def invalidate(self) -> None:
        """Drop caches after reference data or calendar changes."""
        self._calendar = None
        self._refs = None
        self._meta = None

    def close(self) -> None:
        self.db.close()


def open_desk(root=None, *, clock: Callable[[], datetime] = utcnow, backup: bool = True,
              encrypt: bool = True) -> Desk:
    """Open (creating if needed) the store in the data dir and migrate it to head.

    A new store is encrypted (SQLCipher) with a new random key kept outside the data dir
    (app.store.crypto); an existing plain store is encrypted on open, after a sealed backup
    (``encrypt=False`` keeps a plain store plain: benchmarks compare the two). An existing store
    that needs a migration is backed up to backups/ first. A store the user cannot write is opened
    read-only (queries answer; writes are refused with a message).
    """
    root = resolve_data_dir(root)
    root.mkdir(parents=True, exist_ok=True)
    crypto.private_dir(root)
    path = root / DB_FILENAME
    existed = path.exists() and path.stat().st_size > 0
    key = crypto.load_key(root)
    stamp = f"{utcnow():%Y%m%d%H%M%S}"
    if existed and crypto.is_plain_sqlite(path):
        if encrypt and not is_read_only(path):
            from app.store.convert import encrypt_store

            key = key or crypto.create_key(root)
            encrypt_store(root, path, key, stamp)
        else:
            key = None
    elif existed and key is None:
        raise crypto.KeyMissing(f"数据库已加密，但数据目录中没有密钥名称文件 {crypto.KEY_ID_FILE}", field="data_dir")
    elif not existed and encrypt and key is None:
        key = crypto.create_key(root)
    db = Database(path, key)
    crypto.private_file(path)
    if not db.readonly:
        with db.connection() as conn:
            due = migrate.current_revision(conn) != migrate.head_revision()
        if due:  # Alembic, the ORM and the backup code load only now
            from app.store import backup as bk

            if existed and backup:
                backups = crypto.private_dir(root / "backups")
                bk.backup_to(path, backups / f"pre-migrate-{stamp}{bk.BACKUP_SUFFIX}", key, created=stamp)
            migrate.upgrade(db.engine)
        desk = Desk(root, db, clock)
        if desk.meta(BULK_PENDING_KEY) is not None:
            _finish_interrupted_bulk_load(db)
            desk.reload_meta()
        return desk
    return Desk(root, db, clock)


def _finish_interrupted_bulk_load(db: Database) -> None:
    from app.store.bulk import restore_indexes

    with db.connection() as conn:
        restore_indexes(conn)
