"""Backup, restore and the workstation status summary."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.desk import Desk
from app.errors import ValidationError
from app.store import backup as bk
from app.store import crypto, migrate
from app.store.audit import audit
from app.store.db import Database
from app.store.models import Case, OutboxEntry
from app.sync.state import summary


def backup(desk: Desk, target: Path | None = None, actor: str = "admin") -> Path:
    """A sealed, complete backup (app.store.backup); audited once it is in place."""
    if target is None:
        crypto.private_dir(desk.backups_dir)
        target = desk.backups_dir / f"towndesk-{desk.now():%Y%m%d-%H%M%S}{bk.BACKUP_SUFFIX}"
    bk.backup_to(desk.db.path, target, desk.db.key, created=desk.now().isoformat())
    if not desk.db.readonly:
        with desk.db.tx() as s:
            audit(s, desk, actor, "store.backup", str(target))
    return target


def restore(desk: Desk, source: Path, actor: str = "admin", key_file: Path | None = None) -> dict:
    """Replace the store with a backup of this town, after checking it completely (a sealed
    towndesk backup, its checksum, its database's integrity and town); the current database is
    backed up first. Anything else is refused with the store untouched.

    ``key_file`` (``towndesk key export`` on the machine that made the backup) restores a backup
    made under another key, e.g. onto a replacement laptop: the store then adopts that key."""
    if desk.db.readonly:
        raise ValidationError("数据库是只读的，不能恢复", field="data_dir")
    key = crypto.read_key_file(key_file) if key_file else desk.db.key
    known = migrate.known_revisions()
    checked = bk.check_backup(source, key, desk.meta("town_code"), desk.root, known)
    try:
        previous = backup(desk, desk.backups_dir / f"before-restore-{desk.now():%Y%m%d-%H%M%S}{bk.BACKUP_SUFFIX}",
                          actor)
        desk.db.close()
        bk.put_in_place(checked, desk.db.path)
    finally:
        checked.database.unlink(missing_ok=True)
    if key != desk.db.key:
        crypto.create_key(desk.root, key)
        desk.db = Database(desk.db.path, key)
    migrate.upgrade(desk.db.engine)
    desk.invalidate()
    header = checked.header
    with desk.db.tx() as s:
        audit(s, desk, actor, "store.restore", str(source),
              {"created": header.get("created"), "cases": header.get("cases_inside"), "previous": str(previous)})
    return {"restored": str(source), "previous": str(previous), "cases": header.get("cases_inside")}


def export_key(desk: Desk, target: Path, actor: str = "admin") -> dict:
    """Write the store's key to a file for safekeeping (restoring its backups on another machine)."""
    if desk.db.key is None:
        raise ValidationError("数据库未加密，没有密钥", field="data_dir")
    path = crypto.export_key(desk.db.key, target)
    if not desk.db.readonly:
        with desk.db.tx() as s:
            audit(s, desk, actor, "store.key_export", str(path))
    return {"path": str(path)}


def status(desk: Desk) -> dict:
    with desk.db.read() as s:
        cases = s.scalar(select(func.count()).select_from(Case))
        pending = s.scalar(select(func.count()).select_from(OutboxEntry))
    out = {"data_dir": str(desk.root), "town": desk.meta("town_code"), "town_name": desk.meta("town_name"),
            "workstation": desk.meta("workstation"), "device_id": desk.device_id, "cases": cases,
            "pending": pending, "server": desk.meta("sync.server"), "last_sync": desk.meta("sync.last_success"),
            "encrypted": desk.db.key is not None, "key": crypto.key_location(desk.root),
            "missing_calendar_years": desk.calendar().missing_years(
                desk.now().date(), desk.now().date().replace(year=desk.now().year + 1))}
    sync = summary(desk)
    out["sync"] = {k: sync[k] for k in ("enrolled", "last_attempt", "last_error", "conflicts", "cursor", "quarantined",
                                        "insecure")}
    return out
