"""Password policy and how the CLI takes passwords (issue 13 item 6)."""
from __future__ import annotations

import json

import pytest

from app.domain.passwords import check_password
from app.errors import ValidationError
from tests.e2e.test_cli import ok_json, run


@pytest.mark.parametrize("bad, words", [
    ("abc1234", "至少 8"), ("12345678901", "数字"), ("password1", "常见"), ("Qwerty123", "常见"),
    ("aaaaaaaa", "简单"), ("zhangwei", "用户名"), ("", "至少 8"),
])
def test_the_policy_refuses(bad, words):
    with pytest.raises(ValidationError, match=words) as e:
        check_password(bad, "ZhangWei")
    assert e.value.field == "password"


def test_the_policy_accepts_a_reasonable_password():
    assert check_password("府山街道-2026夜班", "zhang") == "府山街道-2026夜班"
    assert check_password("demo1234", "intake") == "demo1234"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("pw")
    ok_json(run(d, "demo", "--cases", "0", "--json"))
    return d


def test_password_from_stdin_no_warning(store):
    r = run(store, "user", "add", "li", "--role", "intake", "--password-stdin", "--json", stdin="Hxz-2026-night\n")
    assert r.returncode == 0, r.stderr
    assert "警告" not in r.stderr
    r = run(store, "user", "passwd", "li", "--password-stdin", "--json", stdin="Another-pass-9\n")
    assert r.returncode == 0, r.stderr


def test_password_on_the_command_line_still_works_with_a_warning(store):
    r = run(store, "user", "add", "zhou", "--role", "intake", "--password", "Hxz-2026-night", "--json")
    assert r.returncode == 0, r.stderr
    assert "警告" in r.stderr and "--password-stdin" in r.stderr


def test_weak_or_missing_passwords_exit_2_and_write_nothing(store):
    users = len(ok_json(run(store, "ref", "list", "users", "--json")))
    for args, stdin, field in ((["--password-stdin"], "12345678\n", "password"),
                               (["--password-stdin"], "password\n", "password"),
                               (["--password-stdin"], "", "password"),
                               ([], "", "password")):  # not a terminal and no password: no prompt
        r = run(store, "user", "add", "wu", "--role", "intake", *args, "--json", stdin=stdin)
        assert r.returncode == 2, (args, r.stderr)
        assert json.loads(r.stdout)["error"]["field"] == field
        assert "Traceback" not in r.stderr
    r = run(store, "init", "--town", "FS", "--name", "府山街道", "--workstation", "01",
            "--admin-password-stdin", "--json", stdin="1234\n")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["field"] == "admin_password"
    assert len(ok_json(run(store, "ref", "list", "users", "--json"))) == users
