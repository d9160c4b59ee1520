"""Users, passwords (scrypt) and login with lockout."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import timedelta

from sqlalchemy import select

from app.desk import Actor, Desk
from app.domain import workflow as wf
from app.domain.ids import stable_id
from app.domain.passwords import check_password
from app.domain.validation import check_length, require
from app.errors import AuthError, NotFound, PermissionDenied, ValidationError
from app.reference.actors import get_actor  # noqa: F401 — users.get_actor, kept where callers look for it
from app.store.audit import audit
from app.store.models import Unit, User
from app.store.outbox import enqueue_record

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)))
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


def actor_of(user: User) -> Actor:
    return Actor(user.code, user.name, user.role, user.unit_code)


def login(desk: Desk, username: str, password: str) -> Actor:
    """Check a password. Five failures in a row lock the account for 15 minutes."""
    now = desk.now()
    with desk.db.tx() as s:
        user = s.scalar(select(User).where(User.code == username.strip(), User.deleted.is_(False)))
        if user is None or not user.active:
            raise AuthError("用户名或密码错误", field="password")
        if user.locked_until and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise AuthError(f"账号已锁定，请 {minutes} 分钟后再试", field="username")
        if not verify_password(password, user.password_hash):
            user.failed_logins += 1
            if user.failed_logins >= desk.setting("lockout_attempts"):
                user.locked_until = now + timedelta(minutes=desk.setting("lockout_minutes"))
                user.failed_logins = 0
                audit(s, desk, user.code, "user.locked", user.code)
            audit(s, desk, user.code, "user.login_failed", user.code)
            failed = AuthError("用户名或密码错误", field="password")
        else:
            user.failed_logins = 0
            user.locked_until = None
            audit(s, desk, user.code, "user.login", user.code)
            return actor_of(user)
    raise failed


def add_user(desk: Desk, actor: Actor, username: str, role: str, password: str,
             name: str | None = None, unit: str | None = None) -> dict:
    """Create a user (administrators only)."""
    if actor.role != wf.ADMIN:
        raise PermissionDenied("只有管理员可以添加用户", field="as")
    username = require(username, "username", "用户名")
    check_length(username, "username", "用户名", 32, 2)
    if role not in wf.USER_ROLES:
        raise ValidationError("角色应为：" + "、".join(f"{r}（{wf.ROLE_LABELS[r]}）" for r in wf.USER_ROLES), field="role")
    check_password(password, username)
    with desk.db.tx() as s:
        if s.scalar(select(User).where(User.code == username)):
            raise ValidationError(f"用户名「{username}」已存在", field="username")
        if role == wf.UNIT:
            if not unit or not s.scalar(select(Unit).where(Unit.code == unit, Unit.deleted.is_(False))):
                raise ValidationError("承办单位用户必须指定存在的单位（--unit）", field="unit")
        user = User(id=stable_id("user", username), code=username, name=name or username, role=role,
                    unit_code=unit if role == wf.UNIT else None, password_hash=hash_password(password),
                    updated_at=desk.now())
        s.add(user)
        audit(s, desk, actor.username, "user.add", username, {"role": role, "unit": unit})
        enqueue_record(s, desk, "user", user)
    return {"username": username, "name": user.name, "role": role, "unit": user.unit_code}


def set_user(desk: Desk, actor: Actor, username: str, role: str | None = None, unit: str | None = None,
             active: bool | None = None) -> dict:
    """Change a user's role, unit or active flag on a store not enrolled with a district
    (an enrolled store changes users through the district's directory: app.sync.directory)."""
    if actor.role != wf.ADMIN:
        raise PermissionDenied("只有管理员可以修改用户", field="as")
    if role is not None and role not in wf.USER_ROLES:
        raise ValidationError("角色应为：" + "、".join(f"{r}（{wf.ROLE_LABELS[r]}）" for r in wf.USER_ROLES), field="role")
    with desk.db.tx() as s:
        user = s.scalar(select(User).where(User.code == username, User.deleted.is_(False)))
        if user is None:
            raise NotFound(f"用户「{username}」不存在", field="username")
        new_role = role or user.role
        new_unit = unit if unit is not None else user.unit_code
        if new_role == wf.UNIT:
            if not new_unit or not s.scalar(select(Unit).where(Unit.code == new_unit, Unit.deleted.is_(False))):
                raise ValidationError("承办单位用户必须指定存在的单位（--unit）", field="unit")
        else:
            new_unit = None
        user.role, user.unit_code = new_role, new_unit
        if active is not None:
            user.active = active
        user.updated_at = desk.now()
        audit(s, desk, actor.username, "user.set", username, {"role": new_role, "unit": new_unit, "active": user.active})
        enqueue_record(s, desk, "user", user)
        return {"username": username, "name": user.name, "role": new_role, "unit": new_unit, "active": user.active}


def set_password(desk: Desk, actor: Actor, username: str, password: str) -> None:
    if actor.role != wf.ADMIN and actor.username != username:
        raise PermissionDenied("只能修改自己的密码", field="username")
    check_password(password, username)
    with desk.db.tx() as s:
        user = s.scalar(select(User).where(User.code == username))
        if user is None:
            raise NotFound(f"用户「{username}」不存在", field="username")
        user.password_hash = hash_password(password)
        user.updated_at = desk.now()
        audit(s, desk, actor.username, "user.passwd", username)
        enqueue_record(s, desk, "user", user)


def set_locked(desk: Desk, actor: Actor, username: str, locked: bool) -> None:
    if actor.role != wf.ADMIN:
        raise PermissionDenied("只有管理员可以停用用户", field="as")
    with desk.db.tx() as s:
        user = s.scalar(select(User).where(User.code == username))
        if user is None:
            raise NotFound(f"用户「{username}」不存在", field="username")
        user.active = not locked
        user.updated_at = desk.now()
        audit(s, desk, actor.username, "user.lock" if locked else "user.unlock", username)
        enqueue_record(s, desk, "user", user)
