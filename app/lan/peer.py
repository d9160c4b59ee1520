"""``towndesk sync --peer URL``: one round with the centre relay while the district is down.

The workstation's own bookkeeping with the district is left as it is: its outbox keeps every entry
until the district answers it (the relay is not the authority), and its district cursor and digest
do not move. What the relay adds is kept apart, per relay (``sync_state`` ``lan.<relay device>.*``):

1. **Push** the outbox entries the relay has not had yet (after ``pushed``, by device order), in
   batches, signed by the device key; the relay's per-item verdicts are counted, not applied
   (a refused entry stays queued for the district, which decides).
2. **Pull** the relay's changes after its cursor, page by page, each page in ONE transaction with
   the cursor: another workstation's action becomes a case action with status ``lan`` (shown and
   folded like a pending action; the district's pull later makes it ``accepted`` in the district's
   order, or ``void`` when the district refused it: app/lan/settle.py); records are merged field by
   field as from the district.
3. **Verify** the relay's digest (count + hash of its action ids) against what this store holds
   from it; on a mismatch the relay's log is read again from 0 (ids are idempotent).
"""
from __future__ import annotations

import json
import logging
import time

from sqlalchemy import func, select, text

from app import events
from app.lan.base import LAN_STATUS, hold, take_write_lock
from app.store.audit import audit
from app.store.models import CaseAction, OutboxEntry
from app.sync import protocol as P
from app.sync import state as st
from app.sync.decode import decode, parse_page
from app.sync.push import attach_signatures
from app.sync.scope import refuse_lan
from app.sync.transport import Settings, SyncError, Transport

_A = CaseAction.__table__
log = logging.getLogger("towndesk.lan")


def peer_transport(desk, url: str) -> Transport:
    from app.lan.trust import PeerSigner

    key = desk.meta("sync.device_key")
    if not key or not desk.device_id:
        raise SyncError("本工作站尚未注册到区级（没有设备密钥），不能使用局域网中继；请先 towndesk enroll",
                        code="not_enrolled", retry=False)
    url = (url or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SyncError("中继地址应以 http:// 或 https:// 开头（如 http://192.168.1.20:8710）", code="invalid",
                        retry=False)
    return Transport(Settings(server=url, device_id=desk.device_id, timeout=desk.setting("sync_timeout_seconds"),
                              attempts=desk.setting("sync_attempts"), proxy=desk.setting("sync_proxy"),
                              ca_bundle=desk.setting("sync_ca_bundle"), insecure=True,
                              signer=PeerSigner(desk.device_id, key)))


def run_peer_round(desk, url: str, *, transport: Transport | None = None, batch: int = P.MAX_BATCH_ENTRIES,
                   page_size: int = P.PAGE_DEFAULT) -> dict:
    """One round with a relay; the same summary keys as a district round (``sync``)."""
    started = time.perf_counter()
    refuse_lan(desk)  # a unit workstation holds only its unit's cases; a relay serves the town
    t = transport or peer_transport(desk, url)
    with st.round_lock(desk.root):
        health = t.call("GET", P.API + "/health").json()
        relay = str(health.get("device") or "")
        if not health.get("relay") or not relay:
            raise SyncError(f"{url} 不是局域网中继（towndesk lan serve）", code="not_relay", retry=False)
        if health.get("town") != desk.meta("town_code"):
            raise SyncError(f"中继属于镇街 {health.get('town')}，本机属于 {desk.meta('town_code')}，不能同步",
                            code="town_mismatch", retry=False)
        key = f"lan.{relay}."
        snap = _snapshot(desk, t)
        pushed = _push(desk, t, key, batch)
        pulled = _pull(desk, t, key, page_size)
        if snap:
            pulled["pulled"] += snap["actions"] + snap["records"]
        repaired = False
        if pulled["digest"] is not None and not pulled["equal"]:
            with desk.db.tx() as s:
                for k in ("cursor", "count", "xor"):
                    st.drop(s, key + k)
            pulled, repaired = _pull(desk, t, key, page_size), True
        with desk.db.tx() as s:
            desk.set_meta(s, "lan.last_peer", t.base)
            desk.set_meta(s, "lan.last_success", desk.now().isoformat())
            audit(s, desk, "system", "sync.peer", t.base[:60], {"pushed": pushed["pushed"], "pulled": pulled["pulled"]})
        after = st.summary(desk)
    out = {"pushed": pushed["pushed"], "accepted": pushed["accepted"], "rejected": pushed["rejected"],
           "pulled": pulled["pulled"], "conflicts": after["conflicts"], "new_conflicts": 0,
           "quarantined": after["quarantined"], "new_quarantined": 0, "files": {}, "pending": after["pending"],
           "digest": pulled["check"], "repaired": repaired, "requests": t.requests, "bytes_sent": t.bytes_sent,
           "bytes_received": t.bytes_received, "seconds": round(time.perf_counter() - started, 3),
           "peer": t.base, "relay": relay}
    if pulled["pulled"]:
        events.publish(events.CASE_CHANGED, {"case_nos": [], "source": "lan"})
    return out


def _snapshot(desk, t: Transport) -> dict | None:
    """An empty store (nothing from the district yet) starts from the relay's snapshot of what it
    holds from the district (app/lan/snapshot.py); its district cursor then stands at the relay's."""
    from app.sync import snapshot_file
    from app.sync.pull import _log_empty
    from app.sync.snapshot import NoSnapshot

    with desk.db.read() as s:
        if st.cursor(s) != 0 or not _log_empty(s):
            return None
    try:
        out = snapshot_file.bootstrap(desk, t)
    except NoSnapshot:  # an older relay: its pages only
        return None
    except SyncError as e:
        if e.code != "bad_reply":
            raise
        log.warning("relay snapshot not used: %s", e.message)
        return None
    log.info("started from the relay's snapshot: %s", out)
    return out


def _push(desk, t: Transport, key: str, batch: int) -> dict:
    def send(entries: list[dict]) -> P.PushReply:
        body = json.dumps({"entries": entries}, ensure_ascii=False, separators=(",", ":")).encode()
        return t.json("POST", P.API + "/push", P.PushReply, data=body, headers={"Content-Type": "application/json"})

    return push_outbox(desk, send, key, batch)


def push_outbox(desk, send, key: str, batch: int = P.MAX_BATCH_ENTRIES) -> dict:
    """The outbox entries after the mark ``key + 'pushed'``, in device order, through ``send``
    (entries -> PushReply); the mark moves past what was answered."""
    out = {"pushed": 0, "accepted": 0, "rejected": 0}
    while True:
        with desk.db.read() as s:
            mark = int(st.get(s, key + "pushed", "0"))
            rows = s.scalars(select(OutboxEntry).where(OutboxEntry.device_seq > mark)
                             .order_by(OutboxEntry.device_seq).limit(batch)).all()
            entries = [{"id": r.id, "device_seq": r.device_seq, "entity": r.entity, "entity_id": r.entity_id,
                        "payload": r.payload} for r in rows]
            attach_signatures(desk, s, entries)  # as the district path sends them: the relay hands them on
        if not entries:
            return out
        last = entries[-1]["device_seq"]
        # an entry over the size limit is the district path's to refuse (app.sync.push): not sent here
        entries = [e for e in entries if len(P.canonical(e["payload"]).encode()) <= P.MAX_ENTRY_BYTES]
        if not entries:
            with desk.db.tx() as s:
                st.put(s, key + "pushed", last)
            continue
        reply = send(entries)
        answered = {v.id: v for v in reply.results}
        if set(answered) - {e["id"] for e in entries}:
            raise SyncError("中继的答复与上传的条目不符，本机数据未受影响，稍后重试", code="bad_reply")
        done = [e for e in entries if e["id"] in answered]
        if not done:
            return out
        with desk.db.tx() as s:
            st.put(s, key + "pushed", last if len(done) == len(entries) else max(e["device_seq"] for e in done))
        out["pushed"] += len(done)
        out["accepted"] += sum(1 for v in answered.values() if v.status == "accepted")
        out["rejected"] += sum(1 for v in answered.values() if v.status != "accepted")
        if len(done) < len(entries):
            return out  # the rest waits for the next round


def _pull(desk, t: Transport, key: str, page_size: int) -> dict:
    out = {"pulled": 0, "digest": None, "equal": True, "check": None}
    while True:
        with desk.db.read() as s:
            cursor = int(st.get(s, key + "cursor", "0"))
        page = parse_page(t.body("GET", P.API + "/changes", params={"after": cursor, "limit": page_size}))
        if page.changes and (page.changes[0].seq <= cursor or any(
                b.seq <= a.seq for a, b in zip(page.changes, page.changes[1:], strict=False))):
            raise SyncError("中继返回的变更顺序不正确，本机数据未受影响，稍后重试", code="bad_reply")
        decoded = decode(page)
        with desk.db.tx() as s:
            take_write_lock(s)
            s.execute(text("PRAGMA defer_foreign_keys = ON"))
            _apply(s, decoded, key)
            st.put(s, key + "cursor", page.next)
            count, xor = int(st.get(s, key + "count", "0")), int(st.get(s, key + "xor", "0"))
        out["pulled"] += len(page.changes)
        if not page.more:
            if page.digest is not None:
                mine = {"count": count, "hash": P.digest_hex(xor)}
                out["digest"] = page.digest
                out["equal"] = mine["count"] == page.digest.count and mine["hash"] == page.digest.hash
                out["check"] = {"equal": out["equal"], "count": count, "server_count": page.digest.count,
                                "hash": mine["hash"], "server_hash": page.digest.hash, "upto": page.digest.upto}
            return out


def _apply(s, decoded, key: str) -> None:
    """A relay page: held in this store (app.lan.base.hold); the relay digest moves."""
    hold(s, decoded)
    if decoded.actions:
        count, xor = int(st.get(s, key + "count", "0")), int(st.get(s, key + "xor", "0"))
        for p in decoded.actions:
            xor ^= P.id_hash(p.action.id)
        st.put(s, key + "count", count + len(decoded.actions))
        st.put(s, key + "xor", xor)


def lan_pending(desk) -> int:
    """Actions of other workstations held from a relay, not yet confirmed by the district."""
    with desk.db.read() as s:
        return s.scalar(select(func.count()).select_from(CaseAction).where(CaseAction.status == LAN_STATUS))

