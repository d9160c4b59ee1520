"""``towndesk emergency``: 平战转换 — start and stop emergency mode, broadcast tasks and their
receipts (一呼百应), the live status, and the prepared lists kept in peacetime.

    towndesk emergency start --type T --level 1-4 --area all|CODE[,CODE…] --reason TEXT [--json]
    towndesk emergency task add --title TEXT [--instructions TEXT] --to all|CODE[,…] --due ISO [--json]
    towndesk emergency receipt TASK_ID --target CODE --status acknowledged|in_progress|done [--count N] [--note T]
    towndesk emergency status [--json]
    towndesk emergency stop --reason TEXT [--json]
    towndesk emergency people add|list|set …      towndesk emergency team add|list …
"""
from __future__ import annotations

from app.cli.output import actor, add_json_flag, emit
from app.desk import Desk
from app.errors import ValidationError

TYPES_HELP = "flood（防汛）| typhoon（台风）| epidemic（疫情）| fire（火灾）| geological（地质灾害）| " \
             "mass_incident（群体性事件）| other（其他）"


def register(sub) -> None:
    top = sub.add_parser("emergency", help="平战转换：启动/结束应急响应、一呼百应任务与回执、预案名单")
    top.set_defaults(handler=_usage)
    em = top.add_subparsers(dest="emergency_command")

    x = em.add_parser("start", help="启动应急响应")
    x.add_argument("--type", required=True, help=TYPES_HELP)
    x.add_argument("--level", required=True, help="响应级别 1（特别重大）| 2（重大）| 3（较大）| 4（一般）")
    x.add_argument("--area", required=True, help="all（全镇街）或逗号分隔的村社代码")
    x.add_argument("--reason", required=True, help="启动原因")
    add_json_flag(x)
    x.set_defaults(handler=cmd_start)

    x = em.add_parser("stop", help="结束应急响应（之后可打印总结：print emergency ID）")
    x.add_argument("--reason", required=True, help="结束原因")
    add_json_flag(x)
    x.set_defaults(handler=cmd_stop)

    x = em.add_parser("status", help="当前应急响应与各任务回执统计")
    add_json_flag(x)
    x.set_defaults(handler=cmd_status)

    task = em.add_parser("task", help="一呼百应：下发任务")
    task.set_defaults(handler=_usage)
    tsub = task.add_subparsers(dest="task_command")
    x = tsub.add_parser("add", help="下发任务到全部或指定村社/网格")
    x.add_argument("--title", required=True, help="任务标题")
    x.add_argument("--instructions", help="任务要求")
    x.add_argument("--to", required=True, help="all（应急范围内全部村社）或逗号分隔的村社/网格代码")
    x.add_argument("--due", required=True, help="完成时限，带时区，如 2026-11-27T18:00:00+08:00")
    add_json_flag(x)
    x.set_defaults(handler=cmd_task_add)

    x = em.add_parser("receipt", help="录入任务回执（已收到/处置中/已完成）")
    x.add_argument("task_id", help="任务编号")
    x.add_argument("--target", required=True, help="回执的村社/网格代码")
    x.add_argument("--status", required=True, help="acknowledged（已收到）| in_progress（处置中）| done（已完成）")
    x.add_argument("--count", help="数量（如已转移人数）")
    x.add_argument("--note", help="说明")
    add_json_flag(x)
    x.set_defaults(handler=cmd_receipt)

    people = em.add_parser("people", help="预案名单：需转移人员")
    people.set_defaults(handler=_usage)
    psub = people.add_subparsers(dest="people_command")
    x = psub.add_parser("add", help="登记需转移人员")
    x.add_argument("--name", required=True, help="姓名")
    x.add_argument("--village", required=True, help="村社代码")
    x.add_argument("--grid", help="网格代码")
    x.add_argument("--kind", required=True,
                   help="elderly_alone（独居老人）| dilapidated（危房住户）| geohazard（地质灾害隐患点）| "
                        "worksite（在建工地）| other（其他）")
    x.add_argument("--phone", help="联系电话")
    x.add_argument("--address", help="住址")
    x.add_argument("--note", help="备注")
    add_json_flag(x)
    x.set_defaults(handler=cmd_people_add)
    x = psub.add_parser("list", help="需转移人员名单")
    x.add_argument("--village", help="村社代码")
    x.add_argument("--status", help="pending（待转移）| moved（已转移）| returned（已返回）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_people_list)
    x = psub.add_parser("set", help="更新转移状态")
    x.add_argument("person_id", help="人员编号")
    x.add_argument("--status", required=True, help="pending（待转移）| moved（已转移）| returned（已返回）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_people_set)

    team = em.add_parser("team", help="预案名单：应急队伍")
    team.set_defaults(handler=_usage)
    esub = team.add_subparsers(dest="team_command")
    x = esub.add_parser("add", help="把人员编入村社应急队伍")
    x.add_argument("--village", required=True, help="村社代码")
    x.add_argument("--duty", required=True, help="monitor（监测预警）| evacuate（转移）| rescue（抢险）| logistics（后勤）")
    x.add_argument("--staff", help="网格人员代码（姓名、电话取自人员名册）")
    x.add_argument("--name", help="姓名（不在名册中的人员）")
    x.add_argument("--phone", help="联系电话")
    add_json_flag(x)
    x.set_defaults(handler=cmd_team_add)
    x = esub.add_parser("list", help="应急队伍名单")
    x.add_argument("--village", help="村社代码")
    add_json_flag(x)
    x.set_defaults(handler=cmd_team_list)


def _usage(args, desk: Desk):
    raise ValidationError("用法：towndesk emergency start|stop|status|task add|receipt|people|team …（见 --help）",
                          field="command")


def _int(value: str | None, field: str, label: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise ValidationError(f"{label}应为整数", field=field) from None


def cmd_start(args, desk: Desk):
    from app.emergency import services

    out = services.start(desk, actor(args, desk), {"type": args.type, "level": _int(args.level, "level", "响应级别"),
                                                   "area": args.area, "reason": args.reason})
    emit(args, {k: out[k] for k in ("id", "type", "level", "area", "started_at", "started_by")},
         f"已启动应急响应 {out['code']}（编号 {out['id']}）")


def cmd_stop(args, desk: Desk):
    from app.emergency import services

    out = services.stop(desk, actor(args, desk), {"reason": args.reason})
    emit(args, out, f"已结束应急响应 {out['code']}；打印总结：towndesk print emergency {out['id']} -o 总结.pdf")


def cmd_status(args, desk: Desk):
    from app.emergency import queries

    out = queries.status(desk)
    emit(args, out, lambda: _status_text(out))


def _status_text(out: dict) -> str:
    if not out["active"]:
        return "当前没有进行中的应急响应（平时状态）"
    from app.domain import emergency as E

    area = "全镇街" if out["area"] == E.ALL else "、".join(out["area"])
    lines = [f"{E.title(out['type'], out['level'])}（编号 {out['id']}），范围：{area}"]
    for t in out["tasks"]:
        r = t["receipts"]
        lines.append(f"  {t['id']} {t['title']}（时限 {t['due_at']}）：对象 {t['targets']}，已收到 {r['acknowledged']}，"
                     f"处置中 {r['in_progress']}，已完成 {r['done']}，未回执 {r['none']}，超时 {r['overdue']}")
    return "\n".join(lines)


def cmd_task_add(args, desk: Desk):
    from app.emergency import services

    out = services.add_task(desk, actor(args, desk), {"title": args.title, "instructions": args.instructions,
                                                      "to": args.to, "due": args.due})
    emit(args, {"id": out["id"], "targets": out["targets"]},
         f"已下发任务 {out['id']}：{len(out['targets'])} 个对象（{','.join(out['targets'])}）")


def cmd_receipt(args, desk: Desk):
    from app.emergency import services

    out = services.add_receipt(desk, actor(args, desk), args.task_id,
                               {"target": args.target, "status": args.status,
                                "count": _int(args.count, "count", "数量"), "note": args.note})
    emit(args, out, f"已录入回执：{out['target']} {out['status']}")


def cmd_people_add(args, desk: Desk):
    from app.emergency import lists

    out = lists.add_person(desk, actor(args, desk), {k: getattr(args, k) for k in
                                                     ("name", "village", "grid", "kind", "phone", "address", "note")})
    emit(args, out, f"已登记需转移人员 {out['name']}（编号 {out['id']}）")


def cmd_people_list(args, desk: Desk):
    from app.emergency import lists

    out = lists.list_people(desk, village=args.village, status=args.status)

    def text() -> str:
        role = actor(args, desk).role  # phones whole only for the roles that see personal data
        return "\n".join(f"{p['code']}  {p['village_name']}  {p['name']}  {p['kind_label']}  "
                         f"{lists.shown_phone(role, p['phone'])}  {p['status_label']}" for p in out) or "（无）"

    emit(args, out, text)


def cmd_people_set(args, desk: Desk):
    from app.emergency import lists

    out = lists.set_person_status(desk, actor(args, desk), args.person_id, {"status": args.status})
    emit(args, out, f"{out['name']}：{out['status_label']}")


def cmd_team_add(args, desk: Desk):
    from app.emergency import lists

    out = lists.add_team_member(desk, actor(args, desk), {k: getattr(args, k) for k in
                                                          ("village", "duty", "staff", "name", "phone")})
    emit(args, out, f"已编入 {out['village_name']} {out['duty_label']}队：{out['name']}")


def cmd_team_list(args, desk: Desk):
    from app.emergency import lists

    out = lists.list_teams(desk, village=args.village)

    def text() -> str:
        role = actor(args, desk).role
        return "\n".join(f"{m['village_name']}  {m['duty_label']}  {m['name']}  {lists.shown_phone(role, m['phone'])}"
                         for m in out) or "（无）"

    emit(args, out, text)


