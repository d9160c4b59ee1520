"""The acting user of a script (``--as``), read with plain SQL: every command asks for it, and a
read command (``towndesk case list``) must not have to load the ORM for it (issue 19)."""
from __future__ import annotations

from app.desk import ADMIN_USERNAME, Actor, Desk
from app.errors import AuthError, NotFound


def get_actor(desk: Desk, username: str | None) -> Actor:
    """The acting user for scripts (``--as``); defaults to the built-in administrator."""
    with desk.db.connection() as conn:
        found = conn.execute("SELECT code, name, role, unit_code, active FROM users WHERE code = ? AND deleted IS 0",
                             (username or ADMIN_USERNAME,)).fetchall()
    if not found:
        raise NotFound(f"用户「{username}」不存在", field="as")
    code, name, role, unit, active = found[0]
    if not active:
        raise AuthError(f"用户「{username}」已停用", field="as")
    return Actor(code, name, role, unit)
