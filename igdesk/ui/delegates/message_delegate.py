"""Paints a conversation: bubbles, attachments, reactions, quotes, day and gap rows.

Layouts are cached per message at the current width and recomputed when the width, the
message or its quote change. Images come from injected providers:
`image_for(url)` gives a ready pixmap or None, `image_state(url)` says "loading", "ready"
or "failed". A click on a link or an
attachment emits `link_activated(url)`; on an image that failed, `retry_requested(url)`.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPalette, QTextLayout, QTextLine
from PySide6.QtWidgets import QAbstractScrollArea, QStyledItemDelegate, QStyleOptionViewItem

from igdesk.domain import Message
from igdesk.i18n import Words
from igdesk.ui.delegates.common import (
    PixmapProvider,
    ScaledCache,
    StateProvider,
    draw_pill,
    draw_rounded_pixmap,
    mix,
    muted,
    role_data,
)
from igdesk.ui.delegates.message_layout import (
    IMAGE_FAILED,
    IMAGE_LOADING,
    SEPARATOR_HEIGHT,
    Block,
    MessageLayout,
    layout_message,
)
from igdesk.ui.models.messages import MessageRole, RowKind

_Index = QModelIndex | QPersistentModelIndex
_CACHE_SIZE = 20_000  # more than a long conversation: a relayout must not evict
_FALLBACK_WIDTH = 480


class MessageDelegate(QStyledItemDelegate):
    """Delegate of MessageListModel rows."""

    link_activated = Signal(str)
    retry_requested = Signal(str)

    def __init__(
        self,
        image_for: PixmapProvider | None = None,
        image_state: StateProvider | None = None,
        *,
        lang: str = "en",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._image_for = image_for
        self._image_state = image_state
        self._lang = lang
        self._words = Words(lang)
        self._cache: OrderedDict[str, MessageLayout] = OrderedDict()
        self._scaled = ScaledCache()
        self._last_width = _FALLBACK_WIDTH
        self._font = QFont()

    def clear_cache(self) -> None:
        """Forget layouts (after a font change)."""
        self._cache.clear()
        self._scaled.clear()

    # --- geometry ------------------------------------------------------------------------

    def _width(self, option: QStyleOptionViewItem) -> int:
        width = option.rect.width()
        if width <= 0:
            # QListView asks sizes with an empty rect: the viewport's width is the row's.
            widget = option.widget
            if isinstance(widget, QAbstractScrollArea):
                width = widget.viewport().width()
        width = width if width > 0 else self._last_width
        self._last_width = width
        return width

    def layout_for(self, index: _Index, width: int, font: QFont) -> MessageLayout | None:
        """The cached geometry of a message row (None for day and gap rows)."""
        message = role_data(index, MessageRole.MESSAGE)
        if not isinstance(message, Message):
            return None
        quote = role_data(index, MessageRole.REPLY_QUOTE)
        key = message.id  # one width per message: a resize replaces entries, never adds
        cached = self._cache.get(key)
        if (
            cached is not None
            and cached.width == width
            and cached.quote == quote
            and (cached.message is message or cached.message == message)
        ):
            self._cache.move_to_end(key)
            return cached
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF(), 9.0) * 0.82)
        layout = layout_message(message, quote, width, font, small, self._lang)
        self._cache[key] = layout
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return layout

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        width = self._width(option)
        if role_data(index, MessageRole.KIND) != RowKind.MESSAGE:
            return QSize(width, SEPARATOR_HEIGHT)
        layout = self.layout_for(index, width, option.font)
        return QSize(width, layout.height if layout is not None else SEPARATOR_HEIGHT)

    # --- painting ------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect: QRect = option.rect
        palette: QPalette = option.palette
        font: QFont = option.font
        self._font = font
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        kind = role_data(index, MessageRole.KIND)
        if kind == RowKind.MESSAGE:
            layout = self.layout_for(index, self._width(option), font)
            if layout is not None:
                painter.translate(rect.topLeft())
                time_text = str(role_data(index, MessageRole.TIME_TEXT) or "")
                self._paint_message(painter, layout, palette, font, time_text)
        else:
            self._paint_separator(
                painter,
                rect,
                str(role_data(index, Qt.ItemDataRole.DisplayRole) or ""),
                kind,
                palette,
                font,
            )
        painter.restore()

    def _small(self, font: QFont) -> QFont:
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF(), 9.0) * 0.82)
        return small

    def _paint_separator(
        self,
        painter: QPainter,
        rect: QRect,
        text: str,
        kind: object,
        palette: QPalette,
        font: QFont,
    ) -> None:
        small = self._small(font)
        painter.setFont(small)
        grey = muted(palette)
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(text) + 20
        height = metrics.height() + 6
        pill = QRectF(rect.center().x() - width / 2, rect.center().y() - height / 2, width, height)
        if kind == RowKind.GAP:
            painter.setPen(grey)
            y = rect.center().y()
            painter.drawLine(rect.left() + 16, y, int(pill.left()) - 4, y)
            painter.drawLine(int(pill.right()) + 4, y, rect.right() - 16, y)
        else:
            base = palette.color(QPalette.ColorRole.Base)
            draw_pill(painter, pill, mix(base, palette.color(QPalette.ColorRole.Text), 0.07))
        painter.setPen(grey)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextSingleLine, text)

    def _colours(self, message: Message, palette: QPalette) -> tuple[QColor, QColor]:
        if message.is_from_shop and not message.deleted:
            return (
                palette.color(QPalette.ColorRole.Highlight),
                palette.color(QPalette.ColorRole.HighlightedText),
            )
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        return mix(base, text, 0.09), text

    def _paint_message(
        self,
        painter: QPainter,
        layout: MessageLayout,
        palette: QPalette,
        font: QFont,
        time_text: str,
    ) -> None:
        message = layout.message
        fill, ink = self._colours(message, palette)
        base, text_colour = (
            palette.color(QPalette.ColorRole.Base),
            palette.color(QPalette.ColorRole.Text),
        )
        small = self._small(font)
        if message.deleted:
            draw_pill_box(painter, layout.bubble, base, mix(base, text_colour, 0.3))
        else:
            draw_pill_box(painter, layout.bubble, fill, None)
        for block in layout.blocks:
            self._paint_block(painter, block, fill, ink, palette, font, small)
        if layout.reaction_rect is not None:
            draw_pill(painter, layout.reaction_rect, mix(base, text_colour, 0.12), base)
            painter.setFont(small)
            painter.setPen(text_colour)
            painter.drawText(
                layout.reaction_rect, Qt.AlignmentFlag.AlignCenter, layout.reaction_text
            )
        painter.setFont(small)
        painter.setPen(muted(palette))
        side = Qt.AlignmentFlag.AlignRight if message.is_from_shop else Qt.AlignmentFlag.AlignLeft
        painter.drawText(layout.time_rect, side | Qt.AlignmentFlag.AlignVCenter, time_text)

    def _paint_block(
        self,
        painter: QPainter,
        block: Block,
        fill: QColor,
        ink: QColor,
        palette: QPalette,
        font: QFont,
        small: QFont,
    ) -> None:
        grey = mix(ink, fill, 0.4)
        if block.layout is not None:  # text, unsupported, a card's title and subtitle
            painter.setPen(ink if block.kind in ("text", "card_title") else grey)
            block.layout.draw(painter, block.rect.topLeft(), _link_formats(block, ink, palette))
        elif block.kind == "button":  # a link line; a postback button is words only
            styled = QFont(font)
            styled.setUnderline(block.url is not None)
            painter.setFont(styled)
            painter.setPen(_link_colour(ink, palette) if block.url else grey)
            painter.drawText(
                block.rect,
                Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                painter.fontMetrics().elidedText(
                    block.label, Qt.TextElideMode.ElideRight, int(block.rect.width())
                ),
            )
        elif block.kind in ("quote", "tombstone", "unsupported", "label"):
            styled = QFont(small if block.kind == "quote" else font)
            styled.setItalic(block.kind in ("tombstone", "unsupported"))
            if block.kind in ("quote", "label"):
                draw_pill_box(painter, block.rect, mix(fill, ink, 0.1), None, radius=8)
            painter.setFont(styled)
            painter.setPen(grey if block.kind != "label" else ink)
            inner = block.rect.adjusted(8, 0, -8, 0) if block.kind != "tombstone" else block.rect
            painter.drawText(
                inner,
                Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                painter.fontMetrics().elidedText(
                    block.label, Qt.TextElideMode.ElideRight, int(inner.width())
                ),
            )
        elif block.image_url:
            self._paint_image(painter, block, fill, ink, small)

    def _paint_image(
        self, painter: QPainter, block: Block, fill: QColor, ink: QColor, small: QFont
    ) -> None:
        pixmap = self._image_for(block.image_url) if self._image_for else None
        if pixmap is not None and not pixmap.isNull():
            draw_rounded_pixmap(painter, block.rect, pixmap, 10, self._scaled)
            return
        state = self._image_state(block.image_url) if self._image_state else "loading"
        draw_pill_box(painter, block.rect, mix(fill, ink, 0.12), None, radius=10)
        if block.kind == "sticker":
            return
        message = IMAGE_FAILED if state == "failed" else IMAGE_LOADING
        label = self._words(message)
        painter.setFont(small)
        painter.setPen(mix(ink, fill, 0.35))
        painter.drawText(
            block.rect.adjusted(8, 8, -8, -8),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            label,
        )

    # --- hit testing ---------------------------------------------------------------------

    def hit_test(
        self,
        index: _Index,
        pos: QPoint | QPointF,
        rect: QRect | None = None,
        font: QFont | None = None,
    ) -> str | None:
        """URL of the link or attachment under `pos` (relative to the row's top-left), or None.

        `rect` is the row's visual rect (its width decides the layout); without it the last
        width the delegate painted at is used. `font` must be the view's font when it differs
        from the application's.
        """
        width = rect.width() if rect is not None else self._last_width
        layout = self.layout_for(index, width, font or self._font)
        if layout is None:
            return None
        local = QPointF(pos)
        for block in layout.blocks:
            if not block.rect.contains(local):
                continue
            if block.kind == "text" and block.layout is not None:
                return _link_at(block, local - block.rect.topLeft())
            return block.url
        return None

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            font: QFont = option.font
            rect: QRect = option.rect
            url = self.hit_test(index, event.position() - QPointF(rect.topLeft()), rect, font)
            if url:
                if self._image_state is not None and self._image_state(url) == "failed":
                    self.retry_requested.emit(url)
                else:
                    self.link_activated.emit(url)
                return True
        return super().editorEvent(event, model, option, index)


def draw_pill_box(
    painter: QPainter, rect: QRectF, fill: QColor, outline: QColor | None, radius: float = 16
) -> None:
    """A rounded box (bubbles, quotes, placeholders); the radius shrinks for short boxes."""
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen if outline is None else outline)
    painter.setBrush(fill)
    radius = min(radius, rect.height() / 2)
    painter.drawRoundedRect(rect, radius, radius)
    painter.restore()


def _link_colour(ink: QColor, palette: QPalette) -> QColor:
    """Links in the shop's own (highlighted) bubbles keep the bubble's ink to stay readable."""
    if ink == palette.color(QPalette.ColorRole.HighlightedText):
        return ink
    return palette.color(QPalette.ColorRole.Link)


def _link_formats(block: Block, ink: QColor, palette: QPalette) -> list[QTextLayout.FormatRange]:
    formats = []
    link_colour = _link_colour(ink, palette)
    for start, length, _url in block.links:
        item = QTextLayout.FormatRange()
        item.start, item.length = start, length
        item.format.setForeground(link_colour)
        item.format.setFontUnderline(True)
        formats.append(item)
    return formats


def _link_at(block: Block, point: QPointF) -> str | None:
    layout = block.layout
    if layout is None or not block.links:
        return None
    for number in range(layout.lineCount()):
        line = layout.lineAt(number)
        if line.rect().contains(point):
            position = line.xToCursor(point.x(), QTextLine.CursorPosition.CursorOnCharacter)
            for start, length, url in block.links:
                if start <= position < start + length:
                    return url
            return None
    return None
