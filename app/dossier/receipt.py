"""受理回执 for walk-in and phone reporters, on A5 or on an 80 mm receipt roll.

The receipt goes home with the visitor, so the phone number and id number are always masked on
it whoever prints it.
"""
from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from app.cases.views import mask_id, mask_phone
from app.dossier.fonts import register_fonts
from app.dossier.layout import (
    INK,
    LINE,
    RED,
    P,
    PrintContext,
    build_pdf,
    fmt_date_cn,
    fmt_time,
    form_table,
    slim_decorate,
)
from app.dossier.marks import qr_code

SUMMARY_CHARS = 90
ROLL_WIDTH = 80 * mm
ROLL_MARGIN = 4 * mm


def summary(case: dict, limit: int = SUMMARY_CHARS) -> str:
    text = (case.get("description") or case.get("title") or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def expected_text(case: dict, info: dict) -> str:
    if case.get("state") in ("callback", "closed", "archived") and case.get("result"):
        return "已当场答复" if not case.get("dispatched_at") else "已办结"
    if case.get("state") == "rejected":
        return "不予受理（理由见下）"
    due = case.get("due_at") or info.get("expected_reply")
    return f"{fmt_time(due)} 前" if due else "5 个工作日内"


def _lines(case: dict, info: dict) -> list[tuple[str, str]]:
    rep = case.get("reporter") or {}
    name = "匿名" if case.get("anonymous") else (rep.get("name") or "—")
    rows = [
        ("案件编号", case["case_no"]), ("受理时间", fmt_time(case.get("received_at"))),
        ("受理渠道", case.get("channel_label") or ""), ("诉求人", name),
        ("联系电话", mask_phone(rep.get("phone")) or "—"),
    ]
    if rep.get("id_no"):
        rows.append(("证件号码", mask_id(rep.get("id_no"))))
    rows += [("诉求事项", case.get("title") or ""), ("诉求摘要", summary(case)),
             ("预计答复", expected_text(case, info))]
    if case.get("state") == "rejected" and case.get("last_reason"):
        rows.append(("不予受理理由", case["last_reason"]))
    return rows


def _howto(ctx: PrintContext, info: dict) -> str:
    ways = [f"拨打 {info.get('hotline') or '12345'} 政务服务热线"]
    if info.get("phone"):
        ways.append(f"拨打本中心电话 {info['phone']}")
    ways.append(f"到{ctx.org_name}窗口" + (f"（{info['address']}）" if info.get("address") else ""))
    return "凭案件编号可通过以下方式查询办理进度：" + "；".join(f"{i}. {w}" for i, w in enumerate(ways, 1)) + \
        "。也可扫描右侧二维码获取案件编号。"


def _a5_story(case: dict, ctx: PrintContext, info: dict, width: float) -> list:
    pairs = []
    for k, v in _lines(case, info):
        pairs.append((k, (v, "wide") if k in ("诉求事项", "诉求摘要", "不予受理理由", "预计答复") else v))
    qr = Table([[qr_code(case["case_no"], 22 * mm)], [P("案件编号", "small_c")]], colWidths=[28 * mm])
    howto = Table([[P(_howto(ctx, info), "cell"), qr]], colWidths=[width - 30 * mm, 30 * mm])
    howto.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOX", (0, 0), (-1, -1), 0.5, LINE),
                               ("LEFTPADDING", (0, 0), (-1, -1), 5)]))
    sign = Table([[P(f"受理人：{ctx.operator}", "body"), P("受理单位（盖章）", "right")],
                  ["", P(fmt_date_cn(ctx.printed_at) or ctx.printed_text[:10], "right")]],
                 colWidths=[width / 2, width / 2], rowHeights=[9 * mm, 9 * mm])
    return [
        P(ctx.org_name, "head"), P("受 理 回 执", "title"),
        P(f"编号：{case['case_no']}", "subtitle"), Spacer(1, 2 * mm),
        form_table(pairs, width, columns=1, label_w=24 * mm), Spacer(1, 3 * mm), howto, Spacer(1, 5 * mm),
        sign, Spacer(1, 3 * mm),
        P(info.get("footer") or "本回执仅作受理凭证，不作为办理结果依据，请妥善保管。", "small"),
    ]


def _roll_styles() -> dict[str, ParagraphStyle]:
    f = register_fonts()
    return {
        "head": ParagraphStyle("r_head", fontName=f, fontSize=11, leading=15, alignment=TA_CENTER, textColor=RED,
                               wordWrap="CJK"),
        "title": ParagraphStyle("r_title", fontName=f, fontSize=14, leading=20, alignment=TA_CENTER,
                                textColor=INK, wordWrap="CJK"),
        "body": ParagraphStyle("r_body", fontName=f, fontSize=8.5, leading=12.5, textColor=INK, wordWrap="CJK",
                               alignment=TA_LEFT),
        "small": ParagraphStyle("r_small", fontName=f, fontSize=7.5, leading=10.5, textColor=LINE,
                                wordWrap="CJK", alignment=TA_CENTER),
    }


def _roll_story(case: dict, ctx: PrintContext, info: dict, width: float) -> list:
    st = _roll_styles()
    rows = [[P(f"{k}：", st["body"]), P(v, st["body"])] for k, v in _lines(case, info)]
    t = Table(rows, colWidths=[17 * mm, width - 17 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 1), ("TOPPADDING", (0, 0), (-1, -1), 1),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    dash = Table([[""]], colWidths=[width], rowHeights=[2 * mm])
    dash.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE, None, (2, 2))]))
    qr = Table([[qr_code(case["case_no"], 26 * mm)]], colWidths=[width])
    qr.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    return [
        P(ctx.org_name, st["head"]), P("受理回执", st["title"]), dash, Spacer(1, 1.5 * mm), t, dash,
        Spacer(1, 1.5 * mm), P(_howto(ctx, info), st["body"]), Spacer(1, 2 * mm), qr,
        P(case["case_no"], st["small"]), dash, Spacer(1, 1 * mm),
        P(f"受理人：{ctx.operator}　打印：{ctx.printed_text}", st["small"]),
        P(info.get("footer") or "本回执仅作受理凭证，请妥善保管", st["small"]),
    ]


def _height(story: list, width: float) -> float:
    total = 0.0
    for f in story:
        _w, h = f.wrap(width, 10_000)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def render_receipt(case: dict, ctx: PrintContext, out: str | Path | io.BytesIO | None = None,
                   size: str = "a5", info: dict | None = None) -> bytes | None:
    """Write the receipt on A5 (``size="a5"``) or an 80 mm roll (``"80mm"``, height fits the text).

    ``info``: contact details {hotline, phone, address} and ``expected_reply`` (ISO time) when
    the case has no handling deadline yet.
    """
    info = info or {}
    if size == "80mm":
        width = ROLL_WIDTH - 2 * ROLL_MARGIN
        story = _roll_story(case, ctx, info, width)
        height = _height(story, width) + 2 * ROLL_MARGIN + 4 * mm
        m = ROLL_MARGIN
        return build_pdf(story, out, ctx, pagesize=(ROLL_WIDTH, height), margins=(m, m, m + 3 * mm, m),
                         decorate=slim_decorate, title="受理回执", subject=f"受理回执 {case['case_no']}")
    margins = (20 * mm, 14 * mm, 18 * mm, 14 * mm)
    width = A5[0] - margins[1] - margins[3]
    return build_pdf(_a5_story(case, ctx, info, width), out, ctx, pagesize=A5, margins=margins,
                     title="受理回执", note=f"编号 {case['case_no']}", subject=f"受理回执 {case['case_no']}")
