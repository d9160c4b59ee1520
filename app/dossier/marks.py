"""Small flowables used by several documents: the QR code of a case number, signature blocks,
photos scaled to fit, and a file's listing line."""
from __future__ import annotations

import io
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Image, Table, TableStyle

from app.dossier.fonts import register_fonts
from app.dossier.layout import P

IMAGE_MIMES = ("image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp", "image/tiff")
NB = "\u00a0"        # Paragraph collapses spaces (also U+3000) but keeps no-break spaces
DATE_BLANKS = f"日期：{NB * 10}年{NB * 6}月{NB * 6}日"
MAX_PIXELS = 1200   # longer side of an embedded photo (~180 dpi across the 17 cm text width)


def qr_code(text: str, size: float = 28 * mm) -> Drawing:
    """A QR code drawing of ``text`` (the case number), ``size`` square."""
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    w, h = x1 - x0, y1 - y0
    d = Drawing(size, size, transform=[size / w, 0, 0, size / h, 0, 0])
    d.add(widget)
    d._towndesk_qr = text  # tests look for the drawing when no decoder is installed
    return d


def signature_block(roles: list[str], width: float, date_line: bool = True) -> Table:
    """Rows of '承办人（签字）：________   日期：____年__月__日' for each role."""
    rows = []
    for role in roles:
        row = [P(f"{role}：", "body"), ""]
        if date_line:
            row.append(P(DATE_BLANKS, "body"))
        rows.append(row)
    date_w = 52 * mm if date_line else 0
    widths = [34 * mm, width - 34 * mm - date_w - 6 * mm] + ([date_w + 6 * mm] if date_line else [])
    t = Table(rows, colWidths=widths, rowHeights=[13 * mm] * len(rows))
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), 10.5),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, "#333333"),
        ("LEFTPADDING", (-1, 0), (-1, -1), 6 * mm if date_line else 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def _reader(path: Path | bytes) -> tuple[io.BytesIO, int, int]:
    """The bytes of a photo to embed: a JPEG of sensible size as it is (ReportLab copies JPEG data
    without decoding it); larger or other images scaled down and re-encoded as JPEG once."""
    from PIL import Image as PILImage  # Pillow loads only when a document embeds a photo

    data = bytes(path) if isinstance(path, bytes | bytearray) else None  # plain bytes of a sealed file
    with PILImage.open(io.BytesIO(data) if data is not None else path) as im:
        w, h = im.size
        if im.format == "JPEG" and max(w, h) <= MAX_PIXELS * 1.7 and im.mode in ("RGB", "L"):
            return io.BytesIO(data if data is not None else path.read_bytes()), w, h
        if im.format == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale straight from the DCT data (a phone photo: ~10x faster).
            long_side = MAX_PIXELS * 5 // 6
            im.draft("RGB", (long_side, long_side * h // w) if w >= h else (long_side * w // h, long_side))
        im.thumbnail((MAX_PIXELS, MAX_PIXELS))
        if im.mode in ("RGBA", "LA", "P"):
            rgba = im.convert("RGBA")
            flat = PILImage.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            im = flat
        elif im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85)
        buf.seek(0)
        return buf, im.size[0], im.size[1]


def photo(path: Path | bytes, max_w: float, max_h: float) -> Image | None:
    """The photo at ``path`` scaled to fit max_w x max_h (keeps the aspect ratio); None if unreadable."""
    try:
        reader, w, h = _reader(path)
    except (OSError, ValueError, SyntaxError):
        return None
    scale = min(max_w / w, max_h / h, 1.0 if w > max_w / 2 else max_w / 2 / w)
    img = Image(reader, width=w * scale, height=h * scale)
    img.hAlign = "CENTER"
    return img


def is_image(att: dict) -> bool:
    return (att.get("mime") or "").lower() in IMAGE_MIMES


def human_size(n) -> str:
    if not isinstance(n, int | float):
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""
