"""One sync round: push, then pull, then compare count + hash with the district (repair on a
mismatch or ``must_resync``), then attachment bytes. Publishes SYNC_STATE / CONFLICT_ARRIVED."""
from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import select, update

from app import events
from app.cases.caselog import action_dict
from app.store import userkeys
from app.store.audit import audit
from app.store.models import CaseAction
from app.store.outbox import enqueue
from app.sync import protocol as P
from app.sync import state as st
from app.sync.files import download_missing, upload_pending
from app.sync.pull import Seen, _log_empty, pull_all
from app.sync.push import push_all
from app.sync.transport import MustResync, SyncError, Transport

log = logging.getLogger("towndesk.sync")
NO_PULL_AFTER = ("offline", "timeout", "tls", "insecure", "stale_copy")


def run_round(desk, *, server: str | None = None, files: bool = True, transport: Transport | None = None,
              page_size: int = P.PAGE_DEFAULT, batch: int = P.MAX_BATCH_ENTRIES, progress=None, cancel=None,
              snapshot: bool = True) -> dict:
    """Run one round; returns the summary. Raises SyncError (data kept, retry later) on failure.
    ``snapshot``: a store with nothing pulled yet starts from the server's snapshot of the town
    (app/sync/snapshot.py) when the server has one; then pages as always."""
    started = time.perf_counter()
    with st.round_lock(desk.root):
        if server:
            with desk.db.tx() as s:
                desk.set_meta(s, "sync.server", server.rstrip("/"))
        t = transport or Transport(st.settings(desk))
        before = st.summary(desk)
        events.publish(events.SYNC_STATE, {**_indicator(before), "state": "syncing"})
        with desk.db.tx() as s:
            desk.set_meta(s, "sync.last_attempt", desk.now().isoformat())
            st.upgrade_digest(s, desk.now().isoformat())  # from before content digests: recomputed once
        push_error: SyncError | None = None
        try:
            try:
                pushed = push_all(desk, t, batch, progress, cancel)
            except SyncError as e:
                # Pull runs even when push fails (what was sent is answered; the rest waits), unless
                # the server cannot be reached or refuses this workstation: pull would fail the same.
                if e.code in NO_PULL_AFTER or e.status in (401, 403, 426, 429):
                    raise
                push_error, pushed = e, {"pushed": 0, "accepted": 0, "rejected": 0, "new_conflicts": 0}
            repaired = False
            try:
                with desk.db.read() as s:  # a store far behind reads bigger pages
                    big = st.cursor(s) == 0
                    fresh = big and snapshot and _log_empty(s)
                snap = _snapshot(desk, t, progress) if fresh else None
                pulled = pull_all(desk, t, P.PAGE_MAX if big and page_size == P.PAGE_DEFAULT else page_size,
                                  progress=progress, cancel=cancel)
                if snap:
                    pulled["pulled"] += snap["actions"] + snap["records"]
            except MustResync:
                pulled, repaired = repair(desk, t, page_size), True
            except SyncError:
                if push_error is not None:
                    raise push_error from None  # the first failure is the one to report
                raise
            check = verify(desk, pulled["digest"], full=_full_due(desk))
            first_check = check
            if check and not check["equal"] and not repaired:
                pulled, repaired = repair(desk, t, page_size), True
                check = verify(desk, pulled["digest"])
            anchored = _anchor(desk, t) if push_error is None else None
            file_out = _files(desk, t, cancel) if files and push_error is None else {}
            if push_error is None:
                _settle_lan(desk, t)
            if push_error is not None:
                raise push_error
        except SyncError as e:
            _failed(desk, e)
            raise
        with desk.db.tx() as s:
            desk.set_meta(s, "sync.last_success", desk.now().isoformat())
            desk.set_meta(s, "sync.last_error", "")
            audit(s, desk, "system", "sync.round", (desk.meta("sync.server") or "")[:60],  # personal data came down
                  {"pushed": pushed["pushed"], "pulled": pulled["pulled"]})
        after = st.summary(desk)
    out = {"pushed": pushed["pushed"], "accepted": pushed["accepted"], "rejected": pushed["rejected"],
           "pulled": pulled["pulled"], "conflicts": after["conflicts"], "new_conflicts": pushed["new_conflicts"],
           "quarantined": after["quarantined"], "new_quarantined": pulled.get("quarantined", 0),
           "files": file_out, "pending": after["pending"], "digest": check, "repaired": repaired,
           "digest_before_repair": first_check if repaired else None, "anchor": anchored, "restored": pulled.get("restored", []),
           "requests": t.requests, "bytes_sent": t.bytes_sent, "bytes_received": t.bytes_received,
           "seconds": round(time.perf_counter() - started, 3)}
    events.publish(events.SYNC_STATE, {**_indicator(after), "state": "online"})
    if pushed["new_conflicts"] or pulled.get("quarantined"):
        events.publish(events.CONFLICT_ARRIVED, {"count": after["conflicts"],
                                                 "new": pushed["new_conflicts"] + pulled.get("quarantined", 0)})
    if pulled["pulled"]:
        events.publish(events.CASE_CHANGED, {"case_nos": [], "source": "sync"})
    return out


def _snapshot(desk, t: Transport, progress) -> dict | None:
    from app.sync import snapshot_file
    from app.sync.snapshot import NoSnapshot, bootstrap

    try:
        try:  # the pre-built database first (no per-row work here), then the JSON lines
            out = snapshot_file.bootstrap(desk, t, progress)
        except NoSnapshot:
            out = bootstrap(desk, t, progress)
    except NoSnapshot:
        return None
    except SyncError as e:
        if e.code != "bad_reply":
            raise
        # a snapshot this store cannot take whole (cut, or holding a change it cannot keep): the
        # store is untouched, and the pages bring the town with their per-change quarantine
        log.warning("snapshot not used: %s", e.message)
        return None
    log.info("started from the server's snapshot: %s", out)
    return out


def _anchor(desk, t: Transport) -> dict:
    """The log heads anchored on the district (app/sync/anchor.py); an older district without
    /anchors, or a failure here, never fails the round: it says so in the summary."""
    from app.sync.anchor import send

    try:
        return send(desk, t)
    except SyncError as e:
        log.info("log heads not anchored: %s", e.message)
        return {"ok": None, "error": e.message}


def _settle_lan(desk, t: Transport) -> None:
    """Actions taken from a centre relay (app/lan) that the district refused leave the case log."""
    from app.lan.settle import settle

    try:
        settle(desk, t)
    except SyncError as e:  # an older district without /verdicts: they stay held until it has one
        log.info("relay actions not settled: %s", e.message)


def _indicator(summary: dict) -> dict:
    return {k: summary[k] for k in ("pending", "last_success", "last_error", "conflicts", "server", "insecure",
                                    "quarantined")}


def _failed(desk, e: SyncError) -> None:
    try:
        with desk.db.tx() as s:
            desk.set_meta(s, "sync.last_error", e.message)
    except Exception:  # noqa: BLE001 — reporting must not hide the original error
        log.exception("could not record the sync error")
    state = "offline" if e.code in ("offline", "timeout") else "error"
    events.publish(events.SYNC_STATE, {**_indicator(st.summary(desk)), "state": state, "error": e.message,
                                       "code": e.code})


def _files(desk, t: Transport, cancel) -> dict:
    out = {}
    for step in (upload_pending, download_missing):
        try:
            out.update(step(desk, t, cancel))
        except SyncError as e:  # files never fail the record sync
            out["error"] = e.message
    return out


def _full_due(desk) -> bool:
    """Time to recompute the digest from the table (``sync_full_digest_hours``; 0: every round)?"""
    hours = float(desk.setting("sync_full_digest_hours"))
    with desk.db.read() as s:
        last = st.get(s, "digest.full_at")
    if hours <= 0 or not last:
        return True
    try:
        return (desk.now() - datetime.fromisoformat(last)).total_seconds() >= hours * 3600
    except (ValueError, TypeError):
        return True


def verify(desk, digest: P.Digest | None, full: bool = False) -> dict | None:
    """Compare the district's count + hash of accepted actions (by content) with ours. ``full``:
    first recompute ours from the table, so an action edited (or deleted) in the store after it was
    accepted shows as a difference; otherwise the running digest kept with each change."""
    if digest is None:
        return None
    if full:
        with desk.db.tx() as s:
            st.reset_digest(s, desk.now().isoformat())
    with desk.db.read() as s:
        count, hexhash = st.local_digest(s)
    return {"equal": count == digest.count and hexhash == digest.hash, "count": count, "server_count": digest.count,
            "hash": hexhash, "server_hash": digest.hash, "upto": digest.upto, "full": full}


def repair(desk, t: Transport, page_size: int) -> dict:
    """Re-read the whole log from 0, rebuild the digest from the table, and queue again our own
    actions the district no longer has (e.g. after the server was restored from a backup)."""
    seen = Seen()
    pulled = pull_all(desk, t, page_size, after=0, seen=seen)
    requeued = 0
    with desk.db.tx() as s:
        for r in seen.restored:  # edited here after the district accepted them: the district's content is back
            audit(s, desk, "system", "sync.restored", r["id"], {"case_id": r["case_id"], "kind": r["kind"]})
        mine = s.execute(select(CaseAction).where(CaseAction.status == "accepted",
                                                  CaseAction.device_id == desk.device_id)).scalars().all()
        for a in mine:
            if a.id not in seen:
                s.execute(update(CaseAction).where(CaseAction.id == a.id).values(status="local", server_seq=None))
                # the time spelled as its actor signed it: the signature goes with it again
                enqueue(s, desk, "action", a.id, userkeys.as_signed(s, action_dict(a), (desk.now().tzinfo,)))
                requeued += 1
        st.reset_digest(s, desk.now().isoformat())
    log.warning("sync repair: re-read %s changes, re-queued %s own actions, restored %s edited actions",
                pulled["pulled"], requeued, len(seen.restored))
    pulled["requeued"] = requeued
    pulled["restored"] = [r["id"] for r in seen.restored]
    return pulled
