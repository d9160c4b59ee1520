"""Users' signing keys on this workstation and the signatures of the actions they write.

A key is an Ed25519 pair made at the user's first online login here; the district registers its
public half for this user and device. The private half is kept sealed under the user's password:
scrypt (n=2^14, r=8, p=1) derives a 256-bit key from the password and a random salt, AES-256-GCM
seals the 32 private bytes (the username is authenticated with them). Without the password the
key cannot be used, and a hand-edited password hash in ``users`` does not open it.

An action is signed when it is written (``sign_action``, in the action's transaction): the push
may come much later, when the user is no longer logged in.
"""
from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, tzinfo

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.domain.signing import action_signed_text
from app.domain.timezone import LOCAL_TZ
from app.store.models import ActionSignature, UserKey
from app.store.types import dumps

_SALT, _NONCE = 16, 12


class Signer:
    """An unsealed private key (kept in memory while its user is logged in)."""

    def __init__(self, private: Ed25519PrivateKey):
        self._key = private
        raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_b64 = base64.b64encode(raw).decode()

    @classmethod
    def new(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_b64(cls, private_b64: str) -> Signer:
        return cls(Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_b64)))

    def sign(self, text: bytes) -> str:
        return base64.b64encode(self._key.sign(text)).decode()

    def private_bytes(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        return self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def __repr__(self) -> str:  # never the key itself
        return f"Signer({self.public_b64[:8]}…)"


def _kek(password: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(password.encode())


def seal(signer: Signer, username: str, password: str) -> str:
    salt, nonce = os.urandom(_SALT), os.urandom(_NONCE)
    box = AESGCM(_kek(password, salt)).encrypt(nonce, signer.private_bytes(), username.encode())
    return base64.b64encode(salt + nonce + box).decode()


def unseal(sealed: str, username: str, password: str) -> Signer | None:
    """The key, or None when the password does not open it."""
    try:
        raw = base64.b64decode(sealed)
        salt, nonce, box = raw[:_SALT], raw[_SALT:_SALT + _NONCE], raw[_SALT + _NONCE:]
        private = AESGCM(_kek(password, salt)).decrypt(nonce, box, username.encode())
        return Signer(Ed25519PrivateKey.from_private_bytes(private))
    except (InvalidTag, ValueError, TypeError):
        return None


def key_row(session, username: str) -> UserKey | None:
    return session.get(UserKey, username)


def keep(session, username: str, device_id: str, signer: Signer, password: str, now) -> None:
    """Store (or re-seal, after a password change) the user's key on this workstation."""
    row = session.get(UserKey, username)
    if row is None:
        row = UserKey(username=username)
        session.add(row)
    row.device_id, row.public_key, row.created_at = device_id, signer.public_b64, now
    row.sealed = seal(signer, username, password)


def sign_action(session, signer: Signer, action_id: str, payload: dict) -> None:
    """The actor's signature over the action exactly as it will be pushed (the outbox's JSON)."""
    text = action_signed_text(json.loads(dumps(payload)))
    session.merge(ActionSignature(action_id=action_id, public_key=signer.public_b64, signature=signer.sign(text)))


def as_signed(session, payload: dict, zones: tuple[tzinfo | None, ...] = ()) -> dict:
    """The action's dict (rebuilt from its row) with its time spelled as its actor signed it.
    The store keeps the instant in UTC, not the offset it was written with (a clock or a given
    time in China time spells +08:00), so an accepted action queued again (sync repair) would no
    longer match its signature: the time's spellings in UTC, in LOCAL_TZ and in ``zones`` are tried
    against the stored signature. Unchanged when none matches or there is no signature here (the
    district then refuses that action on its own, listed as a conflict)."""
    row = session.get(ActionSignature, payload.get("id"))
    if row is None:
        return payload
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(row.public_key))
        signature = base64.b64decode(row.signature)
        at = datetime.fromisoformat(str(payload["at"]))
    except (ValueError, KeyError, TypeError):
        return payload
    for tz in (None, UTC, LOCAL_TZ, *zones):
        spelled = payload if tz is None else payload | {"at": at.astimezone(tz).isoformat()}
        try:
            key.verify(signature, action_signed_text(json.loads(dumps(spelled))))
            return spelled
        except InvalidSignature:
            continue
    return payload
