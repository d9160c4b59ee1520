"""The district's directory decides who may do what (issue 12, items 1 and 6): role and unit are
the directory's as of the action's time; a hand-edited local user table gains nothing; user
changes are online only (需联网); the district's user commands and audit."""
from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from app.cases import dispatch, handling, intake
from app.domain.ids import new_id
from app.errors import AuthError
from app.reference.users import actor_of
from app.store.models import Case, CaseAction, OutboxEntry, User
from tests.conftest import FrozenClock, sample_case
from tests.sync.conftest import cli, login_actors, raw_push, server_cli, server_log, sync, transport


def _state(desk, no: str) -> str:
    with desk.db.read() as s:
        return s.scalar(select(Case.state).where(Case.case_no == no))


def _to_review(desk) -> str:
    a = desk.actors
    no = intake.take_in(desk, a["intake"], sample_case(title="待审核的件"))["case_no"]
    dispatch.dispatch(desk, a["dispatcher"], no, "D01")
    handling.act(desk, a["unit"], no, "sign", {})
    handling.act(desk, a["unit"], no, "request_close", {"result": "已处理", "close_type": "substantive"})
    return no


def test_demoted_director_cannot_approve_from_a_station_that_has_not_synced(stations, server):
    now = FrozenClock(datetime.now(UTC))
    a, b = stations("A", clock=now), stations("B", fresh=True, clock=FrozenClock(datetime.now(UTC)))
    no = _to_review(a)
    sync(a)
    sync(b)
    assert _state(b, no) == "review"
    director_on_b = b.actors["director"]  # logged in on B (online) while still a director
    assert director_on_b.role == "director" and director_on_b.key is not None
    # the town administrator demotes the director on A, online (the acceptance's CLI)
    r = cli("user", "set", "director", "--role", "intake", "--json", data_dir=a.root,
            env_extra={"TOWNDESK_PASSWORD": "demo1234"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["role"] == "intake"
    # B has not synced: its director still looks like one there, and approves
    b.clock.advance(minutes=1)
    handling.act(b, director_on_b, no, "approve_close", {"note": "同意办结"})
    out = sync(b)
    assert out["rejected"] == 1 and out["new_conflicts"] == 1
    from app.sync.conflicts import list_conflicts

    [c] = [c for c in list_conflicts(b) if c["kind"] == "action"]
    assert c["action"] == "approve_close" and "区级目录" in c["reason"]
    sync(a)
    assert _state(a, no) == _state(b, no) == "review"
    from app.sync.wire import fold_from_json
    from server.models import Case as ServerCase

    with server.db.read() as s:
        assert fold_from_json(s.scalar(select(ServerCase.fold).where(ServerCase.case_no == no))).state == "review"
    with b.db.read() as s:  # the new role is in force on B after its sync
        assert s.scalar(select(User.role).where(User.code == "director")) == "intake"
    kinds = [(e["kind"], e["subject"]) for e in json.loads(server_cli(server, "audit", "--town", "FS", "--json").stdout)]
    assert ("user.set", "director") in kinds


def test_a_hand_edited_user_table_gains_nothing(stations, server):
    a = stations("A", clock=FrozenClock(datetime.now(UTC)))
    no = _to_review(a)
    sync(a)
    assert a.actors["intake"].key is not None  # intake has logged in on A (online) before
    with a.db.tx() as s:  # someone raises intake's role in the workstation's own database
        s.execute(update(User).where(User.code == "intake").values(role="director"))
    from app.sync.login import sign_in

    offline = transport(a, server="http://127.0.0.1:9")
    raised = sign_in(a, "intake", "demo1234", offline)  # offline: the local (raised) role, intake's own key
    assert raised.role == "director"
    handling.act(a, raised, no, "approve_close", {"note": "越权审核"})
    out = sync(a)
    assert out["rejected"] == 1 and _state(a, no) == "review"
    with a.db.read() as s:  # without a login there is no key: refused on the workstation itself
        keyless = actor_of(s.scalar(select(User).where(User.code == "intake")))
    with pytest.raises(AuthError):
        handling.act(a, keyless, no, "approve_close", {"note": "越权审核"})
    assert sign_in(a, "intake", "demo1234", transport(a)).role == "intake"  # online: the directory's role


def _entry(desk, no: str, **over) -> dict:
    from app.cases.caselog import action_dict
    from app.store.types import dumps

    with desk.db.read() as s:
        case = s.scalar(select(Case).where(Case.case_no == no))
        first = s.scalar(select(CaseAction).where(CaseAction.case_id == case.id, CaseAction.kind == "intake"))
        data = json.loads(dumps(action_dict(first)))
    data.update({"id": new_id(), "kind": "comment", "payload": {"note": "x"}, "at": datetime.now(UTC).isoformat()})
    data.update(over)
    return {"id": new_id(), "device_seq": 1, "entity": "action", "entity_id": data["id"], "payload": data}


def test_raw_pushes_of_forged_actors_roles_units_and_users_are_refused(stations, server):
    a = stations("A")
    no = intake.take_in(a, a.actors["intake"], sample_case())["case_no"]
    dispatch.dispatch(a, a.actors["dispatcher"], no, "D01")
    sync(a)
    with a.db.read() as s:
        director = s.scalar(select(User).where(User.code == "director"))
        director_record = {c.key: getattr(director, c.key) for c in User.__table__.columns}
    director_record = json.loads(json.dumps(director_record, default=str))
    user_id = new_id()
    attempts = {
        "intake as director": _entry(a, no, actor="intake", actor_role="director", kind="urge",
                                     payload={"level": "red", "note": "越权"}),
        "unknown admin": _entry(a, no, actor="ghost", actor_name="幽灵", actor_role="admin"),
        "assign_down as district": _entry(a, no, actor="district", actor_role="district", kind="assign_down",
                                          payload={}),
        "unit that does not exist": _entry(a, no, actor="dispatcher", actor_role="dispatcher", kind="transfer",
                                           payload={"unit": "NOPE99", "reason": "不存在的单位"}),
        "backdoor admin": {"id": new_id(), "device_seq": 1, "entity": "user", "entity_id": user_id, "payload": {
            "id": user_id, "code": "backdoor", "name": "后门", "role": "admin", "owner_level": "town",
            "password_hash": "scrypt$16384$8$1$AAAA$BBBB", "active": True, "sample": False, "deleted": False}},
        "director's password": {"id": new_id(), "device_seq": 1, "entity": "user", "entity_id": director.id,
                                "payload": director_record | {"password_hash": "scrypt$16384$8$1$AAAA$CCCC",
                                                              "_changed": ["password_hash"]}},
    }
    before = server_log(server)
    for name, entry in attempts.items():
        r = raw_push(a, server.url, [entry])
        assert r.status_code == 200, (name, r.text)
        [v] = r.json()["results"]
        assert v["status"] == "rejected", (name, v)
    assert server_log(server) == before
    from server.models import Change

    with server.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Change).where(Change.data.like("%backdoor%"))) == 0
        assert s.scalar(select(func.count()).select_from(Change).where(Change.data.like("%CCCC%"))) == 0


def test_user_changes_are_online_only(stations, server, tmp_path):
    a = stations("A")
    with a.db.tx() as s:
        a.set_meta(s, "sync.server", "http://127.0.0.1:9")  # the district is unreachable
    with a.db.read() as s:
        users_before = s.scalar(select(func.count()).select_from(User))
        outbox_before = s.scalar(select(func.count()).select_from(OutboxEntry))
    env = {"TOWNDESK_PASSWORD": "demo1234"}
    for args in (("user", "add", "newbie", "--role", "intake", "--password", "secret12"),
                 ("user", "set", "intake", "--role", "director")):
        r = cli(*args, data_dir=a.root, env_extra=env)
        assert r.returncode == 2 and "需联网" in r.stderr and "Traceback" not in r.stderr, (r.stdout, r.stderr)
    with a.db.read() as s:
        assert s.scalar(select(func.count()).select_from(User)) == users_before
        assert s.scalar(select(func.count()).select_from(OutboxEntry)) == outbox_before
        assert s.scalar(select(User.role).where(User.code == "intake")) == "intake"


def test_online_user_add_and_wrong_admin_password(stations, server):
    a, b = stations("A"), stations("B", fresh=True, clock=FrozenClock(datetime.now(UTC)))
    r = cli("user", "add", "clerk2", "--role", "unit", "--unit", "D01", "--password", "secret12", "--json",
            data_dir=a.root, env_extra={"TOWNDESK_PASSWORD": "wrong-password"})
    assert r.returncode == 2 and "管理员" in r.stderr
    r = cli("user", "add", "clerk2", "--role", "unit", "--unit", "D01", "--password", "secret12", "--json",
            data_dir=a.root, env_extra={"TOWNDESK_PASSWORD": "demo1234"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["unit"] == "D01"
    sync(b)
    b.clock.set(datetime.now(UTC))  # B's clock runs on (it was frozen when B was enrolled)
    b.actors = login_actors(b, clerk2="secret12")
    assert b.actors["clerk2"].role == "unit" and b.actors["clerk2"].unit == "D01"
    no = intake.take_in(b, b.actors["intake"], sample_case(title="新用户办理"))["case_no"]
    dispatch.dispatch(b, b.actors["dispatcher"], no, "D01")
    handling.act(b, b.actors["clerk2"], no, "sign", {})
    assert sync(b)["rejected"] == 0  # the new user acts from the time the district added them
    b.clock.advance(days=-1)  # dated before the district added them: refused
    handling.act(b, b.actors["clerk2"], no, "progress", {"note": "倒签"})
    out = sync(b)
    assert out["rejected"] == 1


def test_district_user_commands_and_audit(stations, server):
    a = stations("A")
    r = server_cli(server, "user", "add", "--town", "FS", "zhang", "--role", "dispatcher", "--password", "secret12")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["role"] == "dispatcher"
    assert server_cli(server, "user", "add", "--town", "FS", "zhang", "--role", "intake",
                      "--password", "secret12").returncode == 2
    assert server_cli(server, "user", "set", "--town", "FS", "zhang", "--role", "boss").returncode == 2
    assert server_cli(server, "user", "set", "--town", "FS", "nobody", "--active", "no").returncode == 2
    r = server_cli(server, "user", "set", "--town", "FS", "zhang", "--active", "no")
    assert r.returncode == 0 and json.loads(r.stdout)["active"] is False
    sync(a)
    with a.db.read() as s:
        row = s.scalar(select(User).where(User.code == "zhang"))
    assert row.role == "dispatcher" and row.active is False
    audit = json.loads(server_cli(server, "audit", "--town", "FS", "--json").stdout)
    changes = [(e["kind"], e["subject"], e["actor"]) for e in audit if e["kind"].startswith("user.")]
    assert changes == [("user.add", "zhang", "district"), ("user.set", "zhang", "district")]
    assert "password_hash" not in json.dumps(audit)
    assert os.environ.get("TOWNDESK_PASSWORD") is None


def test_as_user_on_an_enrolled_store_needs_the_password(stations, server, tmp_path):
    a = stations("A")
    (tmp_path / "case.json").write_text(json.dumps(sample_case(), ensure_ascii=False), encoding="utf-8")
    args = ("--as", "intake", "case", "add", "--json", tmp_path / "case.json")
    r = cli(*args, data_dir=a.root)
    assert r.returncode == 2 and "TOWNDESK_PASSWORD" in r.stderr and "Traceback" not in r.stderr
    r = cli(*args, data_dir=a.root, env_extra={"TOWNDESK_PASSWORD": "not-the-password"})
    assert r.returncode == 2 and "密码错误" in r.stderr
    with a.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
    r = cli(*args, data_dir=a.root, env_extra={"TOWNDESK_PASSWORD": "demo1234"})
    assert r.returncode == 0, r.stderr
