"""中心常用语 are a synced town record: the admin's centre phrase added on one workstation appears in
another workstation's picker list after both sync (and its deletion too); a personal phrase stays on
the workstation where it was saved; another town never sees the centre's list."""
from __future__ import annotations

import json

from sqlalchemy import select

from app.reference import phrases
from app.store.models import OutboxEntry
from server.models import Record
from tests.sync.conftest import pending, sync

CENTRE = "已电话回访，诉求人对办理结果无异议。"
MINE = "回访时诉求人不在家，家属代为确认。"


def _texts(desk, q: str = "") -> dict:
    return {p["text"]: p["scope"] for p in phrases.list_phrases(desk, desk.actors.get("intake"), "callback", q)}


def test_centre_phrase_reaches_the_other_workstation_and_a_personal_one_stays(server, stations):
    a = stations("A")
    b = stations("B", fresh=True)
    other = stations("C", fresh=True, town="QL")
    assert pending(a) == 0
    centre = phrases.add_phrase(a, a.actors["admin"], "callback", CENTRE, centre=True)
    assert isinstance(centre["id"], str) and centre["scope"] == "centre"
    mine = phrases.add_phrase(a, a.actors["intake"], "callback", MINE)
    with a.db.read() as s:  # the centre phrase is queued with its write; the personal one is not
        queued = [(e.entity, e.entity_id) for e in s.scalars(select(OutboxEntry))]
    assert queued == [("phrase", centre["id"])]
    assert _texts(b).get(CENTRE) is None

    sync(a)
    sync(b)
    sync(other)
    seen = _texts(b)
    assert seen[CENTRE] == "centre" and MINE not in seen
    assert "built_in" not in seen.values()  # the centre's list replaces the built-in phrases
    assert _texts(b, "ydhhf") == {CENTRE: "centre"}  # found by pinyin initials on B too
    assert CENTRE not in _texts(other)  # another town: not its centre
    assert _texts(a)[MINE] == "mine"
    with server.db.read() as s:
        rows = list(s.scalars(select(Record).where(Record.entity == "phrase")))
    assert [(r.scope, r.id) for r in rows] == [("FS", centre["id"])]
    assert MINE not in json.dumps([r.data for r in rows], ensure_ascii=False)

    # a pick on B counts there only; the admin's delete on A removes it from B's list
    phrases.note_used(b, centre["id"])
    assert pending(b) == 0
    phrases.delete_phrase(a, a.actors["admin"], centre["id"])
    sync(a)
    sync(b)
    assert CENTRE not in _texts(b) and "built_in" in _texts(b).values()
    assert _texts(a)[MINE] == "mine" and mine["id"]
