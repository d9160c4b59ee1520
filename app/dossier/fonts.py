"""The CJK font for every printed document, registered once per process (see TOOLCHAIN.md)."""
from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import resource_path

FONT = "WQY"
FONT_FILE = "wqy-microhei.ttc"


@cache
def register_fonts() -> str:
    """Register WenQuanYi Micro Hei (covers Latin, digits and CJK) and return its name."""
    pdfmetrics.registerFont(TTFont(FONT, str(resource_path("fonts", FONT_FILE)), subfontIndex=0))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    return FONT
