"""``towndesk assessment``: 重大决策社会风险评估 (稳评), the town's part.

    towndesk assessment add --json FILE|-            {"matter", "body", "plan": {"area", "households", "factors",
                                                      "leaders"}, "template"?, "follow_up_of"?}
    towndesk assessment opinion NO --json FILE|-     {"method", "date", "participants", "support"?, "oppose"?, "summary"}
    towndesk assessment score NO --json FILE|-       {"scores": {dimension: {indicator: 0-100}}, "note"?}
    towndesk assessment conclude NO --json FILE|-    {"conclusion": "implement"|"postpone"|"reject", "note"}
    towndesk assessment list|show NO|template --json
The report: ``towndesk print NO --kind assessment -o F.pdf``.
"""
from __future__ import annotations

from app.cli.output import actor, add_json_flag, emit, read_json_input
from app.desk import Desk


def register(sub) -> None:
    a = sub.add_parser("assessment", help="重大决策社会稳定风险评估（稳评）").add_subparsers(dest="assessment_cmd",
                                                                                      required=True)
    x = a.add_parser("add", help="立项（复评：follow_up_of 原评估编号）")
    x.add_argument("file", nargs="?")
    x.add_argument("--json", dest="input", metavar="FILE")
    x.set_defaults(handler=cmd_add)
    for name, fn, text in (("opinion", cmd_opinion, "登记意见征集（走访、座谈会、问卷调查、公示、听证会）"),
                           ("score", cmd_score, "按指标模板评分"), ("conclude", cmd_conclude, "出具评估结论")):
        x = a.add_parser(name, help=text)
        x.add_argument("no")
        x.add_argument("file", nargs="?")
        x.add_argument("--json", dest="input", metavar="FILE")
        x.set_defaults(handler=fn)
    x = a.add_parser("list", help="评估清单")
    add_json_flag(x)
    x.set_defaults(handler=cmd_list)
    x = a.add_parser("show", help="评估详情")
    x.add_argument("no")
    add_json_flag(x)
    x.set_defaults(handler=cmd_show)
    x = a.add_parser("template", help="默认评估指标模板（可复制修改后在 add 的 template 中使用）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_template)


def cmd_add(args, desk: Desk):
    from app.risk.assessments import add_assessment

    out = add_assessment(desk, actor(args, desk), read_json_input(args.input or args.file))
    emit(args, out, f"已立项 {out['assessment_no']}")


def cmd_opinion(args, desk: Desk):
    from app.risk.assessments import add_opinion

    out = add_opinion(desk, actor(args, desk), args.no, read_json_input(args.input or args.file))
    emit(args, out, f"{out['assessment_no']}：已登记意见征集 {out['opinions']} 次")


def cmd_score(args, desk: Desk):
    from app.risk.assessments import score_assessment

    out = score_assessment(desk, actor(args, desk), args.no, read_json_input(args.input or args.file))
    emit(args, out, f"{out['assessment_no']}：综合得分 {out['total']}，风险等级 {out['level_label']}")


def cmd_conclude(args, desk: Desk):
    from app.risk.assessments import conclude

    out = conclude(desk, actor(args, desk), args.no, read_json_input(args.input or args.file))
    emit(args, out, f"{out['assessment_no']}：{out['conclusion_label']}")


def cmd_list(args, desk: Desk):
    from app.risk.assessments import list_assessments

    rows = list_assessments(desk)
    emit(args, rows, lambda: "\n".join(f"{r['assessment_no']}  {r['state_label']}  {r['matter']}" for r in rows)
         or "（无）")


def cmd_show(args, desk: Desk):
    from app.risk.assessments import show_assessment

    emit(args, show_assessment(desk, args.no))


def cmd_template(args, desk: Desk):
    from app.domain.assessment import check_template

    emit(args, check_template(None))
