"""Store set-up, migrations with backup, stable reference ids, passwords and lockout."""
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import select

from app.desk import open_desk
from app.errors import AuthError, PermissionDenied, ValidationError
from app.reference import users as auth
from app.reference.records import load_reference, read_json
from app.store import migrate
from app.store.models import Category, Grid, Rule, Unit


def test_login_and_lockout_after_five_failures(desk, clock):
    assert auth.login(desk, "intake", "demo1234").role == "intake"
    for _ in range(4):
        with pytest.raises(AuthError, match="用户名或密码错误"):
            auth.login(desk, "intake", "wrong")
    with pytest.raises(AuthError):
        auth.login(desk, "intake", "wrong")  # the fifth failure locks the account
    with pytest.raises(AuthError, match="锁定"):
        auth.login(desk, "intake", "demo1234")
    clock.advance(minutes=16)
    assert auth.login(desk, "intake", "demo1234").username == "intake"


def test_password_hashes_are_salted_scrypt():
    a, b = auth.hash_password("demo1234"), auth.hash_password("demo1234")
    assert a != b and a.startswith("scrypt$")
    assert auth.verify_password("demo1234", a) and not auth.verify_password("demo12345", a)
    assert not auth.verify_password("x", "garbage")


def test_user_admin_and_locking(desk, actors):
    with pytest.raises(PermissionDenied):
        auth.add_user(desk, actors["intake"], "newbie", "intake", "abcdef12")
    with pytest.raises(ValidationError, match="单位"):
        auth.add_user(desk, actors["admin"], "newbie", "unit", "abcdef12")
    auth.add_user(desk, actors["admin"], "newbie", "unit", "abcdef12", unit="P02")
    assert auth.login(desk, "newbie", "abcdef12").unit == "P02"
    auth.set_locked(desk, actors["admin"], "newbie", True)
    with pytest.raises(AuthError):
        auth.login(desk, "newbie", "abcdef12")


def test_reference_records_get_the_same_ids_in_two_stores(desk, tmp_path):
    other = open_desk(tmp_path / "other")
    with other.db.tx() as s:
        load_reference(s, other.now(), read_json("demo_town.json"))
    for model in (Category, Unit, Grid, Rule):
        with desk.db.read() as s1, other.db.read() as s2:
            a = {(r.id, r.code) for r in s1.scalars(select(model))}
            b = {(r.id, r.code) for r in s2.scalars(select(model))}
        assert a == b and len(a) > 10
    other.close()


def test_an_old_store_is_backed_up_then_migrated(tmp_path):
    d = open_desk(tmp_path / "s")
    cfg = migrate.alembic_config(d.db.engine)
    with d.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    d.close()
    again = open_desk(tmp_path / "s")
    assert migrate.current_revision(again.db.engine) == migrate.head_revision()
    assert list((tmp_path / "s" / "backups").glob("pre-migrate-*.tdbak"))
    again.close()


def test_settings_have_typed_defaults(desk):
    assert desk.setting("idle_lock_minutes") == 15
    assert desk.setting("repeat_window_days") == 30
    assert desk.setting("auto_dispatch") is True
    assert timedelta(minutes=desk.setting("lockout_minutes")) == timedelta(minutes=15)


def test_an_interrupted_bulk_load_gets_its_indexes_back_on_open(desk):
    from app.store import bulk

    def index_names():
        with desk.db.engine.connect() as c:
            return {r[0] for r in c.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='cases' AND sql IS NOT NULL")}

    before = index_names()
    raw = desk.db.engine.raw_connection()
    bulk.drop_secondary_indexes(raw.driver_connection)  # ... and the process dies here
    raw.close()
    assert index_names() == set()
    root = desk.root
    desk.close()
    again = open_desk(root)
    with again.db.engine.connect() as c:
        after = {r[0] for r in c.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='cases' AND sql IS NOT NULL")}
    assert after == before and len(before) > 5
    again.close()
