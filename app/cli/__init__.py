"""``towndesk``: without a command it opens the window; subcommands script the same services.

Every command prints JSON with ``--json``. Bad input exits 2 with one line in Chinese and English
(with ``--json``: {"error": {"code", "message", "field"}}) and writes nothing.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from app.errors import AppError, ValidationError

log = logging.getLogger("towndesk")


def _add_json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", dest="json_out", action="store_true", default=argparse.SUPPRESS,
                   help="输出 JSON")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="towndesk", description="镇街指挥台 towndesk")
    p.add_argument("--data-dir", help="数据目录（默认 TOWNDESK_HOME 或系统用户数据目录）")
    p.add_argument("--as", dest="as_user", help="以该用户身份执行（默认内置管理员）")
    p.add_argument("--json", dest="json_out", action="store_true", help="输出 JSON")
    p.add_argument("--version", action="store_true", help="显示版本")
    sub = p.add_subparsers(dest="command")

    x = sub.add_parser("init", help="初始化本机的镇街与工作站")
    x.add_argument("--town", required=True)
    x.add_argument("--name", required=True)
    x.add_argument("--workstation", required=True)
    x.add_argument("--admin-password")
    _add_json_flag(x)

    x = sub.add_parser("demo", help="载入演示镇街（府山街道）与示例案件")
    x.add_argument("--cases", type=int, default=300)
    x.add_argument("--seed", type=int, default=20261127)
    _add_json_flag(x)

    case = sub.add_parser("case", help="案件").add_subparsers(dest="case_cmd", required=True)
    x = case.add_parser("add", help="受理登记（一个 JSON 对象、JSON 数组或 JSON lines）")
    x.add_argument("file", nargs="?", help="JSON 文件或 -（标准输入）")
    x.add_argument("--json", dest="input", metavar="FILE")
    x = case.add_parser("list", help="案件列表")
    for name in ("state", "color", "unit", "category", "channel", "village", "q", "date-from", "date-to", "after",
                 "dispatched-from", "dispatched-to", "closed-from", "closed-to"):
        x.add_argument(f"--{name}")
    x.add_argument("--mine", action="store_true")
    x.add_argument("--supervised", action="store_true")
    x.add_argument("--sort", default="received_desc")
    x.add_argument("--limit", type=int, default=50)
    _add_json_flag(x)
    x = case.add_parser("show", help="案件详情与时间线")
    x.add_argument("case_no")
    _add_json_flag(x)
    x = case.add_parser("act", help="对案件执行流程操作")
    x.add_argument("case_no")
    x.add_argument("action")
    x.add_argument("file", nargs="?")
    x.add_argument("--json", dest="input", metavar="FILE")
    x.add_argument("--file", dest="attach_path", help="附件文件（attach 操作）")
    x = case.add_parser("search", help="全文检索")
    x.add_argument("text")
    x.add_argument("--limit", type=int, default=50)
    _add_json_flag(x)

    ref = sub.add_parser("ref", help="基础数据").add_subparsers(dest="ref_cmd", required=True)
    x = ref.add_parser("list")
    x.add_argument("kind", choices=["categories", "units", "villages", "grids", "users", "rules"])
    _add_json_flag(x)

    user = sub.add_parser("user", help="用户管理（管理员）").add_subparsers(dest="user_cmd", required=True)
    x = user.add_parser("add")
    x.add_argument("username")
    x.add_argument("--role", required=True)
    x.add_argument("--unit")
    x.add_argument("--password", required=True)
    x.add_argument("--name")
    _add_json_flag(x)
    x = user.add_parser("passwd")
    x.add_argument("username")
    x.add_argument("--password", required=True)
    _add_json_flag(x)
    x = user.add_parser("lock")
    x.add_argument("username")
    x.add_argument("--unlock", action="store_true")
    _add_json_flag(x)

    x = sub.add_parser("check", help="完整性检查：从操作日志重建案件并比对")
    x.add_argument("--repair", action="store_true")
    _add_json_flag(x)
    x = sub.add_parser("backup", help="备份数据库")
    x.add_argument("-o", "--output")
    _add_json_flag(x)
    x = sub.add_parser("restore", help="从备份恢复")
    x.add_argument("file")
    _add_json_flag(x)
    x = sub.add_parser("status", help="本机状态")
    _add_json_flag(x)
    from app.cli_ext import register

    register(sub, _add_json_flag)
    return p


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
        return json.loads(raw)
    except json.JSONDecodeError:
        try:
            return [json.loads(line) for line in raw.splitlines() if line.strip()]
        except json.JSONDecodeError as e:
            raise ValidationError(f"JSON 格式错误：第 {e.lineno} 行第 {e.colno} 列", field="json") from None


def emit(args, data, text: str | None = None) -> None:
    if getattr(args, "json_out", False) or getattr(args, "input", None) is not None:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(text if text is not None else json.dumps(data, ensure_ascii=False, indent=2, default=str))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.version:
        from app import __version__

        print(f"towndesk {__version__}")
        return 0
    if not args.command:
        from app.launch import launch_gui

        return launch_gui(args.data_dir)
    try:
        from app.cli_commands import run

        return run(args) or 0
    except AppError as e:
        if getattr(args, "json_out", False) or getattr(args, "input", None) is not None:
            print(json.dumps({"error": e.to_dict()}, ensure_ascii=False))
        where = f" [{e.field}]" if e.field else ""
        print(f"错误：{e.message}{where} ({e.english}: {e.code})", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        return 0
    except KeyboardInterrupt:
        print("已取消 (cancelled)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
