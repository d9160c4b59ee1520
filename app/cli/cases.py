"""``towndesk case add | list | show | act | search``: intake, the case list and the workflow."""
from __future__ import annotations

from app.cli.output import actor, add_json_flag, emit, read_json_input
from app.desk import Desk
from app.errors import ValidationError

LIST_OPTIONS = ("state", "color", "unit", "category", "platform", "channel", "village", "q", "date-from", "date-to", "after",
                "dispatched-from", "dispatched-to", "closed-from", "closed-to")
FILTERS = ("state", "color", "unit", "category", "platform", "channel", "village", "q", "date_from", "date_to",
           "dispatched_from", "dispatched_to", "closed_from", "closed_to", "mine", "supervised")


def register(sub) -> None:
    case = sub.add_parser("case", help="案件").add_subparsers(dest="case_cmd", required=True)
    x = case.add_parser("add", help="受理登记（一个 JSON 对象、JSON 数组或 JSON lines）")
    x.add_argument("file", nargs="?", help="JSON 文件或 -（标准输入）")
    x.add_argument("--json", dest="input", metavar="FILE")
    x.set_defaults(handler=cmd_case_add)

    x = case.add_parser("list", help="案件列表")
    for name in LIST_OPTIONS:
        x.add_argument(f"--{name}")
    x.add_argument("--mine", action="store_true")
    x.add_argument("--supervised", action="store_true")
    x.add_argument("--sort", default="received_desc")
    x.add_argument("--limit", type=int, default=50)
    add_json_flag(x)
    x.set_defaults(handler=cmd_case_list)

    x = case.add_parser("show", help="案件详情与时间线")
    x.add_argument("case_no")
    add_json_flag(x)
    x.set_defaults(handler=cmd_case_show)

    x = case.add_parser("act", help="对案件执行流程操作")
    x.add_argument("case_no")
    x.add_argument("action")
    x.add_argument("file", nargs="?")
    x.add_argument("--json", dest="input", metavar="FILE")
    x.add_argument("--file", dest="attach_path", help="附件文件（attach 操作）")
    x.set_defaults(handler=cmd_case_act)

    x = case.add_parser("search", help="全文检索")
    x.add_argument("text")
    x.add_argument("--limit", type=int, default=50)
    add_json_flag(x)
    x.set_defaults(handler=cmd_case_search)


def cmd_case_add(args, desk: Desk):
    from app.cases import intake

    data = read_json_input(args.input or args.file)
    who = actor(args, desk)
    if isinstance(data, list):
        out = intake.take_in_many(desk, who, data)
        emit(args, out, "\n".join(f"已受理 {c['case_no']}（{c['state_label']}）" for c in out))
    else:
        out = intake.take_in(desk, who, data)
        unit = out["unit"]["name"] if out["unit"] else "待人工分派"
        emit(args, out, f"已受理 {out['case_no']}：{out['state_label']}，{unit}")


def cmd_case_list(args, desk: Desk):
    from app.cases import queries

    filters = {k: getattr(args, k) for k in FILTERS}
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


def cmd_case_show(args, desk: Desk):
    from app.cases import queries

    out = queries.show_case(desk, actor(args, desk), args.case_no)
    lines = [f"{out['case_no']}  {out['state_label']}  {out['title']}", out["description"]]
    if out.get("urge"):
        u = out["urge"]
        lines.append(f"【{u['mark']}】{u['text']}" + (f"；督办要求：{u['instruction']}" if u.get("instruction") else ""))
    lines += [f"  {a['at'][:19]}  {a['actor_name']}  {a['label']}" for a in out["actions"]]
    emit(args, out, "\n".join(lines))


def cmd_case_act(args, desk: Desk):
    from app.cases import attachments, handling

    who = actor(args, desk)
    if args.action == "attach":
        path = args.attach_path
        payload = {}
        if not path:
            payload = read_json_input(args.input or args.file)
            path = payload.get("path") if isinstance(payload, dict) else None
        if not path:
            raise ValidationError("请用 --file 指定附件文件", field="path")
        note = payload.get("note", "") if isinstance(payload, dict) else ""
        out = attachments.attach(desk, who, args.case_no, path, note)
    else:
        source = args.input or args.file
        payload = read_json_input(source) if source else {}
        if not isinstance(payload, dict):
            raise ValidationError("操作内容应为 JSON 对象", field="json")
        out = handling.act(desk, who, args.case_no, args.action, payload)
    emit(args, out, f"{out['case_no']}：{out['state_label']}")


def cmd_case_search(args, desk: Desk):
    from app.cases import queries

    out = queries.list_cases(desk, actor(args, desk), {"q": args.text}, limit=args.limit)
    emit(args, out, _table(out))
