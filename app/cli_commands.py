"""Handlers behind app.cli's parser: each one calls one service and prints its result."""
from __future__ import annotations

from pathlib import Path

from app.cli import emit, read_json_input
from app.errors import ValidationError
from app.reference import users as auth
from app.cases import handling
from app.cases import intake
from app.admin import integrity
from app.cases import queries
from app.desk import Desk, open_desk
from app.reference.records import list_refs


def run(args) -> int:
    desk = open_desk(args.data_dir)
    try:
        from app.cli_ext import handlers

        handler = handlers().get(args.command) or globals()[f"cmd_{args.command}"]
        return handler(args, desk) or 0
    finally:
        desk.close()


def actor(args, desk: Desk):
    return auth.get_actor(desk, args.as_user)


def cmd_init(args, desk: Desk):
    from app.admin.setup import init_store

    out = init_store(desk, args.town, args.name, args.workstation, admin_password=args.admin_password)
    emit(args, out, f"已初始化：{out['name']}（{out['town']}），工作站 {out['workstation']}")


def cmd_demo(args, desk: Desk):
    from app.demo.loader import load_demo

    if args.cases < 0:
        raise ValidationError("案件数量不能为负数", field="cases")
    out = load_demo(desk, args.cases, seed=args.seed)
    emit(args, out, f"演示数据已载入：{out['town_name']}，案件 {out['cases']} 件（用时 {out['seconds']} 秒）；"
                    f"演示用户 {', '.join(out['users'])}，密码 demo1234")


def cmd_case(args, desk: Desk):
    return globals()[f"case_{args.case_cmd}"](args, desk)


def case_add(args, desk: Desk):
    data = read_json_input(args.input or args.file)
    who = actor(args, desk)
    if isinstance(data, list):
        out = intake.take_in_many(desk, who, data)
        emit(args, out, "\n".join(f"已受理 {c['case_no']}（{c['state_label']}）" for c in out))
    else:
        out = intake.take_in(desk, who, data)
        unit = out["unit"]["name"] if out["unit"] else "待人工分派"
        emit(args, out, f"已受理 {out['case_no']}：{out['state_label']}，{unit}")


def case_list(args, desk: Desk):
    filters = {k: getattr(args, k) for k in ("state", "color", "unit", "category", "channel", "village", "q",
                                             "date_from", "date_to", "dispatched_from", "dispatched_to",
                                             "closed_from", "closed_to", "mine", "supervised")}
    out = queries.list_cases(desk, actor(args, desk), filters, args.sort, args.limit, args.after)
    emit(args, out, _table(out))


def _table(out: dict) -> str:
    lines = [f"共 {out['total']} 件"]
    for c in out["items"]:
        colour = {"red": "红", "yellow": "黄", "green": "绿"}.get(c["color"], "—")
        unit = c["unit"]["name"] if c["unit"] else "—"
        urge = f"  【{c['urge']['mark']}·{c['urge']['label']}】" if c.get("urge") else ""
        lines.append(f"{c['case_no']}  {c['state_label']:<4} {colour}  {unit:<10} {c['title']}{urge}")
    return "\n".join(lines)


def case_show(args, desk: Desk):
    out = queries.show_case(desk, actor(args, desk), args.case_no)
    lines = [f"{out['case_no']}  {out['state_label']}  {out['title']}", out["description"]]
    if out.get("urge"):
        u = out["urge"]
        lines.append(f"【{u['mark']}】{u['text']}" + (f"；督办要求：{u['instruction']}" if u.get("instruction") else ""))
    lines += [f"  {a['at'][:19]}  {a['actor_name']}  {a['label']}" for a in out["actions"]]
    emit(args, out, "\n".join(lines))


def case_act(args, desk: Desk):
    who = actor(args, desk)
    if args.action == "attach":
        from app.cases.attachments import attach

        path = args.attach_path
        payload = {}
        if not path:
            payload = read_json_input(args.input or args.file)
            path = payload.get("path") if isinstance(payload, dict) else None
        if not path:
            raise ValidationError("请用 --file 指定附件文件", field="path")
        out = attach(desk, who, args.case_no, path, payload.get("note", "") if isinstance(payload, dict) else "")
    else:
        source = args.input or args.file
        payload = read_json_input(source) if source else {}
        if not isinstance(payload, dict):
            raise ValidationError("操作内容应为 JSON 对象", field="json")
        out = handling.act(desk, who, args.case_no, args.action, payload)
    emit(args, out, f"{out['case_no']}：{out['state_label']}")


def case_search(args, desk: Desk):
    out = queries.list_cases(desk, actor(args, desk), {"q": args.text}, limit=args.limit)
    emit(args, out, _table(out))


def cmd_ref(args, desk: Desk):
    out = list_refs(desk, args.kind)
    emit(args, out, "\n".join(f"{r['code']}  {r['name']}" for r in out))


def cmd_user(args, desk: Desk):
    who = actor(args, desk)
    if args.user_cmd == "add":
        out = auth.add_user(desk, who, args.username, args.role, args.password, args.name, args.unit)
        emit(args, out, f"已添加用户 {out['username']}（{out['role']}）")
    elif args.user_cmd == "passwd":
        auth.set_password(desk, who, args.username, args.password)
        emit(args, {"username": args.username, "ok": True}, f"已修改 {args.username} 的密码")
    else:
        auth.set_locked(desk, who, args.username, not args.unlock)
        emit(args, {"username": args.username, "locked": not args.unlock},
             f"已{'解锁' if args.unlock else '停用'}用户 {args.username}")


def cmd_check(args, desk: Desk):
    from app.store import facts

    out = integrity.integrity(desk) | {"rebuild": integrity.rebuild_differences(desk, repair=args.repair)}
    out["facts"] = facts.verify(desk, desk.now(), repair=args.repair)
    facts_ok = out["facts"]["differences"] == 0 and out["facts"]["rollup_differences"] == 0
    ok = out["sqlite"] == "ok" and out["foreign_keys_ok"] and out["search_index_ok"] \
        and ((out["rebuild"]["differences"] == 0 and facts_ok) or args.repair)
    out["ok"] = ok
    emit(args, out, f"检查 {out['rebuild']['checked']} 件案件：差异 {out['rebuild']['differences']}，"
                    f"统计数据差异 {out['facts']['differences']}，SQLite {out['sqlite']}，{'通过' if ok else '未通过'}")
    return 0 if ok else 1


def cmd_backup(args, desk: Desk):
    from app.admin.maintenance import backup

    path = backup(desk, Path(args.output) if args.output else None)
    emit(args, {"path": str(path)}, f"已备份到 {path}")


def cmd_restore(args, desk: Desk):
    from app.admin.maintenance import restore

    out = restore(desk, Path(args.file))
    emit(args, out, f"已从 {args.file} 恢复（原数据库已备份到 {out['previous']}）")


def cmd_status(args, desk: Desk):
    from app.admin.maintenance import status

    out = status(desk)
    emit(args, out, "\n".join(f"{k}: {v}" for k, v in out.items()))
