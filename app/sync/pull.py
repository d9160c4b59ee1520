"""Pull: read the town's change log after the cursor, page by page. Each page is applied in ONE
SQLite transaction together with the new cursor (a first pull puts a few pages in each): new
actions are inserted as accepted, own actions get their server sequence, affected cases are
re-folded, records merged field by field.
"""
from __future__ import annotations

import contextlib
import gc
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from app.store import bulk
from app.store.models import Attachment, CaseAction, CohandleTask, Quarantined
from app.store.types import to_sql_dt
from app.sync import protocol as P
from app.sync import records as rec
from app.sync import scope
from app.sync import state as st
from app.sync.decode import Decoded, LoosePage, Pulled, TypedPage, decode, parse_page  # noqa: F401 — TypedPage: the page type
from app.sync.refold import refold
from app.sync.transport import SyncError, Transport
from app.sync.wire import ActionData

log = logging.getLogger("towndesk.sync")
_A = CaseAction.__table__
CHUNK = 500
FIRST_PULL_PAGES_PER_TX = 4          # pages per transaction in a first pull
FIRST_PULL_BULK_CHANGES = 50_000     # a first pull at least this long drops secondary indexes
# Indexes a pull itself reads (a case whose log spans pages is read back by case id): kept.
PULL_READS_INDEXES = ("ix_actions_case_seq",)


def pull_all(desk, t: Transport, page_size: int = P.PAGE_DEFAULT, after: int | None = None, seen: set | None = None,
             progress=None, cancel=None) -> dict:
    """Pull until the cursor reaches the server's high mark; returns counts and the final digest."""
    out = {"pulled": 0, "pages": 0, "cases": 0, "records": 0, "quarantined": 0, "digest": None, "high": 0}
    restore_interrupted(desk)
    with desk.db.read() as s:
        cursor = st.cursor(s) if after is None else after
        first = FirstPull() if cursor == 0 and _log_empty(s) else None

    def fetch(after_seq: int) -> bytes:
        return t.body("GET", P.API + "/changes", params={"after": after_seq, "limit": page_size})

    # A first pull commits several pages per transaction (each commit costs a WAL checkpoint);
    # the cursor still moves in the transaction that holds its pages.
    per_tx = FIRST_PULL_PAGES_PER_TX if first else 1
    records, orphans = False, []
    try:
        with contextlib.closing(_pages(fetch, cursor, cancel)) as pages:
            page = None
            while page is None or page.more:
                with _gc_paused(), desk.db.tx() as s:
                    s.execute(text("PRAGMA defer_foreign_keys = ON"))  # case rows are (re)built after their actions
                    for _ in range(per_tx):
                        decoded = next(pages, None)
                        if decoded is None:
                            page = None
                            break
                        page = decoded.page
                        counts = _apply(s, decoded, desk.device_id, seen, first)
                        records = records or counts["records"] > 0
                        orphans += counts["shas"]
                        _count(out, page, counts)
                        if progress:
                            progress(out["pulled"], None)
                        if not page.more:
                            break
                if page is None:
                    break  # cancelled
                if first is not None and page.more:
                    first.maybe_drop_indexes(desk, page.high - page.next)
    finally:
        if first is not None:
            first.restore_indexes(desk)
        if records:
            desk.invalidate()
        scope.forget_bytes(desk, orphans)
    return out


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while a transaction's pages are parsed and applied. A page's
    objects (models, payloads, rows: ~10^5) live long enough to be promoted to the oldest
    generation, so full collections kept walking them: ~11 s of a 50 s 100k first pull. They are
    freed by reference counting when the page is done; anything cyclic is collected once the
    collector runs again after the transaction."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _pages(fetch, cursor: int, cancel):
    """Checked, decoded pages in order. While the caller applies one page, the next one is
    requested (read-only; the transport is used by one thread at a time). The read-ahead thread
    only waits on the network (no GIL held): parsing there would make each of the caller's
    SQLite calls wait for the GIL."""
    with ThreadPoolExecutor(1, thread_name_prefix="towndesk-pull") as ahead_pool:
        ahead = None
        try:
            while cancel is None or not cancel.is_set():
                raw = ahead.result() if ahead is not None else fetch(cursor)
                ahead = None
                page = parse_page(raw)
                _check_order(page, cursor)
                if page.more:
                    ahead = ahead_pool.submit(fetch, page.next)
                yield decode(page)
                cursor = page.next
                if not page.more:
                    return
        finally:
            if ahead is not None:
                ahead.cancel()  # a page requested but not applied is dropped (the pool waits for it)


def _check_order(page: P.ChangesPage, cursor: int) -> None:
    if page.changes and (page.changes[0].seq <= cursor or page.next < page.changes[-1].seq):
        raise SyncError("同步服务器返回的变更序号不正确，本机数据未受影响，稍后重试", code="bad_reply")
    if any(b.seq <= a.seq for a, b in zip(page.changes, page.changes[1:], strict=False)):
        raise SyncError("同步服务器返回的变更顺序不正确，本机数据未受影响，稍后重试", code="bad_reply")


def _count(out: dict, page: P.ChangesPage, counts: dict) -> None:
    out["pulled"] += len(page.changes)
    out["pages"] += 1
    out["cases"] += counts["cases"]
    out["records"] += counts["records"]
    out["quarantined"] += counts.get("quarantined", 0)
    out["high"] = page.high
    if not page.more:
        out["digest"] = page.digest


def _log_empty(s) -> bool:
    return s.execute(text("SELECT 1 FROM case_actions LIMIT 1")).first() is None


class FirstPull:
    """A freshly enrolled store's first pull (cursor 0, no action in the store when it began).

    Every pulled action is new (the server sends each action once), so the lookup of stored ids
    is skipped; a case is folded from the pages alone unless an earlier page of this pull already
    brought some of its log (``cases``). For a large town the secondary indexes the pull does not
    read are dropped and rebuilt once, sorted, at the end (an interrupted pull gets them back on
    the next open or the next pull: app/store/bulk.py).
    """

    def __init__(self):
        self.cases: set[str] = set()
        self.dropped = False

    def maybe_drop_indexes(self, desk, remaining: int) -> None:
        if self.dropped or remaining < FIRST_PULL_BULK_CHANGES:
            return
        _raw(desk, lambda conn: bulk.drop_secondary_indexes(conn, keep=PULL_READS_INDEXES))
        self.dropped = True

    def restore_indexes(self, desk) -> None:
        if self.dropped:
            _raw(desk, bulk.restore_indexes)
            self.dropped = False


def restore_interrupted(desk) -> None:
    """Indexes a killed first pull left dropped come back before anything else is pulled."""
    if _pending_indexes(desk):
        _raw(desk, bulk.restore_indexes)


def _pending_indexes(desk) -> bool:
    with desk.db.read() as s:
        return s.execute(text("SELECT 1 FROM meta WHERE key = :k"), {"k": bulk.PENDING_KEY}).first() is not None


def _raw(desk, work) -> None:
    raw = desk.db.engine.raw_connection()
    try:
        work(raw.driver_connection)
    finally:
        raw.close()


def apply_page(desk, page: P.ChangesPage, seen: set | None = None) -> dict:
    """Apply one page and move the cursor, atomically."""
    decoded = decode(page)
    with desk.db.tx() as s:
        s.execute(text("PRAGMA defer_foreign_keys = ON"))  # case rows are (re)built after their actions
        counts = _apply(s, decoded, desk.device_id, seen)
    if counts["records"]:
        desk.invalidate()
    scope.forget_bytes(desk, counts["shas"])
    return counts


def _apply(s, decoded: Decoded, device_id: str, seen: set | None, first: FirstPull | None = None) -> dict:
    """Apply one decoded page and move the cursor inside the caller's transaction."""
    cases = set()
    if decoded.actions:
        cases = _apply_actions(s, decoded.actions, device_id, seen, first)
    if decoded.records:
        pending = rec.pending_changes(s)
        rec.merge_many(s, ((entity, rid, data.fields, data.deleted, data.owner_level)
                           for _seq, entity, rid, data in decoded.records), pending)
    if decoded.quarantine:
        s.execute(insert(Quarantined.__table__).prefix_with("OR REPLACE"), decoded.quarantine)
    if decoded.voids:
        cases |= _apply_voids(s, decoded.voids)
    shas = []
    if decoded.scopes:  # a unit workstation: cases that left its unit leave the store (app/sync/scope.py)
        ops = scope.net_ops(decoded.scopes)
        gone = [cid for cid, (op, _no) in ops.items() if op == "out"]
        shas = scope.remove_cases(s, gone, {cid: no for cid, (_op, no) in ops.items()})["shas"]
        cases -= set(gone)
    st.put(s, "cursor", decoded.page.next)
    return {"cases": len(cases), "records": len(decoded.records), "quarantined": len(decoded.quarantine),
            "shas": shas}


class Seen(set):
    """The action ids a repair pull saw, and ``restored``: those whose stored content differed from
    the district's copy (edited in the store after acceptance) and were put back to it."""

    def __init__(self):
        super().__init__()
        self.restored: list[dict] = []


_RESTORE = ("case_id", "kind", "at", "actor", "actor_name", "actor_role", "actor_unit", "payload", "device_id")


def _restore_edited(s, pulled: list[Pulled]) -> list[dict]:
    """Accepted actions whose content here is not the district's (a repair pull; the district is
    the authority): the district's content goes back into the row. Its chain value stays as it was,
    so ``audit verify`` still names the entry (the evidence is kept), and the engine audits it."""
    if not pulled:
        return []
    local = st._hashes(s, [p.action.id for p in pulled])
    out = []
    for p in pulled:
        if local.get(p.action.id) == P.action_hash(p.action):
            continue
        s.execute(update(_A).where(_A.c.id == p.action.id).values(
            dict(zip(_RESTORE, p.row[1:10], strict=True)) | {"at": p.logged.at, "payload": p.action.payload or {}}))
        out.append({"id": p.action.id, "case_id": p.action.case_id, "kind": p.action.kind})
    return out


def _apply_voids(s, voids: list[dict]) -> set:
    """The district voided earlier changes: out of quarantine, and a voided action out of the
    case log (status ``void``, kept for the record; the digest drops it; the case is re-folded)."""
    cases, dropped = set(), []
    for v in voids:
        s.execute(delete(Quarantined).where(Quarantined.seq == v["void"]))
        st.drop(s, f"dismissed.q{v['void']}")
        if v["entity"] != "action":
            continue
        row = s.execute(select(_A.c.case_id, _A.c.status).where(_A.c.id == v["id"])).first()
        if row is None:
            continue
        if row.status == "accepted":
            dropped.append(v["id"])
        s.execute(update(_A).where(_A.c.id == v["id"]).values(
            status="void", verdict=f"区级已作废：{v['reason']}"[:500]))
        cases.add(row.case_id)
    st.drop_accepted(s, dropped)
    if cases:
        refold(s, cases)
    return cases


_INSERT_ACTION = (f"INSERT INTO case_actions ({','.join(bulk.ACTION_COLUMNS)}, server_seq, verdict) "
                  f"VALUES ({','.join('?' * (len(bulk.ACTION_COLUMNS) + 2))})")


def _apply_actions(s, actions: list[Pulled], device_id: str, seen: set | None, first: FirstPull | None = None) -> set:
    ids = [p.action.id for p in actions]
    case_ids = {p.action.case_id for p in actions}
    conn = s.connection()
    known: dict[str, str] = {}
    if first is None:
        for start in range(0, len(ids), CHUNK):
            known.update(s.execute(select(_A.c.id, _A.c.status).where(_A.c.id.in_(ids[start:start + CHUNK]))).all())
        stored = _cases_with_actions(conn, case_ids)
    else:
        stored = case_ids & first.cases
        first.cases |= case_ids
    # Cases with no action in the store yet: their whole log is in this page (accepted, in server
    # order, nothing local pending), so they are folded from the page instead of read back.
    fresh = case_ids - stored
    new_rows, updates, newly_accepted, side = [], [], [], []
    logs: dict[str, list] = {}
    for seq, a, row, logged in actions:
        if seen is not None:
            seen.add(a.id)
        status = known.get(a.id)
        if status is None:
            new_rows.append(row)
            newly_accepted.append(a.id)
            side.append(a)
            known[a.id] = "accepted"
            if a.case_id in fresh:
                logs.setdefault(a.case_id, []).append(logged)
        else:
            fresh.discard(a.case_id)
            updates.append({"_id": a.id, "status": "accepted", "server_seq": seq, "verdict": None})
            if status != "accepted":
                newly_accepted.append(a.id)
    if new_rows:
        try:
            conn.exec_driver_sql(_INSERT_ACTION, new_rows)
        except IntegrityError:
            if first is None:
                raise
            # A first pull trusts the server to send each action once; one that did not is refused.
            raise SyncError("同步服务器重复发送了同一操作，本机数据未受影响，稍后重试", code="bad_reply") from None
    if updates:
        s.execute(update(_A).where(_A.c.id == bindparam("_id")), updates)
    if isinstance(seen, Seen) and known:
        seen.restored += _restore_edited(s, [p for p in actions if p.action.id in known and p.action.id not in
                                             newly_accepted])
    st.add_accepted(s, newly_accepted)
    _side_rows(s, side)
    refold(s, case_ids, logs={cid: logs[cid] for cid in fresh if cid in logs})
    return case_ids


def _cases_with_actions(conn, case_ids: set) -> set:
    ids = list(case_ids)
    found: set = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        found.update(r[0] for r in conn.exec_driver_sql(
            f"SELECT DISTINCT case_id FROM case_actions WHERE case_id IN ({','.join('?' * len(chunk))})",
            tuple(chunk)))
    return found


def _side_rows(s, actions: list[ActionData]) -> None:
    """Rows the services write beside an action (co-handling tasks, attachment metadata)."""
    for a in actions:
        p = a.payload
        if a.kind == "cohandle" and p.get("unit"):
            s.execute(insert(CohandleTask.__table__).prefix_with("OR IGNORE"), {
                "id": a.id, "case_id": a.case_id, "action_id": a.id, "unit_code": str(p["unit"]),
                "due_at": to_sql_dt_or_none(p.get("due_at")), "state": "open"})
        elif a.kind == "attach" and isinstance(p.get("sha256"), str):
            s.execute(insert(Attachment.__table__).prefix_with("OR IGNORE"), {
                "id": a.id, "case_id": a.case_id, "action_id": a.id, "sha256": p["sha256"],
                "filename": str(p.get("filename") or p["sha256"][:12])[:255],
                "mime": str(p.get("mime") or "application/octet-stream")[:100],
                "size": int(p.get("size") or 0), "uploaded": True})


def to_sql_dt_or_none(value):
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


__all__ = ["pull_all", "apply_page", "to_sql_dt"]
