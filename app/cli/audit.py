"""``towndesk audit verify``: the hash chains of the action log and the audit log."""
from __future__ import annotations

from app.cli.output import add_json_flag, emit
from app.desk import Desk


def register(sub) -> None:
    audit = sub.add_parser("audit", help="审计日志与操作日志的防篡改校验").add_subparsers(dest="audit_cmd", required=True)
    x = audit.add_parser("verify", help="校验哈希链，指出第一条被改动、删除或调换顺序的记录")
    add_json_flag(x)
    x.set_defaults(handler=cmd_verify)


def text_of(out: dict) -> str:
    counts = "，".join(f"{v['entries']} 条" for v in out["logs"].values())
    anchors = (out.get("anchors") or {}).get("message")
    tail = f"\n{anchors}" if anchors else ""
    if out["ok"]:
        return f"日志哈希链完整（操作日志、审计日志：{counts}），通过{tail}"
    return f"日志哈希链校验未通过：{out['first_bad']['message']}{tail}"


def cmd_verify(args, desk: Desk) -> int:
    """Exit 1 when an entry was edited, deleted or reordered."""
    from app.admin.integrity import verify_chains

    out = verify_chains(desk)
    emit(args, out, text_of(out))
    return 0 if out["ok"] else 1
