"""Initialising a workstation store: the town, the workstation code, the built-in admin."""
from __future__ import annotations

import re
import secrets

from sqlalchemy import select

from app.desk import ADMIN_USERNAME, Desk
from app.domain.ids import new_id, stable_id
from app.domain.passwords import check_password
from app.errors import ValidationError
from app.reference.records import load_reference
from app.reference.users import hash_password
from app.store.audit import audit
from app.store.models import Town, User

CODE_RE = re.compile(r"^[A-Z0-9]{1,8}$")


def init_store(desk: Desk, town: str, name: str, workstation: str, reference: dict | None = None,
               admin_password: str | None = None) -> dict:
    """Bind this store to one town and workstation; load the taxonomy and the town's reference data
    (``reference``: the parsed town file, e.g. the demo town; None loads the taxonomy only)."""
    town = (town or "").strip().upper()
    workstation = (workstation or "").strip().upper()
    if not CODE_RE.match(town):
        raise ValidationError("镇街代码应为 1-8 位大写字母或数字", field="town")
    if not re.match(r"^[A-Z0-9]{1,6}$", workstation):
        raise ValidationError("工作站代码应为 1-6 位大写字母或数字", field="workstation")
    if not (name or "").strip():
        raise ValidationError("请填写镇街名称", field="name")
    if admin_password is not None:
        check_password(admin_password, ADMIN_USERNAME, field="admin_password")
    existing = desk.meta("town_code")
    if existing and existing != town:
        raise ValidationError(f"本机已初始化为镇街 {existing}，不能改为 {town}", field="town")
    now = desk.now()
    with desk.db.tx() as s:
        desk.set_meta(s, "town_code", town)
        desk.set_meta(s, "town_name", name.strip())
        desk.set_meta(s, "workstation", workstation)
        if not desk.meta("device_id"):
            desk.set_meta(s, "device_id", new_id())
        counts = load_reference(s, now, reference)
        town_row = s.get(Town, stable_id("town", town)) or Town(id=stable_id("town", town), code=town)
        town_row.name, town_row.updated_at = name.strip(), now
        s.add(town_row)
        if s.scalar(select(User).where(User.code == ADMIN_USERNAME)) is None:
            s.add(User(id=stable_id("user", ADMIN_USERNAME), code=ADMIN_USERNAME, name="管理员", role="admin",
                       password_hash=hash_password(admin_password or secrets.token_urlsafe(12)), updated_at=now))
        audit(s, desk, ADMIN_USERNAME, "store.init", town, {"workstation": workstation})
    desk.invalidate()
    return {"town": town, "name": name.strip(), "workstation": workstation, "device_id": desk.device_id,
            "reference": counts}
