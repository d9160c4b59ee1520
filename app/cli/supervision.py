"""Supervision commands: report (bulletins), indicators, ranking, deadlines (board, reminders,
催办 proposals) and urge (督办 list / issue / reply)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.output import actor, add_json_flag, emit
from app.desk import Desk
from app.errors import ValidationError

if TYPE_CHECKING:
    from app.supervision import indicators as si


def register(sub) -> None:
    x = sub.add_parser("report", help="生成日简报 / 周通报 / 月专报（PDF）")
    x.add_argument("kind", help="daily（日简报）| weekly（周通报）| monthly（月专报）")
    x.add_argument("--date", help="日期 YYYY-MM-DD（默认今天）")
    x.add_argument("-o", "--output", help="输出 PDF 文件")
    x.add_argument("--watermark", action="store_true", help="加“内部资料”水印")
    add_json_flag(x)
    x.set_defaults(handler=cmd_report)

    x = sub.add_parser("indicators", help="考评指标（任意时段、单位、分类、渠道、村社）")
    x.add_argument("--from", dest="date_from", required=True)
    x.add_argument("--to", dest="date_to", required=True)
    for name in ("unit", "category", "channel", "village", "platform"):
        x.add_argument(f"--{name}")
    x.add_argument("--by", help="unit | category | channel | village | platform（四平台）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_indicators)

    x = sub.add_parser("ranking", help="单位考评排名（三色评比）")
    x.add_argument("--from", dest="date_from", required=True)
    x.add_argument("--to", dest="date_to", required=True)
    x.add_argument("--indicator", help="单项指标排名（默认综合得分）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_ranking)

    x = sub.add_parser("deadlines", help="超期/临期看板、预警提醒、催办建议")
    x.add_argument("what", nargs="?", default="board", help="board | remind | proposals | urge-all")
    x.add_argument("--unit")
    x.add_argument("--color")
    x.add_argument("--limit", type=int, default=50)
    add_json_flag(x)
    x.set_defaults(handler=cmd_deadlines)

    x = sub.add_parser("urge", help="督办：list | issue NO | reply NO")
    x.add_argument("what", help="list | issue | reply")
    x.add_argument("case_no", nargs="?")
    x.add_argument("--level", help="normal（普通）| yellow（黄牌）| red（红牌）")
    x.add_argument("--instruction", help="督办要求 / 领导批示")
    x.add_argument("--reply-by", help="回复期限 YYYY-MM-DD")
    x.add_argument("--note", help="回复内容")
    x.add_argument("--unit")
    x.add_argument("--limit", type=int, default=100)
    add_json_flag(x)
    x.set_defaults(handler=cmd_urge)


def _period(args) -> si.Period:
    from app.supervision import indicators as si

    return si.period(args.date_from, args.date_to)


def cmd_report(args, desk: Desk):
    from app.domain import indicators as ind
    from app.dossier.bulletins import render
    from app.supervision import bulletins as bl

    if args.kind not in bl.KINDS:
        raise ValidationError("简报类型应为 daily（日简报）、weekly（周通报）或 monthly（月专报）", field="kind")
    day = args.date or bl.default_date(desk)
    figures = bl.figures(desk, args.kind, day)
    if args.output:
        who = actor(args, desk)
        out = Path(args.output)
        if out.parent and not out.parent.exists():
            raise ValidationError(f"输出目录不存在：{out.parent}", field="output")
        render(figures, out, operator=who.name, watermark=args.watermark)
        figures["file"] = str(out)
    elif not getattr(args, "json_out", False):
        raise ValidationError("请用 -o FILE.pdf 指定输出文件，或用 --json 输出数据", field="output")
    s = figures["summary"]
    emit(args, figures, f"{figures['title']}（{figures['period_label']}）已生成：{figures.get('file', '')}\n"
                        f"受理 {s['received']} 批 / {s['persons']} 人次，办结率 {ind.pct(s['done_rate'])}，"
                        f"满意率 {ind.pct(s['satisfaction_rate'])}")


def cmd_indicators(args, desk: Desk):
    from app.supervision import indicators as si

    p = _period(args)
    filters = {k: getattr(args, k) for k in ("unit", "category", "channel", "village", "platform") if getattr(args, k)}
    if args.by:
        rows = si.compute_by(desk, p, args.by, filters)
        out = {"period": p.as_dict(), "by": args.by, "rows": rows}
        text = "\n".join(_line(r) for r in rows)
    else:
        out = {"period": p.as_dict(), **si.compute(desk, p, filters)}
        text = _line(out)
    emit(args, out, text)


def _line(r: dict) -> str:
    from app.domain import indicators as ind

    return (f"{r['name']}：受理 {r['received']} 批 / {r['persons']} 人次，按时签收率 {ind.pct(r['sign_on_time_rate'])}，"
            f"按期办结率 {ind.pct(r['on_time_rate'])}，办结率 {ind.pct(r['done_rate'])}，结案率 {ind.pct(r['close_rate'])}，"
            f"满意率 {ind.pct(r['satisfaction_rate'])}，退回率 {ind.pct(r['return_rate'])}，流转率 "
            f"{ind.pct(r['transfer_rate'])}，自动派单率 {ind.pct(r['auto_dispatch_rate'])}，平均办理 "
            f"{ind.days(r['avg_handle_days'])} 个工作日，超期 {r['overdue']} 件")


def cmd_ranking(args, desk: Desk):
    from app.supervision import rankings

    out = rankings.ranking(desk, _period(args), args.indicator)
    lines = [f"{out['indicator_label']}排名（{out['period']['from']} 至 {out['period']['to']}）"]
    for r in out["rows"]:
        mark = {"red": " 红", "green": " 绿"}.get(r["mark"], "")
        lines.append(f"{r['rank'] or '—':>3} {r['name']}  {r['score'] if r['score'] is not None else '—'}{mark}"
                     f"  上期 {r['prev_rank'] or '—'}")
    emit(args, out, "\n".join(lines))


def cmd_deadlines(args, desk: Desk):
    from app.supervision import board as sv

    if args.what == "board":
        out = sv.board(desk, args.unit, args.color, args.limit)
        text = "\n".join([f"超期 {out['red']} 件，临期 {out['yellow']} 件"] +
                         [f"  {u['name']}：超期 {u['red']}，临期 {u['yellow']}" for u in out["units"]])
    elif args.what == "remind":
        out = sv.scan_reminders(desk, publish=False, limit=args.limit)
        text = "\n".join([f"新的预警 {out['total']} 件"] + [n["message"] for n in out["notices"]])
    elif args.what in ("proposals", "urge-all"):
        props = sv.urge_proposals(desk, args.limit)
        if args.what == "urge-all":
            out = sv.issue_urges(desk, actor(args, desk), props)
            text = f"已发出催办 {out['issued']} 件，失败 {len(out['failed'])} 件"
        else:
            out = {"proposals": props}
            text = "\n".join([f"建议催办 {len(props)} 件"] + [
                f"  {p['case_no']} {p['unit_name'] or '—'} 超期 {p['overdue_days']} 个工作日（{p['level_label']}）"
                for p in props])
    else:
        raise ValidationError("应为 board、remind、proposals 或 urge-all", field="what")
    emit(args, out, text)


def cmd_urge(args, desk: Desk):
    from app.supervision import board as sv

    who = actor(args, desk)
    if args.what == "list":
        out = sv.open_urges(desk, args.level, args.unit, args.limit)
        text = "\n".join([f"在督办 {out['total']} 件（红牌 {out['counts']['red']}，黄牌 {out['counts']['yellow']}，"
                          f"普通 {out['counts']['normal']}）"] + [
            f"  {i['case_no']} {i['level_label']} {i['unit_name'] or '—'} {i['age_days']} 个工作日 "
            f"{'已回复' if i['replied'] else '未回复'}" for i in out["items"]])
    elif args.what in ("issue", "reply"):
        if not args.case_no:
            raise ValidationError("请指定案件编号", field="case_no")
        if args.what == "issue":
            out = sv.urge(desk, who, args.case_no, args.level or "normal", args.instruction or "", args.reply_by)
        else:
            out = sv.reply(desk, who, args.case_no, args.note or "")
        text = f"{out['case_no']}：{'已督办' if args.what == 'issue' else '已回复督办'}（{out['state_label']}）"
    else:
        raise ValidationError("应为 list、issue 或 reply", field="what")
    emit(args, out, text)

