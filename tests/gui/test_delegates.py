"""Delegates render every kind of row offscreen, as plain text, at sizes that stay put."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QListView, QStyleOptionViewItem

from igdesk.domain import Attachment, Folder, Message, Reaction, TemplateButton
from igdesk.ui.delegates.message_delegate import MessageDelegate
from igdesk.ui.delegates.thread_delegate import ROW_HEIGHT, ThreadDelegate, row_texts
from igdesk.ui.models.messages import MessageListModel, MessageRole, RowKind
from igdesk.ui.models.threads import ThreadListModel
from igdesk.ui.text import INSTAGRAM_INBOX_URL
from igdesk.views import SearchResult, ThreadView

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
HTML = "<b>hi</b><script>alert(1)</script>"
RTL = "مرحبا، هل هذا متوفر؟ شكرا"
EMOJI = "Bagus banget 😍🔥👍🏽 👨‍👩‍👧"
LONG = ("Lorem ipsum dolor sit amet, " * 400)[:10_000]


def thread(n: int, **kw: Any) -> ThreadView:
    values: dict[str, Any] = dict(
        id=f"t{n}",
        contact_id=f"c{n}",
        folder=Folder.PRIMARY,
        contact_name=f"Customer {n}",
        contact_username=f"user{n}",
        avatar_url=f"https://cdn.example/c{n}.jpg",
        sort_time=T0 + timedelta(minutes=n),
        last_customer_message_at=T0,
        unread=n % 3,
        history_gap=False,
        created_at=T0,
        last_message_text="hello",
        last_message_attachment_types=(),
        last_message_is_from_shop=False,
    )
    values.update(kw)
    return ThreadView(**values)


_VIEWS: list[QListView] = []


def option_for(rect: QRect, palette: QPalette | None = None) -> QStyleOptionViewItem:
    """An option as a view gives it (a widget set: PySide6 6.12 mishandles a null one)."""
    if not _VIEWS:
        _VIEWS.append(QListView())
    option = QStyleOptionViewItem()
    option.widget = _VIEWS[0]
    option.rect = rect
    option.font = QFont()
    if palette is not None:
        option.palette = palette
    return option


def render(delegate: Any, index: Any, width: int = 420, palette: QPalette | None = None) -> QImage:
    hint = delegate.sizeHint(option_for(QRect(0, 0, width, 0), palette), index)
    assert hint.width() > 0 and hint.height() > 0
    image = QImage(max(hint.width(), 1), hint.height(), QImage.Format.Format_ARGB32)
    image.fill(palette.color(QPalette.ColorRole.Base) if palette else QColor("white"))
    painter = QPainter(image)
    delegate.paint(painter, option_for(QRect(0, 0, width, hint.height()), palette), index)
    painter.end()
    return image


def dark_palette() -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor(24, 24, 24))
    palette.setColor(QPalette.ColorRole.Window, QColor(30, 30, 30))
    palette.setColor(QPalette.ColorRole.Text, QColor(230, 230, 230))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(60, 110, 220))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    return palette


# --- threads -----------------------------------------------------------------------------


def test_thread_rows_render_plain_text(qapp: Any) -> None:
    model = ThreadListModel(None, now=lambda: T0 + timedelta(hours=23))
    model.reset_rows(
        [
            thread(1, contact_name=HTML, last_message_text=HTML),
            thread(2, contact_name=RTL, last_message_text=RTL, unread=250),
            thread(3, contact_name="", last_message_text=EMOJI),
            thread(4, last_message_text=LONG, last_message_attachment_types=("image",)),
        ]
    )
    red = QPixmap(80, 80)
    red.fill(QColor("red"))
    asked: list[tuple[str, str]] = []

    def avatar(url: str, contact_id: str) -> QPixmap | None:
        asked.append((url, contact_id))  # the row carries its picture's URL: no query
        return red if contact_id == "c4" else None

    delegate = ThreadDelegate(avatar_for=avatar)
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        image = render(delegate, index, palette=dark_palette() if row % 2 else None)
        assert image.height() == ROW_HEIGHT
    texts = {
        row_texts(model.index(r, 0)).contact_id: row_texts(model.index(r, 0)) for r in range(4)
    }
    assert texts["c1"].title == HTML and texts["c1"].preview == HTML
    assert texts["c2"].title == RTL and texts["c2"].unread == 250
    assert texts["c3"].title == "@user3" and texts["c3"].username == ""
    assert texts["c1"].badge is not None and texts["c1"].badge.severity == "closing"
    assert ("https://cdn.example/c4.jpg", "c4") in asked


def test_thread_size_hint_is_fixed(qapp: Any) -> None:
    model = ThreadListModel(None)
    model.reset_rows([thread(1)])
    delegate = ThreadDelegate()
    sizes = {delegate.sizeHint(option_for(QRect(0, 0, w, 0)), model.index(0, 0)) for w in (0, 500)}
    assert {size.height() for size in sizes} == {ROW_HEIGHT}


# --- messages ----------------------------------------------------------------------------


def m(n: int, **kw: Any) -> Message:
    values: dict[str, Any] = dict(
        id=f"m{n}", thread_id="t1", sender_id="c1", created_time=T0 + timedelta(minutes=n), text=""
    )
    values.update(kw)
    return Message(**values)


ATTACHMENT_KINDS = [
    Attachment("image", "https://cdn.example/ok.jpg"),
    Attachment("image", "https://cdn.example/loading.jpg"),
    Attachment("image", "https://cdn.example/failed.jpg"),
    Attachment("video", "https://cdn.example/v.mp4"),
    Attachment("audio", "https://cdn.example/a.m4a"),
    Attachment("file", "https://cdn.example/invoice.pdf", name="invoice.pdf"),
    Attachment("story_reply", "https://cdn.example/ok.jpg"),
    Attachment("story_mention", ""),
    Attachment("share", "https://instagram.com/p/1", preview_url="https://cdn.example/ok.jpg"),
    Attachment("reel", "https://instagram.com/reel/1"),
    Attachment("ig_post", "https://instagram.com/p/2"),
    Attachment("sticker", "https://cdn.example/ok.jpg"),
    Attachment("sticker", ""),
    Attachment("hologram", "https://cdn.example/h"),
    Attachment(
        "template",
        "https://shop.example/p/1",
        "https://cdn.example/ok-card.jpg",
        title="Batik shirt",
        subtitle="Rp 150.000 — free shipping",
        buttons=(
            TemplateButton("Buy now", "https://shop.example/buy"),
            TemplateButton("Ask a question"),  # a postback: shown, not opened
            TemplateButton("Run me", "javascript:alert(1)"),
        ),
    ),
]
CARD_ID = f"m{20 + len(ATTACHMENT_KINDS) - 1}"


class Images:
    """A fake image provider: "ok" URLs are ready, "failed" ones failed, the rest loading."""

    def __init__(self) -> None:
        self.pixmap = QPixmap(300, 200)
        self.pixmap.fill(QColor("green"))

    def image_for(self, url: str) -> QPixmap | None:
        return self.pixmap if "ok" in url else None

    def image_state(self, url: str) -> str:
        return "ready" if "ok" in url else "failed" if "failed" in url else "loading"


@pytest.fixture
def conversation(qapp: Any) -> MessageListModel:
    messages = [
        m(1, text=HTML),
        m(2, text=RTL),
        m(3, text=EMOJI, is_from_shop=True),
        m(4, text=LONG),
        m(5, deleted=True),
        m(6, unsupported=True),
        m(7, text="thanks!", reactions=(Reaction("s", "❤️"), Reaction("c1", "😂"))),
        m(8, text="yes it is", reply_to="m1", is_from_shop=True),
        m(9, text="see https://shop.example/p/1 please"),
        m(10, text=RTL, is_from_shop=True),
        *[
            m(20 + i, attachments=(a,), is_from_shop=bool(i % 2))
            for i, a in enumerate(ATTACHMENT_KINDS)
        ],
        m(60, created_time=T0 + timedelta(days=1), text="tomorrow"),
    ]
    model = MessageListModel(tz=UTC)
    model.load(messages, has_older=False, history_gap=True)
    return model


def delegate_for(images: Images | None = None) -> MessageDelegate:
    images = images or Images()
    return MessageDelegate(image_for=images.image_for, image_state=images.image_state)


def test_every_message_row_renders_with_stable_size(conversation: MessageListModel) -> None:
    delegate = delegate_for()
    kinds = set()
    for row in range(conversation.rowCount()):
        index = conversation.index(row, 0)
        kinds.add(index.data(MessageRole.KIND))
        for palette in (None, dark_palette()):
            render(delegate, index, palette=palette)
        first = delegate.sizeHint(option_for(QRect(0, 0, 420, 0)), index)
        again = delegate.sizeHint(option_for(QRect(0, 0, 420, 0)), index)
        assert first == again and first.height() > 0
    assert kinds == {RowKind.MESSAGE, RowKind.DAY, RowKind.GAP}


def block_of(delegate: MessageDelegate, model: MessageListModel, message_id: str, kind: str) -> Any:
    row = model.row_of(message_id)
    assert row is not None
    layout = delegate.layout_for(model.index(row, 0), 420, QFont())
    assert layout is not None
    return next(block for block in layout.blocks if block.kind == kind)


def test_html_text_is_laid_out_verbatim(conversation: MessageListModel) -> None:
    block = block_of(delegate_for(), conversation, "m1", "text")
    assert block.layout.text() == HTML


def test_right_to_left_text_aligns_right(conversation: MessageListModel) -> None:
    delegate = delegate_for()
    block = block_of(delegate, conversation, "m2", "text")
    assert block.layout.text() == RTL
    assert block.layout.textOption().textDirection() == Qt.LayoutDirection.RightToLeft
    line = block.layout.lineAt(0)
    assert line.naturalTextRect().right() == pytest.approx(block.rect.width(), abs=1.5)
    ltr = block_of(delegate, conversation, "m9", "text")
    assert ltr.layout.textOption().textDirection() == Qt.LayoutDirection.LeftToRight


def test_emoji_text_keeps_default_font(conversation: MessageListModel) -> None:
    block = block_of(delegate_for(), conversation, "m3", "text")
    assert block.layout.text() == EMOJI
    assert block.layout.font() == QFont()


def test_ten_thousand_characters_wrap(conversation: MessageListModel) -> None:
    """Figures for long texts live in bench/bench_models.py; here only the wrapping."""
    delegate = delegate_for()
    index = conversation.index(conversation.row_of("m4") or 0, 0)
    narrow = delegate.sizeHint(option_for(QRect(0, 0, 300, 0)), index)
    wide = delegate.sizeHint(option_for(QRect(0, 0, 900, 0)), index)
    assert narrow.height() > wide.height() > 500
    render(delegate, index, width=300)


def test_tombstone_unsupported_reactions_and_quote(conversation: MessageListModel) -> None:
    delegate = delegate_for()
    assert block_of(delegate, conversation, "m5", "tombstone").label == "This message was unsent"
    unsupported = block_of(delegate, conversation, "m6", "unsupported")
    assert unsupported.url == INSTAGRAM_INBOX_URL
    row = conversation.row_of("m7")
    layout = delegate.layout_for(conversation.index(row or 0, 0), 420, QFont())
    assert layout is not None and layout.reaction_text == "❤️😂 2"
    assert layout.reaction_rect is not None and layout.reaction_rect.bottom() <= layout.height
    assert block_of(delegate, conversation, "m8", "quote").label == HTML


def test_attachment_labels(conversation: MessageListModel) -> None:
    delegate = delegate_for()
    labels = []
    for i in range(len(ATTACHMENT_KINDS)):
        row = conversation.row_of(f"m{20 + i}")
        layout = delegate.layout_for(conversation.index(row or 0, 0), 420, QFont())
        assert layout is not None
        labels.append([block.label for block in layout.blocks if block.kind == "label"])
    assert labels[3] == ["🎥 Video — open"]
    assert labels[4] == ["🎤 Voice message — open"]
    assert labels[5] == ["📄 invoice.pdf — open"]
    assert labels[6] == ["Replied to your story"]
    assert labels[7] == ["Mentioned you in their story", "Story no longer available"]
    assert labels[8] == ["Shared a post — open"]
    assert labels[9] == ["Shared a reel — open"]
    assert labels[12] == ["Sticker"]
    assert labels[13] == ["📎 Attachment — open"]


def test_template_card_lays_out_title_subtitle_and_buttons(
    conversation: MessageListModel,
) -> None:
    delegate = delegate_for()
    row = conversation.row_of(CARD_ID)
    index = conversation.index(row or 0, 0)
    layout = delegate.layout_for(index, 420, QFont())
    assert layout is not None
    blocks = {block.kind: block for block in layout.blocks}
    assert [b.kind for b in layout.blocks] == [
        "card_image",
        "card_title",
        "card_subtitle",
        "button",
        "button",
        "button",
    ]
    assert blocks["card_image"].image_url == "https://cdn.example/ok-card.jpg"
    title, subtitle = blocks["card_title"], blocks["card_subtitle"]
    assert title.layout.text() == "Batik shirt" and title.layout.font().bold()
    assert subtitle.layout.text() == "Rp 150.000 — free shipping"
    assert not subtitle.layout.font().bold()
    buttons = [b for b in layout.blocks if b.kind == "button"]
    assert [b.label for b in buttons] == ["Buy now", "Ask a question", "Run me"]
    assert [b.url for b in buttons] == ["https://shop.example/buy", None, None]
    assert all(b.rect.bottom() <= layout.bubble.bottom() for b in layout.blocks)
    tops = [b.rect.top() for b in layout.blocks]
    assert tops == sorted(tops)  # stacked, none overlapping the next
    rect = QRect(0, 0, 420, layout.height)
    for block, url in zip(buttons, ["https://shop.example/buy", None, None], strict=True):
        assert delegate.hit_test(index, block.rect.center().toPoint(), rect) == url
    title_point = title.rect.center().toPoint()
    assert delegate.hit_test(index, title_point, rect) == "https://shop.example/p/1"
    assert conversation.data(index, MessageRole.KIND) == RowKind.MESSAGE
    accessible = conversation.data(index, Qt.ItemDataRole.AccessibleTextRole)
    assert "Card: Batik shirt" in accessible


def test_bare_template_card_and_card_preview_in_thread_list(qapp: Any) -> None:
    shop_card = Attachment("template", preview_url="https://cdn.example/ok.jpg", title="Promo")
    model = MessageListModel(tz=UTC)
    model.load(
        [
            m(1, attachments=(Attachment("template"),)),
            m(2, attachments=(shop_card,), is_from_shop=True),
        ],
        has_older=False,
        history_gap=False,
    )
    delegate = delegate_for()
    layout = delegate.layout_for(model.index(1, 0), 420, QFont())
    assert layout is not None
    assert [(b.kind, b.label) for b in layout.blocks] == [("card_title", "Card")]
    layout = delegate.layout_for(model.index(2, 0), 420, QFont())
    assert layout is not None and [b.kind for b in layout.blocks] == ["card_image", "card_title"]
    assert len({b.rect.left() for b in layout.blocks}) == 1  # one card edge in the shop's bubble
    threads = ThreadListModel(None, now=lambda: T0)
    row = thread(
        1,
        last_message_text="",
        last_message_attachment_types=("template",),
        last_message_card_title="Batik shirt",
        last_message_is_from_shop=True,
    )
    threads.reset_rows([row])
    assert row_texts(threads.index(0, 0)).preview == "You: Card: Batik shirt"


def center_of(delegate: MessageDelegate, model: MessageListModel, mid: str, kind: str) -> QPoint:
    return block_of(delegate, model, mid, kind).rect.center().toPoint()


def test_hit_test_finds_links_and_attachments(conversation: MessageListModel) -> None:
    delegate = delegate_for()
    rect = QRect(0, 0, 420, 100)
    index = conversation.index(conversation.row_of("m23") or 0, 0)
    point = center_of(delegate, conversation, "m23", "label")
    assert delegate.hit_test(index, point, rect) == "https://cdn.example/v.mp4"
    index = conversation.index(conversation.row_of("m20") or 0, 0)
    point = center_of(delegate, conversation, "m20", "image")
    assert delegate.hit_test(index, point, rect) == "https://cdn.example/ok.jpg"
    assert delegate.hit_test(index, QPoint(415, 2), rect) is None
    # A link inside text: the point over its tenth character.
    block = block_of(delegate, conversation, "m9", "text")
    line = block.layout.lineAt(0)
    x = line.cursorToX(10)[0] + 2
    index = conversation.index(conversation.row_of("m9") or 0, 0)
    on_link = block.rect.topLeft() + QPointF(x, line.height() / 2)
    assert delegate.hit_test(index, on_link, rect) == "https://shop.example/p/1"
    assert delegate.hit_test(index, block.rect.topLeft() + QPointF(2, 2), rect) is None
    day = conversation.index(1, 0)
    assert delegate.hit_test(day, QPoint(10, 10), rect) is None


def test_click_on_failed_image_asks_retry(qtbot: Any, conversation: MessageListModel) -> None:
    delegate = delegate_for()
    view = QListView()
    qtbot.addWidget(view)
    row = conversation.row_of("m22") or 0
    index = conversation.index(row, 0)
    point = center_of(delegate, conversation, "m22", "image") + QPoint(0, 500)
    rect = QRect(0, 500, 420, 300)
    option = option_for(rect)
    event = QMouseEvent(
        QEvent.Type.MouseButtonRelease,
        QPointF(point),
        QPointF(point),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(delegate.retry_requested) as retry:
        assert delegate.editorEvent(event, conversation, option, index)
    assert retry.args == ["https://cdn.example/failed.jpg"]
    video = conversation.index(conversation.row_of("m23") or 0, 0)
    point = center_of(delegate, conversation, "m23", "label") + QPoint(0, 500)
    event = QMouseEvent(
        QEvent.Type.MouseButtonRelease,
        QPointF(point),
        QPointF(point),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(delegate.link_activated) as opened:
        assert delegate.editorEvent(event, conversation, option, video)
    assert opened.args == ["https://cdn.example/v.mp4"]


def test_dark_palette_has_no_white_bubbles(conversation: MessageListModel) -> None:
    delegate = delegate_for()
    index = conversation.index(conversation.row_of("m1") or 0, 0)
    image = render(delegate, index, palette=dark_palette())
    layout = delegate.layout_for(index, 420, QFont())
    assert layout is not None
    inside = layout.bubble.topLeft().toPoint() + QPoint(4, int(layout.bubble.height() / 2))
    assert QColor(image.pixel(inside)).lightness() < 80


def test_view_scrolls_a_real_list(qtbot: Any, conversation: MessageListModel) -> None:
    view = QListView()
    qtbot.addWidget(view)
    view.setItemDelegate(delegate_for())
    view.setModel(conversation)
    view.resize(QSize(500, 400))
    view.show()
    view.scrollToBottom()
    assert not view.grab().isNull()
    view.scrollToTop()
    assert not view.grab().isNull()


def test_search_delegate_paints_highlighted_runs_as_plain_text(qapp: Any) -> None:
    from igdesk.ui.delegates.search_delegate import ROW_HEIGHT, SearchDelegate
    from igdesk.ui.models.search import SearchResultModel

    model = SearchResultModel()
    snippet = "<b>x</b> ada \x02ongkir\x03 ke Bandung"
    hit = SearchResult("t1", "m1", snippet, datetime(2026, 1, 1, tzinfo=UTC), "Ani", "ani")
    model.set_hits([hit])
    delegate = SearchDelegate()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 400, ROW_HEIGHT)
    index = model.index(0, 0)
    assert delegate.sizeHint(option, index).height() == ROW_HEIGHT
    image = QImage(400, ROW_HEIGHT, QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    delegate.paint(painter, option, index)
    painter.end()
    colours = {image.pixel(x, y) for x in range(0, 400, 3) for y in range(0, ROW_HEIGHT, 3)}
    assert len(colours) > 3  # text and a highlight tint were drawn
