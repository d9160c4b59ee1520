"""Device tokens, one-time enrollment codes and the version check every request passes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import Header, Request
from sqlalchemy import select

from app.sync import protocol as P
from server.db import now_iso
from server.models import Device, EnrollCode

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I
CODE_TTL = timedelta(hours=24)  # an unused code expires after a day


class ApiError(Exception):
    """An error reply: HTTP status plus a Chinese message (rendered as {"error": {...}})."""

    def __init__(self, status: int, code: str, message: str, extra: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra or {}


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def code_hash(code: str) -> str:
    return sha(code.strip().upper().replace("-", "").replace(" ", ""))


def issue_code(session, town: str, unit: str | None = None) -> str:
    code = new_code()
    now = datetime.now(UTC)
    session.add(EnrollCode(code_hash=code_hash(code), town=town, created_at=now.isoformat(),
                           expires_at=(now + CODE_TTL).isoformat(), unit=unit))
    return code


def take_code(session, code: str) -> EnrollCode:
    """The unused, unexpired code row, locked; raises ApiError otherwise (a code works once)."""
    stmt = select(EnrollCode).where(EnrollCode.code_hash == code_hash(code))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        raise ApiError(403, "enroll_code_invalid", "注册码无效，请向区级管理员索取新的注册码")
    if row.used_at:
        raise ApiError(403, "enroll_code_used", "该注册码已使用过（注册码只能使用一次），请索取新的注册码")
    if datetime.fromisoformat(row.expires_at) < datetime.now(UTC):
        raise ApiError(403, "enroll_code_expired", "注册码已过期，请索取新的注册码")
    row.used_at = now_iso()
    return row


def check_version(protocol: int | None, schema: int | None) -> None:
    if protocol is None or schema is None:
        raise ApiError(426, "version_missing",
                       f"请求缺少同步协议版本（{P.H_PROTOCOL}/{P.H_SCHEMA}），请使用指挥台客户端同步")
    if not P.MIN_PROTOCOL <= protocol <= P.PROTOCOL_VERSION:
        hint = "请升级指挥台客户端" if protocol < P.MIN_PROTOCOL else "请升级区级同步服务器"
        raise ApiError(426, "protocol_unsupported",
                       f"同步协议版本 {protocol} 不受支持（服务器支持 {P.MIN_PROTOCOL}–{P.PROTOCOL_VERSION}），{hint}",
                       {"protocol_min": P.MIN_PROTOCOL, "protocol_max": P.PROTOCOL_VERSION})
    if not P.MIN_SCHEMA <= schema <= P.SCHEMA_VERSION:
        raise ApiError(426, "schema_unsupported",
                       f"数据格式版本 {schema} 不受支持（服务器支持 {P.MIN_SCHEMA}–{P.SCHEMA_VERSION}），请升级",
                       {"schema_min": P.MIN_SCHEMA, "schema_max": P.SCHEMA_VERSION})


def versions(x_towndesk_protocol: int | None = Header(None, ge=0, le=1000),
             x_towndesk_schema: int | None = Header(None, ge=0, le=1000)) -> None:
    """FastAPI dependency: every /api/v1 call except health states its versions."""
    check_version(x_towndesk_protocol, x_towndesk_schema)


@dataclass(frozen=True)
class Caller:
    device_id: str
    town: str
    workstation: str
    db_id: str
    unit: str | None = None  # a unit workstation (server/scope.py)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def check_rate(request: Request) -> None:
    """429 while this address is over the limit of failed enrolments / bad tokens."""
    wait = request.app.state.limiter.retry_after(client_address(request))
    if wait is not None:
        raise ApiError(429, "rate_limited", f"失败次数过多，请 {wait} 秒后再试", {"retry_after": wait})


def note_failure(request: Request, town: str | None = None, what: str = "token") -> None:
    """Count a failed enrolment or a bad token; the one that reaches the limit is audited
    (``app.state.on_limit``, set by server.app)."""
    who = client_address(request)
    if request.app.state.limiter.fail(who):
        request.app.state.on_limit(town, who, what)


def authenticate(request: Request, authorization: str | None = Header(None, max_length=300),
                 x_towndesk_device: str | None = Header(None, max_length=36),
                 x_towndesk_db: str | None = Header(None, max_length=36)) -> Caller:
    """FastAPI dependency: the device behind the bearer token, bound to its device id and db id.
    Bad tokens count against the caller's address (429 past the limit)."""
    check_rate(request)
    if not authorization or not authorization.startswith("Bearer "):
        raise ApiError(401, "auth_missing", "缺少同步授权，请先注册本工作站（towndesk enroll）")
    token = authorization.removeprefix("Bearer ").strip()
    with request.app.state.db.read() as s:
        dev = s.scalar(select(Device).where(Device.token_hash == sha(token)))
    if dev is None:
        note_failure(request)
        raise ApiError(401, "auth_invalid", "同步授权无效，请联系区级管理员重新注册本工作站")
    if dev.revoked_at:
        note_failure(request, dev.town)
        raise ApiError(401, "auth_revoked", "本工作站的同步授权已被吊销，请联系区级管理员重新注册")
    if not (hmac.compare_digest(x_towndesk_device or "", dev.id)
            and hmac.compare_digest(x_towndesk_db or "", dev.db_id)):
        note_failure(request, dev.town)
        raise ApiError(403, "device_mismatch", "设备或数据库标识与授权不符，不能使用该授权同步")
    request.state.caller = Caller(dev.id, dev.town, dev.workstation, dev.db_id, dev.unit or None)
    return request.state.caller


def check_signature(dev: Device, signature: str | None, chain: str | None, chain_next: str | None,
                    body: bytes) -> None:
    """A device enrolled with a key signs every push over its chain headers and its body's hash;
    a captured request replayed with another body (or other headers) does not verify."""
    if not dev.public_key:
        return  # enrolled before signed pushes: re-enrolling gives it a key
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(dev.public_key))
        key.verify(base64.b64decode(signature or "", validate=True),
                   P.push_signed_text(dev.id, chain, chain_next, body))
    except (InvalidSignature, ValueError, TypeError):
        raise ApiError(403, "bad_signature", "上传内容的签名无效（内容或请求头被改动），已拒绝") from None


def check_chain(dev: Device, chain: str | None, chain_next: str | None) -> None:
    """Rotate the rolling secret: the store must present the current one (or the one it proposed
    last time, if the reply to that push was lost). A restored copy holds an older secret."""
    if chain and hmac.compare_digest(sha(chain), dev.chain_hash):
        if chain_next:
            dev.chain_hash = sha(chain_next)
        return
    if chain_next and hmac.compare_digest(sha(chain_next), dev.chain_hash):
        return
    raise ApiError(403, "stale_copy", "本机数据库不是该工作站的当前数据库（可能是从备份恢复或复制的副本），"
                                      "不能以原工作站身份上传；请联系区级管理员重新注册")
