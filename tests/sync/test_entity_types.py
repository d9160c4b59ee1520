"""The server and the conflicts list judge and name record types from app.domain.entities
(in process: no server subprocess needed)."""
from __future__ import annotations

from app.domain import entities
from app.domain.ids import new_id
from app.sync import protocol as P


def _entry(entity: str, payload: dict) -> P.PushEntry:
    record_id = new_id()
    return P.PushEntry(id=new_id(), device_seq=1, entity=entity, entity_id=record_id,
                       payload={"id": record_id, **payload})


def test_server_refuses_district_owned_types_and_takes_town_records(tmp_path):
    from server import admin, migrate
    from server.db import ServerDB
    from server.ingest import ingest_as_district

    db = ServerDB(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    try:
        migrate.upgrade(db)
        admin.add_town(db, "FS", "府山街道")
        fixed = [t.name for t in entities.TYPES if t.owner == entities.DISTRICT]
        assert fixed == ["town", "device"]  # device: the town's enrolled workstations (app/lan)
        town, unit, device = ingest_as_district(db, "FS", [
            _entry("town", {"code": "FS", "name": "改名", "owner_level": "town"}),
            _entry("unit", {"code": "U99", "name": "新单位", "kind": "department", "owner_level": "town"}),
            _entry("device", {"code": "09", "name": "伪造的工作站", "public_key": "x", "owner_level": "town"})])
    finally:
        db.close()
    assert (town.status, town.http, town.code) == ("rejected", 422, "permission_denied")
    assert town.reason == "镇街信息由区级维护，本机修改未被接受"
    assert unit.status == "accepted" and unit.server_seq == 1
    assert (device.status, device.code) == ("rejected", "permission_denied")


def test_record_conflicts_are_labelled_in_chinese(desk):
    from app.sync import state as st
    from app.sync.conflicts import list_conflicts

    with desk.db.tx() as s:
        st.record_conflict(s, "e1", "staff", "x1", {"name": "王五"}, "区级基础数据只能由区级修改", "permission_denied",
                           "2026-11-27T02:00:00+00:00")
    [c] = [c for c in list_conflicts(desk) if c["kind"] == "record"]
    assert c["label"] == "基础数据（网格人员）" and c["action"] == "staff"
