"""``towndesk``: without a command it opens the window; subcommands script the same services.

Every command prints JSON with ``--json``. Bad input exits 2 with one line in Chinese and English
(with ``--json``: {"error": {"code", "message", "field"}}) and writes nothing.

Each area's commands live in one module of this package with ``register(sub)``, which adds its
parsers and binds each one to its handler with ``set_defaults(handler=...)``. A handler is
``handler(args, desk) -> exit status or None``; ``main`` opens the Desk once for it and closes it
afterwards. A new area: write its module and add it to ``AREAS``. Handlers import their services
when they run, so that ``towndesk case list`` does not pay for ReportLab, requests or the demo
generator (start-up is most of a command's time).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys

from app import __version__
from app.cli import (
    admin,
    assessment,
    audit,
    cases,
    demo,
    emergency,
    golive,
    grids,
    inspections,
    lan,
    mediation,
    printing,
    reference,
    risk,
    supervision,
    sync,
)
from app.cli.output import wants_json
from app.desk import open_desk
from app.errors import AppError
from app.paths import data_dir as resolve_data_dir
from app.store.audit import audit_raw
from app.store.db import READ_ONLY_MESSAGE, ReadOnlyStore

# The order of the commands in ``towndesk --help``.
AREAS = (admin, audit, demo, cases, reference, supervision, printing, sync, golive,  # golive adds to ref and case
         emergency)
AREAS += (mediation,)  # 矛盾调处: dispute, backlog, mediation
AREAS += (grids,)  # 一网格: grid, points, feed
AREAS += (risk, assessment, inspections)  # 分析研判 and 综合查一次 (issue 18)
AREAS += (lan,)  # 局域网中继 (issue 15)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="towndesk", description="镇街指挥台 towndesk")
    p.add_argument("--data-dir", help="数据目录（默认 TOWNDESK_HOME 或系统用户数据目录）")
    p.add_argument("--as", dest="as_user", help="以该用户身份执行（默认内置管理员）")
    p.add_argument("--json", dest="json_out", action="store_true", help="输出 JSON")
    p.add_argument("--version", action="store_true", help="显示版本")
    sub = p.add_subparsers(dest="command")
    for area in AREAS:
        area.register(sub)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the chosen command's handler on the store in ``--data-dir`` (created when missing:
    ``init``, ``demo`` and ``enroll`` start from a fresh data dir)."""
    desk = open_desk(args.data_dir)
    try:
        code = args.handler(args, desk) or 0
        _audit_use(desk, args, code)
        return code
    finally:
        desk.close()


def _audit_use(desk, args: argparse.Namespace, code: int) -> None:
    """Command-line use is audited: who ran which command (not its arguments, which may name
    people). Only a command that succeeded: bad input (exit 2) changes nothing, not even the audit
    log. A read-only store cannot take the entry."""
    if desk.db.readonly or code != 0:
        return
    words = [args.command] + [v for k, v in sorted(vars(args).items()) if k.endswith("_cmd") and isinstance(v, str)]
    target = next((str(getattr(args, k)) for k in ("no", "case_no", "username") if getattr(args, k, None)), None)
    with desk.db.raw_tx() as conn:  # plain SQL: a read command loads no ORM for its audit entry
        audit_raw(conn, desk, args.as_user or "admin", "cli.use", target, {"command": " ".join(words), "exit": code})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.version:
        print(f"towndesk {__version__}")
        return 0
    if not args.command:
        # The one import inside a function, on purpose: app.launch is the way into the window
        # (ui/, PySide6), which only this no-command path needs; no command loads it.
        from app.launch import launch_gui

        return launch_gui(args.data_dir)
    try:
        return run(args)
    except AppError as e:
        if wants_json(args):
            print(json.dumps({"error": e.to_dict()}, ensure_ascii=False))
        where = f" [{e.field}]" if e.field else ""
        print(f"错误：{e.message}{where} ({e.english}: {e.code})", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        return 0
    except KeyboardInterrupt:
        print("已取消 (cancelled)", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 — a bug: logged (scrubbed of personal data), one calm line
        return _unexpected(args, e)


def _unexpected(args: argparse.Namespace, exc: Exception) -> int:
    """An unexpected error: its traceback goes to the data dir's log through the redacting
    formatter (no personal data, no SQL parameters), the user gets one line; exit 1. A write
    refused by a read-only store is bad circumstances, not a bug: exit 2 with that message."""
    if "readonly database" in str(exc) or "read-only" in str(exc):
        e = ReadOnlyStore(READ_ONLY_MESSAGE, field="data_dir")
        if wants_json(args):
            print(json.dumps({"error": e.to_dict()}, ensure_ascii=False))
        print(f"错误：{e.message} ({e.english}: {e.code})", file=sys.stderr)
        return 2
    where = ""
    try:
        from app import logs  # logging and its file handler: only a failing command writes the log

        path = logs.install(resolve_data_dir(args.data_dir))
        logging.getLogger("towndesk.cli").error("command %s failed", args.command, exc_info=exc)
        where = f"，详情已记录到日志 {path}"
    except OSError:
        pass
    if wants_json(args):
        print(json.dumps({"error": {"code": "unexpected", "message": "程序遇到意外问题" + where,
                                    "field": None}}, ensure_ascii=False))
    print(f"错误：程序遇到意外问题{where} (unexpected error: {type(exc).__name__})", file=sys.stderr)
    return 1
