"""``towndesk enroll | sync | conflicts``: the district sync from the command line.

    towndesk enroll --server URL --code CODE      (fresh data dir or existing store)
    towndesk sync [--server URL] [--no-files] --json
    towndesk sync --peer URL [--json]            (the centre relay on the LAN: app/lan)
    towndesk conflicts [--all] --json
    towndesk conflicts resolve ID --how redispatch|note|dismiss [--unit CODE]
"""
from __future__ import annotations

from app.cli.output import actor, add_json_flag, emit
from app.desk import Desk
from app.errors import ValidationError


def register(sub) -> None:
    x = sub.add_parser("enroll", help="用区级管理员给的一次性注册码注册本工作站")
    x.add_argument("--server", required=True, help="区级同步服务器地址，如 https://sync.example.gov.cn")
    x.add_argument("--code", required=True, help="一次性注册码")
    x.add_argument("--no-sync", action="store_true", help="注册后不立即同步")
    x.add_argument("--insecure", action="store_true",
                   help="允许以不加密的 http:// 连接本机以外的服务器（不推荐；窗口将显示“不安全连接”）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_enroll)
    x = sub.add_parser("sync", help="与区级服务器同步一轮（先上传后下载）")
    x.add_argument("--server", help="改用该服务器地址")
    x.add_argument("--no-files", action="store_true", help="不传输附件文件")
    x.add_argument("--peer", help="区级断网时改与本中心的局域网中继同步（towndesk lan serve 显示的地址）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_sync)
    x = sub.add_parser("conflicts", help="同步冲突：被区级拒绝的操作及原因")
    x.add_argument("conflicts_cmd", nargs="?", choices=["list", "resolve"], default="list")
    x.add_argument("id", nargs="?", help="冲突编号（resolve）")
    x.add_argument("--how", choices=["redispatch", "note", "dismiss"], help="处理方式")
    x.add_argument("--unit", help="重新派单到该单位（默认原单位）")
    x.add_argument("--all", action="store_true", help="包括已处理的")
    add_json_flag(x)
    x.set_defaults(handler=cmd_conflicts)


def cmd_enroll(args, desk: Desk):
    """On a fresh data dir the Desk main opened is an empty store: enroll binds it to the town."""
    from app.sync.enroll import enroll

    out = enroll(desk, args.server, args.code, sync=not args.no_sync, insecure=args.insecure)
    text = f"已注册：{out['town_name']}（{out['town']}），工作站 {out['workstation']}，设备 {out['device_id']}"
    if out.get("insecure"):
        text += "\n警告：不安全连接（http://，数据不加密传输）"
    if "sync" in out:
        text += "\n" + _summary_text(out["sync"])
    emit(args, out, text)


def cmd_sync(args, desk: Desk):
    if args.peer:
        if args.server:
            raise ValidationError("--peer 与 --server 不能同时使用", field="peer")
        from app.lan.peer import run_peer_round

        out = run_peer_round(desk, args.peer)
        emit(args, out, "局域网中继" + _summary_text(out))
        return
    from app.sync.engine import run_round

    out = run_round(desk, server=args.server, files=not args.no_files)
    emit(args, out, _summary_text(out))


def _summary_text(out: dict) -> str:
    files = out.get("files") or {}
    text = (f"同步完成：上传 {out['pushed']}（接受 {out['accepted']}，拒绝 {out['rejected']}），下载 {out['pulled']}，"
            f"待处理冲突 {out['conflicts']}，待上传 {out['pending']}；附件上传 {files.get('uploaded', 0)}、"
            f"下载 {files.get('downloaded', 0)}")
    if out.get("quarantined"):
        text += f"；无法应用、已隔离的区级变更 {out['quarantined']} 条（见冲突列表）"
    if files.get("error"):
        text += f"（附件：{files['error']}）"
    if out.get("restored"):
        text += f"；本机被改动的已接受操作 {len(out['restored'])} 条已按区级恢复（已记入审计日志）"
    if (out.get("anchor") or {}).get("ok") is False:
        text += "；区级服务器拒绝锚定本机日志链头（日志链与上次锚定的不一致，请运行 towndesk audit verify）"
    return text


def cmd_conflicts(args, desk: Desk):
    from app.sync import conflicts

    if args.conflicts_cmd == "resolve":
        if not args.id or not args.how:
            raise ValidationError("用法：towndesk conflicts resolve ID --how redispatch|note|dismiss", field="how")
        who = actor(args, desk)
        out = conflicts.resolve(desk, who, args.id, args.how, args.unit)
        emit(args, out, f"已处理冲突 {args.id}（{args.how}）")
        return
    out = conflicts.list_conflicts(desk, include_done=args.all)
    lines = [f"共 {len(out)} 条冲突"] + [
        f"{c['id']}  {c['case_no'] or '-'}  {c['label']}  {c['actor_name'] if c['kind'] == 'action' else ''}  "
        f"原因：{c['reason']}" for c in out]
    emit(args, out, "\n".join(lines))

