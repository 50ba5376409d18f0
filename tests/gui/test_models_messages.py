"""MessageListModel: day separators in local time, gap row, older pages, in-place updates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QPersistentModelIndex

from igdesk.domain import Attachment, Message, Reaction
from igdesk.ui.models.messages import MessageListModel, MessageRole, RowKind

WIB = timezone(timedelta(hours=7))
NEW_YORK = timezone(timedelta(hours=-5))
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 15:00 in Jakarta, 03:00 in New York


def msg(n: int, at: datetime, **kw: Any) -> Message:
    values: dict[str, Any] = {
        "id": f"m{n:05d}",
        "thread_id": "t1",
        "sender_id": "c1",
        "created_time": at,
        "text": f"text {n}",
    }
    values.update(kw)
    return Message(**values)


def rows(model: MessageListModel) -> list[str]:
    """Rows as short labels: "day:2026-03-10", "gap", or the message id."""
    out = []
    for r in range(model.rowCount()):
        index = model.index(r, 0)
        kind = index.data(MessageRole.KIND)
        if kind == RowKind.DAY:
            out.append(f"day:{index.data(MessageRole.DAY).isoformat()}")
        elif kind == RowKind.GAP:
            out.append("gap")
        else:
            out.append(index.data(MessageRole.MESSAGE_ID))
    return out


def new_model(tz: Any = WIB) -> MessageListModel:
    return MessageListModel(tz=tz, today=lambda: date(2026, 3, 11))


class Spy:
    def __init__(self, model: QAbstractItemModel) -> None:
        self.events: list[tuple[Any, ...]] = []
        model.modelReset.connect(lambda: self.events.append(("reset",)))
        model.rowsInserted.connect(lambda _p, a, b: self.events.append(("inserted", a, b)))
        model.rowsRemoved.connect(lambda _p, a, b: self.events.append(("removed", a, b)))
        model.dataChanged.connect(
            lambda tl, br, _r: self.events.append(("changed", tl.row(), br.row()))
        )


def test_modeltester_empty_filled_and_after_changes(qtmodeltester: Any) -> None:
    model = new_model()
    qtmodeltester.check(model)
    model.load(
        [msg(n, T0 + timedelta(hours=5 * n)) for n in range(10, 20)],
        has_older=True,
        history_gap=True,
    )
    qtmodeltester.check(model)
    model.prepend_older([msg(n, T0 + timedelta(hours=5 * n)) for n in range(10)], has_older=False)
    model.append_or_update([msg(30, T0 + timedelta(days=9)), msg(12, T0, text="edited")])
    qtmodeltester.check(model)


def test_day_separators_follow_local_time() -> None:
    # 16:30 and 17:30 UTC: the same day in New York, two days in Jakarta (23:30 | 00:30).
    messages = [
        msg(1, T0 + timedelta(hours=8, minutes=30)),
        msg(2, T0 + timedelta(hours=9, minutes=30)),
    ]
    jakarta = new_model(WIB)
    jakarta.load(messages, has_older=False, history_gap=False)
    assert rows(jakarta) == ["day:2026-03-10", "m00001", "day:2026-03-11", "m00002"]
    new_york = new_model(NEW_YORK)
    new_york.load(messages, has_older=False, history_gap=False)
    assert rows(new_york) == ["day:2026-03-10", "m00001", "m00002"]
    assert jakarta.index(2, 0).data() == "Today"
    assert jakarta.index(0, 0).data() == "Yesterday"
    assert jakarta.index(1, 0).data(MessageRole.TIME_TEXT) == "23:30"
    assert new_york.index(1, 0).data(MessageRole.TIME_TEXT) == "11:30"


def test_load_sorts_and_shows_gap_only_without_older() -> None:
    model = new_model()
    later, earlier = msg(2, T0 + timedelta(minutes=1)), msg(1, T0)
    model.load([later, earlier], has_older=False, history_gap=True)
    assert rows(model) == ["gap", "day:2026-03-10", "m00001", "m00002"]
    assert model.index(0, 0).data() == "Earlier messages may be missing"
    model.load([later, earlier], has_older=True, history_gap=True)
    assert rows(model) == ["day:2026-03-10", "m00001", "m00002"]
    assert model.has_older
    assert model.oldest_message() == earlier and model.newest_message() == later
    assert model.messages() == [earlier, later]


def test_prepend_older_keeps_rows_and_separators() -> None:
    model = new_model()
    day2 = [msg(n, T0 + timedelta(days=1, minutes=n)) for n in (10, 11)]
    model.load(day2, has_older=True, history_gap=True)
    keep = [QPersistentModelIndex(model.index(r, 0)) for r in range(model.rowCount())]
    spy = Spy(model)
    older = [msg(1, T0), msg(2, T0 + timedelta(days=1))]  # one earlier day, one on day 2
    model.prepend_older(older, has_older=False)
    assert rows(model) == [
        "gap",
        "day:2026-03-10",
        "m00001",
        "day:2026-03-11",
        "m00002",
        "m00010",
        "m00011",
    ]
    assert ("reset",) not in spy.events
    assert spy.events == [("inserted", 0, 1), ("inserted", 3, 3), ("inserted", 0, 0)]
    # Every row that was there keeps its identity (the day 2 separator included).
    assert [k.data(MessageRole.MESSAGE_ID) for k in keep] == [None, "m00010", "m00011"]
    assert keep[0].data(MessageRole.DAY) == date(2026, 3, 11)
    assert [k.row() for k in keep] == [3, 5, 6]
    assert model.row_of("m00011") == 6 and model.row_of("zzz") is None


def test_append_new_and_update_in_place() -> None:
    model = new_model()
    model.load([msg(1, T0), msg(2, T0 + timedelta(minutes=1))], has_older=False, history_gap=False)
    spy = Spy(model)
    tomorrow = msg(3, T0 + timedelta(days=1))
    model.append_or_update([tomorrow, msg(4, T0 + timedelta(minutes=2))])
    assert spy.events == [("inserted", 3, 5)]  # one contiguous run at the bottom
    assert rows(model)[-3:] == ["m00004", "day:2026-03-11", "m00003"]
    spy.events.clear()
    reacted = replace(tomorrow, reactions=(Reaction("c1", "❤️"),))
    model.append_or_update([reacted])
    model.append_or_update([reacted])  # unchanged: no signal
    unsent = replace(msg(1, T0), deleted=True, text="")
    model.append_or_update([unsent])
    assert spy.events == [("changed", 5, 5), ("changed", 1, 1)]
    assert model.index(5, 0).data(MessageRole.REACTIONS) == (Reaction("c1", "❤️"),)
    assert model.index(1, 0).data(MessageRole.DELETED) is True


def test_reply_quote_lookup_and_refresh() -> None:
    model = new_model()
    reply = msg(5, T0 + timedelta(hours=1), reply_to="m00001", text="yes")
    orphan = msg(6, T0 + timedelta(hours=2), reply_to="gone")
    model.load([reply, orphan], has_older=True, history_gap=False)
    at = model.row_of("m00005")
    assert at is not None
    assert model.index(at, 0).data(MessageRole.REPLY_QUOTE) == "Replied to a message"
    spy = Spy(model)
    model.prepend_older([msg(1, T0, text="Is it in stock?")], has_older=False)
    at = model.row_of("m00005")
    assert at is not None
    assert ("changed", at, at) in spy.events
    assert model.index(at, 0).data(MessageRole.REPLY_QUOTE) == "Is it in stock?"
    model.append_or_update([msg(1, T0, text="", attachments=(Attachment("image", "u"),))])
    assert model.index(at, 0).data(MessageRole.REPLY_QUOTE) == "📷 Photo"
    model.append_or_update([msg(1, T0, deleted=True)])
    assert model.index(at, 0).data(MessageRole.REPLY_QUOTE) == "Message unsent"
    plain = model.row_of("m00006")
    assert plain is not None and model.index(plain, 0).data(MessageRole.REPLY_QUOTE) is not None


def test_roles_of_a_message() -> None:
    model = new_model()
    shop = msg(1, T0, is_from_shop=True, unsupported=True, attachments=(Attachment("video", "v"),))
    model.load([shop], has_older=False, history_gap=False)
    index = model.index(1, 0)
    assert index.data(MessageRole.MESSAGE) == shop
    assert index.data(MessageRole.TEXT) == index.data() == "text 1"
    assert index.data(MessageRole.IS_FROM_SHOP) is True
    assert index.data(MessageRole.UNSUPPORTED) is True
    assert index.data(MessageRole.ATTACHMENTS) == (Attachment("video", "v"),)
    assert index.data(MessageRole.CREATED) == T0
    assert index.data(MessageRole.REPLY_QUOTE) is None
    assert model.message_count() == 1 and model.message("m00001") == shop


def test_five_thousand_messages_load(qtmodeltester: Any) -> None:
    model = new_model()
    messages = [msg(n, T0 + timedelta(minutes=37 * n)) for n in range(5000)]
    model.load(messages, has_older=False, history_gap=False)
    assert model.message_count() == 5000
    kinds = [model.index(r, 0).data(MessageRole.KIND) for r in range(model.rowCount())]
    assert kinds.count(RowKind.DAY) == len(
        {m.created_time.astimezone(WIB).date() for m in messages}
    )


def test_messages_of_the_same_second_keep_the_archives_order() -> None:
    """Graph's times are whole seconds: an album or a quick burst shares one. The rows follow
    the order the archive gives (oldest first), not the ids (opaque strings)."""
    model = new_model()
    same = T0 + timedelta(hours=1)
    page = [msg(1, same, id="zz-first"), msg(2, same, id="aa-second")]
    model.load(page, has_older=True, history_gap=False)
    assert rows(model) == ["day:2026-03-10", "zz-first", "aa-second"]
    older = [msg(3, same, id="yy-earlier"), msg(4, same, id="bb-earlier-still-later")]
    model.prepend_older(older, has_older=False)
    assert rows(model)[1:] == ["yy-earlier", "bb-earlier-still-later", "zz-first", "aa-second"]
    assert model.oldest_message() == older[0]
    model.append_or_update([msg(5, same, id="00-newest"), msg(6, same, id="01-newer-still")])
    assert rows(model)[-2:] == ["00-newest", "01-newer-still"]
