"""Login on a workstation enrolled with a district: online with the server, offline only for
users who logged in here before (docs/SYNC.md "Signed actions").

Online: the server checks the password against its directory and registers this workstation's
key for the user (made here at the first login; the same key again later, re-sealed when the
password changed). The reply's role, unit and active flag are written to the local user row (so
a demotion made elsewhere is in force here from this login on), and the password's scrypt
verifier with it. Offline (the server unreachable): the user must have a key here and the password
must unseal it; the local lockout applies. A refused password online is refused, never retried
offline. On a store not enrolled, login is app.reference.users.login, as it always was.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from app.desk import Actor
from app.errors import AppError, AuthError
from app.reference import users
from app.store import userkeys
from app.store.audit import audit
from app.store.models import User
from app.sync import protocol as P
from app.sync import state as st
from app.sync.pull import pull_all
from app.sync.transport import SyncError, Transport

log = logging.getLogger("towndesk.sync")
UNREACHABLE = ("offline", "timeout", "tls", "server_error", "insecure")
# the server cannot judge the password now (this workstation's token revoked or refused, another
# protocol, rate-limited): as offline, the local lockout applies; work waits in the outbox
OFFLINE_STATUS = (401, 426, 429)


def enrolled(desk) -> bool:
    return bool(desk.meta("sync.token"))


def sign_in(desk, username: str, password: str, transport: Transport | None = None) -> Actor:
    """The logged-in actor, holding its unsealed signing key on an enrolled store."""
    if not enrolled(desk):
        return users.login(desk, username, password)
    username = (username or "").strip()
    if not username or not password:
        raise AuthError("用户名或密码错误", field="password")
    with desk.db.read() as s:
        row = userkeys.key_row(s, username)
        sealed = row.sealed if row is not None else None
    key = userkeys.unseal(sealed, username, password) if sealed else None
    if transport is None:
        settings = st.settings(desk)
        settings.attempts = 1
        transport = Transport(settings)
    signer = key or userkeys.Signer.new()
    try:
        reply = transport.json("POST", P.API + "/login", P.LoginReply, json_body=P.LoginRequest(
            username=username, password=password, public_key=signer.public_b64).model_dump())
    except SyncError as e:
        if e.code in UNREACHABLE or e.status in OFFLINE_STATUS or e.status is None:
            return _offline(desk, username, password, key, sealed is not None)
        if e.code == "login_refused":
            _note_refused(desk, username)
            raise AuthError("用户名或密码错误（区级服务器核对）", field="password") from None
        raise AuthError(e.message, field="password", code=e.code) from None
    return _online(desk, reply, password, signer, transport)


def _online(desk, reply: P.LoginReply, password: str, signer: userkeys.Signer, transport: Transport) -> Actor:
    with desk.db.read() as s:
        here = s.scalar(select(User.id).where(User.code == reply.username)) is not None
    if not here:  # added on the server since this workstation's last sync: pull its record now
        try:
            with st.round_lock(desk.root):
                pull_all(desk, transport)
        except AppError as e:
            log.warning("login of a user not pulled yet; the pull failed: %s", e.message)
    with desk.db.tx() as s:
        user = s.scalar(select(User).where(User.code == reply.username))
        if user is None:
            raise AuthError(f"用户「{reply.username}」的资料尚未同步到本工作站，请稍后再试", field="username")
        user.role, user.unit_code, user.active = reply.role, reply.unit, reply.active
        user.password_hash = users.hash_password(password)  # this workstation's verifier for offline login
        user.failed_logins, user.locked_until = 0, None
        userkeys.keep(s, reply.username, desk.device_id, signer, password, desk.now())
        audit(s, desk, reply.username, "user.login", reply.username, {"online": True})
        return Actor(user.code, user.name, user.role, user.unit_code, key=signer)


def _offline(desk, username: str, password: str, key, has_key: bool) -> Actor:
    if not has_key:
        raise AuthError(f"无法连接区级服务器，用户「{username}」未在本工作站联网登录过，不能离线登录；"
                        "请联网后登录", field="username", code="offline_login_unavailable")
    actor = users.login(desk, username, password)  # the lockout, the active flag, the audit entry
    if key is None:  # the local verifier matched but the key did not open: the table was edited
        raise AuthError("用户名或密码错误", field="password")
    log.info("offline login of %s", username)
    return Actor(actor.username, actor.name, actor.role, actor.unit, key=key)


def _note_refused(desk, username: str) -> None:
    with desk.db.tx() as s:
        audit(s, desk, username, "user.login_failed", username, {"online": True})
