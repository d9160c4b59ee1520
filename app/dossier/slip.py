"""交办单 (dispatch slip for the handling unit, with a tear-off 签收回执) and 督办单
(supervision notice with level, instruction and reply deadline), A4."""
from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from app.cases import views
from app.domain import workflow as wf
from app.domain.vocab import URGENCY
from app.dossier import casetext as ct
from app.dossier.fonts import register_fonts
from app.dossier.layout import (
    LINE,
    RED,
    P,
    PrintContext,
    build_pdf,
    fmt_time,
    form_table,
    frame_width,
)
from app.dossier.marks import NB, qr_code, signature_block

DISPATCH_DUTY = ("请于签收时限内在系统中签收，按办结时限办理并如实反馈办理结果；不属于本单位职责的，"
                 "请在签收时限内说明理由退回。需其他单位协同的，请及时提出协办申请。")
URGE_COLOURS = {level: colors.HexColor(hex_colour) for level, hex_colour in views.URGE_COLOURS.items()}


def _red_head(ctx: PrintContext, title: str, number: str, width: float, extra: str = "") -> list:
    """The document head: organ in red, title, number line and a red rule."""
    rule = Table([[""]], colWidths=[width], rowHeights=[1.5 * mm])
    rule.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 1.6, RED)]))
    qr = qr_code(number.split("-D")[0], 18 * mm)
    line = Table([[P(number, "body"), P(extra, "right"), qr]], colWidths=[width * 0.45, width * 0.55 - 22 * mm, 22 * mm])
    line.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (2, 0), (2, 0), "RIGHT")]))
    return [Spacer(1, 4 * mm), P(ctx.org_name, "head"), Spacer(1, 2 * mm), P(title, "title"), line, rule,
            Spacer(1, 4 * mm)]


def _target_dispatch(case: dict) -> dict | None:
    return ct.last_action(case, "dispatch", "transfer")


def slip_story(case: dict, ctx: PrintContext, width: float) -> list:
    act = _target_dispatch(case) or {"payload": {}, "kind": "dispatch", "at": None}
    p = act.get("payload") or {}
    dispatch = ct.last_action(case, "dispatch") or act
    dp = dispatch.get("payload") or {}
    rep = ct.reporter_lines(case, ctx)
    loc = case.get("location") or {}
    unit = ct.unit_name(ctx, p.get("unit")) or ct.unit_name(ctx, case.get("unit"))
    co = "、".join(ct.unit_name(ctx, c) for c in dp.get("co_units") or []) or "无"
    opinion = p.get("reason") if act["kind"] == "transfer" else (p.get("note") or "请按职责办理。")
    pairs = [
        ("承办单位", (unit, "wide")), ("协办单位", (co, "wide")),
        ("案件编号", case["case_no"]), ("受理时间", fmt_time(case.get("received_at"))),
        ("受理渠道", case.get("channel_label")), ("诉求类型", case.get("type_label")),
        ("诉求人", rep["name"]), ("联系电话", rep["phone"]),
        ("事项分类", case.get("category_name")), ("紧急程度", URGENCY.get(case.get("urgency"), "一般")
                                               + ("（重大事项）" if case.get("major") else "")),
        ("事发地址", ("　".join(x for x in (loc.get("village_name"), loc.get("address")) if x) or "—", "wide")),
        ("诉求事项", (case.get("title"), "wide")),
        ("诉求内容", (case.get("description"), "wide")),
        ("交办方式", "流转交办" if act["kind"] == "transfer" else "派单交办"),
        ("交办时间", fmt_time(act.get("at"))),
        ("签收时限", fmt_time(dp.get("sign_due_at")) or "—"), ("办结时限", fmt_time(case.get("due_at") or dp.get("due_at")) or "—"),
        ("交办意见", (opinion, "wide")), ("办理要求", (DISPATCH_DUTY, "wide")),
        ("交办人", ct.actor_line(act) if act.get("actor_name") else ctx.operator), ("打印时间", ctx.printed_text),
    ]
    cut = Table([[P("- - - - - - - - - - - - - - - 沿此线裁下，签收后交回指挥中心 - - - - - - - - - - - - - - -", "small_c")]],
                colWidths=[width])
    stub = form_table([("案件编号", case["case_no"]), ("承办单位", unit),
                       ("签收人", NB), ("签收时间", f"{NB * 10}年{NB * 5}月{NB * 5}日{NB * 5}时{NB * 5}分")], width)
    return (_red_head(ctx, "交 办 单", f"编号：{case['case_no']}", width, f"交办时间：{fmt_time(act.get('at'))}")
            + [form_table(pairs, width), Spacer(1, 6 * mm),
               signature_block(["承办单位签收人", "单位负责人"], width), Spacer(1, 8 * mm), cut, Spacer(1, 2 * mm),
               P("交办单签收回执", "h2"), stub])


def supervision_story(case: dict, ctx: PrintContext, width: float) -> list:
    urges = [a for a in case.get("actions", ()) if a["kind"] == "urge"]
    urge = urges[-1] if urges else {"payload": {}, "at": None}
    p = urge.get("payload") or {}
    level = p.get("level") or "normal"
    label = wf.URGE_LEVELS.get(level, "普通")
    instruct = ct.last_action(case, "instruct")
    badge = Table([[P(f"{label}督办", "title")]], colWidths=[40 * mm], rowHeights=[13 * mm], hAlign="RIGHT")
    badge.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 2, URGE_COLOURS.get(level, RED)),
                               ("TEXTCOLOR", (0, 0), (-1, -1), URGE_COLOURS.get(level, RED)),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    reply_by = fmt_time(p.get("reply_by")) or "收到本督办单后 2 个工作日内"
    pairs = [
        ("被督办单位", (ct.unit_name(ctx, case.get("unit")) or "—", "wide")),
        ("案件编号", case["case_no"]), ("当前状态", case.get("state_label")),
        ("受理时间", fmt_time(case.get("received_at"))), ("办结时限", fmt_time(case.get("due_at")) or "—"),
        ("督办等级", label), ("督办次数", f"第 {len(urges)} 次"),
        ("诉求事项", (case.get("title"), "wide")),
        ("诉求内容", (case.get("description"), "wide")),
        ("督办意见", (p.get("instruction") or "请加快办理，按时限办结并反馈。", "wide")),
        ("领导批示", ((instruct or {}).get("payload", {}).get("instruction") or "—", "wide")),
        ("回复时限", (reply_by, "wide")),
        ("督办人", ct.actor_line(urge) if urge.get("actor_name") else ctx.operator),
        ("督办时间", fmt_time(urge.get("at"))),
    ]
    reply = Table([[P("办理情况回复（承办单位填写）：", "body")], [""]], colWidths=[width], rowHeights=[8 * mm, 42 * mm])
    reply.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, LINE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONT", (0, 0), (-1, -1), register_fonts(), 10)]))
    number = f"督办编号：{case['case_no']}-D{len(urges)}"
    return (_red_head(ctx, "督 办 单", number, width, f"签发时间：{fmt_time(urge.get('at'))}")
            + [badge, Spacer(1, 3 * mm), form_table(pairs, width), Spacer(1, 4 * mm), reply, Spacer(1, 4 * mm),
               signature_block(["承办单位负责人", "单位（盖章）"], width)])


def render_slip(case: dict, ctx: PrintContext, out: str | Path | io.BytesIO | None = None) -> bytes | None:
    """交办单 of the case's latest dispatch or transfer."""
    return build_pdf(slip_story(case, ctx, frame_width()), out, ctx, title="交办单",
                     note=f"案件编号 {case['case_no']}", subject=f"交办单 {case['case_no']}")


def render_supervision(case: dict, ctx: PrintContext, out: str | Path | io.BytesIO | None = None) -> bytes | None:
    """督办单 of the case's latest 督办 action."""
    return build_pdf(supervision_story(case, ctx, frame_width()), out, ctx, title="督办单",
                     note=f"案件编号 {case['case_no']}", subject=f"督办单 {case['case_no']}")
