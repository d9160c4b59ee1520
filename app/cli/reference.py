"""``towndesk ref list KIND`` and ``towndesk user add | set | passwd | lock``: reference records and users.

On an enrolled store ``user add``, ``user set``, ``user passwd`` and ``user lock`` go to the
district's directory (online only, 需联网 otherwise, nothing written); the acting administrator (``--as``, default admin) gives their password in
TOWNDESK_PASSWORD or at the prompt."""
from __future__ import annotations

from typing import TYPE_CHECKING

from app.cli.output import actor, add_json_flag, add_password_options, emit, read_password
from app.desk import ADMIN_USERNAME, Desk
from app.errors import ValidationError

KINDS = ["categories", "units", "villages", "grids", "microgrids", "staff", "users", "rules", "mediators"]

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
    x = user.add_parser("set", help="修改用户角色、单位或启用状态（已注册的工作站须联网）")
    x.add_argument("username")
    x.add_argument("--role")
    x.add_argument("--unit")
    x.add_argument("--active", choices=["yes", "no"])
    add_json_flag(x)
    x.set_defaults(handler=cmd_user_set)
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


def _online(desk: Desk) -> bool:
    """An enrolled store: the district's directory decides, online only."""
    return bool(desk.meta("sync.token"))


def _admin_password() -> str:
    """The acting administrator's password: TOWNDESK_PASSWORD, or asked for on a terminal."""
    import getpass
    import os
    import sys

    value = os.environ.get("TOWNDESK_PASSWORD")
    if value is None and sys.stdin.isatty():
        value = getpass.getpass("管理员密码：")
    return value or ""


def cmd_user_add(args, desk: Desk):
    if _online(desk):
        from app.sync.directory import change_user

        out = change_user(desk, args.as_user or ADMIN_USERNAME, _admin_password(), "add", args.username,
                          role=args.role, unit=args.unit, name=args.name, password=args.password)
        emit(args, out, f"已在区级目录添加用户 {out['username']}（{out['role']}）")
        return
    from app.reference import users

    out = users.add_user(desk, actor(args, desk), args.username, args.role, read_password(args), args.name,
                          args.unit)
    emit(args, out, f"已添加用户 {out['username']}（{out['role']}）")


def cmd_user_set(args, desk: Desk):
    active = None if args.active is None else args.active == "yes"
    if args.role is None and args.unit is None and active is None:
        raise ValidationError("请给出要修改的内容：--role、--unit 或 --active", field="role")
    if _online(desk):
        from app.sync.directory import change_user

        out = change_user(desk, args.as_user or ADMIN_USERNAME, _admin_password(), "set", args.username,
                          role=args.role, unit=args.unit, active=active)
        emit(args, out, f"已在区级目录修改用户 {out['username']}（{out['role']}，{'启用' if out['active'] else '停用'}）")
        return
    from app.reference import users

    out = users.set_user(desk, actor(args, desk), args.username, role=args.role, unit=args.unit, active=active)
    emit(args, out, f"已修改用户 {out['username']}（{out['role']}）")


def cmd_user_passwd(args, desk: Desk):
    from app.reference import users

    password = read_password(args)
    if _online(desk):  # the district's directory keeps the password; needs the server (需联网)
        from app.domain.passwords import check_password
        from app.sync.directory import change_user

        check_password(password, args.username)
        change_user(desk, args.as_user or ADMIN_USERNAME, _admin_password(), "set", args.username,
                    password=password)
        emit(args, {"username": args.username, "ok": True}, f"已在区级目录修改 {args.username} 的密码")
        return
    users.set_password(desk, actor(args, desk), args.username, password)
    emit(args, {"username": args.username, "ok": True}, f"已修改 {args.username} 的密码")


def cmd_user_lock(args, desk: Desk):
    if _online(desk):  # 停用/启用 is a directory change: online only on an enrolled store
        from app.sync.directory import change_user

        change_user(desk, args.as_user or ADMIN_USERNAME, _admin_password(), "set", args.username,
                    active=bool(args.unlock))
    else:
        from app.reference import users

        users.set_locked(desk, actor(args, desk), args.username, not args.unlock)
    emit(args, {"username": args.username, "locked": not args.unlock},
         f"已{'解锁' if args.unlock else '停用'}用户 {args.username}")
