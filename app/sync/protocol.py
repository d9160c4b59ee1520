"""Sync protocol messages shared by the workstation (app.sync) and the district server (server/).

Every request carries ``X-Towndesk-Protocol`` and ``X-Towndesk-Schema``; the server accepts a range
of protocol versions (N-1 keeps syncing) and answers 426 with a Chinese message outside it.
The models below are the wire format; docs/SYNC.md describes them message by message.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from app.domain import entities
from app.domain.signing import action_signed_text  # noqa: F401 — part of the wire contract

PROTOCOL_VERSION = 1          # what this build speaks
MIN_PROTOCOL = 1              # oldest client protocol the server still serves (N-1 rule)
SCHEMA_VERSION = 1            # shape of entity payloads (actions, records)
MIN_SCHEMA = 1
API = "/api/v1"

H_PROTOCOL = "X-Towndesk-Protocol"
H_SCHEMA = "X-Towndesk-Schema"
H_DEVICE = "X-Towndesk-Device"
H_DB = "X-Towndesk-Db"
H_CHAIN = "X-Towndesk-Chain"            # the store's current sync-chain secret (push only)
H_CHAIN_NEXT = "X-Towndesk-Chain-Next"  # the secret proposed for the next push
H_SIGNATURE = "X-Towndesk-Signature"    # the device's Ed25519 signature over a push (body included)

MAX_BATCH_ENTRIES = 500
MAX_BATCH_BYTES = 2 * 1024 * 1024
MAX_REQUEST_BYTES = 6 * 1024 * 1024     # server-side request size limit
MAX_ENTRY_BYTES = 256 * 1024            # one entry's payload as canonical JSON (UTF-8)
FUTURE_MINUTES = 10                     # an action dated later than receipt + this is refused
CHUNK_MIN, CHUNK_MAX = 1 << 20, 4 << 20  # attachment chunk sizes (1-4 MiB)
PAGE_DEFAULT, PAGE_MAX = 2000, 5000
GZIP_MIN_BYTES = 1024                   # smaller change pages are sent as they are (gzip only adds bytes)

# The synced entity types come from app.domain.entities (add a type there, not here).
RECORD_ENTITIES = entities.RECORD_NAMES
ENTITIES = entities.NAMES
EntityName = Literal[ENTITIES]              # "action" or a record type, as the wire spells it
RecordEntityName = Literal[RECORD_ENTITIES]
VOID = "void"                               # a change-log entry that voids an earlier change
SCOPE = "scope"                             # a unit workstation's case comes in / goes out (server/scope.py)
ChangeEntityName = Literal[(*ENTITIES, VOID, SCOPE)]
# Per-workstation columns that never travel (login counters are local to a machine).
LOCAL_FIELDS = entities.LOCAL_FIELDS

Id = Field(min_length=1, max_length=36, pattern=r"^[0-9A-Za-z-]{1,36}$")
Sha = Field(pattern=r"^[0-9a-f]{64}$")


class Msg(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ErrorBody(Msg):
    code: str
    message: str
    field: str | None = None


class ErrorReply(Msg):
    error: ErrorBody


class Health(Msg):
    ok: bool
    server: str = "towndesk-server"
    protocol_min: int
    protocol_max: int
    schema_min: int
    schema_max: int


# -- enrollment -----------------------------------------------------------------------------
class EnrollRequest(Msg):
    code: str = Field(min_length=4, max_length=32)
    device_id: str = Id
    db_id: str = Id
    chain: str = Field(min_length=16, max_length=128)
    town: str | None = Field(default=None, max_length=8)          # existing store's town, if any
    workstation_hint: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,6}$")
    hostname: str | None = Field(default=None, max_length=100)
    public_key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9+/]{43}=$")  # Ed25519, base64


class EnrollReply(Msg):
    token: str = Field(min_length=16, max_length=200)
    town: str = Field(pattern=r"^[A-Z0-9]{1,8}$")
    town_name: str = Field(max_length=100)
    workstation: str = Field(pattern=r"^[A-Z0-9]{1,6}$")
    device_id: str = Id
    protocol: int
    unit: str | None = Field(default=None, max_length=32)  # a unit workstation: holds only this unit's cases


# -- push -----------------------------------------------------------------------------------
class PushEntry(Msg):
    id: str = Id                      # outbox entry id: the idempotency key
    device_seq: int = Field(ge=0, le=2**62)
    entity: EntityName
    entity_id: str = Id
    payload: dict[str, Any]
    # An action's signature by its actor (docs/SYNC.md "Signed actions"): the Ed25519 public key
    # (base64) and the signature over ``action_signed_text(payload)``. Inside the entry, so that a
    # relay that passes entries through unchanged keeps it. Records carry none.
    actor_key: str | None = Field(default=None, max_length=64)
    actor_sig: str | None = Field(default=None, max_length=100)


class PushRequest(Msg):
    entries: list[PushEntry] = Field(max_length=MAX_BATCH_ENTRIES)


class Verdict(Msg):
    id: str                           # the entry id
    status: Literal["accepted", "rejected", "conflict"]  # conflict = same id, different payload (409)
    http: int = 200                   # per-item status: 200 accepted, 422 rejected, 409 conflict
    server_seq: int | None = None     # the change's sequence number when accepted (None: no-op)
    code: str | None = None
    reason: str | None = None         # Chinese, shown in the conflicts list


class PushReply(Msg):
    results: list[Verdict]
    high: int = Field(ge=0)           # town's highest committed sequence number


# -- pull -----------------------------------------------------------------------------------
class Change(Msg):
    seq: int = Field(ge=1)
    entity: ChangeEntityName
    id: str = Id
    data: dict[str, Any]              # action: the action; record: {owner_level, fields, deleted};
    #                                   void: {seq, entity, reason} of the change it voids
    received_at: str | None = None    # the server's receipt time (ISO 8601, UTC)


class Digest(Msg):
    upto: int = Field(ge=0)
    count: int = Field(ge=0)
    hash: str = Field(pattern=r"^[0-9a-f]{16}$")


class ChangesPage(Msg):
    changes: list[Change]
    next: int = Field(ge=0)           # the cursor after this page
    more: bool
    high: int = Field(ge=0)
    digest: Digest | None = None      # on the last page: the town's accepted-action digest at ``high``


# -- the district's verdicts on actions a workstation holds from a centre relay -------------
class VerdictQuery(Msg):
    """``POST /verdicts``: what became of these actions (other workstations' actions this store
    took from a LAN relay while the district was down)?"""

    ids: list[str] = Field(max_length=MAX_BATCH_ENTRIES)


class ActionVerdict(Msg):
    id: str                           # the action id
    status: Literal["accepted", "rejected", "conflict"]
    server_seq: int | None = None
    reason: str | None = None


class VerdictList(Msg):
    verdicts: list[ActionVerdict]     # only the actions the district has judged; the rest are unknown


# -- the town's user directory ---------------------------------------------------------------
class UserChange(Msg):
    """``POST /users``: a town administrator adds or changes a user, online, with their password."""

    op: Literal["add", "set"]
    username: str = Field(min_length=2, max_length=32)
    role: str | None = Field(default=None, max_length=16)
    unit: str | None = Field(default=None, max_length=32)
    active: bool | None = None
    name: str | None = Field(default=None, max_length=50)
    password: str | None = Field(default=None, min_length=6, max_length=128)
    admin: str = Field(min_length=1, max_length=32)            # the administrator making the change
    admin_password: str = Field(min_length=1, max_length=128)


class LoginRequest(Msg):
    """``POST /login``: a user's online login on an enrolled workstation. The server checks the
    password against its directory and registers ``public_key`` (Ed25519, base64) as that user's
    key on the calling device: actions signed with it are the user's."""

    username: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=128)
    public_key: str = Field(pattern=r"^[A-Za-z0-9+/]{43}=$")  # 32 bytes, base64


class LoginReply(Msg):
    town: str
    username: str
    name: str | None = None
    role: str
    unit: str | None = None
    active: bool


class UserReply(Msg):
    town: str
    username: str
    name: str | None = None
    role: str
    unit: str | None = None
    active: bool
    server_seq: int
    valid_from: str


# -- chain anchors (docs/SECURITY.md "Tamper evidence") -----------------------------------------
ChainLog = Literal["case_actions", "audit_log"]


class ChainHead(Msg):
    """One log's hash-chain head on a workstation (app.store.chain): the last entry's local seq,
    its chain value and the number of entries."""

    seq: int = Field(ge=0, le=2**62)
    chain: str = Sha
    count: int = Field(ge=0, le=2**62)


class ChainLink(Msg):
    seq: int = Field(ge=0, le=2**62)
    chain: str = Sha


class AnchorRequest(Msg):
    """``POST /anchors``: the workstation's heads, each with its chain value at the seq the
    district anchored last (``prev``): a new head is anchored only when that value matches, so a
    chain recomputed after an edit can never move its anchor on."""

    heads: dict[ChainLog, ChainHead]
    prev: dict[ChainLog, ChainLink] = {}


class Anchor(ChainHead):
    at: str                            # when the district stored it (UTC ISO 8601)


class AnchorReply(Msg):
    anchors: dict[str, Anchor]         # this device's anchors after the request
    status: dict[str, Literal["anchored", "unchanged", "stale", "mismatch", "regressed"]] = {}


# -- attachments ----------------------------------------------------------------------------
class BlobState(Msg):
    sha256: str = Sha
    offset: int = Field(ge=0)
    complete: bool
    size: int | None = None


# -- digest -------------------------------------------------------------------------------
def id_hash(action_id: str) -> int:
    """64-bit value of an action id alone (the digest before content digests; the LAN relay's
    digest of the entries it holds still uses it)."""
    return int.from_bytes(hashlib.sha256(action_id.encode()).digest()[:8], "big")


# The content an action's digest value covers: what never changes once it is written (the fields
# app.store.chain chains). Both sides call content_hash on the same normalized values: ``at`` an
# aware datetime (hashed as UTC ISO 8601 with microseconds), ``payload`` a dict (sorted-key JSON).
CONTENT_FIELDS = ("id", "case_id", "kind", "at", "actor", "actor_name", "actor_role", "actor_unit", "payload",
                  "device_id")


def content_hash(id, case_id, kind, at: datetime, actor, actor_name, actor_role, actor_unit,  # noqa: A002
                 payload: dict, device_id) -> int:
    """64-bit value of one accepted action's content; the digest XORs these (order-free,
    incremental), so an action edited anywhere after acceptance no longer matches the district's."""
    if at.tzinfo is None:
        raise ValueError("action time without a zone")
    values = [id, case_id, kind, at.astimezone(UTC).isoformat(timespec="microseconds"), actor, actor_name,
              actor_role, actor_unit, payload, device_id]
    try:
        text = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        # an integer beyond 64 bits or nesting deeper than 255 (nothing the district accepts; a
        # quarantined change may hold one): its id alone, the same on both sides whatever the stack
        return id_hash(id)
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


def action_hash(a) -> int:
    """An action as the wire model has it (app.sync.wire.ActionData)."""
    return content_hash(a.id, a.case_id, a.kind, a.at, a.actor, a.actor_name, a.actor_role, a.actor_unit,
                        a.payload, a.device_id)


def wire_action_hash(d: dict) -> int:
    """An action as wire JSON decoded to a dict (``at`` ISO 8601 text): the server's stored copy."""
    at = d["at"] if isinstance(d["at"], datetime) else datetime.fromisoformat(d["at"])
    return content_hash(d["id"], d["case_id"], d["kind"], at, d["actor"], d["actor_name"], d["actor_role"],
                        d.get("actor_unit"), d["payload"], d["device_id"])


def stored_text_hash(action_id: str, text: str | bytes | None) -> int:
    """An action's value from its JSON text as kept (the district's stored copy, a quarantined
    change): its content hash; for text that is not a whole action (cut, nested too deep, numbers
    beyond 64 bits: nothing the district accepts) its id's, the same on both sides."""
    try:
        return wire_action_hash(orjson.loads(text or ""))
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
        return id_hash(action_id)


def stored_action_hash(row) -> int:
    """An action in the workstation's storage form (``case_actions`` columns in CONTENT_FIELDS
    order: ``at`` naive UTC text, ``payload`` JSON text), as a raw query returns it."""
    aid, cid, kind, at, actor, name, role, unit, payload, device = row
    at = (at if isinstance(at, datetime) else datetime.fromisoformat(at)).replace(tzinfo=UTC)
    return content_hash(aid, cid, kind, at, actor, name, role, unit,
                        orjson.loads(payload) if isinstance(payload, str | bytes) else payload, device)


def digest_hex(xor: int) -> str:
    return f"{xor & 0xFFFFFFFFFFFFFFFF:016x}"


def canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def payload_hash(entity: str, entity_id: str, payload: dict, text: str | None = None) -> str:
    """What makes two pushes of one entry id 'the same': entity, id and payload (``text``: the
    payload's canonical JSON when the caller has it already)."""
    body = text if text is not None else canonical(payload)
    return hashlib.sha256(f"{canonical([entity, entity_id])[:-1]},{body}]".encode()).hexdigest()


def push_signed_text(device_id: str, chain: str | None, chain_next: str | None, body: bytes) -> bytes:
    """What a device signs for one push: its identity, both chain headers and the body's hash, so
    that neither a header nor the body can be replaced in a captured request."""
    return "\n".join(("towndesk-push-v1", device_id, chain or "", chain_next or "",
                      hashlib.sha256(body).hexdigest())).encode()


def to_signed64(value: int) -> int:
    """Store an unsigned 64-bit value in a signed BIGINT column."""
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value >= 1 << 63 else value
