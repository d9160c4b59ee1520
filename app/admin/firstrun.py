"""The first-run set-up the window's wizard drives: bind the store to a town (taxonomy and the
first administrator), then import the town workbook or start empty. Two user actions, two
services: ``set_up`` (app.admin.setup.init_store with the administrator's own password and name)
and the workbook import (app.reference.golive)."""
from __future__ import annotations

from sqlalchemy import select

from app.admin.setup import init_store
from app.desk import ADMIN_USERNAME, Desk
from app.domain.validation import check_length
from app.errors import ValidationError
from app.reference.users import actor_of
from app.store.audit import audit
from app.store.models import User
from app.store.outbox import enqueue_record


def needs_set_up(desk: Desk) -> bool:
    return not desk.meta("town_code")


def set_up(desk: Desk, town: str, name: str, workstation: str, admin_password: str,
           admin_name: str = "") -> dict:
    """``init`` with the first administrator's password (and display name); returns the init
    report and the administrator as ``actor`` fields."""
    check_length(admin_password or "", "admin_password", "管理员密码", 128, 8)
    if admin_name:
        check_length(admin_name, "admin_name", "管理员姓名", 50)
    out = init_store(desk, town, name, workstation, admin_password=admin_password)
    with desk.db.tx() as s:
        admin = s.scalar(select(User).where(User.code == ADMIN_USERNAME))
        if admin is None:  # pragma: no cover - init_store makes it
            raise ValidationError("管理员账号创建失败", field="admin")
        if admin_name and admin.name != admin_name.strip():
            admin.name = admin_name.strip()
            admin.updated_at = desk.now()
            enqueue_record(s, desk, "user", admin)
        audit(s, desk, ADMIN_USERNAME, "store.first_run", out["town"], {"workstation": out["workstation"]})
        actor = actor_of(admin)
    return {**out, "admin": {"username": actor.username, "name": actor.name, "role": actor.role}}
