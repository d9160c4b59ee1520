"""When the district comes back, the relay hands on what it holds: its log's entries, in relay
order, exactly as its peers pushed them (original entry ids, payloads and any extra fields), in
batches signed by the relay's own device with its chain secret, as any push. The district judges
each again; its verdict is kept on the relay's row (``upstream``), in the transaction that rotates
the chain. An entry a peer already pushed itself gets its stored verdict back (ids are idempotent),
and so does the peer's own push of an entry the relay handed on."""
from __future__ import annotations

import json

from sqlalchemy import bindparam, select, update

from app.store.models import LanEntry
from app.sync import protocol as P
from app.sync import state as st
from app.sync.push import _chain, sign
from app.sync.transport import SyncError, Transport

_E = LanEntry.__table__


def hand_on(desk, t: Transport, batch: int = P.MAX_BATCH_ENTRIES) -> dict:
    out = {"handed_on": 0, "accepted": 0, "rejected": 0}
    while True:
        with desk.db.read() as s:
            rows = s.execute(select(_E.c.seq, _E.c.entry_id, _E.c.entry).where(_E.c.upstream.is_(None))
                             .order_by(_E.c.seq).limit(batch)).all()
        if not rows:
            return out
        entries = [json.loads(r.entry) for r in rows]
        body = json.dumps({"entries": entries}, ensure_ascii=False, separators=(",", ":")).encode()
        current, proposed = _chain(desk)
        headers = {P.H_CHAIN_NEXT: proposed, "Content-Type": "application/json"}
        if current:
            headers[P.H_CHAIN] = current
        signature = sign(desk, current, proposed, body)
        if signature:
            headers[P.H_SIGNATURE] = signature
        reply = t.json("POST", P.API + "/push", P.PushReply, data=body, headers=headers)
        verdicts = {v.id: v for v in reply.results}
        if set(verdicts) - {r.entry_id for r in rows}:
            raise SyncError("同步服务器的答复与转交的条目不符，稍后重试", code="bad_reply")
        done = [{"_id": r.entry_id, "upstream": verdicts[r.entry_id].status,
                 "upstream_seq": verdicts[r.entry_id].server_seq, "upstream_reason": verdicts[r.entry_id].reason}
                for r in rows if r.entry_id in verdicts]
        with desk.db.tx() as s:
            if done:
                s.execute(update(_E).where(_E.c.entry_id == bindparam("_id")), done)
            st.put(s, "chain", proposed)
            st.drop(s, "chain.next")
        out["handed_on"] += len(done)
        out["accepted"] += sum(1 for d in done if d["upstream"] == "accepted")
        out["rejected"] += sum(1 for d in done if d["upstream"] != "accepted")
        if len(done) < len(rows):
            return out
