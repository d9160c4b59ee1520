"""After a district round: other workstations' actions this store took from a centre relay
(status ``lan``) that the district has refused leave the case log (status ``void``, kept for the
record, like a voided change) and their cases are re-folded; the refusal itself is listed as a
conflict on the workstation that made the action (its own push gets the verdict). Accepted ones
became ``accepted`` with the district's sequence number when they were pulled."""
from __future__ import annotations

from sqlalchemy import bindparam, select, text, update

from app.store.models import CaseAction
from app.sync import protocol as P
from app.sync.refold import refold
from app.sync.transport import Transport

_A = CaseAction.__table__
LAN_STATUS = "lan"


def settle(desk, t: Transport) -> dict:
    with desk.db.read() as s:
        # the literal (not a bound value) lets SQLite use the partial index ix_actions_lan_held
        held = s.execute(select(_A.c.id, _A.c.case_id).where(text(f"status = '{LAN_STATUS}'"))).all()
    if not held:
        return {"voided": 0, "held": 0}
    case_of = dict(held)
    ids, refused = list(case_of), []
    for start in range(0, len(ids), P.MAX_BATCH_ENTRIES):
        reply = t.json("POST", P.API + "/verdicts", P.VerdictList,
                       json_body={"ids": ids[start:start + P.MAX_BATCH_ENTRIES]})
        refused += [v for v in reply.verdicts if v.status != "accepted" and v.id in case_of]
    if refused:
        with desk.db.tx() as s:
            s.execute(update(_A).where(_A.c.id == bindparam("_id"), _A.c.status == LAN_STATUS), [
                {"_id": v.id, "status": "void", "verdict": f"区级未接受：{v.reason or '已拒绝'}"[:500]} for v in refused])
            refold(s, {case_of[v.id] for v in refused})
    return {"voided": len(refused), "held": len(held) - len(refused)}
