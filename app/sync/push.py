"""Push: send the outbox in order, in batches (<= 500 entries, <= 2 MB), and apply the per-item
verdicts in one transaction per batch. Accepted actions get their server sequence number;
rejected ones stay in the log with status ``rejected`` and the reason (the conflicts list); the
affected cases are re-folded. An entry leaves the outbox only once the district has answered it.
"""
from __future__ import annotations

import base64
import json
import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import bindparam, delete, select, update

from app.store.models import ActionSignature, CaseAction, OutboxEntry
from app.store.userkeys import Signer
from app.sync import protocol as P
from app.sync import state as st
from app.sync.refold import refold
from app.sync.transport import SyncError, Transport

_A = CaseAction.__table__


def batches(session, max_entries: int = P.MAX_BATCH_ENTRIES, max_bytes: int = P.MAX_BATCH_BYTES):
    """The next batch of outbox entries in device order, within the size limits. An entry over
    the per-entry limit (P.MAX_ENTRY_BYTES) is returned alone, marked ``too_large``: it is refused
    here (the server would refuse it too) and never sent."""
    rows = session.scalars(select(OutboxEntry).order_by(OutboxEntry.device_seq).limit(max_entries)).all()
    out, size = [], 2
    for r in rows:
        item = {"id": r.id, "device_seq": r.device_seq, "entity": r.entity, "entity_id": r.entity_id,
                "payload": r.payload}
        n = len(json.dumps(item, ensure_ascii=False).encode()) + 1
        if len(P.canonical(r.payload).encode()) > P.MAX_ENTRY_BYTES:
            return out or [item | {"too_large": True}]
        if out and size + n > max_bytes:
            break
        out.append(item)
        size += n
    return out


def attach_signatures(desk, session, batch: list[dict]) -> None:
    """Each action entry carries its actor's signature (made when it was written). One without (the
    workstation's automatic routing, or work done before this store was enrolled, when no user had
    a key) is signed by the device: the district takes that only for its system actors and for
    actions dated before the device's enrolment (docs/SYNC.md "Signed actions")."""
    ids = [e["entity_id"] for e in batch if e["entity"] == "action"]
    sigs = {}
    for start in range(0, len(ids), 500):
        sigs.update({r.action_id: r for r in session.scalars(select(ActionSignature).where(
            ActionSignature.action_id.in_(ids[start:start + 500])))})
    device = None
    for e in batch:
        if e["entity"] != "action":
            continue
        row = sigs.get(e["entity_id"])
        if row is not None:
            e["actor_key"], e["actor_sig"] = row.public_key, row.signature
            continue
        if device is None:
            private = desk.meta("sync.device_key")
            if not private:
                return  # enrolled before devices had keys: nothing can vouch for it
            device = Signer.from_b64(private)
        e["actor_key"], e["actor_sig"] = device.public_b64, device.sign(P.action_signed_text(e["payload"]))


def sign(desk, chain: str | None, chain_next: str | None, body: bytes) -> str | None:
    """The device's signature over one push (its chain headers and body), or None when the store
    was enrolled before devices had keys."""
    private = desk.meta("sync.device_key")
    if not private:
        return None
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private))
    return base64.b64encode(key.sign(P.push_signed_text(desk.device_id, chain, chain_next, body))).decode()


def _local_verdicts(batch: list[dict], code: str, reason: str) -> P.PushReply:
    """Verdicts made here for entries the server cannot take (too large, or refused as a whole)."""
    return P.PushReply(results=[P.Verdict(id=e["id"], status="rejected", http=422, code=code, reason=reason)
                                for e in batch], high=0)


def refused_as_a_whole(e: SyncError) -> bool:
    """The server could not take the request's body at all (too large, or not readable as a push):
    split the batch to find the entry at fault. Any other error leaves the outbox as it is."""
    return e.status == 413 or (e.status == 422 and e.code == "invalid_body")


def _chain(desk) -> tuple[str | None, str]:
    """The current chain secret and the proposed next one (persisted before sending)."""
    with desk.db.tx() as s:
        current = st.get(s, "chain")
        proposed = st.get(s, "chain.next")
        if not proposed:
            proposed = secrets.token_urlsafe(24)
            st.put(s, "chain.next", proposed)
    return current, proposed


def push_all(desk, t: Transport, max_entries: int = P.MAX_BATCH_ENTRIES, progress=None, cancel=None) -> dict:
    out = {"pushed": 0, "accepted": 0, "rejected": 0, "new_conflicts": 0, "batches": 0}
    while True:
        if cancel is not None and cancel.is_set():
            break
        with desk.db.read() as s:
            batch = batches(s, max_entries)
            attach_signatures(desk, s, batch)
        if not batch:
            break
        current, proposed = _chain(desk)
        if batch[0].get("too_large"):
            size = len(P.canonical(batch[0]["payload"]).encode())
            reply = _local_verdicts(batch, "too_large", f"条目过大（{size // 1024} KB，上限 "
                                                        f"{P.MAX_ENTRY_BYTES // 1024} KB），未上传")
            apply_verdicts(desk, batch, reply, None, out)
            continue
        _send(desk, t, batch, current, proposed, out)
        out["batches"] += 1
        if progress:
            progress(out["pushed"], None)
    return out


def _send(desk, t: Transport, batch: list[dict], current: str | None, proposed: str, out: dict) -> None:
    """Send one batch and apply its verdicts. When the server refuses the request as a whole
    (400/413/422: something in it cannot even be read), the batch is split until the entry at
    fault stands alone; that one is refused here with the server's message, so one bad entry
    never jams the outbox."""
    body = json.dumps({"entries": batch}, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {P.H_CHAIN_NEXT: proposed, "Content-Type": "application/json"}
    if current:
        headers[P.H_CHAIN] = current
    signature = sign(desk, current, proposed, body)
    if signature:
        headers[P.H_SIGNATURE] = signature
    try:
        reply = t.json("POST", P.API + "/push", P.PushReply, data=body, headers=headers)
    except SyncError as e:
        if not refused_as_a_whole(e):
            raise
        if len(batch) > 1:
            half = len(batch) // 2
            for part in (batch[:half], batch[half:]):
                _send(desk, t, part, *_chain(desk), out)
            return
        apply_verdicts(desk, batch, _local_verdicts(batch, e.code or "refused", f"服务器拒收：{e.message}"),
                       None, out)
        return
    apply_verdicts(desk, batch, reply, proposed, out)


def apply_verdicts(desk, batch: list[dict], reply: P.PushReply, proposed: str | None, out: dict) -> None:
    """``proposed``: the chain secret the server rotated to (None for verdicts made locally)."""
    verdicts = {v.id: v for v in reply.results}
    if set(verdicts) - {e["id"] for e in batch}:
        raise SyncError("同步服务器的答复与上传的条目不符，本机数据未受影响，稍后重试", code="bad_reply")
    accepted, rejected, answered, refold_ids, now = [], [], [], set(), desk.now().isoformat()
    with desk.db.tx() as s:
        for e in batch:
            v = verdicts.get(e["id"])
            if v is None:
                continue  # not answered: stays in the outbox for the next round
            answered.append(e["id"])
            if e["entity"] == "action":
                if v.status == "accepted":
                    accepted.append({"_id": e["entity_id"], "status": "accepted", "server_seq": v.server_seq,
                                     "verdict": None})
                else:
                    rejected.append({"_id": e["entity_id"], "status": "rejected", "server_seq": None,
                                     "verdict": v.reason or "服务器拒绝"})
                refold_ids.add(e["payload"].get("case_id"))
            elif v.status != "accepted":
                st.record_conflict(s, e["id"], e["entity"], e["entity_id"], e["payload"], v.reason or "服务器拒绝",
                                   v.code, now)
        if accepted:
            ids = [a["_id"] for a in accepted]
            already = set(s.scalars(select(CaseAction.id).where(CaseAction.id.in_(ids),
                                                                CaseAction.status == "accepted")))
            s.execute(update(_A).where(_A.c.id == bindparam("_id")), accepted)
            st.add_accepted(s, [i for i in ids if i not in already])
        if rejected:
            ids = [r["_id"] for r in rejected]
            before = set(s.scalars(select(CaseAction.id).where(CaseAction.id.in_(ids),
                                                               CaseAction.status == "rejected")))
            s.execute(update(_A).where(_A.c.id == bindparam("_id")), rejected)
            st.put(s, "rejected.count", int(st.get(s, "rejected.count", "0")) + len(set(ids) - before))
        if answered:
            s.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(answered)))
        refold(s, [c for c in refold_ids if c])
        if proposed is not None:
            st.put(s, "chain", proposed)
            st.drop(s, "chain.next")
    out["pushed"] += len(answered)
    out["accepted"] += sum(1 for v in verdicts.values() if v.status == "accepted")
    out["rejected"] += sum(1 for v in verdicts.values() if v.status != "accepted")
    out["new_conflicts"] += len(rejected) + sum(1 for e in batch if e["entity"] != "action"
                                                and verdicts.get(e["id"]) and verdicts[e["id"]].status != "accepted")
