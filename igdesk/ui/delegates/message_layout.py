"""Geometry of one message row at one width: bubble, text layout, attachment blocks, reactions.

Computed once per (message, width) and cached by the delegate; painting and hit testing only
read it. Coordinates are relative to the row's top-left corner. Text is laid out with
QTextLayout in the text's own direction (right-to-left text aligns right) as plain text.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QTextLayout, QTextOption

from igdesk.domain import Attachment, Message
from igdesk.i18n import N_, Words
from igdesk.ui.text import (
    INSTAGRAM_INBOX_URL,
    attachment_label,
    card_label,
    is_right_to_left,
    link_ranges,
    one_line,
)

SIDE_MARGIN = 12.0
PAD_X = 10.0
PAD_Y = 7.0
GAP = 6.0  # between blocks inside a bubble
ROW_SPACING = 4.0
REACTION_DROP = 14.0  # how far the reaction pill hangs below the bubble
SEPARATOR_HEIGHT = 34
THUMB_MAX = 240.0
STORY_SIZE = (96.0, 160.0)
STICKER = 96.0
POST_THUMB = 120.0
#: Blocks of a template card: laid out from the bubble's leading edge, like text.
CARD_KINDS = ("card_image", "card_title", "card_subtitle", "button")

#: Painted on an image that is still loading, or could not be loaded.
IMAGE_LOADING = N_("📷 Photo — loading")
IMAGE_FAILED = N_("Image unavailable — click to retry")
UNSUPPORTED = N_("Unsupported message — open in Instagram")


@functools.lru_cache(maxsize=4)
def _words(lang: str) -> Words:
    """One catalogue per language: a bubble's layout must not reopen it (it did, per message)."""
    return Words(lang)


def _open(label: str, words: Words) -> str:
    # TRANSLATORS: an attachment the owner can click to open ("🎥 Video — open").
    return words("{label} — open", label=label)


@dataclass
class Block:
    """One thing drawn in a bubble. `image_url` set: a thumbnail box for that image."""

    # text, quote, image, label, card, sticker, tombstone, unsupported; a template card is
    # card_image, card_title, card_subtitle and one button block per button
    kind: str
    rect: QRectF
    label: str = ""
    url: str | None = None  # opened on click
    image_url: str = ""
    layout: QTextLayout | None = None
    links: list[tuple[int, int, str]] = field(default_factory=list)  # UTF-16 (start, len, url)
    label_rect: QRectF | None = None


@dataclass
class MessageLayout:
    """Everything the delegate needs to paint and hit-test one message row."""

    message: Message
    quote: str | None
    width: int
    height: int
    bubble: QRectF
    blocks: list[Block]
    time_rect: QRectF
    reaction_rect: QRectF | None
    reaction_text: str


def utf16_length(text: str) -> int:
    """Length of `text` in UTF-16 code units: Qt's text positions count those."""
    return len(text.encode("utf-16-le")) // 2


def _utf16_links(text: str) -> list[tuple[int, int, str]]:
    ranges = []
    for start, length, url in link_ranges(text):
        start16 = utf16_length(text[:start])
        ranges.append((start16, utf16_length(text[start : start + length]), url))
    return ranges


def text_layout(text: str, font: QFont, max_width: float) -> tuple[QTextLayout, float, float]:
    """Lay out plain `text` wrapped at `max_width`: (layout, natural width, height)."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    rtl = is_right_to_left(text)
    option.setTextDirection(
        Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
    )
    option.setAlignment(Qt.AlignmentFlag.AlignLeading)
    layout.setTextOption(option)
    layout.setCacheEnabled(True)
    natural, height = _lay_lines(layout, max_width)
    if rtl and natural < max_width:
        # Right-aligned lines must align with the bubble's right edge, not the maximum width.
        _lay_lines(layout, math.ceil(natural))
    return layout, natural, height


def _lay_lines(layout: QTextLayout, width: float) -> tuple[float, float]:
    natural = 0.0
    y = 0.0
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
        natural = max(natural, line.naturalTextWidth())
    layout.endLayout()
    return math.ceil(natural), y


def _web(url: str) -> str | None:
    """`url` when it is a web link (the only kind a card may open), else None."""
    return url if url.lower().startswith(("https://", "http://")) else None


def _card_blocks(card: Attachment, lang: str, font: QFont, inner: float) -> list[Block]:
    """A template card: image, bold title, subtitle, then each button as a link line."""
    blocks: list[Block] = []
    opens = _web(card.url)
    if card.preview_url:
        side = min(THUMB_MAX, inner)
        rect = QRectF(0, 0, side, side * 0.6)
        blocks.append(Block("card_image", rect, "", opens, card.preview_url))
    bold = QFont(font)
    bold.setBold(True)
    title = card.title if card.title or card.subtitle else card_label("", lang)
    for kind, text, face in (("card_title", title, bold), ("card_subtitle", card.subtitle, font)):
        if text:
            layout, natural, height = text_layout(text, face, inner)
            blocks.append(Block(kind, QRectF(0, 0, natural, height), text, opens, layout=layout))
    metrics = QFontMetricsF(font)
    for button in card.buttons:
        text = one_line(button.title, 80)
        rect = QRectF(0, 0, min(metrics.horizontalAdvance(text) + 2, inner), metrics.height() + 4)
        blocks.append(Block("button", rect, text, _web(button.url)))
    return blocks


def _attachment_blocks(attachment: Attachment, lang: str, font: QFont, inner: float) -> list[Block]:
    metrics = QFontMetricsF(font)
    row = metrics.height() + 8
    kind, words = attachment.type, _words(lang)
    thumb = attachment.preview_url or attachment.url
    if kind == "template":
        return _card_blocks(attachment, lang, font, inner)

    def label(text: str, url: str | None) -> Block:
        width = min(metrics.horizontalAdvance(text) + 16, inner)
        return Block("label", QRectF(0, 0, width, row), text, url or None)

    if kind == "image":
        side = min(THUMB_MAX, inner)
        return [Block("image", QRectF(0, 0, side, side * 0.75), "", attachment.url or None, thumb)]
    if kind in ("video", "audio", "file"):
        name = attachment.name if kind == "file" and attachment.name else ""
        text = attachment_label(kind, lang) if not name else f"📄 {one_line(name, 80)}"
        return [label(_open(text, words), attachment.url)]
    if kind in ("story_reply", "story_mention"):
        if not attachment.url:
            gone = words("Story no longer available")
            return [label(attachment_label(kind, lang), None), label(gone, None)]
        story = QRectF(0, 0, min(STORY_SIZE[0], inner), STORY_SIZE[1])
        return [
            label(attachment_label(kind, lang), attachment.url),
            Block("card", story, "", attachment.url, thumb),
        ]
    if kind in ("share", "ig_post", "reel"):
        blocks = [label(_open(attachment_label(kind, lang), words), attachment.url)]
        if attachment.preview_url:
            side = min(POST_THUMB, inner)
            blocks.insert(
                0,
                Block("card", QRectF(0, 0, side, side), "", attachment.url, attachment.preview_url),
            )
        return blocks
    if kind == "sticker":
        if attachment.url:
            side = min(STICKER, inner)
            return [Block("sticker", QRectF(0, 0, side, side), "", None, attachment.url)]
        return [label(attachment_label("sticker", lang), None)]
    return [label(_open(words("📎 Attachment"), words), attachment.url)]


def reaction_summary(message: Message) -> str:
    """Emoji of the reactions, each once, with a count when more than one person reacted."""
    emoji = list(dict.fromkeys(reaction.emoji for reaction in message.reactions))
    text = "".join(emoji[:4])
    return f"{text} {len(message.reactions)}" if len(message.reactions) > 1 else text


def _content_blocks(
    message: Message, quote: str | None, inner: float, font: QFont, small: QFont, lang: str
) -> list[Block]:
    """The blocks inside a bubble, in order, not yet placed: quote, content, or a fallback."""
    blocks: list[Block] = []
    metrics, words = QFontMetricsF(font), _words(lang)
    if quote is not None:
        quote_font_metrics = QFontMetricsF(small)
        text = quote_font_metrics.elidedText(
            one_line(quote), Qt.TextElideMode.ElideRight, inner - 16
        )
        box_width = min(quote_font_metrics.horizontalAdvance(text) + 16, inner)
        blocks.append(
            Block("quote", QRectF(0, 0, box_width, quote_font_metrics.height() + 10), text)
        )
    if message.deleted:
        text = words("This message was unsent")
        blocks.append(
            Block(
                "tombstone",
                QRectF(0, 0, min(metrics.horizontalAdvance(text) + 4, inner), metrics.height()),
                text,
            )
        )
    elif message.unsupported:
        text = words(UNSUPPORTED)
        layout, natural, height = text_layout(text, font, inner)
        blocks.append(
            Block(
                "unsupported",
                QRectF(0, 0, natural, height),
                text,
                INSTAGRAM_INBOX_URL,
                layout=layout,
            )
        )
    else:
        for attachment in message.attachments:
            blocks.extend(_attachment_blocks(attachment, lang, font, inner))
        if message.text:
            layout, natural, height = text_layout(message.text, font, inner)
            blocks.append(
                Block(
                    "text",
                    QRectF(0, 0, natural, height),
                    message.text,
                    layout=layout,
                    links=_utf16_links(message.text),
                )
            )
    if not blocks:
        text = words(UNSUPPORTED)
        blocks.append(
            Block(
                "unsupported",
                QRectF(0, 0, min(metrics.horizontalAdvance(text), inner), metrics.height()),
                text,
                INSTAGRAM_INBOX_URL,
            )
        )
    return blocks


def layout_message(
    message: Message,
    quote: str | None,
    width: int,
    font: QFont,
    small: QFont,
    lang: str,
) -> MessageLayout:
    """Compute a message row's geometry for a view `width` pixels wide."""
    max_bubble = max(160.0, min(width * 0.72, 560.0))
    blocks = _content_blocks(message, quote, max_bubble - 2 * PAD_X, font, small, lang)
    content_width = max(block.rect.width() for block in blocks)
    bubble_width = max(content_width + 2 * PAD_X, 44.0)
    left = SIDE_MARGIN if not message.is_from_shop else width - SIDE_MARGIN - bubble_width
    y = ROW_SPACING + PAD_Y
    for block in blocks:
        x = left + PAD_X
        if message.is_from_shop and block.kind != "text" and block.kind not in CARD_KINDS:
            x = left + bubble_width - PAD_X - block.rect.width()
        block.rect.moveTo(x, y)
        y += block.rect.height() + GAP
    bubble = QRectF(left, ROW_SPACING, bubble_width, y - GAP + PAD_Y - ROW_SPACING)
    bottom = bubble.bottom()
    reaction_text = reaction_summary(message)
    reaction_rect: QRectF | None = None
    if reaction_text:
        small_metrics = QFontMetricsF(small)
        pill_width = small_metrics.horizontalAdvance(reaction_text) + 14
        pill_height = small_metrics.height() + 6
        x = bubble.right() - pill_width + 4 if not message.is_from_shop else bubble.left() - 4
        reaction_rect = QRectF(
            x, bubble.bottom() - pill_height + REACTION_DROP, pill_width, pill_height
        )
        bottom = reaction_rect.bottom()
    small_height = QFontMetricsF(small).height()
    time_rect = QRectF(bubble.left(), bottom + 2, bubble.width(), small_height)
    height = math.ceil(time_rect.bottom() + ROW_SPACING)
    return MessageLayout(
        message, quote, width, height, bubble, blocks, time_rect, reaction_rect, reaction_text
    )
