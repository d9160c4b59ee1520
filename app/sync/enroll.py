"""Enrollment: spend a one-time code from the district administrator. The server answers with a
device token (bound to this device id, its town and this database) and a workstation code unique
in the town. A fresh data dir then pulls the town; an existing store sends its own data up."""
from __future__ import annotations

import base64
import secrets
import socket

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, insert, select, update

from app.admin.setup import init_store
from app.domain.ids import new_id
from app.errors import ValidationError
from app.store.models import CaseAction, OutboxEntry, User, UserKey
from app.store.outbox import enqueue, record_payload
from app.sync import protocol as P
from app.sync import records as rec
from app.sync import state as st
from app.sync.engine import run_round
from app.sync.transport import Settings, Transport, check_scheme

_A = CaseAction.__table__


def new_device_key() -> tuple[str, str]:
    """A fresh Ed25519 key pair for signing pushes: (private, public), raw bytes in base64."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def enroll(desk, server: str, code: str, *, sync: bool = True, transport: Transport | None = None,
           insecure: bool = False) -> dict:
    """Enroll this store. ``insecure``: allow plain http:// to a host other than this machine
    (remembered; the window then shows 不安全连接)."""
    server = (server or "").strip().rstrip("/")
    if not server.startswith(("http://", "https://")):
        raise ValidationError("服务器地址应以 https:// 开头（如 https://sync.example.gov.cn）", field="server")
    check_scheme(server, insecure)
    town = desk.meta("town_code")
    device_id = desk.device_id or new_id()
    db_id, chain = new_id(), secrets.token_urlsafe(24)
    private_key, public_key = new_device_key()
    settings = Settings(server=server, timeout=desk.setting("sync_timeout_seconds"),
                        attempts=desk.setting("sync_attempts"), proxy=desk.setting("sync_proxy"),
                        ca_bundle=desk.setting("sync_ca_bundle"), insecure=insecure)
    t = transport or Transport(settings)
    req = P.EnrollRequest(code=code.strip(), device_id=device_id, db_id=db_id, chain=chain, town=town,
                          workstation_hint=desk.meta("workstation") if town else None,
                          hostname=socket.gethostname()[:100], public_key=public_key)
    reply = t.json("POST", P.API + "/enroll", P.EnrollReply, json_body=req.model_dump())
    if town is None:
        with desk.db.tx() as s:
            desk.set_meta(s, "device_id", device_id)
        init_store(desk, reply.town, reply.town_name, reply.workstation)
    seeded = 0
    with desk.db.tx() as s:
        for key, value in (("device_id", device_id), ("workstation", reply.workstation), ("sync.server", server),
                           ("sync.token", reply.token), ("sync.db_id", db_id), ("sync.device_key", private_key),
                           ("sync.insecure", "1" if insecure else ""), ("sync.unit", reply.unit or "")):
            desk.set_meta(s, key, value)
        st.put(s, "chain", chain)
        st.drop(s, "chain.next")
        if town is not None:
            seeded = _seed_outbox(s, desk)
        forget_passwords(s)
    out = {"town": reply.town, "town_name": reply.town_name, "workstation": reply.workstation,
           "device_id": device_id, "server": server, "existing_store": town is not None, "queued": seeded,
           "insecure": insecure and server.startswith("http://"), "unit": reply.unit}
    if sync:
        out["sync"] = run_round(desk)
    return out


def forget_passwords(s) -> None:
    """From its enrolment on, a workstation keeps password verifiers only for users who logged in
    on it online (app.sync.login); the store's own hashes went up with its seeds (the first store's
    found the district's directory) and are not needed here any more."""
    s.execute(update(User).where(User.code.not_in(select(UserKey.username))).values(password_hash="!"))


def _seed_outbox(s, desk) -> int:
    """Queue what the district has not seen from this store: the town-owned reference records
    first (as seeds: they fill gaps on the server and never overwrite; the first store's users
    found the town's directory), then every local action in log order (the outbox is rebuilt so
    that no action goes up before its case's intake)."""
    # actions are queued again below in log order; users go up as seeds (a pushed user change is
    # refused: the district's directory changes online only)
    s.execute(delete(OutboxEntry).where(OutboxEntry.entity.in_(("action", "user"))))
    now = desk.now()
    rows, n = [], 0
    # records first: the district judges the actions with the users and units they bring
    for entity, row in rec.town_owned(s):
        enqueue(s, desk, entity, row.id, record_payload(row) | {"_seed": True})
        n += 1
    s.flush()
    stmt = select(_A.c.id, _A.c.case_id, _A.c.kind, _A.c.at, _A.c.actor, _A.c.actor_name, _A.c.actor_role,
                  _A.c.actor_unit, _A.c.payload, _A.c.device_id).where(_A.c.status == "local").order_by(_A.c.seq)
    for a in s.execute(stmt):
        rows.append({"id": new_id(), "entity": "action", "entity_id": a.id, "created_at": now, "payload": {
            "id": a.id, "case_id": a.case_id, "kind": a.kind, "at": a.at.isoformat(), "actor": a.actor,
            "actor_name": a.actor_name, "actor_role": a.actor_role, "actor_unit": a.actor_unit,
            "payload": a.payload, "device_id": a.device_id}})
        if len(rows) >= 5000:
            s.execute(insert(OutboxEntry.__table__), rows)
            n += len(rows)
            rows = []
    if rows:
        s.execute(insert(OutboxEntry.__table__), rows)
        n += len(rows)
    return n
