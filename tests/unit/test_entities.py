"""The synced entity types are declared once (app.domain.entities); the protocol, the record merge
and the server follow that list."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.domain import entities
from app.sync import protocol as P
from app.sync import pull
from app.sync import records as rec


def test_every_record_type_has_exactly_one_model_and_every_model_one_type():
    found = rec.model_classes()
    assert {name: len(classes) for name, classes in found.items()} == {name: 1 for name in entities.RECORD_NAMES}
    assert list(rec.MODELS) == list(entities.RECORD_NAMES)
    assert "action" not in found  # case actions are not reference rows


def test_registry_is_consistent():
    assert len(set(entities.NAMES)) == len(entities.TYPES)
    assert entities.NAMES[0] == "action" and entities.BY_NAME["action"].kind == entities.ACTION
    for t in entities.TYPES:
        assert t.kind in (entities.ACTION, entities.RECORD)
        assert t.owner in (None, entities.DISTRICT, entities.TOWN)
        assert t.label and not t.label.isascii()
    for name in entities.RECORD_NAMES:  # local fields are real columns of that type's model
        columns = {c.key for c in rec.MODELS[name].__table__.columns}
        assert entities.BY_NAME[name].local_fields <= columns
        assert {"id", "code", "owner_level", "deleted"} <= columns
    assert entities.label("staff") == "网格人员" and entities.label("nope") == "nope"


def test_protocol_literals_come_from_the_registry():
    assert P.ENTITIES == entities.NAMES and P.RECORD_ENTITIES == entities.RECORD_NAMES
    assert P.LOCAL_FIELDS == {"failed_logins", "locked_until", "uses"}
    assert P.PushEntry.model_json_schema()["properties"]["entity"]["enum"] == list(entities.NAMES)
    # the change log also carries the district's voids of earlier changes
    assert P.Change.model_json_schema()["properties"]["entity"]["enum"] == [*entities.NAMES, P.VOID, P.SCOPE]
    record_change = pull.TypedPage.model_json_schema()["$defs"]["_RecordChange"]
    assert record_change["properties"]["entity"]["enum"] == list(entities.RECORD_NAMES)


@pytest.mark.parametrize("name", [*entities.NAMES, "case", "Unit", ""])
def test_push_entry_accepts_exactly_the_registered_names(name):
    entry = {"id": "e1", "device_seq": 1, "entity": name, "entity_id": "x1", "payload": {}}
    if name in entities.NAMES:
        assert P.PushEntry.model_validate(entry).entity == name
    else:
        with pytest.raises(ValidationError):
            P.PushEntry.model_validate(entry)


def test_each_record_type_declares_exactly_its_model_columns():
    for name in entities.RECORD_NAMES:
        columns = {c.key for c in rec.MODELS[name].__table__.columns}
        assert {f.key for f in entities.BY_NAME[name].fields} == columns, name


@pytest.mark.parametrize("entity,fields,field", [
    ("user", {"code": "backdoor", "locked_until": "2026-12-01T09:00:00"}, "locked_until"),  # naive time
    ("unit", {"code": "D09", "name": "单位\u202e"}, "name"),
    ("category", {"code": "X1", "handle_days": 2**70}, "handle_days"),
    ("rule", {"code": "R1", "unit_code": ["D01"]}, "unit_code"),
    ("grid", {"code": "G1", "note": {"a": [[[[[[[[1]]]]]]]]}}, "note"),  # an extra key, nested too deep
    ("unit", {"code": "D10", "sample": "false"}, "sample"),
])
def test_record_fields_are_checked_as_declared(entity, fields, field):
    from app.domain.schema import validate
    from app.errors import ValidationError as AppValidationError

    with pytest.raises(AppValidationError) as bad:
        validate(entities.BY_NAME[entity].fields, fields, mode="stored")
    assert bad.value.field == field
