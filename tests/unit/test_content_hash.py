"""The sync digest's per-action value (app.sync.protocol.content_hash) is the same whether it is
computed from the wire form (the district: pushed JSON, its stored copy) or from the workstation's
storage form (naive-UTC time text, payload JSON text), and changes with every covered field."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from app.store.values import dumps, to_sql_dt
from app.sync import protocol as P
from app.sync.wire import ActionData

SHANGHAI = timezone(timedelta(hours=8))
WIRE = {"id": "01a2-x", "case_id": "01a2-c", "kind": "dispatch", "at": "2026-12-01T17:00:00.123456+08:00",
        "actor": "dispatcher", "actor_name": "调度员", "actor_role": "dispatcher", "actor_unit": None,
        "payload": {"unit": "D01", "note": "请核实\n处理", "co_units": ["V01", "P01"], "due_at": "2026-12-05T17:00:00+08:00",
                    "days": 3, "ratio": 0.5, "nested": {"b": 1, "a": [True, None]}},
        "device_id": "dev-1"}


def stored_row(d: dict) -> tuple:
    at = datetime.fromisoformat(d["at"])
    return (d["id"], d["case_id"], d["kind"], to_sql_dt(at), d["actor"], d["actor_name"], d["actor_role"],
            d["actor_unit"], dumps(d["payload"]), d["device_id"])


def test_wire_and_storage_forms_hash_the_same():
    pushed = json.dumps(WIRE, ensure_ascii=False)  # keys in any order, the zone as the workstation wrote it
    a = ActionData.model_validate_json(pushed)
    values = {P.action_hash(a), P.wire_action_hash(json.loads(pushed)), P.stored_text_hash(a.id, P.canonical(WIRE)),
              P.stored_action_hash(stored_row(WIRE))}
    assert len(values) == 1
    utc = dict(WIRE, at="2026-12-01T09:00:00.123456Z")  # the same instant written in UTC
    assert P.wire_action_hash(utc) == P.action_hash(a)


def test_every_covered_field_changes_the_value():
    base = P.wire_action_hash(WIRE)
    for key, value in (("id", "other"), ("case_id", "other"), ("kind", "transfer"), ("actor", "director"),
                       ("actor_name", "值班长"), ("actor_role", "director"), ("actor_unit", "D01"),
                       ("device_id", "dev-2"), ("at", "2026-12-01T17:00:00.123457+08:00"),
                       ("payload", dict(WIRE["payload"], note="请核实处理"))):
        assert P.wire_action_hash(dict(WIRE, **{key: value})) != base, key


def test_text_that_is_not_a_whole_action_hashes_by_its_id_on_both_sides():
    deep = '{"a":' * 400 + "1" + "}" * 400
    text = json.dumps(dict(WIRE, payload={"n": 1})).replace('{"n": 1}', deep)
    assert P.stored_text_hash("01a2-x", text) == P.id_hash("01a2-x")
    assert P.stored_text_hash("01a2-x", "cut {") == P.id_hash("01a2-x")

def test_a_quarantined_action_hashes_as_the_district_stored_it():
    """The district's stored text and the workstation's quarantine row (pydantic's JSON of the
    change) spell the same action differently; both give one value, even with a number beyond 64
    bits that nothing accepts."""
    for payload in ({"note": "备注"}, {"n": 2**70}):
        action = dict(WIRE, payload=payload)
        district = P.canonical(action)
        quarantined = ActionData.model_validate(action).model_dump_json()
        assert P.stored_text_hash(WIRE["id"], district) == P.stored_text_hash(WIRE["id"], quarantined)
