"""What a unit workstation holds: the one rule, used by pull pages, the snapshot, push and blobs.

A workstation enrolled with ``enroll-code --unit U`` holds the cases that unit U handles (the
case's ``unit``) or co-handles (U in its ``co_units``), judged on the district's fold of the case,
plus the town's reference data (no password hash ever travels; users' keys never do).

Over time the rule is applied per change: *after change n, does U hold case C?* A case's unit
changes only with ``dispatch``, ``return``, ``transfer`` and ``cohandle`` (their effects in
app.domain.actions decide it, so this module replays only those actions). In the change log a
unit workstation reads:

- an action on a case U held before it and holds after it: the action, as for any workstation;
- the action with which U comes to hold a case (dispatched or transferred to U, asked to
  co-handle): a ``scope`` change ``{"op": "in", "case_id", "actions": [...]}`` at that action's
  sequence number carrying the case's whole log up to it (each action with its own sequence);
- the action after which U no longer holds it (transferred away, returned): a ``scope`` change
  ``{"op": "out", "case_id", "case_no"}`` instead; the workstation removes the case (audited
  there). Transferred back, it comes in again whole;
- actions on cases U does not hold: nothing. Records and voids: as for any workstation.

The town's digest covers every case; a unit workstation's copy is a subset, so it gets no digest
(its sync skips the comparison instead of repairing forever). Its pushes on cases U does not hold
(before the action) are refused per item with ``out_of_scope`` and audited; so are its intakes (a
new case belongs to no unit yet) and attachment bytes no case of U names.
"""
from __future__ import annotations

import bisect
import json
from types import SimpleNamespace

import orjson
from sqlalchemy import select

from app.domain import workflow as wf
from app.domain.casefold import CaseState
from app.errors import PermissionDenied
from app.sync import protocol as P
from server import audit
from server.auth import ApiError
from server.models import Action, Case, Change, Record

SCOPE_KINDS = ("dispatch", "return", "transfer", "cohandle")
OUT_OF_SCOPE = "out_of_scope"
CHUNK = 500


class OutOfScope(PermissionDenied):
    code = OUT_OF_SCOPE


def holds(unit: str, case_unit: str | None, co_units) -> bool:
    return bool(unit) and (case_unit == unit or unit in (co_units or ()))


def holds_fold(unit: str, fold: str | bytes | dict) -> bool:
    d = fold if isinstance(fold, dict) else orjson.loads(fold)
    return holds(unit, d.get("unit"), d.get("co_units"))


def unit_known(s, town: str, unit: str) -> bool:
    """A unit code of the town (its own or the district's), not deleted."""
    for data in s.scalars(select(Record.data).where(Record.scope.in_([town, "*"]), Record.entity == "unit",
                                                     Record.deleted.is_(False))):
        if json.loads(data).get("code") == unit:
            return True
    return False


class Timeline:
    """For some cases: does ``unit`` hold case C after change n (n <= ``upto``)?"""

    def __init__(self, s, town: str, unit: str, case_ids, upto: int):
        self.unit = unit
        self.points: dict[str, tuple[list[int], list[bool]]] = {}
        ids = list(set(case_ids))
        for start in range(0, len(ids), CHUNK):
            rows = s.execute(select(Action.case_id, Action.seq, Action.kind, Action.data).where(
                Action.town == town, Action.case_id.in_(ids[start:start + CHUNK]),
                Action.kind.in_(SCOPE_KINDS), Action.seq <= upto).order_by(Action.case_id, Action.seq))
            state: dict[str, CaseState] = {}
            for cid, seq, kind, data in rows:
                c = state.setdefault(cid, CaseState(id=cid))
                try:
                    wf.ACTIONS[kind].effect(c, SimpleNamespace(at=None), orjson.loads(data).get("payload") or {})
                except (KeyError, TypeError, ValueError):
                    continue  # not a shape any server accepted: it changed no fold
                seqs, held = self.points.setdefault(cid, ([], []))
                seqs.append(seq)
                held.append(holds(unit, c.unit, c.co_units))

    def held(self, case_id: str, seq: int) -> bool:
        seqs, held = self.points.get(case_id, ((), ()))
        i = bisect.bisect_right(seqs, seq)
        return bool(i) and held[i - 1]


def _change_json(seq, entity, entity_id, data, received_at) -> str:
    return (f'{{"seq":{seq},"entity":"{entity}","id":"{entity_id}","data":{data}'
            + (f',"received_at":"{received_at}"}}' if received_at else "}"))


def page_parts(s, town: str, unit: str, rows) -> list[str]:
    """The change-log rows of one page as a unit workstation reads them (JSON texts)."""
    case_of: dict[int, str] = {}
    for r in rows:
        if r.entity == "action":
            try:
                case_of[r.seq] = str(orjson.loads(r.data)["case_id"])
            except (ValueError, KeyError, TypeError):
                continue
    tl = Timeline(s, town, unit, case_of.values(), rows[-1].seq) if case_of else None
    parts = []
    for r in rows:
        if r.entity != "action":
            parts.append(_change_json(r.seq, r.entity, r.entity_id, r.data, r.received_at))
            continue
        cid = case_of.get(r.seq)
        if cid is None:
            continue
        before, after = tl.held(cid, r.seq - 1), tl.held(cid, r.seq)
        if before and after:
            parts.append(_change_json(r.seq, r.entity, r.entity_id, r.data, r.received_at))
        elif after:
            parts.append(_change_json(r.seq, P.SCOPE, cid, _case_in(s, town, cid, r.seq), r.received_at))
        elif before:
            no = s.scalar(select(Case.case_no).where(Case.id == cid)) or ""
            parts.append(_change_json(r.seq, P.SCOPE, cid, P.canonical(
                {"op": "out", "case_id": cid, "case_no": no}), r.received_at))
    return parts


def _case_in(s, town: str, case_id: str, upto: int) -> str:
    """The ``in`` change: the case's log up to ``upto``, each action as a change of the log."""
    rows = s.execute(select(Change.seq, Change.entity_id, Change.data, Change.received_at)
                     .join(Action, (Action.town == Change.town) & (Action.seq == Change.seq))
                     .where(Action.town == town, Action.case_id == case_id, Action.seq <= upto)
                     .order_by(Action.seq)).all()
    actions = ",".join(_change_json(r.seq, "action", r.entity_id, r.data, r.received_at) for r in rows)
    return f'{{"actions":[{actions}],"case_id":"{case_id}","op":"in"}}'


def held_at(s, town: str, unit: str, upto: int) -> set[str]:
    """The cases ``unit`` holds as of change ``upto`` (the snapshot's)."""
    out, later = set(), []
    for cid, fold, last_seq in s.execute(select(Case.id, Case.fold, Case.last_seq).where(Case.town == town)):
        if last_seq > upto:
            later.append(cid)
        elif holds_fold(unit, fold):
            out.add(cid)
    if later:
        tl = Timeline(s, town, unit, later, upto)
        out.update(cid for cid in later if tl.held(cid, upto))
    return out


def check_push(b, a, state: CaseState | None) -> None:
    """A unit workstation's action on a case its unit does not hold (before the action) is refused
    and audited; the rest of the batch goes on (server/ingest.py)."""
    unit = getattr(b.caller, "unit", None)
    if not unit or (state is not None and holds(unit, state.unit, state.co_units)):
        return
    b.audits.append(audit.row(b.town.code, OUT_OF_SCOPE, device=b.caller.device_id, actor=a.actor, subject=a.id,
                              at=b.now_iso, detail={"kind": a.kind, "case_id": a.case_id, "unit": unit}))
    if state is None:
        raise OutOfScope(f"单位工作站（{unit}）不能受理登记新案件，请在镇街指挥中心受理", field="case_id")
    raise OutOfScope(f"案件 {state.case_no} 不由本单位（{unit}）承办或协办，单位工作站不能对其操作",
                     field="case_id")


def check_blob(s, town: str, unit: str | None, sha: str) -> None:
    """A unit workstation may upload or read only the bytes an attach action on a case of its unit
    names. (The lookup reads the town's attach actions: fine for a unit's uploads; an index of
    blob -> case would be the next step for very large towns.)"""
    if not unit:
        return
    cases = set(s.scalars(select(Action.case_id).where(Action.town == town, Action.kind == "attach",
                                                       Action.data.contains(sha))))
    for start in range(0, len(cases), CHUNK):
        ids = list(cases)[start:start + CHUNK]
        for fold in s.scalars(select(Case.fold).where(Case.town == town, Case.id.in_(ids))):
            if holds_fold(unit, fold):
                return
    raise ApiError(403, OUT_OF_SCOPE, f"该附件不属于本单位（{unit}）承办或协办的案件，单位工作站不能上传或下载")
