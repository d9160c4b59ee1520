"""Render resources/icons/towndesk.svg into the committed towndesk.png (256 px) and towndesk.ico.

Run after editing the SVG:  QT_QPA_PLATFORM=offscreen .venv/bin/python installer/make_icons.py
Qt (QtSvg) renders every size from the vector source, so small sizes stay crisp; Pillow (a
ReportLab dependency) writes the multi-size .ico that PyInstaller and Inno Setup embed.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> int:
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "towndesk.svg"))
    if not renderer.isValid():
        print("towndesk.svg could not be read", file=sys.stderr)
        return 1
    images = {size: render(renderer, size) for size in ICO_SIZES}
    images[256].save(ICONS / "towndesk.png", optimize=True)
    big = images[256]
    big.save(ICONS / "towndesk.ico", sizes=[(s, s) for s in ICO_SIZES],
             append_images=[images[s] for s in ICO_SIZES if s != 256])
    print(f"wrote {ICONS / 'towndesk.png'} and {ICONS / 'towndesk.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
