"""Draw the BudgetDesk icon once: ``python installer/make_icon.py`` rewrites
``resources/icons/budgetdesk.png`` (256 px) and ``budgetdesk.ico`` (16–256 px, PNG entries).

The picture is drawn with QPainter from shapes only (no font, so it comes out the same on every
machine): a blue tile, a white ruled sheet like a budget form with its total row, and a red seal.
The files are committed; run this again only to change the design.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICON_DIR = ROOT / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def draw(size: int):
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 256, size / 256)

    tile = QPainterPath()
    tile.addRoundedRect(QRectF(8, 8, 240, 240), 44, 44)
    painter.fillPath(tile, QColor("#1d5fa6"))

    sheet = QRectF(52, 36, 140, 184)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(sheet, 10, 10)
    # the form's title bar and ruled rows
    painter.setBrush(QColor("#1d5fa6"))
    painter.drawRect(QRectF(70, 56, 104, 14))
    pen = QPen(QColor("#8aa9cc"))
    pen.setWidthF(5)
    painter.setPen(pen)
    for y in (94, 118, 142, 166):
        painter.drawLine(70, y, 174, y)
    painter.drawLine(118, 84, 118, 176)
    # 合计 row in bold
    pen = QPen(QColor("#1d5fa6"))
    pen.setWidthF(9)
    painter.setPen(pen)
    painter.drawLine(70, 194, 174, 194)

    # the red seal that goes on a signed budget
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#d23c2f"))
    painter.drawEllipse(QRectF(150, 150, 82, 82))
    check = QPen(QColor("#ffffff"))
    check.setWidthF(12)
    check.setCapStyle(Qt.PenCapStyle.RoundCap)
    check.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(check)
    path = QPainterPath()
    path.moveTo(171, 192)
    path.lineTo(185, 207)
    path.lineTo(211, 177)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.end()

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO container holding PNG-compressed images (understood since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    pngs = {size: draw(size) for size in ICO_SIZES}
    (ICON_DIR / "budgetdesk.png").write_bytes(pngs[256])
    (ICON_DIR / "budgetdesk.ico").write_bytes(ico_bytes(pngs))
    print(ICON_DIR / "budgetdesk.png")
    print(ICON_DIR / "budgetdesk.ico")
    return 0


if __name__ == "__main__":
    sys.exit(main())
