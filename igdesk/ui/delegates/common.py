"""Painting helpers shared by the delegates: palette-derived colours, pills, scaled pixmaps."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Literal

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPixmap

#: Supplies a ready pixmap for a URL or contact id, or None (not loaded / failed).
PixmapProvider = Callable[[str], QPixmap | None]
ImageState = Literal["loading", "ready", "failed"]
#: Tells whether the image of a URL is "loading", "ready" or "failed" (an ImageState).
StateProvider = Callable[[str], str]

#: Accent of a "closing" window badge: readable on light and dark backgrounds alike.
WARNING = QColor(214, 120, 0)


def role_data(index: QModelIndex | QPersistentModelIndex, role: int) -> Any:
    """`index.data(role)` through the model's Python `data()` directly.

    PySide6 6.12 on Python 3.11 drops a reference to None each time an invalid QVariant comes
    back from C++ (`index.data()` of a role the model has no value for); enough of them free
    None itself and crash the interpreter. Calling the Python model avoids the conversion.
    """
    if not index.isValid():
        return None
    return index.model().data(index, role)


def mix(first: QColor, second: QColor, amount: float) -> QColor:
    """`first` moved `amount` (0..1) of the way towards `second`: neutral tints in any scheme."""
    return QColor.fromRgbF(
        first.redF() + (second.redF() - first.redF()) * amount,
        first.greenF() + (second.greenF() - first.greenF()) * amount,
        first.blueF() + (second.blueF() - first.blueF()) * amount,
    )


def muted(palette: QPalette) -> QColor:
    """Secondary text colour (times, usernames, tombstones)."""
    return mix(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.45)


def draw_pill(painter: QPainter, rect: QRectF, fill: QColor, outline: QColor | None = None) -> None:
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen if outline is None else outline)
    painter.setBrush(fill)
    radius = rect.height() / 2
    painter.drawRoundedRect(rect, radius, radius)
    painter.restore()


def draw_rounded_pixmap(
    painter: QPainter, rect: QRectF, pixmap: QPixmap, radius: float, cache: ScaledCache
) -> None:
    """Draw `pixmap` filling `rect` (cropped, aspect kept) inside a rounded clip."""
    scaled = cache.get(pixmap, QSize(int(rect.width()), int(rect.height())))
    painter.save()
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    painter.setClipPath(path)
    x = rect.x() + (rect.width() - scaled.width()) / 2
    y = rect.y() + (rect.height() - scaled.height()) / 2
    painter.drawPixmap(int(x), int(y), scaled)
    painter.restore()


class ScaledCache:
    """Scaled copies of pixmaps by (pixmap, size): scaling on every paint would stutter."""

    def __init__(self, capacity: int = 300) -> None:
        self._capacity = capacity
        self._items: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()

    def get(self, pixmap: QPixmap, size: QSize) -> QPixmap:
        key = (pixmap.cacheKey(), size.width(), size.height())
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            return found
        scaled = pixmap.scaled(
            size,
            Qt.AspectRatioMode.KeepAspectRatioByExpanding,
            Qt.TransformationMode.SmoothTransformation,
        )
        self._items[key] = scaled
        if len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return scaled

    def clear(self) -> None:
        self._items.clear()
