"""Re-fold case rows after sync: the district's accepted log first (in server order), then this
workstation's pending actions on top. A pending action that no longer fits is left out of the row
(the district will reject it and it shows up in the conflicts list); rejected actions never count.
"""
from __future__ import annotations

import logging
from itertools import groupby
from operator import attrgetter

from sqlalchemy import bindparam, select, update

from app.domain import workflow as wf
from app.domain.casefold import CASE_FIELDS, ActionRecord, apply
from app.errors import AppError
from app.store import bulk, search
from app.store.models import Case, CaseAction

log = logging.getLogger("towndesk.sync")
CHUNK = 500
_A = CaseAction.__table__.c
_C = Case.__table__
_search_values = attrgetter(*search.SEARCH_COLUMNS)
_INSERT_CASE = (f"INSERT INTO cases ({','.join(bulk.CASE_COLUMNS)}) "
                f"VALUES ({','.join('?' * len(bulk.CASE_COLUMNS))})")


def ordered_actions(session, case_ids: list[str]):
    return session.execute(
        select(_A.id, _A.case_id, _A.kind, _A.at, _A.actor, _A.actor_role, _A.payload, _A.actor_unit, _A.status)
        .where(_A.case_id.in_(case_ids), _A.status.not_in(("rejected", "void")))
        .order_by(_A.case_id, _A.server_seq.is_(None), _A.server_seq, _A.seq)).all()


def fold_rows(actions) -> object:
    state = None
    for a in actions:
        rec = ActionRecord(a.id, a.case_id, a.kind, a.at, a.actor, a.actor_role, a.payload or {}, a.actor_unit)
        if a.status != "accepted":
            try:
                wf.judge(state.state if state else None, a.kind, a.actor_role, a.payload,
                         actor_unit=a.actor_unit, case_unit=state.unit if state else None)
            except AppError:
                continue  # no longer valid here; the district's verdict will reject it
        try:
            state = apply(state, rec)
        except (KeyError, AssertionError, TypeError, ValueError):
            log.warning("action %s does not apply to case %s; left out of the row", a.id, a.case_id)
    return state


def fold_accepted(records: list[ActionRecord]) -> object:
    """``fold_rows`` for a log that is all accepted, given as ActionRecords (nothing to judge)."""
    state = None
    for rec in records:
        try:
            state = apply(state, rec)
        except (KeyError, AssertionError, TypeError, ValueError):
            log.warning("action %s does not apply to case %s; left out of the row", rec.id, rec.case_id)
    return state


def refold(session, case_ids, logs: dict | None = None) -> list[str]:
    """Rebuild the given case rows from their logs. Returns the case numbers that changed.
    ``logs``: case id -> its complete log in fold order, all accepted, as ActionRecords, for cases
    whose log the caller holds already (a pulled page's new cases); the rest are read."""
    changed: list[str] = []
    logs = logs or {}
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        folds = {cid: fold_accepted(logs[cid]) for cid in chunk if cid in logs}
        unread = [cid for cid in chunk if cid not in logs]
        if unread:
            folds.update({cid: fold_rows(list(acts)) for cid, acts in
                          groupby(ordered_actions(session, unread), key=lambda a: a.case_id)})
        rows = {r.id: r for r in session.execute(select(_C).where(_C.c.id.in_(chunk))).all()}
        inserts, updates, reindex = [], [], []
        for cid in chunk:
            state = folds.get(cid)
            if state is None:
                continue  # nothing valid (e.g. a rejected intake): keep the row for the conflicts list
            row = rows.get(cid)
            if row is None:
                inserts.append(state)  # written straight from the state (no dict per new row)
                changed.append(state.case_no)
                continue
            new = state.to_dict()
            diff = {f: new[f] for f in CASE_FIELDS if getattr(row, f) != new[f]}
            if diff:
                updates.append({"_id": cid, **{f: new[f] for f in CASE_FIELDS if f != "id"}})
                changed.append(new["case_no"])
                if set(diff) & set(search.SEARCH_COLUMNS):
                    reindex.append((row.rid, new))
        if inserts:
            _free_case_nos(session, {st.case_no: st.id for st in inserts})
            conn = session.connection()
            conn.exec_driver_sql(_INSERT_CASE, [bulk.state_tuple(st) for st in inserts])
            rids = dict(session.execute(select(_C.c.id, _C.c.rid).where(
                _C.c.id.in_([st.id for st in inserts]))).all())
            conn.exec_driver_sql(f"INSERT INTO {search.FTS_TABLE}(rowid, body) VALUES (?, ?)",
                                 [(rids[st.id], search.document_of(_search_values(st))) for st in inserts])
        if updates:
            session.execute(update(_C).where(_C.c.id == bindparam("_id")), updates)
        for rid, new in reindex:
            search.index_case(session, rid, new, replace=True)
    return changed


def _free_case_nos(session, wanted: dict[str, str]) -> None:
    """A local case whose number the district gave to another case (its intake was rejected)
    keeps its log but moves aside, so the accepted case can take its number."""
    taken = session.execute(select(_C.c.id, _C.c.case_no).where(_C.c.case_no.in_(list(wanted)))).all()
    for other_id, case_no in taken:
        if wanted[case_no] != other_id:
            moved = f"{case_no}-X{other_id[-4:].upper()}"
            session.execute(update(_C).where(_C.c.id == other_id).values(case_no=moved))
            log.warning("local case %s renamed to %s: the number belongs to an accepted case", case_no, moved)
