"""Who may use a centre relay: only workstations the district enrolled in the same town.

A peer signs every request to a relay with its device key (the Ed25519 key made at enrolment,
whose public half the district holds): over ``towndesk-lan-v1``, its device id, the method, the
path with its sorted query, the time and the body's sha256. The relay checks the signature with
the public key in its copy of the town's device list (``town_devices``, the district's ``device``
records, which every workstation pulls), refuses a revoked or unknown device and a time more than
a day away from its own clock. No district token ever goes to a relay. docs/SECURITY.md has the
threat model.
"""
from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from app.lan.base import RelayError
from app.store.models import TownDevice

H_PEER = "X-Towndesk-Peer"
H_TIME = "X-Towndesk-Peer-Time"
H_SIG = "X-Towndesk-Peer-Signature"
MAX_SKEW = 24 * 3600  # seconds: the centre's clocks may drift while the district is down


def target(path: str, params: dict | None) -> str:
    """The path and its query as both sides write it (sorted, URL-encoded)."""
    query = urlencode(sorted((str(k), str(v)) for k, v in (params or {}).items()))
    return path + ("?" + query if query else "")


def signed_text(device_id: str, method: str, where: str, at: str, body: bytes) -> bytes:
    return "\n".join(("towndesk-lan-v1", device_id, method.upper(), where, at,
                      hashlib.sha256(body or b"").hexdigest())).encode()


class PeerSigner:
    """Headers for one request of a peer (given to the transport)."""

    def __init__(self, device_id: str, private_key_b64: str):
        self.device_id = device_id
        self.key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))

    def __call__(self, method: str, path: str, params: dict | None, body: bytes | None) -> dict:
        at = str(int(time.time()))
        sig = self.key.sign(signed_text(self.device_id, method, target(path, params), at, body or b""))
        return {H_PEER: self.device_id, H_TIME: at, H_SIG: base64.b64encode(sig).decode()}


def check_peer(desk, headers, method: str, path: str, query: dict, body: bytes) -> str:
    """The calling device id, when its signature verifies against the town's device list."""
    device_id, at, sig = headers.get(H_PEER), headers.get(H_TIME), headers.get(H_SIG)
    if not device_id or not at or not sig:
        raise RelayError(401, "peer_unsigned", "请求未签名：只有本镇街已注册的工作站可以使用本中继（towndesk sync --peer）")
    with desk.db.read() as s:
        dev = s.scalar(select(TownDevice).where(TownDevice.id == device_id[:36]))
    if dev is None or dev.deleted or not dev.public_key:
        raise RelayError(403, "peer_unknown", "该工作站不在本镇街已注册的工作站名单中（名单随区级同步而来），不能使用本中继")
    if dev.revoked:
        raise RelayError(403, "peer_revoked", "该工作站的授权已被区级吊销，不能使用本中继")
    try:
        skew = abs(time.time() - int(at))
    except ValueError:
        skew = MAX_SKEW + 1
    if skew > MAX_SKEW:
        raise RelayError(403, "peer_clock", "请求时间与中继时钟相差超过一天，请检查本机时钟")
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(dev.public_key)).verify(
            base64.b64decode(sig, validate=True), signed_text(device_id, method, target(path, query), at, body))
    except (InvalidSignature, ValueError, TypeError):
        raise RelayError(403, "bad_signature", "请求签名无效（内容或请求头被改动），已拒绝") from None
    return device_id
