"""The igdesk app icon drawn in code (a rounded-square gradient with "ig"), and its unread badge."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QLinearGradient, QPainter, QPainterPath, QPixmap

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
_GRADIENT = ("#feda75", "#fa7e1e", "#d62976", "#962fbf", "#4f5bd5")
BADGE_COLOR = "#e0245e"


def app_pixmap(size: int = 64) -> QPixmap:
    """The plain app icon at `size`×`size` pixels."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rect = QRectF(0, 0, size, size).adjusted(0.5, 0.5, -0.5, -0.5)
        gradient = QLinearGradient(rect.bottomLeft(), rect.topRight())
        for index, color in enumerate(_GRADIENT):
            gradient.setColorAt(index / (len(_GRADIENT) - 1), QColor(color))
        path = QPainterPath()
        path.addRoundedRect(rect, size * 0.22, size * 0.22)
        painter.fillPath(path, gradient)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, int(size * 0.5)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "ig")
    finally:
        painter.end()
    return pixmap


def app_icon() -> QIcon:
    """The app icon at every usual size (window, taskbar, tray)."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(app_pixmap(size))
    return icon


def badge_text(count: int) -> str:
    """What the badge says: nothing for 0, the count, or "99+"."""
    if count <= 0:
        return ""
    return "99+" if count > 99 else str(count)


def badged_pixmap(count: int, size: int = 64) -> QPixmap:
    """The app icon with the unread count in a red disc at its top-right corner."""
    pixmap = app_pixmap(size)
    text = badge_text(count)
    if not text:
        return pixmap
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        height = size * 0.55
        width = max(height, height * (0.45 + 0.3 * len(text)))
        badge = QRectF(size - width, 0, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(BADGE_COLOR))
        painter.drawRoundedRect(badge, height / 2, height / 2)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(5, int(height * (0.7 if len(text) < 3 else 0.55))))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
    finally:
        painter.end()
    return pixmap


def badged_icon(count: int) -> QIcon:
    """A tray-sized icon set showing `count` (the plain app icon when it is 0)."""
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64):
        icon.addPixmap(badged_pixmap(count, size))
    return icon
