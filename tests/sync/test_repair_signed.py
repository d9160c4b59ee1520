"""Repair after the district lost our work (issue 12 item 2): the district's database is put back
from an older backup; the workstation's next round re-reads the log (410 must_resync) and queues
again its own accepted actions the district no longer has, and the round after pushes them with
the signatures their actors made when they were written: the district accepts them again (nothing
audited as forgery). A re-queued action whose signature row is missing here is refused on its own
and listed as a conflict; the round completes.

The backup is a real copy of the server's database (the SQLite file, or a PostgreSQL database
made from it as a template) taken while the server is stopped. The restore keeps each device's
rolling chain secret as it is now (``_restore(..., keep_chains=True)``): with the backup's older
secret every workstation that pushed since the backup is refused as a stale copy (403
``stale_copy``, tested last), which is what a restore does today.
"""
from __future__ import annotations

import shutil
import uuid
from datetime import datetime

from sqlalchemy import delete, func, select

from app.cases import dispatch, intake
from app.domain.timezone import LOCAL_TZ
from app.store.models import ActionSignature, CaseAction, OutboxEntry
from app.store.models import Case as LocalCase
from app.sync.conflicts import list_conflicts
from tests.conftest import sample_case
from tests.sync.conftest import PG, pending, server_log, sync


def _pg_admin(server, sql: str) -> None:
    import psycopg

    base = server.db_url.replace("postgresql+psycopg://", "postgresql://").rpartition("/")[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)


def _backup(server) -> str:
    """A copy of the server's database, taken with the server stopped."""
    server.kill()
    server.db.close()
    if PG:
        name = server.db_url.rpartition("/")[2]
        copy = f"bak_{uuid.uuid4().hex[:10]}"
        _pg_admin(server, f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    else:
        path = server.db.sqlite_path
        copy = str(path) + ".bak"
        shutil.copyfile(path, copy)
    server.start()
    return copy


def _restore(server, copy: str, keep_chains: bool = True) -> None:
    """Put the backup back in place (server stopped, then started again)."""
    from server.models import Device

    with server.db.read() as s:
        chains = {d.id: d.chain_hash for d in s.scalars(select(Device))}
    server.kill()
    server.db.close()
    if PG:
        name = server.db_url.rpartition("/")[2]
        _pg_admin(server, f'DROP DATABASE "{name}"')
        _pg_admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{copy}"')
    else:
        path = server.db.sqlite_path
        for extra in ("-wal", "-shm"):
            path.with_name(path.name + extra).unlink(missing_ok=True)
        shutil.copyfile(copy, path)
    if keep_chains:
        with server.db.tx() as s:
            for d in s.scalars(select(Device)):
                d.chain_hash = chains.get(d.id, d.chain_hash)
    server.start()


def _audit_kinds(server) -> dict[str, int]:
    from server.models import AuditEntry

    with server.db.read() as s:
        return dict(s.execute(select(AuditEntry.kind, func.count()).group_by(AuditEntry.kind)).all())


def _lost_work(stations, server):
    """A enrolled, its users logged in (keys registered), a backup; then an intake and a dispatch
    made and accepted; then the backup restored: the district no longer has those two."""
    a = stations("A")
    intake_user, dispatcher = a.actors["intake"], a.actors["dispatcher"]
    copy = _backup(server)
    # after the enrolment (work dated before it may be vouched for by the device), and in China
    # time as a clock or a given time spells it: the store keeps it in UTC, the signature covers +08:00
    a.clock.set(datetime.now(LOCAL_TZ))
    no = intake.take_in(a, intake_user, sample_case(title="备份后受理"))["case_no"]
    dispatch.dispatch(a, dispatcher, no, "D01")
    out = sync(a)
    assert out["accepted"] == 2 and out["rejected"] == 0, out
    with a.db.read() as s:
        case_id = s.scalar(select(LocalCase.id).where(LocalCase.case_no == no))
        lost = s.scalars(select(CaseAction.id).join(ActionSignature, ActionSignature.action_id == CaseAction.id)
                         .where(CaseAction.case_id == case_id).order_by(CaseAction.seq)).all()
    assert len(lost) == 2
    assert set(lost) <= {aid for _, aid in server_log(server)}
    _restore(server, copy)
    assert not set(lost) & {aid for _, aid in server_log(server)}  # the district lost them
    return a, no, lost


def _repair_round(a, lost):
    out = sync(a)
    assert out["repaired"] is True, out
    with a.db.read() as s:
        queued = set(s.scalars(select(OutboxEntry.entity_id).where(OutboxEntry.entity == "action")))
        statuses = {x.id: x.status for x in s.scalars(select(CaseAction).where(CaseAction.id.in_(lost)))}
        sigs = {r.action_id for r in s.scalars(select(ActionSignature).where(ActionSignature.action_id.in_(lost)))}
    assert queued == set(lost) and set(statuses.values()) == {"local"}, (queued, statuses)
    assert sigs == set(lost)  # the actors' signatures are still here, to go with them


def test_repair_requeues_lost_actions_with_their_signatures_and_the_district_takes_them(stations, server):
    a, no, lost = _lost_work(stations, server)
    before = _audit_kinds(server)
    _repair_round(a, lost)
    out = sync(a)  # pushes the re-queued actions
    assert out["pushed"] == 2 and out["accepted"] == 2 and out["rejected"] == 0, (out, [c["reason"] for c in list_conflicts(a)])
    assert out["new_conflicts"] == 0 and pending(a) == 0
    assert set(lost) <= {aid for _, aid in server_log(server)}
    after = _audit_kinds(server)
    # accepted as their actors' own: a user's action signed by the device after enrolment would
    # have been refused as forgery; none was vouched for either
    assert after.get("forgery", 0) == before.get("forgery", 0) == 0
    assert after.get("vouched", 0) == before.get("vouched", 0)
    with a.db.read() as s:
        assert set(s.scalars(select(CaseAction.status).where(CaseAction.id.in_(lost)))) == {"accepted"}
    from server.models import Case

    with server.db.read() as s:
        assert s.scalar(select(Case.state).where(Case.case_no == no)) == "dispatched"
    assert sync(a)["digest"]["equal"] is True


def test_requeued_action_without_its_signature_is_refused_alone_and_listed(stations, server):
    a, no, lost = _lost_work(stations, server)
    _repair_round(a, lost)
    intake_id, dispatch_id = lost
    with a.db.tx() as s:  # the dispatch's signature row is gone (e.g. a damaged store)
        s.execute(delete(ActionSignature).where(ActionSignature.action_id == dispatch_id))
    out = sync(a)  # the round completes: the intake goes in, the dispatch is refused on its own
    assert out["pushed"] == 2 and out["accepted"] == 1 and out["rejected"] == 1 and out["new_conflicts"] == 1, out
    assert pending(a) == 0
    [c] = [c for c in list_conflicts(a) if c["kind"] == "action"]
    assert c["id"] == dispatch_id and c["action"] == "dispatch" and "本人签名" in c["reason"], c
    assert _audit_kinds(server).get("forgery") == 1
    log = {aid for _, aid in server_log(server)}
    assert intake_id in log and dispatch_id not in log
    from server.models import Case

    with server.db.read() as s:
        assert s.scalar(select(Case.state).where(Case.case_no == no)) == "registered"
    again = sync(a)  # nothing left to push; the next rounds go on
    assert again["pushed"] == 0 and again["rejected"] == 0


def test_restore_with_the_backups_chain_secrets_refuses_the_workstation_as_a_stale_copy(stations, server):
    """What a plain restore does today: A pushed after the backup, so the district's copy holds an
    older rolling secret and A's next push is refused (403 stale_copy); its re-queued work stays
    queued with its signatures (nothing lost on the workstation)."""
    import pytest

    from app.sync.transport import SyncError

    a = stations("A")
    intake_user = a.actors["intake"]
    copy = _backup(server)
    a.clock.set(datetime.now(LOCAL_TZ))
    intake.take_in(a, intake_user, sample_case(title="备份后受理"))
    assert sync(a)["accepted"] == 1
    _restore(server, copy, keep_chains=False)
    assert sync(a)["repaired"] is True  # pull and repair run; nothing was pushed
    with pytest.raises(SyncError) as e:
        sync(a)
    assert e.value.code == "stale_copy"
    assert pending(a) == 1
