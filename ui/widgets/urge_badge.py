"""The 督办 marker in the window: a small "督" badge coloured by level (app.cases.views.urge_view
gives the level, label, colour and text), as an icon for tables and as a rich-text chip for labels."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

_ICONS: dict[str, QIcon] = {}
SIZE = 18


def urge_icon(urge: dict | None) -> QIcon | None:
    """A rounded "督" badge in the level's colour (grey once the case is closed); None if never urged."""
    if not urge:
        return None
    colour = urge["colour"]
    icon = _ICONS.get(colour)
    if icon is None:
        pix = QPixmap(SIZE * 2, SIZE * 2)  # drawn at 2x: crisp on high-DPI screens
        pix.setDevicePixelRatio(2)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(colour))
        p.drawRoundedRect(QRectF(0.5, 0.5, SIZE - 1, SIZE - 1), 4, 4)
        font = QFont()
        font.setPixelSize(12)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("#ffffff"))
        p.drawText(QRectF(0, 0, SIZE, SIZE), Qt.AlignmentFlag.AlignCenter, urge["mark"])
        p.end()
        icon = _ICONS[colour] = QIcon(pix)
    return icon


def urge_chip(urge: dict | None) -> str:
    """Rich text: a white "督" on the level's colour followed by the label (e.g. 红牌督办)."""
    if not urge:
        return ""
    c = urge["colour"]
    return (f"<span style='background-color:{c}; color:#ffffff; font-weight:bold;'>&nbsp;{urge['mark']}&nbsp;</span>"
            f"<span style='color:{c}; font-weight:bold;'>&nbsp;{urge['label']}</span>")


def urge_tooltip(urge: dict | None) -> str:
    """One line for tooltips: level, count, reply date, and (in the case detail) instruction and reply."""
    if not urge:
        return ""
    parts = [urge["text"]]
    if urge.get("instruction"):
        parts.append(f"督办要求：{urge['instruction']}")
    if urge.get("reply_status"):
        parts.append(f"承办单位回复：{urge['reply_status']}")
    return "\n".join(parts)
