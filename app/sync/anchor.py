"""Chain anchors on the district server (docs/SECURITY.md "Tamper evidence").

``send`` (each sync round): the heads of this store's hash-chained logs (app/store/chain.py) go to
``POST /anchors`` with this store's chain value at the seq the district anchored last; the
district moves its anchor on only when that value matches. ``fetch`` (``towndesk audit verify``):
this device's anchors, which the chain walk then checks (a chain recomputed after an edit passes
the local walk but differs from the anchor). The district is the authority: this store keeps no
copy of the anchored values (a thief could edit them), only the anchored seq as a hint.
"""
from __future__ import annotations

import logging

from app.store import chain
from app.store.audit import audit
from app.sync import protocol as P
from app.sync import state as st
from app.sync.transport import SyncError, Transport

log = logging.getLogger("towndesk.sync")
OFFLINE = "未能与区级服务器核对链头"
REFUSED = ("mismatch", "regressed")


def _conn(s):
    return s.connection().connection.driver_connection


def heads(s) -> dict[str, P.ChainHead]:
    conn = _conn(s)
    out = {}
    for name in chain.LOGS:
        head = chain._head(conn, name)
        if head and head["seq"]:
            out[name] = P.ChainHead(seq=head["seq"], chain=head["hash"], count=head["count"])
    return out


def _link(s, name: str, seq: int) -> P.ChainLink | None:
    row = _conn(s).execute(f"SELECT chain FROM {name} WHERE seq = ?", (int(seq),)).fetchone()
    return P.ChainLink(seq=seq, chain=row[0]) if row and row[0] else None


def send(desk, t: Transport) -> dict:
    """Anchor this store's log heads (one request; two when the district's last anchor is not the
    one this store last heard of). Returns ``{"ok", "status", "anchored"}``; never raises for a
    refusal (the round's cases still sync), SyncError only for the transport."""
    with desk.db.read() as s:
        hd = heads(s)
        prev = {}
        for name in hd:
            hint = st.get(s, f"anchor.{name}")
            link = _link(s, name, int(hint)) if hint else None
            if link:
                prev[name] = link
    if not hd:
        return {"ok": True, "status": {}, "anchored": {}}
    reply = t.json("POST", P.API + "/anchors", P.AnchorReply,
                   json_body=P.AnchorRequest(heads=hd, prev=prev).model_dump())
    stale = [n for n, v in reply.status.items() if v == "stale" and n in reply.anchors]
    if stale:  # the district anchored another seq than the hint: prove the chain through that one
        with desk.db.read() as s:
            for name in stale:
                link = _link(s, name, reply.anchors[name].seq)
                prev[name] = link or P.ChainLink(seq=reply.anchors[name].seq, chain="0" * 64)
        again = t.json("POST", P.API + "/anchors", P.AnchorReply,
                       json_body=P.AnchorRequest(heads={n: hd[n] for n in stale}, prev=prev).model_dump())
        reply = P.AnchorReply(anchors=again.anchors, status={**reply.status, **again.status})
    refused = {n: v for n, v in reply.status.items() if v in REFUSED or v == "stale"}
    with desk.db.tx() as s:
        for name, v in reply.status.items():
            if v in ("anchored", "unchanged", "resealed") and name in reply.anchors:
                st.put(s, f"anchor.{name}", reply.anchors[name].seq)
        if refused:
            audit(s, desk, "system", "sync.anchor_refused", None, {"status": refused})
    if refused:
        log.warning("the district refused to anchor the log heads: %s", refused)
    return {"ok": not refused, "status": reply.status,
            "anchored": {n: a.seq for n, a in reply.anchors.items()}}


def fetch(desk) -> tuple[dict | None, str | None]:
    """This device's anchors from the district ({log: {seq, chain, count, at}}), or None and why
    not (not enrolled, unreachable, refused). One quick attempt: verify must not hang offline."""
    if not desk.meta("sync.token"):
        return None, "本工作站未注册区级服务器，链头未锚定（仅校验本机哈希链）"
    try:
        settings = st.settings(desk)
        settings.attempts = 1
        settings.timeout = min(float(settings.timeout or 10), 10.0)
        reply = Transport(settings).json("GET", P.API + "/anchors", P.AnchorReply)
    except SyncError as e:
        return None, f"{OFFLINE}：{e.message}"
    return {n: a.model_dump() for n, a in reply.anchors.items()}, None
