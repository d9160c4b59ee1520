"""``towndesk risk``: the risk register (风险研判).

    towndesk risk add --json FILE|-                      -> {"risk_no", "state", "color", "unit"}
    towndesk risk act NO warn|handle|feedback|close|urge|report --json FILE|-   ({"note", "unit"?, "level"?})
    towndesk risk list [--state S] [--level L] [--village V] [--open] --json
    towndesk risk show NO --json
    towndesk risk proposals [--all] --json               (case-trend proposals, with linked case numbers)
    towndesk risk accept KEY [--note T] [--level L]      (the director: a risk with source case_trend)
    towndesk risk dismiss KEY [--note T]                 (remembered: the same cases are not proposed again)
    towndesk risk villages --json                        (open risks by 村社 and level)
"""
from __future__ import annotations

from app.cli.output import actor, add_json_flag, emit, read_json_input
from app.desk import Desk


def register(sub) -> None:
    risk = sub.add_parser("risk", help="风险研判：风险登记、预警、处置、反馈、销号；案件趋势研判建议") \
        .add_subparsers(dest="risk_cmd", required=True)
    x = risk.add_parser("add", help="登记风险（JSON 对象）")
    x.add_argument("file", nargs="?")
    x.add_argument("--json", dest="input", metavar="FILE")
    x.set_defaults(handler=cmd_add)
    x = risk.add_parser("act", help="风险处置步骤：warn（预警）handle（处置）feedback（反馈）close（销号）urge（督办）report（报区级）")
    x.add_argument("no")
    x.add_argument("action")
    x.add_argument("file", nargs="?")
    x.add_argument("--json", dest="input", metavar="FILE")
    x.set_defaults(handler=cmd_act)
    x = risk.add_parser("list", help="风险清单")
    x.add_argument("--state")
    x.add_argument("--level")
    x.add_argument("--village")
    x.add_argument("--open", action="store_true", help="只列未销号的风险")
    add_json_flag(x)
    x.set_defaults(handler=cmd_list)
    x = risk.add_parser("show", help="风险详情与处置记录")
    x.add_argument("no")
    add_json_flag(x)
    x.set_defaults(handler=cmd_show)
    x = risk.add_parser("proposals", help="案件趋势研判建议（待值班长采纳或忽略）")
    x.add_argument("--all", action="store_true", help="包括已采纳或已忽略的建议")
    add_json_flag(x)
    x.set_defaults(handler=cmd_proposals)
    for name, fn, text in (("accept", cmd_accept, "采纳研判建议，登记为风险"), ("dismiss", cmd_dismiss, "忽略研判建议")):
        x = risk.add_parser(name, help=text)
        x.add_argument("key")
        x.add_argument("--note")
        if name == "accept":
            x.add_argument("--level", help="high|medium|low（默认按建议）")
        add_json_flag(x)
        x.set_defaults(handler=fn)
    x = risk.add_parser("villages", help="各村社在办风险数（按等级）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_villages)


def cmd_add(args, desk: Desk):
    from app.risk.register import add_risk

    out = add_risk(desk, actor(args, desk), read_json_input(args.input or args.file))
    emit(args, out, f"已登记风险 {out['risk_no']}（责任单位：{out['unit'] or '待指定'}）")


def cmd_act(args, desk: Desk):
    from app.risk.register import act_risk

    out = act_risk(desk, actor(args, desk), args.no, args.action, read_json_input(args.input or args.file))
    emit(args, out, f"风险 {out['risk_no']}：{out['state_label']}")


def cmd_list(args, desk: Desk):
    from app.risk.queries import list_risks

    rows = list_risks(desk, state=args.state, level=args.level, village=args.village, open_only=args.open)
    emit(args, rows, lambda: "\n".join(f"{r['risk_no']}  {r['level_label']}  {r['state_label']}  {r['title']}"
                                       for r in rows) or "（无）")


def cmd_show(args, desk: Desk):
    from app.risk.queries import show_risk

    who = actor(args, desk)
    out = show_risk(desk, args.no, who.role)
    emit(args, out, lambda: "\n".join([f"{out['risk_no']} {out['title']}（{out['level_label']}，{out['state_label']}）"]
                                      + [f"  {s['at']} {s['label']} {s['actor_name']}：{s['note']}" for s in out["steps"]]))


def cmd_proposals(args, desk: Desk):
    from app.risk.trends import proposals

    rows = proposals(desk, include_decided=args.all)
    emit(args, rows, lambda: "\n".join(f"{p['key']}  {p['title']}  {'、'.join(p['case_nos'])}" for p in rows)
         or "（无研判建议）")


def cmd_accept(args, desk: Desk):
    from app.risk.trends import accept

    out = accept(desk, actor(args, desk), {"key": args.key, "note": args.note, "level": args.level})
    emit(args, out, f"已采纳，登记风险 {out['risk_no']}")


def cmd_dismiss(args, desk: Desk):
    from app.risk.trends import dismiss

    out = dismiss(desk, actor(args, desk), {"key": args.key, "note": args.note})
    emit(args, out, f"已忽略研判建议 {out['key']}")


def cmd_villages(args, desk: Desk):
    from app.risk.queries import counts_by_village

    rows = counts_by_village(desk)
    emit(args, rows, lambda: "\n".join(f"{r['name']}：高 {r['high']} 中 {r['medium']} 低 {r['low']}" for r in rows))
