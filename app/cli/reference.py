"""``towndesk ref list KIND`` and ``towndesk user add | passwd | lock``: reference records and users."""
from __future__ import annotations

from typing import TYPE_CHECKING

from app.cli.output import actor, add_json_flag, add_password_options, emit, read_password
from app.desk import Desk

KINDS = ["categories", "units", "villages", "grids", "users", "rules"]

if TYPE_CHECKING:
    from app.reference.records import RefCache


def register(sub) -> None:
    ref = sub.add_parser("ref", help="基础数据").add_subparsers(dest="ref_cmd", required=True)
    x = ref.add_parser("list")
    x.add_argument("kind", choices=KINDS)
    add_json_flag(x)
    x.set_defaults(handler=cmd_ref_list)

    user = sub.add_parser("user", help="用户管理（管理员）").add_subparsers(dest="user_cmd", required=True)
    x = user.add_parser("add")
    x.add_argument("username")
    x.add_argument("--role", required=True)
    x.add_argument("--unit")
    add_password_options(x)
    x.add_argument("--name")
    add_json_flag(x)
    x.set_defaults(handler=cmd_user_add)
    x = user.add_parser("passwd")
    x.add_argument("username")
    add_password_options(x)
    add_json_flag(x)
    x.set_defaults(handler=cmd_user_passwd)
    x = user.add_parser("lock")
    x.add_argument("username")
    x.add_argument("--unlock", action="store_true")
    add_json_flag(x)
    x.set_defaults(handler=cmd_user_lock)


def cmd_ref_list(args, desk: Desk):
    from app.reference.records import list_refs

    out = list_refs(desk, args.kind)
    emit(args, out, lambda: ref_text(args.kind, out, desk.refs()))


def ref_text(kind: str, rows: list[dict], refs: RefCache) -> str:
    """One line per record: ``code  name`` (users: the username), and for responsibility rules
    ``category name → unit name（适用：village / grid）``, where neither means the whole town."""

    if kind != "rules":
        return "\n".join(f"{r['code']}  {r['name']}" for r in rows)
    lines = []
    for r in rows:
        where = " / ".join(refs.grid_name(r[k]) for k in ("village", "grid") if r.get(k)) or "全镇"
        note = f"  {r['note']}" if r.get("note") else ""
        lines.append(f"{r['category']} {refs.category_name(r['category'])} → "
                     f"{r['unit']} {refs.unit_name(r['unit'])}（适用：{where}）{note}")
    return "\n".join(lines)


def cmd_user_add(args, desk: Desk):
    from app.reference import users

    out = users.add_user(desk, actor(args, desk), args.username, args.role, read_password(args), args.name,
                          args.unit)
    emit(args, out, f"已添加用户 {out['username']}（{out['role']}）")


def cmd_user_passwd(args, desk: Desk):
    from app.reference import users

    users.set_password(desk, actor(args, desk), args.username, read_password(args))
    emit(args, {"username": args.username, "ok": True}, f"已修改 {args.username} 的密码")


def cmd_user_lock(args, desk: Desk):
    from app.reference import users

    users.set_locked(desk, actor(args, desk), args.username, not args.unlock)
    emit(args, {"username": args.username, "locked": not args.unlock},
         f"已{'解锁' if args.unlock else '停用'}用户 {args.username}")
