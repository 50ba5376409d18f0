"""One conversation as a list: messages oldest first, day separators, and a history-gap row.

Every row has a sort key — (timestamp, kind order, rank) — so a day separator sorts just before
the first message of its day (its key is that local midnight) and the gap row before all.
Messages of the same second (Graph's times have no finer grain: an album, a quick burst) keep
the archive's order: the rank counts up as messages arrive oldest first, and down for older
pages loaded above.
New messages are merged in with `bisect`, one `beginInsertRows` per contiguous run; a known
message id updates in place. Nothing heavy runs in `data()`: texts are computed on insert.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from enum import IntEnum, StrEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from igdesk.domain import Message, utc_now
from igdesk.i18n import N_, Words
from igdesk.ui.text import card_title_of, clock_time, day_label, from_you, preview_text

_Index = QModelIndex | QPersistentModelIndex
_Key = tuple[float, int, int]

_GAP_TEXT = N_("Earlier messages may be missing")
_REPLY_UNKNOWN = N_("Replied to a message")


class RowKind(StrEnum):
    MESSAGE = "message"
    DAY = "day"
    GAP = "gap"


class MessageRole(IntEnum):
    """Data roles of MessageListModel (DisplayRole: message text, day label or gap text)."""

    KIND = Qt.ItemDataRole.UserRole + 1  # RowKind
    MESSAGE = KIND + 1  # domain.Message (None on day/gap rows)
    MESSAGE_ID = KIND + 2
    TEXT = KIND + 3
    IS_FROM_SHOP = KIND + 4
    TIME_TEXT = KIND + 5  # "09:05", local time
    ATTACHMENTS = KIND + 6  # tuple[Attachment, ...]
    REACTIONS = KIND + 7  # tuple[Reaction, ...]
    DELETED = KIND + 8
    UNSUPPORTED = KIND + 9
    REPLY_QUOTE = KIND + 10  # str | None: the quoted message's text (or a description)
    DAY = KIND + 11  # datetime.date of a day row
    CREATED = KIND + 12  # datetime of a message


@dataclass(frozen=True)
class _Row:
    kind: RowKind
    key: _Key
    message: Message | None = None
    day: date | None = None
    time_text: str = ""


class MessageListModel(QAbstractListModel):
    """Messages of one thread, oldest at the top, with day separators between days."""

    def __init__(
        self,
        *,
        lang: str = "en",
        tz: tzinfo | None = None,
        today: Callable[[], date] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._lang = lang
        self._words = Words(lang)
        self._tz = tz  # None: the system's local time zone decides day boundaries
        self._today = today or (lambda: utc_now().astimezone(tz).date())
        self._rows: list[_Row] = []
        self._keys: list[_Key] = []
        self._days: set[date] = set()
        self._messages: dict[str, Message] = {}
        self._row_of: dict[str, int] | None = {}
        self._repliers: dict[str, set[str]] = {}  # quoted id → ids of messages quoting it
        self._has_older = False
        self._history_gap = False
        self._next_rank = 0  # the rank of the next message appended (counts up)
        self._first_rank = 0  # the rank of the oldest page's first message (counts down)

    # --- read access ---------------------------------------------------------------------

    @property
    def has_older(self) -> bool:
        """Whether older messages can still be loaded (the view asks when scrolled to top)."""
        return self._has_older

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def row_of(self, message_id: str) -> int | None:
        if self._row_of is None:
            self._row_of = {
                row.message.id: position
                for position, row in enumerate(self._rows)
                if row.message is not None
            }
        return self._row_of.get(message_id)

    def message_with_url(self, url: str) -> Message | None:
        """The loaded message that has an attachment at this URL, if any."""
        for message in self.messages():
            if any(attachment.url == url for attachment in message.attachments):
                return message
        return None

    def message(self, message_id: str) -> Message | None:
        return self._messages.get(message_id)

    def messages(self) -> list[Message]:
        """The loaded messages, oldest first."""
        return [row.message for row in self._rows if row.message is not None]

    def oldest_message(self) -> Message | None:
        """The oldest loaded message: the `before` point of the next older page."""
        for row in self._rows:
            if row.message is not None:
                return row.message
        return None

    def newest_message(self) -> Message | None:
        for row in reversed(self._rows):
            if row.message is not None:
                return row.message
        return None

    def kind_at(self, row: int) -> RowKind:
        return self._rows[row].kind

    def message_count(self) -> int:
        return len(self._messages)

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        for role in MessageRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == MessageRole.KIND:
            return row.kind
        message = row.message
        if message is None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                if row.day is not None:
                    return day_label(row.day, self._today(), self._lang)
                return self._words(_GAP_TEXT)
            if role == MessageRole.DAY:
                return row.day
            return None
        return self._message_data(row, message, role)

    def _message_data(self, row: _Row, message: Message, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, MessageRole.TEXT):
            return message.text
        if role == MessageRole.MESSAGE:
            return message
        if role == MessageRole.MESSAGE_ID:
            return message.id
        if role == MessageRole.IS_FROM_SHOP:
            return message.is_from_shop
        if role == MessageRole.TIME_TEXT:
            return row.time_text
        if role == MessageRole.ATTACHMENTS:
            return message.attachments
        if role == MessageRole.REACTIONS:
            return message.reactions
        if role == MessageRole.DELETED:
            return message.deleted
        if role == MessageRole.UNSUPPORTED:
            return message.unsupported
        if role == MessageRole.REPLY_QUOTE:
            return self.quote_of(message)
        if role == MessageRole.CREATED:
            return message.created_time
        if role == Qt.ItemDataRole.AccessibleTextRole:
            body = self._describe(message)
            if message.is_from_shop:
                body = from_you(body, self._words)
            return f"{body}, {row.time_text}"
        return None

    def quote_of(self, message: Message) -> str | None:
        """Text of the message `message` replies to (a description when not loaded)."""
        if message.reply_to is None:
            return None
        quoted = self._messages.get(message.reply_to)
        if quoted is None:
            return self._words(_REPLY_UNKNOWN)
        return self._describe(quoted)

    def _describe(self, message: Message) -> str:
        if message.text and not message.deleted:
            return message.text
        return preview_text(
            message.text,
            [attachment.type for attachment in message.attachments],
            False,
            self._lang,
            deleted=message.deleted,
            unsupported=message.unsupported,
            card_title=card_title_of(message.attachments),
        )

    # --- updates -------------------------------------------------------------------------

    def load(self, messages: list[Message], *, has_older: bool, history_gap: bool) -> None:
        """Open a conversation: replace everything with one reset."""
        self.beginResetModel()
        self._rows, self._keys = [], []
        self._days.clear()
        self._messages.clear()
        self._repliers.clear()
        self._row_of = {}
        self._has_older = has_older
        self._history_gap = history_gap
        self._next_rank = self._first_rank = 0
        fresh = self._new_rows(self._unique(messages))
        if history_gap and not has_older:
            fresh.append(_Row(RowKind.GAP, (float("-inf"), 0, 0)))
        fresh.sort(key=lambda row: row.key)
        self._rows = fresh
        self._keys = [row.key for row in fresh]
        self._row_of = None
        self.endResetModel()

    def prepend_older(self, messages: Iterable[Message], *, has_older: bool) -> None:
        """Older messages loaded while scrolling up: inserted above, existing rows kept."""
        self._has_older = has_older
        self._merge(self._unique(messages), older=True)
        gap_shown = bool(self._rows) and self._rows[0].kind is RowKind.GAP
        if self._history_gap and not has_older and not gap_shown:
            self.beginInsertRows(QModelIndex(), 0, 0)
            gap = _Row(RowKind.GAP, (float("-inf"), 0, 0))
            self._rows.insert(0, gap)
            self._keys.insert(0, gap.key)
            self._row_of = None
            self.endInsertRows()

    def append_or_update(self, messages: Iterable[Message]) -> None:
        """New messages go in at their place (the bottom, normally); known ids update in place."""
        fresh: list[Message] = []
        for message in self._unique(messages):
            if message.id in self._messages:
                self._update(message)
            else:
                fresh.append(message)
        self._merge(fresh)

    def _unique(self, messages: Iterable[Message]) -> list[Message]:
        return list({message.id: message for message in messages}.values())

    def _key(self, message: Message, rank: int) -> _Key:
        return (message.created_time.timestamp(), 2, rank)

    def _day_of(self, message: Message) -> date:
        return message.created_time.astimezone(self._tz).date()

    def _day_row(self, day: date) -> _Row:
        midnight = datetime.combine(day, time(), tzinfo=self._tz)
        return _Row(RowKind.DAY, (midnight.timestamp(), 1, 0), day=day)

    def _new_rows(self, messages: list[Message], *, older: bool = False) -> list[_Row]:
        """Rows for messages not shown yet (given oldest first), with the day rows they need;
        registers them. `older`: a page from above what is shown."""
        rows: list[_Row] = []
        unseen = [message for message in messages if message.id not in self._messages]
        if older:
            self._first_rank -= len(unseen)
            ranks = iter(range(self._first_rank, self._first_rank + len(unseen)))
        else:
            ranks = iter(range(self._next_rank, self._next_rank + len(unseen)))
            self._next_rank += len(unseen)
        for message in unseen:
            day = self._day_of(message)
            if day not in self._days:
                self._days.add(day)
                rows.append(self._day_row(day))
            time_text = clock_time(message.created_time, self._tz)
            key = self._key(message, next(ranks))
            rows.append(_Row(RowKind.MESSAGE, key, message, day, time_text))
            self._messages[message.id] = message
            if message.reply_to is not None:
                self._repliers.setdefault(message.reply_to, set()).add(message.id)
        return rows

    def _merge(self, messages: list[Message], *, older: bool = False) -> None:
        fresh = sorted(self._new_rows(messages, older=older), key=lambda row: row.key)
        if not fresh:
            return
        # Group the new rows by where they go in the current list; each group is one insert.
        groups: list[tuple[int, list[_Row]]] = []
        for row in fresh:
            position = bisect_right(self._keys, row.key)
            if groups and groups[-1][0] == position:
                groups[-1][1].append(row)
            else:
                groups.append((position, [row]))
        inserted = 0
        for position, rows in groups:
            first = position + inserted
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows[first:first] = rows
            self._keys[first:first] = [row.key for row in rows]
            self._row_of = None
            self.endInsertRows()
            inserted += len(rows)
        self._quotes_changed(row.message.id for row in fresh if row.message is not None)

    def _update(self, message: Message) -> None:
        position = self.row_of(message.id)
        if position is None:
            return
        old = self._rows[position]
        if old.message == message:
            return
        self._messages[message.id] = message
        self._rows[position] = _Row(old.kind, old.key, message, old.day, old.time_text)
        changed = self.index(position, 0)
        self.dataChanged.emit(changed, changed, [])
        self._quotes_changed([message.id])

    def _quotes_changed(self, quoted_ids: Iterable[str]) -> None:
        """Rows quoting these messages show new quote text."""
        for quoted in quoted_ids:
            for replier in self._repliers.get(quoted, ()):
                position = self.row_of(replier)
                if position is not None:
                    changed = self.index(position, 0)
                    self.dataChanged.emit(changed, changed, [int(MessageRole.REPLY_QUOTE)])
