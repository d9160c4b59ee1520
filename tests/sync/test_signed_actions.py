"""Users authenticate, actions are signed (issue 12 item 2): an online login registers the
user's key for this workstation; offline login only for users who logged in here before; every
pushed action carries its actor's signature, and the district refuses forgeries per item; password
hashes of other users never reach a workstation."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from app.cases import dispatch, handling, intake
from app.desk import SYSTEM_ACTOR
from app.domain.ids import new_id
from app.errors import AuthError
from app.store import userkeys
from app.store.models import Case, CaseAction, User, UserKey
from app.store.types import dumps
from app.sync.login import sign_in
from tests.conftest import FrozenClock, sample_case
from tests.sync.conftest import cli, login_actors, raw_push, server_cli, sync, transport

DEAD = "http://127.0.0.1:9"  # nothing listens there: the server is unreachable


def _state(desk, no: str) -> str:
    with desk.db.read() as s:
        return s.scalar(select(Case.state).where(Case.case_no == no))


def _offline(desk):
    return transport(desk, server=DEAD)


def test_password_hashes_of_other_users_never_reach_a_workstation(stations, server):
    a = stations("A")
    b = stations("B", fresh=True)
    with b.db.read() as s:
        hashes = {u.code: u.password_hash for u in s.scalars(select(User))}
    assert len(hashes) >= 5 and set(hashes.values()) == {"!"}, hashes
    from server.models import Change

    with server.db.read() as s:  # nor does the district's change log carry any
        logs = [json.loads(d) for d in s.scalars(select(Change.data).where(Change.entity == "user"))]
    assert logs and not any("password_hash" in (d.get("fields") or {}) for d in logs)
    # a login on B keeps a verifier (and the sealed key) for that user only
    b.actors["intake"]
    with b.db.read() as s:
        hashes = {u.code: u.password_hash for u in s.scalars(select(User))}
        keys = {k.username for k in s.scalars(select(UserKey))}
    assert hashes["intake"].startswith("scrypt$") and keys == {"intake"}
    assert {v for k, v in hashes.items() if k != "intake"} == {"!"}
    assert a.actors["dispatcher"].key is not None


def test_offline_login_only_for_users_who_logged_in_here_before(stations, server):
    stations("A")  # founds the town's directory
    b = stations("B", fresh=True)
    with pytest.raises(AuthError) as e:  # never logged in on B, server unreachable
        sign_in(b, "intake", "demo1234", _offline(b))
    assert e.value.code == "offline_login_unavailable" and "联网" in e.value.message
    online = sign_in(b, "intake", "demo1234", transport(b))
    offline = sign_in(b, "intake", "demo1234", _offline(b))
    assert offline.role == "intake" and offline.key.public_b64 == online.key.public_b64
    with pytest.raises(AuthError):
        sign_in(b, "intake", "wrong-pass", _offline(b))
    with pytest.raises(AuthError):  # a wrong password online is refused, never tried offline
        sign_in(b, "intake", "wrong-pass", transport(b))
    # a hand-made verifier does not open the sealed key
    from app.reference.users import hash_password

    with b.db.tx() as s:
        s.execute(update(User).where(User.code == "intake").values(password_hash=hash_password("guessed1")))
    with pytest.raises(AuthError):
        sign_in(b, "intake", "guessed1", _offline(b))
    # work done after an offline login is signed and accepted
    no = intake.take_in(b, offline, sample_case(title="离线受理"))["case_no"]
    assert sync(b)["rejected"] == 0 and _state(b, no) == "registered"


def test_key_is_sealed_under_the_password():
    signer = userkeys.Signer.new()
    sealed = userkeys.seal(signer, "intake", "demo1234")
    assert userkeys.unseal(sealed, "intake", "demo1234").public_b64 == signer.public_b64
    assert userkeys.unseal(sealed, "intake", "demo1235") is None
    assert userkeys.unseal(sealed, "dispatcher", "demo1234") is None  # bound to its user
    assert signer.public_b64 not in repr(signer) and "demo1234" not in sealed


def test_demoted_director_logged_in_offline_cannot_approve(stations, server):
    """The acceptance, with B cut off: its director logged in there before (online), logs in
    again offline after the demotion made on A, approves; B's sync gets it refused and listed."""
    a = stations("A", clock=FrozenClock(datetime.now(UTC)))
    b = stations("B", fresh=True, clock=FrozenClock(datetime.now(UTC)))
    a_ = a.actors
    no = intake.take_in(a, a_["intake"], sample_case(title="待审核"))["case_no"]
    dispatch.dispatch(a, a_["dispatcher"], no, "D01")
    handling.act(a, a_["unit"], no, "sign", {})
    handling.act(a, a_["unit"], no, "request_close", {"result": "已处理", "close_type": "substantive"})
    sync(a)
    sync(b)
    sign_in(b, "director", "demo1234", transport(b))  # once, online, while still a director
    r = cli("user", "set", "director", "--role", "intake", "--json", data_dir=a.root,
            env_extra={"TOWNDESK_PASSWORD": "demo1234"})
    assert r.returncode == 0, r.stderr
    b.clock.set(datetime.now(UTC))
    director = sign_in(b, "director", "demo1234", _offline(b))
    assert director.role == "director"  # B does not know yet
    handling.act(b, director, no, "approve_close", {"note": "同意办结"})
    out = sync(b)
    assert out["rejected"] == 1 and out["new_conflicts"] == 1
    from app.sync.conflicts import list_conflicts

    [c] = [c for c in list_conflicts(b) if c["kind"] == "action"]
    assert c["action"] == "approve_close" and "区级目录" in c["reason"]
    sync(a)
    assert _state(a, no) == _state(b, no) == "review"
    # the next online login on B takes the directory's role
    assert sign_in(b, "director", "demo1234", transport(b)).role == "intake"


def _signed_entry(desk, data: dict, key) -> dict:
    from app.sync import protocol as P

    return {"id": new_id(), "device_seq": 1, "entity": "action", "entity_id": data["id"], "payload": data,
            "actor_key": key.public_b64, "actor_sig": key.sign(P.action_signed_text(data))}


def test_forged_signatures_are_refused_per_item(stations, server):
    a = stations("A", clock=FrozenClock(datetime.now(UTC)))
    no = intake.take_in(a, a.actors["intake"], sample_case(title="签名"))["case_no"]
    sync(a)
    from app.cases.caselog import action_dict

    with a.db.read() as s:
        case = s.scalar(select(Case).where(Case.case_no == no))
        base = json.loads(dumps(action_dict(s.scalar(select(CaseAction).where(CaseAction.case_id == case.id)))))
    note = base | {"kind": "comment", "payload": {"note": "补充"}, "at": datetime.now(UTC).isoformat()}
    intake_key, dispatcher_key = a.actors["intake"].key, a.actors["dispatcher"].key
    good = _signed_entry(a, note | {"id": new_id()}, intake_key)
    tampered = _signed_entry(a, note | {"id": new_id()}, intake_key)
    tampered["payload"] = tampered["payload"] | {"payload": {"note": "改过的内容"}}
    other = _signed_entry(a, note | {"id": new_id()}, dispatcher_key)  # another user's key
    unsigned = {k: v for k, v in _signed_entry(a, note | {"id": new_id()}, intake_key).items()
                if k not in ("actor_key", "actor_sig")}
    device = _signed_entry(a, note | {"id": new_id()}, userkeys.Signer.from_b64(a.meta("sync.device_key")))
    r = raw_push(a, server.url, [good, tampered, other, unsigned, device], sign_actions=False)
    assert r.status_code == 200, r.text
    v = r.json()["results"]
    assert [x["status"] for x in v] == ["accepted", "rejected", "rejected", "rejected", "rejected"], [x["reason"] for x in v]
    assert all(x["code"] == "forgery" for x in v[1:])
    assert "签名无效" in v[1]["reason"] and "登记的密钥" in v[2]["reason"]
    assert "缺少" in v[3]["reason"] and "本人签名" in v[4]["reason"]
    kinds = [e for e in json.loads(server_cli(server, "audit", "--town", "FS", "--json").stdout)
             if e["kind"] == "forgery"]
    assert len(kinds) == 4 and {e["actor"] for e in kinds} == {"intake"}


def test_system_actor_is_signed_by_the_device_and_unsigned_user_work_is_refused(stations, server):
    a = stations("A", clock=FrozenClock(datetime.now(UTC)))
    no = intake.take_in(a, a.actors["intake"], sample_case(title="自动派单"))["case_no"]
    dispatch.dispatch(a, SYSTEM_ACTOR, no, "D01")  # the workstation's automatic routing
    out = sync(a)
    assert out["rejected"] == 0 and _state(a, no) == "dispatched"
    from app.reference.users import actor_of


    with a.db.read() as s:  # a user without a login (no key): refused here, nothing written
        keyless = actor_of(s.scalar(select(User).where(User.code == "unit")))
        before = s.scalar(select(func.count()).select_from(CaseAction))
    with pytest.raises(AuthError) as e:
        handling.act(a, keyless, no, "sign", {})
    assert e.value.code == "login_required"
    with a.db.read() as s:
        assert s.scalar(select(func.count()).select_from(CaseAction)) == before
    # pushed anyway, signed by the device (as a tampered client would): refused by the district
    from app.cases.caselog import action_dict

    with a.db.read() as s:
        first = s.scalar(select(CaseAction).where(CaseAction.actor == "system"))
        data = json.loads(dumps(action_dict(first))) | {
            "id": new_id(), "kind": "sign", "payload": {}, "actor": "unit", "actor_name": "承办人",
            "actor_role": "unit", "actor_unit": "D01", "at": datetime.now(UTC).isoformat()}
    device = userkeys.Signer.from_b64(a.meta("sync.device_key"))
    [v] = raw_push(a, server.url, [_signed_entry(a, data, device)], sign_actions=False).json()["results"]
    assert v["status"] == "rejected" and "本人签名" in v["reason"]


def test_cli_as_user_logs_in_and_user_passwd_lock_go_online(stations, server):
    a = stations("A")
    env = {"TOWNDESK_PASSWORD": "demo1234"}
    r = cli("--as", "intake", "case", "add", "-", data_dir=a.root, input=json.dumps(sample_case()),
            env_extra=env)
    assert r.returncode == 0, r.stderr
    r = cli("--as", "intake", "case", "add", "-", data_dir=a.root, input=json.dumps(sample_case()),
            env_extra={"TOWNDESK_PASSWORD": "wrong-pass"})
    assert r.returncode == 2 and "密码" in r.stderr and "Traceback" not in r.stderr
    assert cli("sync", "--json", data_dir=a.root).returncode == 0
    with a.db.read() as s:
        assert not s.scalars(select(CaseAction).where(CaseAction.status == "rejected")).all()
    # user lock / passwd: online only (需联网, nothing written)
    with a.db.tx() as s:
        a.set_meta(s, "sync.server", DEAD)
    before = _users(a)
    for args in (("user", "lock", "unit"), ("user", "passwd", "unit", "--password", "newpass12")):
        r = cli(*args, "--json", data_dir=a.root, env_extra=env)
        assert r.returncode == 2 and "需联网" in r.stderr, r.stderr
    assert _users(a) == before
    with a.db.tx() as s:
        a.set_meta(s, "sync.server", server.url)
    r = cli("user", "passwd", "unit", "--password", "newpass12", "--json", data_dir=a.root, env_extra=env)
    assert r.returncode == 0, r.stderr
    with pytest.raises(AuthError):
        sign_in(a, "unit", "demo1234", transport(a))
    assert sign_in(a, "unit", "newpass12", transport(a)).role == "unit"
    r = cli("user", "lock", "unit", "--json", data_dir=a.root, env_extra=env)
    assert r.returncode == 0, r.stderr
    with pytest.raises(AuthError):  # the district refuses a locked user's login
        sign_in(a, "unit", "newpass12", transport(a))
    assert cli("user", "lock", "unit", "--unlock", data_dir=a.root, env_extra=env).returncode == 0
    assert login_actors(a, unit="newpass12")["unit"].key is not None


def _users(desk) -> list:
    with desk.db.read() as s:
        return [(u.code, u.role, u.active, u.password_hash) for u in s.scalars(select(User).order_by(User.code))]
