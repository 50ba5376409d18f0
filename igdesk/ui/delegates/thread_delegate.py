"""Paints one thread row: avatar, name and @username, preview, time, unread count, badge.

Every string is drawn with QPainter.drawText as plain text: a name like `<b>hi</b>` shows its
angle brackets. Rows have one fixed height so the view can use uniform item sizes.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from igdesk.ui.delegates.common import (
    WARNING,
    ScaledCache,
    draw_pill,
    draw_rounded_pixmap,
    muted,
    role_data,
)
from igdesk.ui.models.threads import ThreadRole
from igdesk.ui.text import Badge, initials, one_line

_Index = QModelIndex | QPersistentModelIndex

ROW_HEIGHT = 64
AVATAR = 44
MARGIN = 12
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_SINGLE = Qt.TextFlag.TextSingleLine

#: `avatar_for(url, contact_id)`: the customer's picture when it is loaded, else None.
AvatarProvider = Callable[[str, str], QPixmap | None]


@dataclass(frozen=True)
class RowTexts:
    """Exactly the strings a thread row draws (before eliding)."""

    title: str
    username: str  # "@name" or ""
    preview: str
    time: str
    unread: int
    badge: Badge | None
    contact_id: str
    avatar_url: str = ""


def row_texts(index: _Index) -> RowTexts:
    """The texts of a thread row, from the model's roles (one line each)."""
    username = role_data(index, ThreadRole.USERNAME) or ""
    title = one_line(role_data(index, ThreadRole.TITLE) or "", 300)
    badge = role_data(index, ThreadRole.WINDOW_BADGE)
    return RowTexts(
        title=title,
        username=f"@{username}" if username and title != f"@{username}" else "",
        preview=role_data(index, ThreadRole.PREVIEW) or "",
        time=role_data(index, ThreadRole.TIME) or "",
        unread=int(role_data(index, ThreadRole.UNREAD) or 0),
        badge=badge if isinstance(badge, Badge) else None,
        contact_id=role_data(index, ThreadRole.CONTACT_ID) or "",
        avatar_url=role_data(index, ThreadRole.AVATAR_URL) or "",
    )


def avatar_colour(contact_id: str) -> QColor:
    """A stable, mid-tone colour per contact (readable with white initials in both schemes)."""
    hue = zlib.crc32(contact_id.encode()) % 360
    return QColor.fromHsv(hue, 130, 175)


class ThreadDelegate(QStyledItemDelegate):
    """Delegate of ThreadListModel rows; `avatar_for(url, contact_id)` supplies loaded
    pictures (the URL comes with the row: painting never queries anything)."""

    def __init__(
        self, avatar_for: AvatarProvider | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._avatar_for = avatar_for
        self._scaled = ScaledCache()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(max(option.rect.width(), 200), ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        texts = row_texts(index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # the row's texts are drawn below, never by the style
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        secondary = text_colour if selected else muted(palette)
        self._paint_avatar(painter, rect, texts, opt.font)
        self._paint_texts(painter, rect, texts, opt.font, text_colour, secondary, palette)
        painter.restore()

    def _paint_avatar(self, painter: QPainter, rect: QRect, texts: RowTexts, font: QFont) -> None:
        box = QRectF(rect.left() + MARGIN, rect.center().y() - AVATAR / 2 + 1, AVATAR, AVATAR)
        pixmap = self._avatar_for(texts.avatar_url, texts.contact_id) if self._avatar_for else None
        if pixmap is not None and not pixmap.isNull():
            draw_rounded_pixmap(painter, box, pixmap, AVATAR / 2, self._scaled)
            return
        draw_pill(painter, box, avatar_colour(texts.contact_id or texts.title))
        letters = QFont(font)
        letters.setBold(True)
        letters.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.1)
        painter.setFont(letters)
        painter.setPen(QColor(255, 255, 255))
        name = texts.title if not texts.title.startswith("@") else ""
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, initials(name, texts.username[1:]))

    def _paint_texts(
        self,
        painter: QPainter,
        rect: QRect,
        texts: RowTexts,
        font: QFont,
        colour: QColor,
        secondary: QColor,
        palette: QPalette,
    ) -> None:
        left = rect.left() + MARGIN + AVATAR + MARGIN
        right = rect.right() - MARGIN
        title_font = QFont(font)
        title_font.setBold(texts.unread > 0)
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF(), 9.0) * 0.85)
        title_metrics, small_metrics = QFontMetrics(title_font), QFontMetrics(font)
        line_height = title_metrics.height()
        top = rect.top() + (rect.height() - 2 * line_height - 4) // 2
        line1 = QRect(left, top, right - left, line_height)
        line2 = QRect(left, top + line_height + 4, right - left, line_height)

        painter.setFont(small)
        time_width = QFontMetrics(small).horizontalAdvance(texts.time) + 6
        painter.setPen(colour if texts.unread else secondary)
        painter.drawText(line1, _ALIGN_RIGHT | _SINGLE, texts.time)

        space = line1.width() - time_width
        title = title_metrics.elidedText(texts.title, Qt.TextElideMode.ElideRight, space)
        painter.setFont(title_font)
        painter.setPen(colour)
        painter.drawText(line1, _ALIGN_LEFT | _SINGLE, title)
        used = title_metrics.horizontalAdvance(title) + 6
        if texts.username and space - used > 40:
            painter.setFont(small)
            painter.setPen(secondary)
            name = QFontMetrics(small).elidedText(
                texts.username, Qt.TextElideMode.ElideRight, space - used
            )
            painter.drawText(line1.adjusted(used, 0, -time_width, 0), _ALIGN_LEFT | _SINGLE, name)

        end = line2.right()
        if texts.unread:
            end = self._paint_count(painter, line2, texts.unread, small, palette)
        if texts.badge is not None:
            end = self._paint_badge(painter, line2, end, texts.badge, small, secondary)
        painter.setFont(font)
        painter.setPen(colour if texts.unread else secondary)
        preview = small_metrics.elidedText(
            texts.preview, Qt.TextElideMode.ElideRight, max(end - left - 6, 0)
        )
        painter.drawText(
            QRect(left, line2.top(), end - left, line2.height()), _ALIGN_LEFT | _SINGLE, preview
        )

    def _paint_count(
        self, painter: QPainter, line: QRect, count: int, font: QFont, palette: QPalette
    ) -> int:
        label = str(count) if count < 100 else "99+"
        metrics = QFontMetrics(font)
        height = metrics.height() + 2
        width = max(height, metrics.horizontalAdvance(label) + 10)
        pill = QRectF(line.right() - width, line.center().y() - height / 2 + 1, width, height)
        draw_pill(painter, pill, palette.color(QPalette.ColorRole.Highlight))
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
        return int(pill.left()) - 6

    def _paint_badge(
        self, painter: QPainter, line: QRect, end: int, badge: Badge, font: QFont, muted: QColor
    ) -> int:
        metrics = QFontMetrics(font)
        width = metrics.horizontalAdvance(badge.text) + 12
        height = metrics.height() + 2
        pill = QRectF(end - width, line.center().y() - height / 2 + 1, width, height)
        colour = WARNING if badge.severity == "closing" else muted
        fill = QColor(colour)
        fill.setAlphaF(0.15)
        draw_pill(painter, pill, fill, colour)
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter | _SINGLE, badge.text)
        return int(pill.left()) - 6
