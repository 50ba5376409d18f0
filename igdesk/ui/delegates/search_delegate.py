"""Painting one search result: the customer, when, and the snippet with matches highlighted.

Snippets are drawn as plain text runs (never rich text), the matched runs on a highlight tint.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from igdesk.ui.delegates.common import mix, muted, role_data
from igdesk.ui.models.search import SearchRole

ROW_HEIGHT = 52
PADDING = 8

_Index = QModelIndex | QPersistentModelIndex


class SearchDelegate(QStyledItemDelegate):
    """Two lines: bold title and time, then the snippet with highlighted matches."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(option.rect.width(), ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        palette = option.palette
        rect = option.rect.adjusted(PADDING, 4, -PADDING, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, palette.color(QPalette.ColorRole.Highlight))
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        font = option.font
        bold = type(font)(font)
        bold.setBold(True)
        line = QFontMetrics(font).height()
        time_text = str(role_data(index, SearchRole.TIME) or "")
        painter.setFont(font)
        painter.setPen(text_color if selected else muted(palette))
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, time_text)
        time_width = QFontMetrics(font).horizontalAdvance(time_text) + PADDING
        painter.setFont(bold)
        painter.setPen(text_color)
        title = QFontMetrics(bold).elidedText(
            str(role_data(index, SearchRole.TITLE) or ""),
            Qt.TextElideMode.ElideRight,
            max(rect.width() - time_width, 0),
        )
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), line), 0, title)
        self._paint_runs(
            painter, option, index, QRect(rect.left(), rect.top() + line + 2, rect.width(), line)
        )
        painter.restore()

    def _paint_runs(
        self, painter: QPainter, option: QStyleOptionViewItem, index: _Index, area: QRect
    ) -> None:
        palette = option.palette
        metrics = QFontMetrics(option.font)
        painter.setFont(option.font)
        tint = mix(
            palette.color(QPalette.ColorRole.Base),
            palette.color(QPalette.ColorRole.Highlight),
            0.35,
        )
        x = area.left()
        runs = role_data(index, SearchRole.SNIPPET_RUNS) or []
        for text, highlighted in runs:
            remaining = area.right() - x
            if remaining <= 0:
                break
            shown = metrics.elidedText(str(text), Qt.TextElideMode.ElideRight, remaining)
            width = metrics.horizontalAdvance(shown)
            box = QRect(x, area.top(), width, area.height())
            if highlighted:
                painter.fillRect(box, tint)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
            x += width
