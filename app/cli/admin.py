"""``towndesk init | check | backup | restore | status``: setting up and looking after the store."""
from __future__ import annotations

from pathlib import Path

from app.cli.output import add_json_flag, add_password_options, emit, read_password
from app.desk import Desk
from app.errors import PermissionDenied


def register(sub) -> None:
    x = sub.add_parser("init", help="初始化本机的镇街与工作站")
    x.add_argument("--town", required=True)
    x.add_argument("--name", required=True)
    x.add_argument("--workstation", required=True)
    add_password_options(x, "admin-password", required=False)
    add_json_flag(x)
    x.set_defaults(handler=cmd_init)

    x = sub.add_parser("check", help="完整性检查：从操作日志重建案件并比对")
    x.add_argument("--repair", action="store_true")
    add_json_flag(x)
    x.set_defaults(handler=cmd_check)

    x = sub.add_parser("backup", help="备份数据库")
    x.add_argument("-o", "--output")
    add_json_flag(x)
    x.set_defaults(handler=cmd_backup)

    x = sub.add_parser("restore", help="从备份恢复")
    x.add_argument("file")
    x.add_argument("--key-file", help="备份所用的密钥（在原电脑上用 towndesk key export 导出）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_restore)

    key = sub.add_parser("key", help="本机数据密钥").add_subparsers(dest="key_cmd", required=True)
    x = key.add_parser("export", help="导出密钥（另行妥善保管：换电脑时恢复备份需要它）")
    x.add_argument("-o", "--output", required=True)
    add_json_flag(x)
    x.set_defaults(handler=cmd_key_export)

    x = sub.add_parser("status", help="本机状态")
    add_json_flag(x)
    x.set_defaults(handler=cmd_status)


def cmd_init(args, desk: Desk):
    from app.admin.setup import init_store

    out = init_store(desk, args.town, args.name, args.workstation, admin_password=read_password(args, "admin-password"))
    emit(args, out, f"已初始化：{out['name']}（{out['town']}），工作站 {out['workstation']}")


def cmd_check(args, desk: Desk) -> int:
    """Exit 1 when the store differs from its action log (unless ``--repair`` mended it)."""
    from app.admin import integrity
    from app.store import facts

    out = integrity.integrity(desk) | {"rebuild": integrity.rebuild_differences(desk, repair=args.repair)}
    out["chain"] = integrity.verify_chains(desk)
    out["facts"] = facts.verify(desk, desk.now(), repair=args.repair)
    facts_ok = out["facts"]["differences"] == 0 and out["facts"]["rollup_differences"] == 0
    ok = out["sqlite"] == "ok" and out["foreign_keys_ok"] and out["search_index_ok"] and out["chain"]["ok"] \
        and ((out["rebuild"]["differences"] == 0 and facts_ok) or args.repair)
    out["ok"] = ok
    emit(args, out, f"检查 {out['rebuild']['checked']} 件案件：差异 {out['rebuild']['differences']}，"
                    f"统计数据差异 {out['facts']['differences']}，SQLite {out['sqlite']}，"
                    f"日志哈希链{'完整' if out['chain']['ok'] else '：' + out['chain']['first_bad']['message']}，"
                    f"{'通过' if ok else '未通过'}")
    return 0 if ok else 1


def cmd_backup(args, desk: Desk):
    from app.admin import maintenance

    path = maintenance.backup(desk, Path(args.output) if args.output else None, args.as_user or "admin")
    emit(args, {"path": str(path)}, f"已备份到 {path}")


def cmd_restore(args, desk: Desk):
    """The Desk main opened is the one restored: maintenance.restore closes its database, puts the
    backup in place and migrates it; main closes it afterwards as for any command."""
    from app.admin import maintenance

    out = maintenance.restore(desk, Path(args.file), args.as_user or "admin",
                              Path(args.key_file) if args.key_file else None)
    emit(args, out, f"已从 {args.file} 恢复（原数据库已备份到 {out['previous']}）")


def cmd_key_export(args, desk: Desk):
    from app.admin import maintenance
    from app.reference.users import get_actor

    who = get_actor(desk, args.as_user)
    if who.role != "admin":
        raise PermissionDenied("只有管理员可以导出密钥", field="as")
    out = maintenance.export_key(desk, Path(args.output), who.username)
    emit(args, out, f"密钥已导出到 {out['path']}：请离线妥善保管，不要与备份放在一起")


def cmd_status(args, desk: Desk):
    from app.admin import maintenance

    out = maintenance.status(desk)
    emit(args, out, "\n".join(f"{k}: {v}" for k, v in out.items()))
