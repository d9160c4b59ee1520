"""Unit workstations (issue 13 item 2): ``enroll-code --unit`` enrols a workstation that holds only
the cases its unit handles or co-handles; a case transferred away leaves its copy at the next
sync and comes back when transferred back; its pushes and attachment bytes on other units' cases
are refused per item (server/scope.py, app/sync/scope.py)."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import requests
from sqlalchemy import select

from app.cases import attachments, dispatch, handling, intake
from app.domain.ids import new_id
from app.store.models import AuditEntry
from app.sync import conflicts
from app.sync import protocol as P
from tests.conftest import sample_case
from tests.sync.conftest import cli, login_actors, open_station, raw_push, server_cli, sync, transport

PW = {"TOWNDESK_PASSWORD": "demo1234"}


def _listed(data_dir) -> list[str]:
    r = cli("--as", "unit", "case", "list", "--json", "--limit", "500", data_dir=data_dir, env_extra=PW)
    assert r.returncode == 0, r.stderr
    return sorted(c["case_no"] for c in json.loads(r.stdout)["items"])


def _server_case_id(server, case_no: str) -> str:
    from server.models import Case

    with server.db.read() as s:
        return s.scalar(select(Case.id).where(Case.case_no == case_no))


def _comment(desk, case_id: str) -> dict:
    data = {"id": new_id(), "case_id": case_id, "kind": "comment", "at": datetime.now(UTC).isoformat(),
            "actor": "unit", "actor_name": "钱晓峰", "actor_role": "unit", "actor_unit": "D01",
            "payload": {"note": "单位工作站的备注"}, "device_id": desk.device_id}
    return {"id": new_id(), "device_seq": 1, "entity": "action", "entity_id": data["id"], "payload": data}


def test_unit_workstation_holds_only_its_units_cases(stations, server, tmp_path):
    a = stations("A")
    nos = [intake.take_in(a, a.actors["intake"], sample_case(title=f"单位范围案件{i}"))["case_no"] for i in range(6)]
    d = a.actors["dispatcher"]
    dispatch.dispatch(a, d, nos[0], "D01")
    dispatch.dispatch(a, d, nos[1], "D01")
    dispatch.dispatch(a, d, nos[2], "D02", co_units=["D01"])  # co-handled by D01
    dispatch.dispatch(a, d, nos[3], "D02")
    dispatch.dispatch(a, d, nos[5], "D03")                     # nos[4] stays registered
    sync(a)

    # a bad unit: a clear message, exit 2, no code
    bad = server_cli(server, "enroll-code", "--town", "FS", "--unit", "NOPE9")
    assert bad.returncode == 2 and "单位「NOPE9」" in bad.stderr and "unit_unknown" in bad.stderr
    code = server_cli(server, "enroll-code", "--town", "FS", "--unit", "D01")
    assert code.returncode == 0, code.stderr
    # an existing store cannot become a unit workstation (it holds the whole town)
    existing = cli("enroll", "--server", server.url, "--code", code.stdout.strip(), "--json", data_dir=a.root)
    assert existing.returncode == 2 and "新的数据目录" in existing.stderr
    code = server_cli(server, "enroll-code", "--town", "FS", "--unit", "D01").stdout.strip()
    unit_dir = tmp_path / "unit-D01"
    r = cli("enroll", "--server", server.url, "--code", code, "--json", data_dir=unit_dir)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["unit"] == "D01" and json.loads(r.stdout)["sync"]["digest"] is None
    assert _listed(unit_dir) == sorted(nos[:3])  # from the snapshot: handled or co-handled by D01
    devices = json.loads(server_cli(server, "devices", "--town", "FS").stdout)
    assert sorted(x["unit"] or "-" for x in devices) == ["-", "D01"]
    peer = cli("sync", "--peer", "http://127.0.0.1:9", data_dir=unit_dir)  # a relay serves the whole town
    assert peer.returncode == 2 and "单位工作站（D01）" in peer.stderr and "局域网中继" in peer.stderr
    units = json.loads(cli("ref", "list", "units", "--json", data_dir=unit_dir).stdout)
    assert any(x["code"] == "D03" for x in units)  # the reference data came down whole

    # later changes by page: a case dispatched to D01 comes in with its whole log; one transferred
    # away leaves at the next sync (audited there); the rest of the town's work never arrives
    dispatch.dispatch(a, d, nos[4], "D01")
    handling.act(a, d, nos[0], "transfer", {"unit": "D02", "reason": "经核实属其他单位职责"})
    handling.act(a, d, nos[3], "comment", {"note": "与本单位无关的备注"})
    sync(a)
    u = open_station(unit_dir)
    try:
        u.actors = login_actors(u)
        # offline, the unit still works on the case the district has already transferred away
        handling.act(u, u.actors["unit"], nos[0], "comment", {"note": "已转走的案件上的备注"})
        out = sync(u)
        assert out["digest"] is None and not out["repaired"]  # a unit copy compares no town digest
        assert out["rejected"] == 1
        [conflict] = conflicts.list_conflicts(u)  # the refused work stays listed after its case left
        assert conflict["case_no"] == nos[0] and conflict["action"] == "comment" and "不由本单位" in conflict["reason"]
        assert _listed(unit_dir) == sorted([nos[1], nos[2], nos[4]])
        shown = json.loads(cli("--as", "unit", "case", "show", nos[4], "--json", data_dir=unit_dir,
                               env_extra=PW).stdout)
        assert shown["unit"]["code"] == "D01" if isinstance(shown["unit"], dict) else shown["unit"] == "D01"
        with u.db.read() as s:
            gone = s.scalars(select(AuditEntry.target).where(AuditEntry.action == "sync.scope_out")).all()
        assert gone == [nos[0]]
        verify = cli("audit", "verify", "--json", data_dir=unit_dir)
        assert verify.returncode == 0 and json.loads(verify.stdout)["ok"], verify.stdout  # the chain re-sealed
        # ... and the district took the re-sealed head as the unit device's new anchor (audited)
        assert json.loads(verify.stdout)["anchors"]["checked"] and json.loads(verify.stdout)["anchors"]["logs"]
        audit = json.loads(server_cli(server, "audit", "--town", "FS", "--json").stdout)
        assert any(x["kind"] == "anchor_resealed" for x in audit)
        assert not any(x["kind"] in ("anchor_mismatch", "anchor_regressed") for x in audit)
        # transferred back: it returns whole
        handling.act(a, d, nos[0], "transfer", {"unit": "D01", "reason": "退回原单位办理"})
        sync(a)
        sync(u)
        assert _listed(unit_dir) == sorted([nos[0], nos[1], nos[2], nos[4]])
        shown = json.loads(cli("--as", "unit", "case", "show", nos[0], "--json", data_dir=unit_dir,
                               env_extra=PW).stdout)
        assert shown["transfer_count"] == 2 and shown["state"] == "dispatched"  # folded from its whole log

        # a forged push on another unit's case is refused per item, the rest of the batch accepted
        foreign, own = _comment(u, _server_case_id(server, nos[3])), _comment(u, _server_case_id(server, nos[1]))
        reply = raw_push(u, server.url, [foreign, own])
        assert reply.status_code == 200, reply.text
        first, second = reply.json()["results"]
        assert (first["status"], first["code"]) == ("rejected", "out_of_scope") and "不由本单位" in first["reason"]
        assert second["status"] == "accepted"
        audit = json.loads(server_cli(server, "audit", "--town", "FS", "--json").stdout)
        assert any(x["kind"] == "out_of_scope" and x["subject"] == foreign["entity_id"] for x in audit)

        # attachment bytes: another unit's case's are refused, its own unit's are served
        src = tmp_path / "photo.txt"
        src.write_bytes(b"only for D02 " * 50)
        attachments.attach(a, a.actors["dispatcher"], nos[3], src)
        src2 = tmp_path / "photo2.txt"
        src2.write_bytes(b"for D01 " * 50)
        attachments.attach(a, a.actors["dispatcher"], nos[1], src2)
        sync(a)
        sync(u)
        h = transport(u).headers()
        import hashlib

        for body, status in ((src.read_bytes(), 403), (src2.read_bytes(), 200)):
            sha = hashlib.sha256(body).hexdigest()
            got = requests.get(f"{server.url}{P.API}/blobs/{sha}", headers=h, timeout=10)
            assert got.status_code == status, got.text
        assert got.content == src2.read_bytes()
        whole = requests.get(f"{server.url}{P.API}/snapshot.db", headers=h, timeout=10)  # the whole town's file
        assert whole.status_code == 409 and whole.json()["error"]["code"] == "snapshot_unavailable"
        kept = u.attachments_dir / sha[:2] / sha
        assert kept.is_file()  # the unit's own case's attachment came down
        handling.act(a, d, nos[1], "transfer", {"unit": "D02", "reason": "改由其他单位办理"})
        sync(a)
        sync(u)
        assert nos[1] not in _listed(unit_dir) and not kept.exists()  # its bytes left with it
    finally:
        u.close()


def test_attaching_to_a_case_not_of_this_unit_is_refused_at_the_field(desk, actors, tmp_path):
    with desk.db.tx() as s:
        desk.set_meta(s, "setting.auto_dispatch", "false")
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    dispatch.dispatch(desk, actors["dispatcher"], no, "D01")
    with desk.db.tx() as s:
        desk.set_meta(s, "sync.unit", "D02")  # as a D02 unit workstation's enrolment leaves it
    src = tmp_path / "f.txt"
    src.write_bytes(b"x" * 100)
    from app.errors import ValidationError

    try:
        attachments.attach(desk, actors["dispatcher"], no, src)
    except ValidationError as e:
        assert e.field == "case" and "不由本单位（D02）承办或协办" in e.message
    else:
        raise AssertionError("attached to another unit's case")
    assert not desk.attachments_dir.exists() or not any(p.is_file() for p in desk.attachments_dir.rglob("*"))
    with desk.db.tx() as s:
        desk.set_meta(s, "sync.unit", "D01")  # its own unit's case: attached
    assert attachments.attach(desk, actors["dispatcher"], no, src)["case_no"] == no
