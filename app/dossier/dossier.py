"""The case dossier (案卷), A4: cover with QR code, contents (卷内目录) with page numbers,
registration form, timeline, dispatch/supervision/result/callback records, attachments, 备考表.

``dossier_story`` gives the flowables of one case as its own numbered page group, so a batch file
can chain many; ``render_dossier`` writes one dossier to a path or returns its bytes.
"""
from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, PageBreak, Spacer, Table, TableStyle

from app.dossier import casetext as ct
from app.dossier import dossier_parts as parts
from app.dossier.dossier_parts import BlobPath
from app.dossier.fonts import register_fonts
from app.dossier.layout import (
    LINE,
    SHADE,
    Anchor,
    GroupStart,
    P,
    PageRef,
    PrintContext,
    build_pdf,
    fmt_date_cn,
    frame_height,
    frame_width,
    grid_table,
    styles,
)
from app.dossier.marks import qr_code

DOC_TITLE = "诉求案件办理案卷"
SECTIONS = [  # (anchor key, contents line)
    ("registration", "受理登记表"), ("timeline", "办理过程记录"), ("dispatch", "派单与流转记录"),
    ("supervision", "督办记录"), ("result", "办理结果与审核"), ("callback", "回访评价"),
    ("attachments", "附件材料"), ("filing", "备考表"),
]


def group_info(case: dict) -> dict:
    return {"title": "案卷", "note": f"案件编号 {case['case_no']}"}


COVER_INSTRUCTION_CHARS = 60  # the whole instruction is in 督办记录


def urge_line(urge: dict) -> str:
    """督办情况 on the cover: level, count, reply date, reply status and the latest instruction."""
    text = urge["text"]
    if urge.get("reply_status"):
        text += f"；{urge['reply_status']}"
    instruction = (urge.get("instruction") or "").strip()
    if instruction:
        cut = instruction[:COVER_INSTRUCTION_CHARS] + ("…" if len(instruction) > COVER_INSTRUCTION_CHARS else "")
        text += f"；督办要求：{cut}"
    return text


def urge_stamp(urge: dict) -> Table:
    """A boxed "督办件 · 红牌督办" in the level's colour (grey once the case is closed)."""
    colour = colors.HexColor(urge["colour"])
    style = styles()["h2"].clone("urge_stamp", textColor=colour, alignment=TA_CENTER, spaceBefore=0, spaceAfter=0)
    stamp = Table([[P(f"{urge['mark']}办件 · {urge['label']}", style)]], colWidths=[52 * mm], rowHeights=[12 * mm],
                  hAlign="LEFT")
    stamp.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 2, colour), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return stamp


def cover(case: dict, ctx: PrintContext, width: float) -> list:
    units = ct.handling_units(case, ctx)
    urge = case.get("urge")
    closed = case.get("closed_at")
    close_type = ct.wf.CLOSE_TYPES.get(case.get("close_type")) or ("即办答复" if closed else "—")
    rows = [
        ("案件编号", case["case_no"]), ("案件标题", case.get("title")),
        ("受理日期", fmt_date_cn(case.get("received_at"))), ("办结日期", fmt_date_cn(closed) or "未办结"),
        ("承办单位", "、".join(units) or "—"), ("案件状态", case.get("state_label")),
        ("办结类型", close_type), ("保管期限", ct.retention(case)),
        *([("督办情况", urge_line(urge))] if urge else []),
        ("立 卷 人", ctx.operator), ("立卷日期", fmt_date_cn(ctx.printed_at) or ctx.printed_text[:10]),
    ]
    label_w, value_w = 30 * mm, 110 * mm
    t = Table([[P(k, "label"), P(v or "—", "body")] for k, v in rows], colWidths=[label_w, value_w],
              rowHeights=None, hAlign="CENTER")
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), 10.5),
        ("GRID", (0, 0), (-1, -1), 0.5, LINE), ("BOX", (0, 0), (-1, -1), 1.2, "#000000"),
        ("BACKGROUND", (0, 0), (0, -1), SHADE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
    ]))
    qr = Table([[qr_code(case["case_no"], 30 * mm)], [P("扫码核验案件编号", "small_c")]],
               colWidths=[40 * mm], hAlign="RIGHT")
    qr.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    gap = 14 * mm
    if urge:  # the 督办 stamp sits left of the QR code; tighter gaps keep the cover on one page
        qr = Table([[urge_stamp(urge), qr]], colWidths=[label_w + value_w - 40 * mm, 40 * mm], hAlign="CENTER")
        qr.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        gap = 5 * mm
    flow = [Spacer(1, gap), P(ctx.org_name, "head"), Spacer(1, 10 * mm), P(DOC_TITLE, "cover_big"),
            Spacer(1, 4 * mm), P(case["case_no"], "subtitle"), Spacer(1, gap), t, Spacer(1, gap + 2 * mm), qr]
    # one page whatever the title's length (shrinks only when it would not fit)
    return [KeepInFrame(width, frame_height() - 2 * mm, flow, mode="shrink")]


def contents(case: dict, width: float) -> list:
    head = [P(x, "cell_c") for x in ("序号", "文件材料名称", "页号", "备注")]
    n_att = len(case.get("attachments") or [])
    notes = {"timeline": f"{len(case.get('actions', ()))} 条", "attachments": f"{n_att} 件"}
    rows = [head] + [[P(str(i), "cell_c"), P(label, "body"), PageRef(key), P(notes.get(key, ""), "cell_c")]
                     for i, (key, label) in enumerate(SECTIONS, 1)]
    widths = [16 * mm, width - 16 * mm - 26 * mm - 34 * mm, 26 * mm, 34 * mm]
    t = grid_table(rows, widths, extra=[("ALIGN", (2, 1), (2, -1), "CENTER"),
                                        ("TOPPADDING", (0, 1), (-1, -1), 6), ("BOTTOMPADDING", (0, 1), (-1, -1), 6)])
    return [P("卷内目录", "title"), P(f"案件编号：{case['case_no']}", "subtitle"), Spacer(1, 4 * mm), t]


def dossier_story(case: dict, ctx: PrintContext, blob: BlobPath | None = None) -> list:
    """The flowables of one dossier, starting its own page group (first page = cover)."""
    width, fh = frame_width(), frame_height()
    a = lambda key: Anchor(key, fh)  # noqa: E731
    story = [GroupStart(group_info(case))]
    story += cover(case, ctx, width) + [PageBreak()]
    story += contents(case, width) + [PageBreak()]
    story += [a("registration")] + parts.registration(case, ctx, width) + [PageBreak()]
    story += [a("timeline")] + parts.timeline(case, ctx, width)
    for key, section in (("dispatch", parts.dispatch_records), ("supervision", parts.supervision_records),
                         ("result", parts.result_review), ("callback", parts.callback_records)):
        flow = section(case, ctx, width)
        story += flow[:1] + [a(key)] + flow[1:]   # anchor after the conditional page break
    story += [PageBreak(), a("attachments")] + parts.attachments(case, ctx, width, blob)
    story += [PageBreak(), a("filing")] + parts.filing_note(case, ctx, width)
    return story


def render_dossier(case: dict, ctx: PrintContext, out: str | Path | io.BytesIO | None = None,
                   blob: BlobPath | None = None) -> bytes | None:
    """Write the dossier of ``case`` (a show_case dict) to ``out``; returns bytes when out is None."""
    info = group_info(case)
    return build_pdf(dossier_story(case, ctx, blob), out, ctx, title=info["title"], note=info["note"],
                     subject=f"{DOC_TITLE} {case['case_no']}")


def render_dossiers(cases, ctx: PrintContext, out: str | Path | io.BytesIO | None = None,
                    blob: BlobPath | None = None) -> bytes | None:
    """Several dossiers in one file, each numbered on its own ("第 X 页 共 Y 页" per case).

    ``cases`` may be a generator: only the flowables of the case being laid out are in memory.
    """
    return build_pdf(LazyStory(cases, ctx, blob), out, ctx, title="案卷", subject=DOC_TITLE + "（批量）")


class LazyStory(list):
    """A story that yields one case's flowables at a time while platypus consumes the list.

    BaseDocTemplate.build pops flowables from the front of the list while ``len(story)`` is true;
    this list refills itself from the case iterator when it runs dry.
    """

    def __init__(self, cases, ctx: PrintContext, blob: BlobPath | None):
        super().__init__()
        self._cases = iter(cases)
        self._ctx, self._blob = ctx, blob
        self._first = True
        self._refill()

    def _refill(self) -> bool:
        case = next(self._cases, None)
        if case is None:
            return False
        flow = dossier_story(case, self._ctx, self._blob)
        self.extend(flow if self._first else [PageBreak()] + flow)
        self._first = False
        return True

    def __len__(self):
        n = super().__len__()
        if n == 0 and self._refill():
            n = super().__len__()
        return n

    def __bool__(self):
        return len(self) > 0
