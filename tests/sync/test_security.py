"""Tokens are scoped to one town, revocable, bound to device + database; codes work once;
a restored copy cannot push as the original; an unsupported protocol gets a clear message."""
from __future__ import annotations

import json
import shutil

import pytest
import requests

from app.cases import intake
from app.domain.ids import new_id
from app.store.types import dumps
from app.sync import protocol as P
from app.sync.transport import SyncError
from server import admin
from tests.conftest import sample_case
from tests.sync.conftest import fast, open_station, pending, raw_push, server_log, sync, transport


def _headers(desk) -> dict:
    return transport(desk).headers()


def test_town_a_cannot_read_or_write_town_b(stations, server):
    a, q = stations("A"), stations("Q", fresh=True, town="QL")
    no = intake.take_in(a, a.actors["intake"], sample_case())["case_no"]
    sync(a)
    # Q pulls everything it may see: nothing of town FS
    page = requests.get(server.url + P.API + "/changes", params={"after": 0}, headers=_headers(q), timeout=5).json()
    fs_ids = {i for _, i in server_log(server, "FS")}
    assert fs_ids and not fs_ids & {c["id"] for c in page["changes"]}
    # Q tries to write into an FS case and to take in a case numbered for FS
    with a.db.read() as s:
        from sqlalchemy import select

        from app.store.models import Case, CaseAction

        case = s.scalar(select(Case).where(Case.case_no == no))
        intake_action = s.scalar(select(CaseAction).where(CaseAction.case_id == case.id, CaseAction.kind == "intake"))
    from app.cases.caselog import action_dict

    forged = action_dict(intake_action) | {"id": new_id(), "kind": "comment", "payload": {"note": "越权"}}
    stolen = action_dict(intake_action) | {"id": new_id(), "case_id": new_id()}
    entries = [{"id": new_id(), "device_seq": 1, "entity": "action", "entity_id": x["id"],
                "payload": json.loads(dumps(x))} for x in (forged, stolen)]
    r = raw_push(q, server.url, entries, chain_next="n" * 32)
    assert r.status_code == 200, r.text
    verdicts = r.json()["results"]
    assert [v["status"] for v in verdicts] == ["rejected", "rejected"]
    assert "不存在" in verdicts[0]["reason"] and "本镇街" in verdicts[1]["reason"]
    assert {i for _, i in server_log(server, "QL")} == set()
    # Q's token with A's device id is refused
    bad = _headers(q) | {P.H_DEVICE: a.device_id}
    assert requests.get(server.url + P.API + "/changes", headers=bad, timeout=5).status_code == 403


def _chain(desk) -> str:
    from app.sync import state as st

    with desk.db.read() as s:
        return st.get(s, "chain")


def test_revoked_token_is_refused(stations, server):
    a = stations("A")
    intake.take_in(a, a.actors["intake"], sample_case())
    admin.revoke(server.db, a.device_id)
    before = pending(a)
    with pytest.raises(SyncError) as e:
        sync(a)
    assert "吊销" in e.value.message and e.value.code == "auth_revoked"
    assert pending(a) == before and a.meta("sync.last_error") == e.value.message
    # a new code re-enrolls the same workstation (same code, data kept) and the queue goes up
    from app.sync.enroll import enroll

    out = enroll(a, server.url, server.code(), sync=False)
    assert out["workstation"] == "01"
    assert sync(a)["pending"] == 0


def test_enrollment_code_works_once(server, tmp_path):
    from app.sync.enroll import enroll

    code = server.code()
    d1, d2 = open_station(tmp_path / "one"), open_station(tmp_path / "two")
    enroll(d1, server.url, code, sync=False)
    with pytest.raises(SyncError) as e:
        enroll(d2, server.url, code, sync=False)
    assert e.value.code == "enroll_code_used" and "只能使用一次" in e.value.message
    assert d2.meta("sync.token") is None
    with pytest.raises(SyncError) as e:
        enroll(d2, server.url, "ABCDE-FGHJK", sync=False)
    assert e.value.code == "enroll_code_invalid"
    d1.close()
    d2.close()


def test_restored_copy_cannot_push_as_the_original(stations, server, tmp_path):
    a = stations("A")
    intake.take_in(a, a.actors["intake"], sample_case(title="备份前"))
    sync(a)
    a.db.engine.dispose()
    copy_root = tmp_path / "restored"
    shutil.copytree(a.root, copy_root)  # a backup of the workstation's database
    intake.take_in(a, a.actors["intake"], sample_case(title="原机继续工作"))
    assert sync(a)["accepted"] >= 1  # the original moves its chain on
    copy = open_station(copy_root)
    fast(copy)
    intake.take_in(copy, a.actors["intake"], sample_case(title="副本冒充"))
    with pytest.raises(SyncError) as e:
        sync(copy)
    assert e.value.code == "stale_copy" and "副本" in e.value.message
    # reading is allowed, writing is not; the original carries on
    intake.take_in(a, a.actors["intake"], sample_case(title="原机再次同步"))
    assert sync(a)["rejected"] == 0
    copy.close()


def test_unsupported_protocol_gets_a_clear_message(stations, server):
    a = stations("A")
    for version, hint in ((99, "请升级区级同步服务器"), (0, "请升级指挥台客户端")):
        with pytest.raises(SyncError) as e:
            sync_with(a, protocol=version)
        assert e.value.code == "protocol_unsupported" and hint in e.value.message
        assert f"同步协议版本 {version} 不受支持" in e.value.message
    r = requests.get(server.url + P.API + "/changes", timeout=5)  # no versions at all
    assert r.status_code == 426 and "协议版本" in r.json()["error"]["message"]
    health = requests.get(server.url + P.API + "/health", timeout=5).json()
    assert health["protocol_min"] <= P.PROTOCOL_VERSION <= health["protocol_max"]


def sync_with(desk, **over):
    from app.sync.engine import run_round

    return run_round(desk, transport=transport(desk, **over))
