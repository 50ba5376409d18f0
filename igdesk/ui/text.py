"""Qt-free text helpers of the inbox UI: previews, times, day labels, window badges, links.

Words come from the catalogue (igdesk.i18n) in `lang`; a language without one is English.
Nothing here interprets HTML: text stays plain text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from igdesk.domain import Attachment, Window, WindowState
from igdesk.i18n import N_, Words

Severity = Literal["closing", "closed"]

#: Where "open in Instagram" sends the owner (the app has no deep link per thread).
INSTAGRAM_INBOX_URL = "https://www.instagram.com/direct/inbox/"
#: Left in a window badge below this, the window counts as closing.
CLOSING_SOON = timedelta(hours=3)
_PREVIEW_CHARS = 200  # the delegate elides to one line anyway; this only bounds the work

# Attachment types as the graph layer names them → their words (translated where shown).
_ATTACHMENT_LABELS = {
    "image": N_("📷 Photo"),
    "video": N_("🎥 Video"),
    "audio": N_("🎤 Voice message"),
    "file": N_("📄 File"),
    "ig_post": N_("Shared a post"),
    "share": N_("Shared a post"),
    "reel": N_("Shared a reel"),
    "story_reply": N_("Replied to your story"),
    "story_mention": N_("Mentioned you in their story"),
    "sticker": N_("Sticker"),
    "template": N_("Card"),
}
UNSUPPORTED = N_("Unsupported message — open Instagram")
_SPACES = re.compile(r"\s+")


def attachment_label(kind: str, lang: str) -> str:
    """Words for one attachment type ("📷 Photo"); unknown types are unsupported messages."""
    words = Words(lang)
    return words(_ATTACHMENT_LABELS.get(kind, UNSUPPORTED))


def card_title_of(attachments: Iterable[Attachment]) -> str:
    """Title of the first template card among `attachments` ("" when none has one)."""
    return next((a.title for a in attachments if a.type == "template"), "")


def card_label(title: str, lang: str) -> str:
    """Words for a template card: "Card: <title>", or "Card" alone."""
    line, words = one_line(title, 80), Words(lang)
    return words("Card: {title}", title=line) if line else words("Card")


def one_line(text: str, limit: int = _PREVIEW_CHARS) -> str:
    """`text` on one line (runs of whitespace and line breaks become one space), bounded."""
    return _SPACES.sub(" ", text[: limit * 2]).strip()[:limit]


def preview_text(
    text: str,
    attachment_types: Sequence[str],
    is_from_shop: bool | None,
    lang: str,
    *,
    reaction: str | None = None,
    deleted: bool = False,
    unsupported: bool = False,
    card_title: str = "",
) -> str:
    """The last-message preview of a thread list row, attachments described in words.

    `is_from_shop` None means the thread has no message to preview (""). `reaction` is the
    emoji when the newest event is a reaction rather than a message. `card_title` names a
    template card ("Card: <title>").
    """
    if is_from_shop is None:
        return ""
    words = Words(lang)
    if reaction and is_from_shop:
        return words("You reacted {emoji} to a message", emoji=reaction)
    if reaction:
        return words("{emoji} reacted to your message", emoji=reaction)
    body: str
    if deleted:
        body = words("Message unsent")
    elif unsupported:
        body = words(UNSUPPORTED)
    else:
        body = _describe(one_line(text), attachment_types, lang, card_title)
    return from_you(body, words) if is_from_shop else body


def from_you(text: str, words: Words) -> str:
    """A preview of the shop's own message: "You: …"."""
    # TRANSLATORS: the shop's own last message in the thread list.
    return words("You: {text}", text=text)


def _describe(line: str, attachment_types: Sequence[str], lang: str, card_title: str) -> str:
    kinds = [kind for kind in attachment_types if kind]
    if not kinds:
        return line or Words(lang)(UNSUPPORTED)
    first = kinds[0]
    if first in ("story_reply", "story_mention"):
        label = attachment_label(first, lang)
        return f"{label}: {line}" if line else label
    if line:
        return line
    if first == "image" and len(kinds) > 1 and all(kind == "image" for kind in kinds):
        return Words(lang).plural("📷 {n} photo", "📷 {n} photos", len(kinds))
    if first == "template":
        return card_label(card_title, lang)
    return attachment_label(first, lang)


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def relative_time(moment: datetime, now: datetime, lang: str, tz: tzinfo | None = None) -> str:
    """Short time of a thread row: "now", "5m", "3h", "Yesterday", a weekday, or a date.

    Days are calendar days in `tz` (None: the system's local time zone).
    """
    words = Words(lang)
    elapsed = now - moment
    if elapsed < timedelta(minutes=1):
        return words("now")
    if elapsed < timedelta(hours=1):
        # TRANSLATORS: minutes ago, as short as Instagram writes it ("5m").
        return words("{n}m", n=int(elapsed.total_seconds() // 60))
    local, local_now = _local(moment, tz), _local(now, tz)
    days = (local_now.date() - local.date()).days
    if days == 0 or elapsed < timedelta(hours=6):
        # TRANSLATORS: hours ago, as short as Instagram writes it ("3h").
        return words("{n}h", n=int(elapsed.total_seconds() // 3600))
    if days == 1:
        return words("Yesterday")
    if days < 7:
        return words.date(local, "EEE")
    return words.date(local, "d MMM" if local.year == local_now.year else "d MMM y")


def day_label(day: date, today: date, lang: str) -> str:
    """Label of a day separator: "Today", "Yesterday", else "Monday, 3 March" (+ year if old)."""
    words = Words(lang)
    days = (today - day).days
    if days == 0:
        return words("Today")
    if days == 1:
        return words("Yesterday")
    return words.date(day, "EEEE, d MMMM" if day.year == today.year else "EEEE, d MMMM y")


def clock_time(moment: datetime, tz: tzinfo | None = None) -> str:
    """24-hour local clock time of a message ("09:05"), as both languages write it."""
    local = _local(moment, tz)
    return f"{local.hour:02d}:{local.minute:02d}"


@dataclass(frozen=True)
class Badge:
    """A thread row's window badge: short text and how alarming it is."""

    text: str
    severity: Severity


def window_badge(window: Window, now: datetime, lang: str) -> Badge | None:
    """A badge when the reply window closes within three hours or is closed; else None."""
    words = Words(lang)
    left = window.time_left(now)
    if window.state is WindowState.CLOSED or left <= timedelta(0):
        # TRANSLATORS: a thread's reply window badge, once it has closed.
        return Badge(words("Closed"), "closed")
    if left >= CLOSING_SOON:
        return None
    minutes = max(int(left.total_seconds() // 60), 1)
    if minutes >= 60:
        return Badge(words("{h}h {m}m left", h=minutes // 60, m=minutes % 60), "closing")
    return Badge(words("{m}m left", m=minutes), "closing")


# --- links ---------------------------------------------------------------------------------

_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'`]+")
_TRAILING = ".,;:!?'\"»”’…"


def _trim_url(candidate: str) -> str:
    while candidate:
        last = candidate[-1]
        if last in _TRAILING or (last == ")" and candidate.count("(") < candidate.count(")")):
            candidate = candidate[:-1]
        else:
            break
    return candidate


def linkify(text: str) -> list[tuple[str, str | None]]:
    """Split plain text into runs: (run, url) for web links, (run, None) for the rest.

    Only http(s) and www. links are recognised, so no other scheme can be opened.
    Joining the runs gives `text` back unchanged.
    """
    runs: list[tuple[str, str | None]] = []
    at = 0
    for found in _URL.finditer(text):
        link = _trim_url(found.group())
        if not link or link.lower() in ("http://", "https://", "www."):
            continue
        start = found.start()
        if start > at:
            runs.append((text[at:start], None))
        url = link if link.lower().startswith("http") else "https://" + link
        runs.append((link, url))
        at = start + len(link)
    if at < len(text) or not runs:
        runs.append((text[at:], None))
    return [run for run in runs if run[0]] or [(text, None)]


def link_ranges(text: str) -> list[tuple[int, int, str]]:
    """(start, length, url) of every link of `text`, in characters (Python code points)."""
    ranges: list[tuple[int, int, str]] = []
    at = 0
    for run, url in linkify(text):
        if url is not None:
            ranges.append((at, len(run), url))
        at += len(run)
    return ranges


def highlight_runs(snippet: str, start: str = "\x02", end: str = "\x03") -> list[tuple[str, bool]]:
    """Split a search snippet with start/end marks into (text, highlighted) runs."""
    runs: list[tuple[str, bool]] = []
    highlighted = False
    buffer: list[str] = []
    for ch in snippet:
        if ch in (start, end):
            if buffer:
                runs.append(("".join(buffer), highlighted))
                buffer = []
            highlighted = ch == start
        else:
            buffer.append(ch)
    if buffer:
        runs.append(("".join(buffer), highlighted))
    return runs


# --- names and direction -------------------------------------------------------------------


def initials(name: str, username: str) -> str:
    """One or two letters for an avatar: from the name's words, else the username, else "?"."""
    letters = [_first_letter(word) for word in name.split()]
    found = [letter for letter in letters if letter]
    if found:
        return "".join(found[:1] + found[1:][-1:]).upper()
    letter = _first_letter(username)
    return letter.upper() if letter else "?"


def _first_letter(word: str) -> str:
    for ch in word:
        if unicodedata.category(ch)[0] in "LN":
            return ch
    return ""


def is_right_to_left(text: str) -> bool:
    """Direction of `text` from its first strong character (Unicode bidi rules P2–P3)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def join_nonempty(parts: Iterable[str], separator: str = " · ") -> str:
    return separator.join(part for part in parts if part)
