"""``towndesk inspection``: 综合查一次 (joint inspections).

    towndesk inspection add --json FILE|-       {"date", "departments": [codes, lead first], "target": {"name", "uscc"},
                                                 "matters": [checklist codes or names]} -> {"inspection_no"}
    towndesk inspection result NO --json FILE|- {"problems": [{"description", "fixed", "clue_to"?, "case_filed",
                                                 "rectify_due"?}], "checked"?: [...]}
    towndesk inspection rectified NO --json -   {"problem": seq, "note"}   (a rectification order done)
    towndesk inspection stats --from D --to D --json
    towndesk inspection list [--from D] [--to D] | show NO | checklist   --json
"""
from __future__ import annotations

from app.cli.output import actor, add_json_flag, emit, read_json_input
from app.desk import Desk


def register(sub) -> None:
    ins = sub.add_parser("inspection", help="综合查一次：检查计划、检查结果、整改跟踪与统计") \
        .add_subparsers(dest="inspection_cmd", required=True)
    x = ins.add_parser("add", help="登记检查计划")
    x.add_argument("file", nargs="?")
    x.add_argument("--json", dest="input", metavar="FILE")
    x.set_defaults(handler=cmd_add)
    for name, fn, text in (("result", cmd_result, "录入检查结果"), ("rectified", cmd_rectified, "整改完成")):
        x = ins.add_parser(name, help=text)
        x.add_argument("no")
        x.add_argument("file", nargs="?")
        x.add_argument("--json", dest="input", metavar="FILE")
        x.set_defaults(handler=fn)
    for name, fn, text in (("stats", cmd_stats, "统计（检查次数、问题、整改、线索、立案、减少扰民次数）"),
                           ("list", cmd_list, "检查清单")):
        x = ins.add_parser(name, help=text)
        x.add_argument("--from", dest="date_from")
        x.add_argument("--to", dest="date_to")
        add_json_flag(x)
        x.set_defaults(handler=fn)
    x = ins.add_parser("show", help="检查详情")
    x.add_argument("no")
    add_json_flag(x)
    x.set_defaults(handler=cmd_show)
    x = ins.add_parser("checklist", help="一表通查事项清单")
    add_json_flag(x)
    x.set_defaults(handler=cmd_checklist)


def cmd_add(args, desk: Desk):
    from app.inspections.services import add_inspection

    out = add_inspection(desk, actor(args, desk), read_json_input(args.input or args.file))
    emit(args, out, f"已登记综合查一次 {out['inspection_no']}")


def cmd_result(args, desk: Desk):
    from app.inspections.services import record_result

    out = record_result(desk, actor(args, desk), args.no, read_json_input(args.input or args.file))
    emit(args, out, f"{out['inspection_no']}：发现问题 {out['problems']} 个，当场整改 {out['fixed']} 个")


def cmd_rectified(args, desk: Desk):
    from app.inspections.services import mark_rectified

    out = mark_rectified(desk, actor(args, desk), args.no, read_json_input(args.input or args.file))
    emit(args, out, f"{out['inspection_no']}：第 {out['problem']} 个问题整改完成")


def cmd_stats(args, desk: Desk):
    from app.inspections.queries import inspection_stats

    out = inspection_stats(desk, args.date_from, args.date_to)
    emit(args, out, f"检查 {out['inspections']} 次，发现问题 {out['problems']} 个，整改 {out['fixed']} 个，"
                    f"移交线索 {out['clues']} 条，立案 {out['cases_filed']} 件，减少扰民 {out['visits_spared']} 次")


def cmd_list(args, desk: Desk):
    from app.inspections.queries import list_inspections

    rows = list_inspections(desk, args.date_from, args.date_to)
    emit(args, rows, lambda: "\n".join(f"{r['inspection_no']}  {r['date']}  {r['target']['name']}  {r['state_label']}"
                                       for r in rows) or "（无）")


def cmd_show(args, desk: Desk):
    from app.inspections.queries import show_inspection

    emit(args, show_inspection(desk, args.no))


def cmd_checklist(args, desk: Desk):
    from app.domain.inspections import CHECKLIST

    emit(args, [{"code": k, "name": v} for k, v in CHECKLIST.items()],
         lambda: "\n".join(f"{k}  {v}" for k, v in CHECKLIST.items()))
