"""Attachments of 0 bytes or over 50 MB: refused when attached (nothing written) and by the
district server when pushed raw."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.cases import attachments, intake
from app.domain.ids import new_id
from app.errors import ValidationError
from tests.conftest import sample_case
from tests.sync.conftest import raw_push, sync


def test_empty_attachment_is_refused_when_attached(stations, server, tmp_path):
    a = stations("A")
    no = intake.take_in(a, a.actors["intake"], sample_case())["case_no"]
    empty = tmp_path / "空.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError) as e:
        attachments.attach(a, a.actors["intake"], no, empty)
    assert "空文件" in e.value.message
    sync(a)
    from app.cases.caselog import action_dict
    from app.store.models import Case, CaseAction
    from app.store.types import dumps

    with a.db.read() as s:
        case = s.scalar(select(Case).where(Case.case_no == no))
        first = s.scalar(select(CaseAction).where(CaseAction.case_id == case.id))
        base = json.loads(dumps(action_dict(first)))
    for size in (0, 50 * 1024 * 1024 + 1):
        data = base | {"id": new_id(), "kind": "attach", "payload": {
            "sha256": "ab" * 32, "filename": "x.jpg", "mime": "image/jpeg", "size": size}}
        r = raw_push(a, server.url, [{"id": new_id(), "device_seq": 1, "entity": "action", "entity_id": data["id"],
                                      "payload": data}])
        [v] = r.json()["results"]
        assert v["status"] == "rejected" and "附件大小" in v["reason"], v
