"""一网格 commands: ``grid report | stats | admission``, ``points ledger | board | rules | award |
reverse`` and ``feed import`` (issue 17)."""
from __future__ import annotations

from app.cli.output import actor, add_json_flag, emit, read_json_input
from app.desk import Desk
from app.errors import ValidationError


def register(sub) -> None:
    grid = sub.add_parser("grid", help="网格上报、网格指标、事项准入清单").add_subparsers(dest="grid_cmd", required=True)
    x = grid.add_parser("report", help="网格上报（报办分离）：--json FILE 或 --json -")
    x.add_argument("file", nargs="?")
    x.add_argument("--json", dest="input", metavar="FILE")
    x.set_defaults(handler=cmd_grid_report)

    x = grid.add_parser("stats", help="网格指标：上报、当场解决、上报中心、流转率、办结率、超期")
    x.add_argument("--from", dest="date_from", required=True)
    x.add_argument("--to", dest="date_to", required=True)
    x.add_argument("--by", help="grid（网格）| micro（微网格）| village（村社）| reporter（上报人）")
    x.add_argument("--village")
    add_json_flag(x)
    x.set_defaults(handler=cmd_grid_stats)

    x = grid.add_parser("admission", help="网格事项准入清单：list | check KIND | add KIND --name N | remove KIND")
    x.add_argument("what", help="list | check | add | remove")
    x.add_argument("kind", nargs="?")
    x.add_argument("--name")
    x.add_argument("--note")
    add_json_flag(x)
    x.set_defaults(handler=cmd_grid_admission)

    pts = sub.add_parser("points", help="有奖上报积分").add_subparsers(dest="points_cmd", required=True)
    x = pts.add_parser("ledger", help="个人积分明细（网格人员编号或群众手机号）")
    x.add_argument("person")
    add_json_flag(x)
    x.set_defaults(handler=cmd_points_ledger)
    x = pts.add_parser("board", help="月度积分排行")
    x.add_argument("--month", required=True, help="YYYY-MM")
    x.add_argument("--limit", type=int, default=50)
    add_json_flag(x)
    x.set_defaults(handler=cmd_points_board)
    x = pts.add_parser("rules", help="积分规则（--set RULE --points N 修改分值）")
    x.add_argument("--set", dest="rule")
    x.add_argument("--points", type=int)
    add_json_flag(x)
    x.set_defaults(handler=cmd_points_rules)
    x = pts.add_parser("award", help="按规则手工计分（群众有效上报、微网格走访等）")
    x.add_argument("--rule", required=True)
    x.add_argument("--person")
    x.add_argument("--case")
    x.add_argument("--note")
    add_json_flag(x)
    x.set_defaults(handler=cmd_points_award)
    x = pts.add_parser("reverse", help="冲正：一条记录（--entry）或一个无效案件的全部积分（--case）")
    x.add_argument("--entry")
    x.add_argument("--case")
    x.add_argument("--reason", required=True)
    add_json_flag(x)
    x.set_defaults(handler=cmd_points_reverse)

    feed = sub.add_parser("feed", help="渠道数据导入").add_subparsers(dest="feed_cmd", required=True)
    x = feed.add_parser("import", help="导入渠道推送的案件（JSON、JSON lines 或 .xlsx，按渠道编号去重）")
    x.add_argument("file")
    x.add_argument("--channel", required=True, help="mini_program | hotline_12345 | online_petition | police_feed")
    add_json_flag(x)
    x.set_defaults(handler=cmd_feed_import)


def cmd_grid_report(args, desk: Desk):
    from app.grids import reports

    data = read_json_input(args.input or args.file)
    if not isinstance(data, dict):
        raise ValidationError("网格上报内容应为一个 JSON 对象", field="json")
    out = reports.report(desk, actor(args, desk), data)
    emit(args, out, f"已受理网格上报 {out['case_no']}：{out['state_label']}（上报人 {out['reporter_staff']}）")


def cmd_grid_stats(args, desk: Desk):
    from app.domain import indicators as ind
    from app.grids import stats

    out = stats.stats(desk, args.date_from, args.date_to, args.by, args.village)
    emit(args, out, lambda: "\n".join(
        f"{r['name']}：上报 {r['reported']}，当场解决 {r['solved_on_spot']}，上报中心 {r['passed']}，"
        f"流转率 {ind.pct(r['flow_rate'])}，办结率 {ind.pct(r['closed_rate'])}，超期 {r['overdue']}"
        for r in out["items"]))


def cmd_grid_admission(args, desk: Desk):
    from app.grids import admission

    if args.what == "list":
        out = {"items": admission.list_admissions(desk)}
        emit(args, out, lambda: "\n".join(f"{a['kind']}  {a['name']}" for a in out["items"]) or "准入清单为空")
        return
    if not args.kind:
        raise ValidationError("请指定事项代码", field="kind")
    if args.what == "check":
        out = admission.check(desk, args.kind)
        emit(args, out, f"「{out['name']}」在准入清单内，可以下派给网格人员")
    elif args.what == "add":
        out = admission.add(desk, actor(args, desk), args.kind, args.name or "", args.note)
        emit(args, out, f"已加入准入清单：{out['name']}（{out['kind']}）")
    elif args.what == "remove":
        out = admission.remove(desk, actor(args, desk), args.kind)
        emit(args, out, f"已移出准入清单：{args.kind}")
    else:
        raise ValidationError("应为 list、check、add 或 remove", field="what")


def cmd_points_ledger(args, desk: Desk):
    from app.grids import points

    out = points.ledger(desk, args.person)
    emit(args, out, lambda: "\n".join([f"{out['name'] or out['person']}：合计 {out['total']} 分"] + [
        f"  {e['at'][:10]}  {e['points']:+d}  {e['reason']}  {e['case_no'] or ''}" for e in out["entries"]]))


def cmd_points_board(args, desk: Desk):
    from app.grids import points

    out = points.board(desk, args.month, args.limit)
    emit(args, out, lambda: "\n".join([f"{out['month']} 积分排行"] + [
        f"{i['rank']:>3}  {i['name'] or i['person']}  {i['points']} 分" for i in out["items"]]))


def cmd_points_rules(args, desk: Desk):
    from app.grids import points

    if args.rule:
        if args.points is None:
            raise ValidationError("请用 --points 指定分值", field="points")
        points.set_rule(desk, actor(args, desk), args.rule, args.points)
    out = {"rules": points.list_rules(desk)}
    emit(args, out, lambda: "\n".join(f"{r['code']}  {r['label']}  {r['points']} 分" for r in out["rules"]))


def cmd_points_award(args, desk: Desk):
    from app.grids import points

    out = points.award(desk, actor(args, desk), args.rule, person=args.person, case_no=args.case, note=args.note)
    emit(args, out, f"已记分：{out['person_name'] or out['person']} {out['points']:+d}（{out['reason']}）")


def cmd_points_reverse(args, desk: Desk):
    from app.grids import points

    out = points.reverse(desk, actor(args, desk), args.reason, entry=args.entry, case_no=args.case)
    emit(args, out, f"已冲正 {len(out['entries'])} 条积分记录")


def cmd_feed_import(args, desk: Desk):
    from app.grids import feeds

    out = feeds.import_feed(desk, actor(args, desk), args.file, args.channel)
    emit(args, out, lambda: "\n".join(
        [f"新建 {len(out['created'])} 件，已存在跳过 {len(out['skipped_existing'])} 件，错误 {len(out['errors'])} 条"]
        + [f"  第 {e['row']} 条：{e['message']}" for e in out["errors"]]))
