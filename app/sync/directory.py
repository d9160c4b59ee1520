"""User changes on an enrolled workstation go to the district's directory, online only.

The district server is the authority on users, roles and units (server/directory.py): a town
administrator's change takes effect when the server accepts it, with the administrator's own
password checked there. Without the server nothing is written (需联网). The accepted change comes
back through the change log like any other; this workstation pulls it at once.
"""
from __future__ import annotations

import logging

from sqlalchemy import delete, update

from app.domain import workflow as wf
from app.domain.passwords import check_password
from app.errors import AppError, PermissionDenied, ValidationError
from app.reference import users
from app.store.models import User, UserKey
from app.sync import protocol as P
from app.sync import state as st
from app.sync.pull import pull_all
from app.sync.transport import SyncError, Transport

log = logging.getLogger("towndesk.sync")
OFFLINE = ("offline", "timeout", "tls", "server_error")


class OnlineRequired(AppError):
    code = "offline_required"
    english = "online only"


def change_user(desk, admin: str, admin_password: str, op: str, username: str, *, role: str | None = None,
                unit: str | None = None, active: bool | None = None, name: str | None = None,
                password: str | None = None, transport: Transport | None = None) -> dict:
    """Add (``op="add"``) or change a town user through the district server; returns the user as
    the district now has it."""
    if not admin_password:
        raise ValidationError("需要管理员密码（环境变量 TOWNDESK_PASSWORD 或输入）", field="password")
    try:
        req = P.UserChange(op=op, username=username, role=role, unit=unit, active=active, name=name,
                           password=password, admin=admin, admin_password=admin_password)
    except ValueError as e:
        raise ValidationError(f"用户信息格式不正确（{_where(e)}）", field=_where(e)) from None
    t = transport or Transport(st.settings(desk))
    try:
        reply = t.json("POST", P.API + "/users", P.UserReply, json_body=req.model_dump())
    except SyncError as e:
        if e.code in OFFLINE or e.code == "insecure":
            raise OnlineRequired(f"需联网：用户管理须连接区级服务器，当前无法连接（{e.message}），未作任何修改",
                                 field="server") from None
        raise ValidationError(e.message, field="username", code=e.code or "refused") from None
    if password is not None:  # this workstation's key and verifier were sealed under the old password
        forget_login(desk, username)
    try:
        with st.round_lock(desk.root):  # a round running meanwhile pulls it anyway
            pull_all(desk, t)  # the change is in force here at once (and everywhere after their next sync)
    except AppError as e:
        log.warning("user change accepted; pulling it here waits for the next round: %s", e.message)
    return reply.model_dump()


def enrolled(desk) -> bool:
    return bool(desk.meta("sync.token"))


def add_user(desk, actor, username: str, role: str, password: str, name: str | None = None,
             unit: str | None = None, admin_password: str | None = None) -> dict:
    """添加用户 (the window's users tab): the district's directory on an enrolled store (online,
    the administrator's password checked there), the local table otherwise."""
    if not enrolled(desk):
        return users.add_user(desk, actor, username, role, password, name, unit)
    if actor.role != wf.ADMIN:
        raise PermissionDenied("只有管理员可以添加用户", field="as")
    check_password(password, username)
    return change_user(desk, actor.username, admin_password or "", "add", username, role=role, unit=unit,
                       name=name, password=password)


def set_active(desk, actor, username: str, active: bool, admin_password: str | None = None) -> dict:
    """停用 / 启用 a user (the window's users tab), as ``add_user`` decides where."""
    if not enrolled(desk):
        users.set_locked(desk, actor, username, not active)
        return {"username": username, "active": active}
    if actor.role != wf.ADMIN:
        raise PermissionDenied("只有管理员可以停用用户", field="as")
    return change_user(desk, actor.username, admin_password or "", "set", username, active=active)


def forget_login(desk, username: str) -> None:
    """After a password change: the user's next login here must be online (the old password no
    longer opens anything on this workstation)."""
    with desk.db.tx() as s:
        s.execute(delete(UserKey).where(UserKey.username == username))
        s.execute(update(User).where(User.code == username).values(password_hash="!"))


def _where(e: ValueError) -> str:
    errors = getattr(e, "errors", lambda: [])()
    return ".".join(str(x) for x in errors[0]["loc"]) if errors else "?"
