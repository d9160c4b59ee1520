"""Backup, restore and the workstation status summary."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.desk import Desk
from app.errors import ValidationError
from app.store import backup as bk
from app.store import migrate
from app.store.audit import audit
from app.store.models import Case, OutboxEntry
from app.sync.state import summary


def backup(desk: Desk, target: Path | None = None) -> Path:
    target = target or desk.backups_dir / f"towndesk-{desk.now():%Y%m%d-%H%M%S}.sqlite3"
    bk.backup_to(desk.db.path, target)
    with desk.db.tx() as s:
        audit(s, desk, "admin", "store.backup", str(target))
    return target


def restore(desk: Desk, source: Path) -> dict:
    """Replace the store with a backup; the current database is backed up first."""
    if not source.is_file() or not bk.check_file(source):
        raise ValidationError(f"不是有效的备份文件：{source}", field="file")
    previous = backup(desk, desk.backups_dir / f"before-restore-{desk.now():%Y%m%d-%H%M%S}.sqlite3")
    desk.db.close()
    bk.restore_from(source, desk.db.path)
    migrate.upgrade(desk.db.engine)
    desk.invalidate()
    return {"restored": str(source), "previous": str(previous)}


def status(desk: Desk) -> dict:
    with desk.db.read() as s:
        cases = s.scalar(select(func.count()).select_from(Case))
        pending = s.scalar(select(func.count()).select_from(OutboxEntry))
    out = {"data_dir": str(desk.root), "town": desk.meta("town_code"), "town_name": desk.meta("town_name"),
            "workstation": desk.meta("workstation"), "device_id": desk.device_id, "cases": cases,
            "pending": pending, "server": desk.meta("sync.server"), "last_sync": desk.meta("sync.last_success"),
            "missing_calendar_years": desk.calendar().missing_years(
                desk.now().date(), desk.now().date().replace(year=desk.now().year + 1))}
    sync = summary(desk)
    out["sync"] = {k: sync[k] for k in ("enrolled", "last_attempt", "last_error", "conflicts", "cursor", "quarantined",
                                        "insecure")}
    return out
