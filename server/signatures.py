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
import os
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import select

from app.domain.signing import LABEL
from app.errors import PermissionDenied
from app.sync import protocol as P
from server import audit, directory
from server.models import Device, UserKey

try:  # libsodium: about twice as fast as OpenSSL's Ed25519 here, and it releases the GIL (cffi)
    from nacl.bindings import crypto_sign_open as _sodium_open
    from nacl.exceptions import BadSignatureError as _SodiumBad
except ImportError:  # pragma: no cover — the server extra installs PyNaCl; pyca/cryptography then
    _sodium_open = None

# Worker threads that verify a push's signatures ahead (libsodium releases the GIL). Default 0: in
# the request's thread. On this shared 2-CPU machine the threads gained nothing and sometimes stalled
# a push (docs/PERFORMANCE.md); a server with idle cores may set it to 2.
THREADS = int(os.environ.get("TOWNDESK_VERIFY_THREADS", "0"))
CHUNK = 64  # entries per background verification task
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="towndesk-verify")
    return _pool


def load_key(public_key: str):
    """The verifying key for a base64 Ed25519 public key, or None when it is not one."""
    try:
        raw = base64.b64decode(public_key, validate=True)
    except (ValueError, TypeError):
        return None
    if len(raw) != 32:
        return None
    if _sodium_open is not None:
        return raw
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None


def verify(key, signature: str, text: bytes) -> bool:
    """True when ``signature`` (base64) is the signature of ``text`` under ``key`` (from load_key)."""
    if key is None:
        return False
    try:
        sig = base64.b64decode(signature, validate=True)
    except (ValueError, TypeError):
        return False
    if len(sig) != 64:
        return False
    if _sodium_open is not None:
        try:
            _sodium_open(sig + text, key)
            return True
        except _SodiumBad:
            return False
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(sig, text)
        return True
    except InvalidSignature:
        return False


def _verify_chunk(work: list[tuple[object, str, bytes]]) -> list[bool]:
    return [verify(key, sig, text) for key, sig, text in work]


class Keys:
    """The town's device keys and the batch's user keys, read once per push batch; each public key
    decoded once; with ``prepare``, the batch's action signatures verified ahead in worker threads
    while the request's thread reads the database and judges the entries."""

    def __init__(self, session, town: str):
        self.s, self.town = session, town
        self._devices: dict[str, tuple[str | None, datetime]] | None = None
        self._users: dict[tuple[str, str], str] = {}
        self._users_loaded: set[str] = set()
        self._loaded: dict[str, object] = {}  # public key (base64) -> verifying key or None
        self._ahead: dict[int, tuple[P.PushEntry, Future, int, bytes]] = {}  # id(entry) -> (entry, chunk, i, text)
        self._texts: dict[int, tuple[P.PushEntry, str]] = {}  # id(entry) -> (entry, canonical payload)

    def device(self, device_id: str) -> tuple[str | None, datetime] | None:
        if self._devices is None:
            self._devices = {d.id: (d.public_key, datetime.fromisoformat(d.enrolled_at)) for d in self.s.scalars(
                select(Device).where(Device.town == self.town))}
        return self._devices.get(device_id)

    def user_key_device(self, username: str, public_key: str) -> str | None:
        if username not in self._users_loaded:
            self._load_users([username])
        return self._users.get((username, public_key))

    def _load_users(self, names: list[str]) -> None:
        names = [n for n in dict.fromkeys(names) if n not in self._users_loaded]
        for start in range(0, len(names), 500):
            part = names[start:start + 500]
            for k in self.s.scalars(select(UserKey).where(UserKey.town == self.town, UserKey.username.in_(part))):
                self._users[(k.username, k.public_key)] = k.device_id
            self._users_loaded.update(part)

    def key(self, public_key: str):
        if public_key not in self._loaded:
            self._loaded[public_key] = load_key(public_key)
        return self._loaded[public_key]

    def prepare(self, entries: list[P.PushEntry]) -> None:
        """The batch's actors' registered keys in one query; every signed action's signature
        handed to the worker threads (checked again in the request's thread if its text differs)."""
        actions = [e for e in entries if e.entity == "action" and e.actor_key and e.actor_sig]
        self._load_users([str(e.payload.get("actor")) for e in actions])
        if THREADS <= 0 or len(actions) < 2:
            return
        pool = _executor()
        for start in range(0, len(actions), CHUNK):
            part = actions[start:start + CHUNK]
            try:
                texts = [P.canonical(e.payload) for e in part]
            except Exception:  # noqa: BLE001 — a payload that cannot be spelled is judged in the request's thread
                continue
            work = [(self.key(e.actor_key), e.actor_sig, (LABEL + t).encode()) for e, t in zip(part, texts, strict=True)]
            fut = pool.submit(_verify_chunk, work)
            for i, (e, t, w) in enumerate(zip(part, texts, work, strict=True)):
                self._ahead[id(e)] = (e, fut, i, w[2])
                self._texts[id(e)] = (e, t)

    def canonical(self, e: P.PushEntry) -> str:
        """The entry's canonical payload: spelled once per push, for the verification ahead and for
        the request's thread (a push's entries are not changed while it is judged)."""
        got = self._texts.pop(id(e), None)
        return got[1] if got is not None and got[0] is e else P.canonical(e.payload)

    def verifies(self, e: P.PushEntry, signed: bytes) -> bool:
        ahead = self._ahead.pop(id(e), None)
        if ahead is not None and ahead[0] is e and ahead[3] == signed and not ahead[1].cancel():
            # (a chunk no worker has started yet is cancelled and checked here instead of waited for)
            try:
                return ahead[1].result()[ahead[2]]
            except Exception:  # noqa: BLE001 — checked here instead
                pass
        return verify(self.key(e.actor_key), e.actor_sig, signed)


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
    if not keys.verifies(e, signed):
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
