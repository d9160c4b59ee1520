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

from app.desk import Actor, Desk
from app.errors import AuthError, ValidationError
from app.reference import users


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
    a district ``--as USER`` needs that user's password (``TOWNDESK_PASSWORD``, or asked for on a
    terminal): what the workstation sends up is done in that user's name."""
    if not desk.meta("sync.token") or not args.as_user:
        return users.get_actor(desk, args.as_user)
    name = args.as_user
    password = os.environ.get("TOWNDESK_PASSWORD")
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(f"用户 {name} 的密码：")
    if not password:
        raise AuthError(f"本工作站已注册到区级服务器：以用户「{name}」操作须提供其密码"
                        "（环境变量 TOWNDESK_PASSWORD 或在终端输入）", field="password")
    return users.login(desk, name, password)
