"""The shared page template of every printed document (dossiers, receipts, slips, bulletins).

What it gives:
- ``PrintContext``: who prints, when, for which town, with or without the 内部资料 watermark.
- ``styles()``: paragraph styles in the CJK font (``wordWrap='CJK'``), ``P(text, style)`` escapes text.
- ``grid_table`` / ``form_table``: the house table styles (repeated header rows, shaded labels).
- ``build_pdf(story, out, ctx, ...)``: builds a document whose pages get the standard header (town,
  document title, a right-hand note such as the case number) and footer ("第 X 页 共 Y 页", print
  time and operator), drawn once the page count is known.
- ``GroupStart(info)``: a zero-size flowable that starts a new numbered group of pages (one case
  inside a batch file): page numbers restart, the header shows the group's own title and note.

Only one group of pages is held back at a time, so a long batch file does not keep every page
of every case in memory (ReportLab still keeps the compressed output until it saves).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from app.domain.timezone import LOCAL_TZ
from app.dossier.fonts import register_fonts

# Binary streams instead of ASCII85: smaller files and no encoding pass over every photo.
rl_config.useA85 = 0

INK = colors.HexColor("#1a1a1a")
RED = colors.HexColor("#c00000")          # 红头 (document head) and seals
LINE = colors.HexColor("#555555")
SHADE = colors.HexColor("#eeeeee")         # label cells and table headers
WATERMARK_TEXT = "内部资料"


def centre_name(town_name: str) -> str:
    """The command centre's one name on every printed page (receipts, slips, dossiers, bulletins)."""
    return f"{town_name}综合信息指挥中心"


@dataclass(frozen=True)
class PrintContext:
    """Who prints, for which town, when. ``org`` defaults to the town's command centre."""

    town_name: str
    operator: str
    role: str = "admin"
    printed_at: datetime | None = None
    watermark: bool = False
    org: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def org_name(self) -> str:
        return self.org or centre_name(self.town_name)

    @property
    def printed_text(self) -> str:
        return fmt_time(self.printed_at or datetime.now(LOCAL_TZ))


# -- text ------------------------------------------------------------------------------------
def fmt_time(value, seconds: bool = False, date_only: bool = False) -> str:
    """An ISO string or aware datetime shown in Shanghai time ('' for None)."""
    if not value:
        return ""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    if dt.tzinfo is not None:
        dt = dt.astimezone(LOCAL_TZ)
    if date_only:
        return f"{dt:%Y-%m-%d}"
    return f"{dt:%Y-%m-%d %H:%M:%S}" if seconds else f"{dt:%Y-%m-%d %H:%M}"


def fmt_date_cn(value) -> str:
    """'2026年11月27日' for a date-like value ('' for None)."""
    if not value:
        return ""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(dt, datetime) and dt.tzinfo is not None:
        dt = dt.astimezone(LOCAL_TZ)
    return f"{dt.year}年{dt.month}月{dt.day}日"


def P(text, style: str | ParagraphStyle = "body") -> Paragraph:
    """A paragraph of plain text (escaped; newlines kept) in a named house style."""
    st = styles()[style] if isinstance(style, str) else style
    body = escape("" if text is None else str(text)).replace("\n", "<br/>")
    return Paragraph(body, st)


def Pm(markup: str, style: str | ParagraphStyle = "body") -> Paragraph:
    """A paragraph of trusted ReportLab markup (callers escape the data they put in)."""
    return Paragraph(markup, styles()[style] if isinstance(style, str) else style)


@cache
def styles() -> dict[str, ParagraphStyle]:
    font = register_fonts()

    def s(name, size, leading=None, align=TA_LEFT, color=INK, before=0, after=0, indent=0):
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.45,
                              alignment=align, textColor=color, spaceBefore=before, spaceAfter=after,
                              firstLineIndent=indent, wordWrap="CJK")

    return {
        "head": s("head", 24, 32, TA_CENTER, RED, after=2),         # 红头: issuing organ
        "title": s("title", 20, 28, TA_CENTER, after=6),
        "subtitle": s("subtitle", 12, 18, TA_CENTER, LINE, after=4),
        "h1": s("h1", 15, 22, before=6, after=6),
        "h2": s("h2", 12, 18, before=4, after=4),
        "body": s("body", 10.5, 17),
        "para": s("para", 11, 19, indent=22),                       # body text with 2-character indent
        "right": s("right", 10.5, 17, TA_RIGHT),
        "center": s("center", 10.5, 17, TA_CENTER),
        "cell": s("cell", 9, 13),
        "cell_c": s("cell_c", 9, 13, TA_CENTER),
        "label": s("label", 9.5, 14, TA_CENTER),
        "small": s("small", 8, 11, color=LINE),
        "small_c": s("small_c", 8, 11, TA_CENTER, LINE),
        "toc": s("toc", 12, 24),
        "cover_big": s("cover_big", 30, 42, TA_CENTER),
    }


# -- tables ------------------------------------------------------------------------------------
def grid_table(rows: list[list], widths: list[float], header_rows: int = 1, zebra: bool = False,
               extra: list | None = None) -> Table:
    """A ruled table; the first ``header_rows`` are shaded and repeated on every page."""
    t = Table(rows, colWidths=widths, repeatRows=header_rows, hAlign="CENTER")
    cmds = [
        ("FONT", (0, 0), (-1, -1), register_fonts(), 9),
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("BOX", (0, 0), (-1, -1), 1, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header_rows:
        cmds.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE))
    if zebra:
        cmds.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]))
    t.setStyle(TableStyle(cmds + (extra or [])))
    return t


def form_table(pairs: list[tuple], width: float, columns: int = 2, label_w: float = 24 * mm) -> Table:
    """A registration-form table: label | value cells, ``columns`` pairs per row.

    A pair whose value is a tuple ``(value, "wide")`` takes the whole row.
    """
    value_w = (width - columns * label_w) / columns
    widths = [label_w, value_w] * columns
    rows, extra, row = [], [], []

    def close_row(cells):
        r = len(rows)
        extra.extend(("BACKGROUND", (c, r), (c, r), SHADE) for c in range(0, len(cells), 2) if cells[c] != "")
        rows.append(cells + [""] * (len(widths) - len(cells)))

    for label, value in pairs:
        wide = isinstance(value, tuple) and value[1] == "wide"
        if wide:
            value = value[0]
        cell = value if isinstance(value, Flowable) else P(value if value not in (None, "") else "—", "cell")
        if wide:
            if row:
                close_row(row)
                row = []
            extra.append(("SPAN", (1, len(rows)), (-1, len(rows))))
            close_row([P(label, "label"), cell])
            continue
        row += [P(label, "label"), cell]
        if len(row) == len(widths):
            close_row(row)
            row = []
    if row:
        close_row(row)
    return grid_table(rows, widths, header_rows=0, extra=extra)


# -- page decoration ------------------------------------------------------------------------------
Decorate = Callable[[Canvas, PrintContext, dict, int, int], None]


def draw_watermark(c: Canvas, text: str = WATERMARK_TEXT) -> None:
    w, h = c._pagesize
    c.saveState()
    c.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.11))
    size = min(w, h) / 7
    c.setFont(register_fonts(), size)
    step_x, step_y = size * 6, size * 4.5
    y = -h * 0.1
    while y < h * 1.1:
        x = -w * 0.1 + (size * 3 if int(y / step_y) % 2 else 0)
        while x < w * 1.1:
            c.saveState()
            c.translate(x, y)
            c.rotate(35)
            c.drawString(0, 0, text)
            c.restoreState()
            x += step_x
        y += step_y
    c.restoreState()


def standard_decorate(c: Canvas, ctx: PrintContext, info: dict, page: int, total: int) -> None:
    """Header (organ, document title, note) and footer (page X of Y, print time, operator)."""
    font = register_fonts()
    w, h = c._pagesize
    side = 18 * mm if w > 160 * mm else 14 * mm
    left, right = side, w - side
    c.saveState()
    if ctx.watermark:
        draw_watermark(c)
    c.setFillColor(INK)
    c.setStrokeColor(LINE)
    c.setLineWidth(0.6)
    top = h - 12 * mm
    c.setFont(font, 9)
    c.drawString(left, top, ctx.org_name)
    if info.get("title"):
        c.drawCentredString(w / 2, top, info["title"])
    if info.get("note"):
        c.drawRightString(right, top, info["note"])
    c.line(left, top - 2.5 * mm, right, top - 2.5 * mm)
    bottom = 10 * mm
    c.line(left, bottom + 4.5 * mm, right, bottom + 4.5 * mm)
    c.setFont(font, 8.5)
    c.drawCentredString(w / 2, bottom, f"第 {page} 页 共 {total} 页")
    c.setFont(font, 7.5)
    c.setFillColor(LINE)
    c.drawString(left, bottom, f"打印：{ctx.operator}  {ctx.printed_text}")
    if ctx.watermark:
        c.drawRightString(right, bottom, WATERMARK_TEXT + " 注意保管")
    c.restoreState()


def slim_decorate(c: Canvas, ctx: PrintContext, info: dict, page: int, total: int) -> None:
    """For small paper (80 mm receipts): watermark only, plus the page number when several."""
    c.saveState()
    if ctx.watermark:
        draw_watermark(c)
    if total > 1:
        w, _ = c._pagesize
        c.setFont(register_fonts(), 7)
        c.drawCentredString(w / 2, 3 * mm, f"第 {page} 页 共 {total} 页")
    c.restoreState()


class PagedCanvas(Canvas):
    """A canvas that holds back the pages of the current group until the group's size is known,
    then draws the header and footer on each and emits them."""

    ctx: PrintContext
    decorate: Decorate

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._held: list[tuple[dict, dict]] = []
        self._group_info: dict = dict(getattr(self, "initial_info", {}))
        self._group_no = 0
        self._anchors: list[tuple[str, int, bool]] = []   # (key, page in group, starts a page)
        self._refs: set[str] = set()

    def start_group(self, info: dict) -> None:
        """Called on the first page of a new group: emit the previous group's pages."""
        if self._held:
            self._emit_held()
        self._group_info = dict(info)

    # Page references (卷内目录 page numbers) without a second pass: the reference draws a form
    # XObject that is defined once the group's pages are known (PDF allows forward references).
    def page_in_group(self) -> int:
        return len(self._held) + 1

    def add_anchor(self, key: str, fresh: bool) -> None:
        self._anchors.append((key, self.page_in_group(), fresh))

    def ref_form(self, key: str) -> str:
        self._refs.add(key)
        return f"pageref{self._group_no}_{key}"

    def _define_refs(self, total: int) -> None:
        font = register_fonts()
        ranges = {}
        for i, (key, start, _fresh) in enumerate(self._anchors):
            end = total
            if i + 1 < len(self._anchors):
                _k, nxt, nxt_fresh = self._anchors[i + 1]
                end = max(start, nxt - 1 if nxt_fresh else nxt)
            ranges[key] = str(start) if end == start else f"{start}-{end}"
        for key in sorted(self._refs):
            self.beginForm(f"pageref{self._group_no}_{key}", 0, 0, 40, 14)
            self.setFont(font, 9)
            self.drawCentredString(20, 4, ranges.get(key, ""))
            self.endForm()
        self._anchors, self._refs = [], set()
        self._group_no += 1

    def showPage(self):
        self._held.append((dict(self.__dict__), self._group_info))
        self._startPage()

    def _emit_held(self) -> None:
        held, total = self._held, len(self._held)
        self._define_refs(total)
        current = dict(self.__dict__)
        for n, (state, info) in enumerate(held, 1):
            self.__dict__.update(state)
            self.decorate(self, self.ctx, info, n, total)
            Canvas.showPage(self)
        page_number = self._pageNumber
        self.__dict__.update(current)
        self._pageNumber = page_number
        self._held = []

    def save(self):
        if self._held:
            self._emit_held()
        super().save()


class GroupStart(Flowable):
    """Starts a numbered group of pages (place it right after a page break)."""

    def __init__(self, info: dict):
        super().__init__()
        self.info = info
        self.width = self.height = 0

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        self.canv.start_group(self.info)


class Anchor(Flowable):
    """Marks where a section starts, for PageRef. ``frame_height``: the body frame's height, to
    tell whether the section starts at the top of a page (then the previous one ended before)."""

    def __init__(self, key: str, frame_height: float):
        super().__init__()
        self.key, self.frame_height = key, frame_height
        self.width = self.height = 0
        self._avail = 0.0

    def wrap(self, aw, ah):
        self._avail = ah
        return 0, 0

    def draw(self):
        self.canv.add_anchor(self.key, self._avail >= self.frame_height - 1)


class PageRef(Flowable):
    """The page (range) of an Anchor of the same group, centred in a 40 x 14 pt box."""

    def __init__(self, key: str):
        super().__init__()
        self.key = key
        self.width, self.height = 40, 14

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        self.canv.doForm(self.canv.ref_form(self.key))


def canvas_maker(ctx: PrintContext, info: dict, decorate: Decorate):
    return type("BoundPagedCanvas", (PagedCanvas,), {"ctx": ctx, "initial_info": info,
                                                     "decorate": staticmethod(decorate)})


def build_pdf(story: list, out: str | Path | io.BytesIO | None, ctx: PrintContext, *,
              title: str = "", note: str = "", pagesize=A4,
              margins: tuple[float, float, float, float] = (22 * mm, 18 * mm, 20 * mm, 18 * mm),
              decorate: Decorate = standard_decorate, subject: str = "") -> bytes | None:
    """Build ``story`` into ``out`` (a path or a binary buffer); returns the bytes when out is None.

    ``margins`` are (top, right, bottom, left). ``title`` and ``note`` go into the page header of
    the first group (later groups are set by ``GroupStart``).
    """
    register_fonts()
    buf = io.BytesIO() if out is None else out
    target = str(buf) if isinstance(buf, Path) else buf
    top, right, bottom, left = margins
    w, h = pagesize
    doc = BaseDocTemplate(target, pagesize=pagesize, topMargin=top, rightMargin=right,
                          bottomMargin=bottom, leftMargin=left, title=title or "towndesk",
                          author=ctx.org_name, subject=subject, creator="towndesk 镇街指挥台")
    frame = Frame(left, bottom, w - left - right, h - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=pagesize)])
    doc.build(story, canvasmaker=canvas_maker(ctx, {"title": title, "note": note}, decorate))
    return buf.getvalue() if out is None else None


MARGINS = (22 * mm, 18 * mm, 20 * mm, 18 * mm)


def frame_width(pagesize=A4, margins=MARGINS) -> float:
    return pagesize[0] - margins[1] - margins[3]


def frame_height(pagesize=A4, margins=MARGINS) -> float:
    return pagesize[1] - margins[0] - margins[2]
