"""``towndesk check``: SQLite integrity plus rebuild-from-log comparison of every case row."""
from __future__ import annotations

from itertools import groupby

from sqlalchemy import select, text

from app.cases.caselog import state_of
from app.desk import Desk
from app.domain.casefold import CASE_FIELDS, ActionRecord, fold
from app.store import chain
from app.store.models import Case, CaseAction


def records(actions) -> list[ActionRecord]:
    return [ActionRecord(a.id, a.case_id, a.kind, a.at, a.actor, a.actor_role, a.payload, a.actor_unit)
            for a in actions]


def rebuild_differences(desk: Desk, repair: bool = False, limit: int = 100) -> dict:
    """Fold every case from its log and compare with the stored row. Returns counts and diffs."""
    diffs, checked = [], 0
    with desk.db.tx() as s:
        stream = s.execute(select(CaseAction).where(CaseAction.status.not_in(("rejected", "void")))
                           # the district's order first, local pending actions on top (app.sync)
                           .order_by(CaseAction.case_id, CaseAction.server_seq.is_(None),
                                     CaseAction.server_seq, CaseAction.seq)).scalars()
        rows = {}
        for case_id, acts in groupby(stream, key=lambda a: a.case_id):
            rebuilt = fold(records(acts))
            row = rows.get(case_id) or s.scalar(select(Case).where(Case.id == case_id))
            checked += 1
            stored = state_of(row)
            fields = [f for f in CASE_FIELDS if getattr(stored, f) != getattr(rebuilt, f)]
            if fields:
                if len(diffs) < limit:
                    diffs.append({"case_no": row.case_no, "fields": {
                        f: {"stored": str(getattr(stored, f)), "rebuilt": str(getattr(rebuilt, f))} for f in fields}})
                if repair:
                    for f in fields:
                        setattr(row, f, getattr(rebuilt, f))
        orphans = s.scalar(text("SELECT count(*) FROM cases WHERE NOT EXISTS "
                                "(SELECT 1 FROM case_actions a WHERE a.case_id = cases.id)"))
    return {"checked": checked, "differences": len(diffs), "diffs": diffs, "orphans": orphans}


def verify_chains(desk: Desk, online: bool = True) -> dict:
    """The hash chains of the action log and the audit log (app.store.chain.verify), and, on an
    enrolled store with the district reachable, against the heads the district anchored
    (``anchors``: {checked, message, logs}); offline that part is said, not failed."""
    anchors, why = None, "未核对区级服务器的链头"
    if online:
        from app.sync.anchor import fetch  # requests: only when the district is asked

        anchors, why = fetch(desk)
    with desk.db.read() as s:
        out = chain.verify(s.connection(), anchors)
    if why is None:
        why = "已与区级服务器锚定的链头核对" if anchors else "区级服务器尚无本工作站的链头锚定（下次同步后才有）"
    out["anchors"] = {"checked": anchors is not None, "message": why, "logs": anchors or {}}
    return out


def integrity(desk: Desk) -> dict:
    with desk.db.read() as s:
        quick = s.execute(text("PRAGMA quick_check")).scalar()
        fk = s.execute(text("PRAGMA foreign_key_check")).all()
        fts = s.execute(text("SELECT (SELECT count(*) FROM case_fts) = (SELECT count(*) FROM cases)")).scalar()
    return {"sqlite": quick, "foreign_keys_ok": not fk, "search_index_ok": bool(fts)}
