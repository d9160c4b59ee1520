"""The write funnel reports what changed: one case_changed event after each commit (none on a
rollback), act_many in its two modes, and intake with attachments as one transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import events
from app.cases import handling, intake
from app.cases.dispatch import dispatch_many
from app.errors import ValidationError, WorkflowError
from app.store.models import Attachment, AuditEntry, Case, CaseAction, OutboxEntry
from tests.conftest import sample_case


@pytest.fixture
def heard():
    got: list[dict] = []
    stop = events.subscribe(events.CASE_CHANGED, got.append)
    yield got
    stop()


def counts(desk) -> tuple:
    with desk.db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))
                     for m in (Case, CaseAction, AuditEntry, OutboxEntry, Attachment))


def _registered(desk, actors, n: int) -> list[str]:
    return [intake.take_in(desk, actors["intake"], sample_case(title=f"待分派{i}", auto_dispatch=False))["case_no"]
            for i in range(n)]


def test_one_event_per_commit_naming_every_changed_case(desk, actors, heard):
    nos = _registered(desk, actors, 3)
    heard.clear()
    views = dispatch_many(desk, actors["dispatcher"], nos, "D01")
    assert [v["state"] for v in views] == ["dispatched"] * 3
    assert heard == [{"case_nos": sorted(nos)}]  # once, after the commit, with all three


def test_nothing_is_announced_when_the_transaction_rolls_back(desk, actors, heard):
    nos = _registered(desk, actors, 2)
    handling.act(desk, actors["dispatcher"], nos[1], "reject", {"reason_code": "duplicate"})
    heard.clear()
    before = counts(desk)
    with pytest.raises(WorkflowError) as refused:
        handling.act_many(desk, actors["dispatcher"], nos, "dispatch", {"unit": "D01"})
    assert refused.value.message.startswith(nos[1])  # the refusal names its case
    assert counts(desk) == before and heard == []  # all or nothing: the first case was not dispatched


def test_per_case_mode_goes_through_where_it_can(desk, actors, heard):
    nos = _registered(desk, actors, 3)
    handling.act(desk, actors["dispatcher"], nos[1], "reject", {"reason_code": "duplicate"})
    heard.clear()
    out = handling.act_many(desk, actors["dispatcher"], nos, "dispatch", {"unit": "D01"}, all_or_nothing=False)
    assert out.changed == [nos[0], nos[2]]
    assert [f["case_no"] for f in out.failed] == [nos[1]] and out.failed[0]["error"]["field"] == "action"
    assert heard == [{"case_nos": [nos[0]]}, {"case_nos": [nos[2]]}]


def test_intake_with_attachments_is_one_transaction(desk, actors, tmp_path, heard):
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 2000)
    view = intake.take_in(desk, actors["intake"], sample_case(), files=[str(photo)])
    assert heard == [{"case_nos": [view["case_no"]]}]
    with desk.db.read() as s:
        kinds = list(s.scalars(select(CaseAction.kind).join(Case, Case.id == CaseAction.case_id)
                               .where(Case.case_no == view["case_no"]).order_by(CaseAction.seq)))
    assert kinds[0] == "intake" and kinds[-1] == "attach"

    before = counts(desk)
    empty = tmp_path / "空.jpg"
    empty.write_bytes(b"")
    for bad in ([str(photo), str(tmp_path / "不存在.jpg")], [str(empty)]):
        with pytest.raises(ValidationError) as refused:
            intake.take_in(desk, actors["intake"], sample_case(title="带坏附件"), files=bad)
        assert refused.value.field == "path"
        assert counts(desk) == before  # no case without its attachment
