"""``towndesk dispute | backlog | mediation``: 矛盾调处 — disputes on cases, their mediators,
sessions and outcomes; the 积案 register with its 专班; the figures.

    towndesk dispute open CASE_NO --json FILE|-
    towndesk dispute assign NO --mediator CODE [--co CODE,...]
    towndesk dispute session NO --json -
    towndesk dispute close NO --json -
    towndesk dispute list [--state S] [--color C] --json
    towndesk dispute show NO --json
    towndesk dispute extend NO --days N --consent | doc NO --kind notice|survey | visit NO --note T |
             judicial NO
    towndesk backlog add CASE_NO --json - | progress NO --note TEXT | resolve NO --checklist a,b,.. | list
    towndesk mediation indicators --from D --to D [--by type|source|mediator|village] --json
"""
from __future__ import annotations

from app.cli.output import actor, add_json_flag, emit, read_json_input
from app.desk import Desk
from app.errors import ValidationError


def _input(p, help_text: str) -> None:
    p.add_argument("--json", dest="input", metavar="FILE", help=help_text)


def register(sub) -> None:
    d = sub.add_parser("dispute", help="矛盾调处：纠纷受理、指派调解员、调解记录、结案").add_subparsers(
        dest="dispute_cmd", required=True)
    x = d.add_parser("open", help="案件转调解（受理纠纷）")
    x.add_argument("case_no")
    _input(x, "JSON 文件或 -：{type, source, parties, amount, persons, difficulty?, reason?}")
    x.set_defaults(handler=cmd_open)
    x = d.add_parser("assign", help="指派调解员（可加协助调解员）")
    x.add_argument("no")
    x.add_argument("--mediator", required=True, help="调解员编码")
    x.add_argument("--co", help="协助调解员编码，逗号分隔")
    add_json_flag(x)
    x.set_defaults(handler=cmd_assign)
    x = d.add_parser("session", help="记录一次调解（调解笔录）")
    x.add_argument("no")
    _input(x, "JSON：{at, place, attendees, record, outcome: continue|agreed|failed}")
    x.set_defaults(handler=cmd_session)
    x = d.add_parser("close", help="结案：化解方式、是否成功、调解协议或调解不成的原因")
    x.add_argument("no")
    _input(x, "JSON：{means, success, agreement: {facts, terms, performance}, reason}")
    x.set_defaults(handler=cmd_close)
    x = d.add_parser("list", help="纠纷列表")
    x.add_argument("--state", help="open（未结案）| accepted | mediating | closed")
    x.add_argument("--color", help="red | yellow | green")
    x.add_argument("--mediator", help="调解员编码")
    add_json_flag(x)
    x.set_defaults(handler=cmd_list)
    x = d.add_parser("show", help="纠纷详情：调解记录、司法确认期限、卷宗缺少的材料")
    x.add_argument("no")
    add_json_flag(x)
    x.set_defaults(handler=cmd_show)
    x = d.add_parser("extend", help="经双方当事人同意延长调解期限")
    x.add_argument("no")
    x.add_argument("--days", type=float, required=True, help="延长的工作日数")
    x.add_argument("--consent", action="store_true", help="双方当事人已同意")
    add_json_flag(x)
    x.set_defaults(handler=cmd_extend)
    x = d.add_parser("doc", help="登记卷宗材料（权利义务告知书、调查记录）")
    x.add_argument("no")
    x.add_argument("--kind", required=True, help="notice（权利义务告知书）| survey（调查记录）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_doc)
    x = d.add_parser("visit", help="回访履行情况")
    x.add_argument("no")
    x.add_argument("--note", required=True)
    x.add_argument("--performed", choices=["yes", "no"], default="yes")
    add_json_flag(x)
    x.set_defaults(handler=cmd_visit)
    x = d.add_parser("judicial", help="登记已申请司法确认")
    x.add_argument("no")
    add_json_flag(x)
    x.set_defaults(handler=cmd_judicial)

    b = sub.add_parser("backlog", help="积案：一案一专班、进展、实质性化解").add_subparsers(
        dest="backlog_cmd", required=True)
    x = b.add_parser("add", help="登记积案并组建专班")
    x.add_argument("case_no")
    _input(x, "JSON：{lead, members, units, plan, due}")
    x.set_defaults(handler=cmd_backlog_add)
    x = b.add_parser("progress", help="登记化解进展")
    x.add_argument("no", help="积案编号或案件编号")
    x.add_argument("--note", required=True)
    add_json_flag(x)
    x.set_defaults(handler=cmd_backlog_progress)
    x = b.add_parser("resolve", help="实质性化解（逐项核验）")
    x.add_argument("no", help="积案编号或案件编号")
    x.add_argument("--checklist", required=True, help="facts,lawful,solved,satisfied,approved")
    add_json_flag(x)
    x.set_defaults(handler=cmd_backlog_resolve)
    x = b.add_parser("list", help="积案台账")
    x.add_argument("--state", help="open | resolved")
    add_json_flag(x)
    x.set_defaults(handler=cmd_backlog_list)

    x = d.add_parser("schedule", help="巡回调解安排（按村社）")
    x.add_argument("--days", type=int, default=30, help="今后多少天（默认 30）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_schedule)

    m = sub.add_parser("mediation", help="矛盾调处指标").add_subparsers(dest="mediation_cmd", required=True)
    x = m.add_parser("workload", help="调解员工作量")
    add_json_flag(x)
    x.set_defaults(handler=cmd_workload)
    x = m.add_parser("indicators", help="调解受理、成功率、诉前化解率、积案化解率")
    x.add_argument("--from", dest="date_from", required=True)
    x.add_argument("--to", dest="date_to", required=True)
    x.add_argument("--by", help="type | source | mediator | village")
    add_json_flag(x)
    x.set_defaults(handler=cmd_indicators)


def _line(v: dict) -> str:
    due = fmt_local(v.get("due_at"))
    return (f"{v['dispute_no']}  {v['case_no']}  {v['state_label']}  {v['type']}  {v['difficulty']}  "
            f"{v['color_label']}  期限 {due}")


def fmt_local(value: str | None) -> str:
    from datetime import datetime  # noqa: PLC0415 — text output only

    from app.domain.timezone import LOCAL_TZ  # noqa: PLC0415

    return datetime.fromisoformat(value).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else "—"


def _summary(v: dict) -> dict:
    return {"dispute_no": v["dispute_no"], "case_no": v["case_no"], "state": v["state"], "difficulty": v["difficulty"],
            "due_at": v["due_at"], "color": v["color"]}


def cmd_open(args, desk: Desk):
    from app.mediation import services

    data = read_json_input(args.input)
    out = services.open_dispute(desk, actor(args, desk), args.case_no, data)
    emit(args, _summary(out), f"已受理纠纷 {_line(out)}")


def cmd_assign(args, desk: Desk):
    from app.mediation import services

    co = [c for c in (args.co or "").split(",") if c.strip()]
    out = services.assign(desk, actor(args, desk), args.no, args.mediator, co)
    emit(args, out, f"已指派调解员：{_line(out)}")


def cmd_session(args, desk: Desk):
    from app.mediation import services

    out = services.record_session(desk, actor(args, desk), args.no, read_json_input(args.input))
    emit(args, out, f"已记录第 {out['session']['no']} 次调解：{_line(out)}")


def cmd_close(args, desk: Desk):
    from app.mediation import services

    out = services.close_dispute(desk, actor(args, desk), args.no, read_json_input(args.input))
    emit(args, out, f"已结案：{_line(out)}")


def cmd_list(args, desk: Desk):
    from app.mediation import queries

    out = queries.list_disputes(desk, actor(args, desk), args.state, args.color, args.mediator)
    emit(args, out, lambda: "\n".join(_line(v) for v in out) or "（无）")


def cmd_show(args, desk: Desk):
    from app.mediation import queries

    v = queries.show_dispute(desk, actor(args, desk), args.no)

    def text() -> str:
        lines = [_line(v), f"调解次数 {v['session_count']}，卷宗缺少：{'、'.join(v['missing_documents']) or '无'}"]
        if v["judicial_reminder"]:
            lines.append(v["judicial_reminder"]["text"])
        return "\n".join(lines)

    emit(args, v, text)


def cmd_extend(args, desk: Desk):
    from app.mediation import services

    out = services.extend(desk, actor(args, desk), args.no, args.days, args.consent)
    emit(args, out, f"已延长调解期限：{_line(out)}")


def cmd_doc(args, desk: Desk):
    from app.mediation import services

    out = services.register_document(desk, actor(args, desk), args.no, args.kind)
    emit(args, out, f"已登记材料；卷宗缺少：{'、'.join(out['missing_documents']) or '无'}")


def cmd_visit(args, desk: Desk):
    from app.mediation import services

    out = services.follow_up(desk, actor(args, desk), args.no, args.note, args.performed == "yes")
    emit(args, out, f"已登记回访：{_line(out)}")


def cmd_judicial(args, desk: Desk):
    from app.mediation import services

    out = services.apply_judicial(desk, actor(args, desk), args.no)
    emit(args, out, f"已登记申请司法确认：{_line(out)}")


def cmd_backlog_add(args, desk: Desk):
    from app.mediation import backlog

    out = backlog.add_backlog(desk, actor(args, desk), args.case_no, read_json_input(args.input))
    emit(args, {"backlog_no": out["backlog_no"], "case_no": out["case_no"], "state": out["state"]},
         f"已登记积案 {out['backlog_no']}（{out['case_no']}）")


def cmd_backlog_progress(args, desk: Desk):
    from app.mediation import backlog

    out = backlog.add_progress(desk, actor(args, desk), args.no, args.note)
    emit(args, out, f"已登记积案 {out['backlog_no']} 的进展")


def cmd_backlog_resolve(args, desk: Desk):
    from app.mediation import backlog

    out = backlog.resolve(desk, actor(args, desk), args.no, args.checklist)
    emit(args, {"backlog_no": out["backlog_no"], "case_no": out["case_no"], "state": out["state"],
                "checklist": out["checklist"]}, f"积案 {out['backlog_no']} 已实质性化解")


def cmd_backlog_list(args, desk: Desk):
    from app.mediation import queries

    out = queries.list_backlog(desk, args.state)
    emit(args, out, lambda: "\n".join(f"{b['backlog_no']}  {b['case_no']}  {b['state_label']}  {b['lead']}  "
                                      f"期限 {b['due']}" for b in out) or "（无）")


def cmd_indicators(args, desk: Desk):
    from app.domain.indicators import pct
    from app.mediation import indicators

    if args.by is not None and args.by not in indicators.BY:
        raise ValidationError("--by 应为 type、source、mediator 或 village", field="by")
    out = indicators.indicators(desk, args.date_from, args.date_to, args.by)

    def text() -> str:
        b = out["backlog"]
        return (f"{out['from']} 至 {out['to']}：调解受理 {out['accepted']} 件，结案 {out['closed']} 件，成功 "
                f"{out['succeeded']} 件，调解成功率 {pct(out['success_rate'])}，诉前化解率 {pct(out['pre_litigation_rate'])}；"
                f"积案 {b['registered']} 件，实质性化解 {b['resolved']} 件，化解率 {pct(b['rate'])}")

    emit(args, out, text)


def cmd_schedule(args, desk: Desk):
    from app.mediation import queries

    out = queries.circuit_schedule(desk, args.days)
    emit(args, out, lambda: "\n".join(f"{x['village_name']}  {fmt_local(x['at'])}  {x['place']}  {x['dispute_no']}"
                                      for x in out) or "（无）")


def cmd_workload(args, desk: Desk):
    from app.mediation import queries

    out = queries.workload(desk)
    emit(args, out, lambda: "\n".join(f"{w['code']}  {w['name']}（{w['kind_label']}）  在办 {w['open']}  协助 "
                                      f"{w['assisting']}  已结 {w['closed']}" for w in out))
