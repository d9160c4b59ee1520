"""Every pushed action carries a signature by its actor (docs/SYNC.md "Signed actions").

A user's action must be signed with a key the district registered for that user on the action's
own device (``device_id`` in the action, inside what is signed) at an online login there, where the
server checked the user's password. The workstation's own automatic work (the system actors of
server/directory.py) is signed by the device's enrolment key. An action dated before its device's
enrolment (work done offline before the store joined the district, when no user could have a
key) may also be signed by the device key; each push batch with such actions leaves one ``vouched`` audit row (count, first and last
time). Anything else is refused per item and audited as ``forgery``. The key is looked up by the action's device, not the pushing one, so an entry relayed
unchanged by another machine still verifies.
"""
from __future__ import annotations

import base64
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from app.domain.signing import LABEL
from app.errors import PermissionDenied
from app.sync import protocol as P
from server import audit, directory
from server.models import Device, UserKey


class Keys:
    """The town's device keys and user keys, read once per push batch."""

    def __init__(self, session, town: str):
        self.s, self.town = session, town
        self._devices: dict[str, tuple[str | None, datetime]] | None = None
        self._users: dict[tuple[str, str], str] | None = None

    def device(self, device_id: str) -> tuple[str | None, datetime] | None:
        if self._devices is None:
            self._devices = {d.id: (d.public_key, datetime.fromisoformat(d.enrolled_at)) for d in self.s.scalars(
                select(Device).where(Device.town == self.town))}
        return self._devices.get(device_id)

    def user_key_device(self, username: str, public_key: str) -> str | None:
        if self._users is None:
            self._users = {(k.username, k.public_key): k.device_id for k in self.s.scalars(
                select(UserKey).where(UserKey.town == self.town))}
        return self._users.get((username, public_key))


def _verifies(public_key: str, signature: str, text: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True)).verify(
            base64.b64decode(signature, validate=True), text)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def check(b, e: P.PushEntry, a, text: str | None = None) -> bool:
    """Raise (and note a ``forgery`` audit row) unless the entry's signature is its actor's. True
    when a user's action was vouched for by its device (dated before the device's enrolment)."""
    reason = _problem(b.keys, e, a, text)
    if reason is None:
        return False
    if reason is VOUCHED:
        return True
    b.audits.append(audit.row(b.town.code, "forgery", device=b.caller.device_id, actor=a.actor, subject=a.id,
                              at=b.now_iso, detail={"kind": a.kind, "case_id": a.case_id, "reason": reason}))
    raise PermissionDenied(reason + "，操作未被接受", field="actor_sig", code="forgery")


VOUCHED = "vouched"


def vouched_audit(b, count: int, first: datetime, last: datetime) -> None:
    """One ``vouched`` audit row per push batch: users' actions the device signed for (work dated
    before its enrolment), for the district to see."""
    b.audits.append(audit.row(b.town.code, "vouched", device=b.caller.device_id, subject=str(count), at=b.now_iso,
                              detail={"actions": count, "first_at": first.isoformat(), "last_at": last.isoformat()}))


def _problem(keys: Keys, e: P.PushEntry, a, text: str | None) -> str | None:
    if not e.actor_key or not e.actor_sig:
        return "操作缺少操作人签名"
    signed = (LABEL + text).encode() if text is not None else P.action_signed_text(e.payload)
    if not _verifies(e.actor_key, e.actor_sig, signed):
        return "操作签名无效（内容被改动或签名伪造）"
    origin = keys.device(a.device_id or "")
    if origin is None:
        return "操作所属工作站未在本镇街注册"
    device_key, enrolled_at = origin
    if device_key and e.actor_key == device_key:  # signed by the workstation itself
        if (a.actor, a.actor_role) in directory.SYSTEM_ACTORS:
            return None
        if a.at <= enrolled_at:
            return VOUCHED
        return f"操作须由操作人「{a.actor}」本人签名（请在该工作站联网登录该用户后重新操作）"
    if (a.actor, a.actor_role) in directory.SYSTEM_ACTORS:
        return "系统自动操作须由工作站签名"
    if keys.user_key_device(a.actor, e.actor_key) != a.device_id:
        return f"签名密钥不是用户「{a.actor}」在该工作站登录时登记的密钥"
    return None
