"""What every command shares: the ``--json`` switch, reading JSON input, printing a result and
the acting user (``--as``)."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import AuthError, ValidationError
from app.reference.actors import get_actor

if TYPE_CHECKING:  # hints only: app.desk is imported by the command's run, not by the parser
    from app.desk import Actor, Desk


def add_json_flag(p: argparse.ArgumentParser) -> None:
    """``--json`` after a command, as well as before it. SUPPRESS keeps a global ``--json`` given
    before the command from being reset by the subcommand's default."""
    p.add_argument("--json", dest="json_out", action="store_true", default=argparse.SUPPRESS,
                   help="输出 JSON")


def wants_json(args: argparse.Namespace) -> bool:
    """JSON out: asked for with ``--json``, or implied by JSON input (``case add/act --json FILE``)."""
    return bool(getattr(args, "json_out", False)) or getattr(args, "input", None) is not None


def read_json_input(path: str | None):
    """JSON object, array or JSON lines from a file or stdin ('-')."""
    if not path:
        raise ValidationError("请用 --json FILE 或 --json - 提供 JSON 内容", field="json")
    try:
        raw = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ValidationError(f"无法读取文件：{path}（{e.strerror}）", field="json") from None
    raw = raw.strip()
    try:
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            try:
                return [json.loads(line) for line in raw.splitlines() if line.strip()]
            except json.JSONDecodeError as e:
                raise ValidationError(f"JSON 格式错误：第 {e.lineno} 行第 {e.colno} 列", field="json") from None
    except RecursionError:  # nested deeper than the reader recurses: refused as a whole
        raise ValidationError("JSON 嵌套层数过多", field="json") from None


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def emit(args: argparse.Namespace, data, text: str | Callable[[], str] | None = None) -> None:
    """Print ``data`` as JSON when JSON is wanted, else ``text`` (a string, or a function that
    makes it, called only for text output); without text, JSON either way."""
    if wants_json(args) or text is None:
        print(to_json(data))
    else:
        print(text() if callable(text) else text)


def actor(args: argparse.Namespace, desk: Desk) -> Actor:
    """The acting user: ``--as USERNAME``, else the built-in administrator. On a store enrolled with
    a district the user logs in (``TOWNDESK_PASSWORD``, or asked for on a terminal): online with the
    server, offline only if they logged in on this workstation before (app.sync.login); what the
    workstation sends up is then signed in that user's name."""
    password = os.environ.get("TOWNDESK_PASSWORD")
    if not desk.meta("sync.token") or (not args.as_user and password is None):
        # not enrolled; or enrolled without --as and no password: the built-in administrator with
        # no key reads, but a case action of theirs is refused here (app.cases.caselog)
        return get_actor(desk, args.as_user)
    from app.desk import ADMIN_USERNAME
    from app.sync.login import sign_in  # requests and the sync stack: only on an enrolled store

    name = args.as_user or ADMIN_USERNAME
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(f"用户 {name} 的密码：")
    if not password:
        raise AuthError(f"本工作站已注册到区级服务器：以用户「{name}」操作须提供其密码"
                        "（环境变量 TOWNDESK_PASSWORD 或在终端输入）", field="password")
    return sign_in(desk, name, password)


def add_password_options(p: argparse.ArgumentParser, name: str = "password", required: bool = True) -> None:
    """``--NAME-stdin`` (the first line of stdin), ``--NAME P`` (kept for scripts: other users of the
    machine can read a command line, so it warns), or, with neither, a prompt on a terminal."""
    p.add_argument(f"--{name}", dest=name.replace("-", "_"),
                   help=f"（不推荐：本机其他用户可在进程列表中看到）改用 --{name}-stdin 或交互输入")
    p.add_argument(f"--{name}-stdin", dest=f"{name.replace('-', '_')}_stdin", action="store_true",
                   help="从标准输入的第一行读取密码")
    p.set_defaults(**{f"_{name.replace('-', '_')}_required": required})


def read_password(args: argparse.Namespace, name: str = "password") -> str | None:
    """The password given the safe way (stdin or a prompt), or by ``--NAME`` with a warning."""
    key = name.replace("-", "_")
    given, from_stdin = getattr(args, key, None), getattr(args, f"{key}_stdin", False)
    if given is not None and from_stdin:
        raise ValidationError(f"--{name} 与 --{name}-stdin 只能用一个", field=key)
    if given is not None:
        print(f"警告：--{name} 会让本机其他用户在进程列表中看到密码，请改用 --{name}-stdin 或交互输入 "
              f"(warning: a password on the command line is visible to other users)", file=sys.stderr)
        return given
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ValidationError("标准输入中没有密码", field=key)
        return line.rstrip("\r\n")
    if not getattr(args, f"_{key}_required", True):
        return None
    if not sys.stdin.isatty():
        raise ValidationError(f"请用 --{name}-stdin 从标准输入提供密码，或在终端中运行以交互输入", field=key)
    first = getpass.getpass("新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise ValidationError("两次输入的密码不一致", field=key)
    return first
