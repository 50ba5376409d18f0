"""Qt-free text rules of the composer: grapheme clusters, splitting a long reply, window sentences.

Splitting never cuts inside a UTF-8 character or a user-perceived character (an emoji with its
skin tone, a ZWJ family, a flag, a letter with its accents): clusters follow the extended
grapheme rules of Unicode UAX #29 closely enough for chat text (Indic conjuncts, rule GB9c, and
Prepend characters are the simplifications).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from igdesk.domain import (
    HUMAN_AGENT_WINDOW,
    MAX_TEXT_BYTES,
    STANDARD_WINDOW,
    Window,
    WindowState,
    messaging_window,
    text_bytes,
)
from igdesk.i18n import Words
from igdesk.ui.text import clock_time

ZWJ = "\u200d"
_ZWNJ = "\u200c"
# Extended_Pictographic, approximated by the blocks emoji live in (enough for GB11).
_PICTOGRAPHIC = (
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2190, 0x21FF),
    (0x2300, 0x23FF),
    (0x24C2, 0x24C2),
    (0x25A0, 0x25FF),
    (0x2600, 0x27BF),
    (0x2900, 0x297F),
    (0x2B00, 0x2BFF),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x1F000, 0x1F1E5),
    (0x1F200, 0x1F3FA),
    (0x1F400, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
)


def _pictographic(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _PICTOGRAPHIC)


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _extend(char: str) -> bool:
    """Grapheme_Extend, SpacingMark, emoji modifiers and tag characters attach to what precedes."""
    code = ord(char)
    if 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F or char in (ZWJ, _ZWNJ):
        return True
    return unicodedata.category(char) in ("Mn", "Me", "Mc")


def _control(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cc", "Zl", "Zp") or (category == "Cf" and not _extend(char))


def _hangul(char: str) -> str:
    code = ord(char)
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return "L"
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return "V"
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return "T"
    if 0xAC00 <= code <= 0xD7A3:
        return "LV" if (code - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _joins(cluster: str, char: str) -> bool:
    """Whether `char` continues the grapheme cluster `cluster` (non-empty)."""
    prev = cluster[-1]
    if prev == "\r" and char == "\n":
        return True
    if _control(prev):
        return False
    if _extend(char):
        return True
    if _control(char):
        return False
    before, after = _hangul(prev), _hangul(char)
    if before and after:
        return (
            (before == "L" and after in ("L", "V", "LV", "LVT"))
            or (before in ("LV", "V") and after in ("V", "T"))
            or (before in ("LVT", "T") and after == "T")
        )
    if prev == ZWJ and _pictographic(char):
        return _pictographic(cluster[0])
    if _regional(prev) and _regional(char):
        return sum(1 for c in cluster if _regional(c)) % 2 == 1
    return False


def graphemes(text: str) -> list[str]:
    """The user-perceived characters of `text`, in order; "".join() gives `text` back."""
    clusters: list[str] = []
    for char in text:
        if clusters and _joins(clusters[-1], char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _by_code_points(cluster: str, limit: int) -> list[str]:
    """Last resort for one cluster bigger than a whole message: whole code points only."""
    parts, current = [], ""
    for char in cluster:
        if current and text_bytes(current + char) > limit:
            parts.append(current)
            current = ""
        current += char
    return [*parts, current] if current else parts


def split_message(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """`text` (stripped) cut into messages of at most `limit` UTF-8 bytes each.

    Cuts go at a line break in the second half of a part, else at the last space, else at the
    last grapheme boundary that fits; the whitespace at a cut is dropped, nothing else is.
    """
    clusters = graphemes(text.strip())
    parts: list[str] = []
    start = 0
    while start < len(clusters):
        while start < len(clusters) and clusters[start].isspace():
            start += 1
        size, end = 0, start
        last_space = last_break = None
        while end < len(clusters):
            cost = text_bytes(clusters[end])
            if size + cost > limit:
                break
            if clusters[end].isspace() and end > start:
                last_space = end
                if "\n" in clusters[end] and size >= limit // 2:
                    last_break = end
            size += cost
            end += 1
        if end == len(clusters):
            parts.append("".join(clusters[start:]).rstrip())
            break
        if end == start:  # one cluster larger than a message: keep its code points whole
            parts.extend(_by_code_points(clusters[start], limit))
            start += 1
            continue
        cut = end
        if not clusters[end].isspace():
            cut = last_break or last_space or end
        parts.append("".join(clusters[start:cut]).rstrip())
        start = cut
    return [part for part in parts if part]


# --- the messaging window, in words --------------------------------------------------------


def duration_words(span: timedelta, words: Words) -> str:
    """A time left, "2d 5h" / "2 hr 5 j", "3h 12m" / "3 j 12 m", "7m" / "7 m"."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    # TRANSLATORS: a time left in days and hours, short ("2d 5h").
    if days:
        return words("{days}d {hours}h", days=days, hours=hours)
    # TRANSLATORS: a time left in hours and minutes, short ("3h 12m").
    if hours:
        return words("{hours}h {mins}m", hours=hours, mins=mins)
    # TRANSLATORS: a time left in minutes, short ("7m").
    return words("{mins}m", mins=mins)


def moment_words(moment: datetime, now: datetime, words: Words) -> str:
    """A local date and time, "24 Nov 14:00" (with the year when it is not this year's)."""
    local, local_now = moment.astimezone(), now.astimezone()
    day = words.date(local, "d MMM" if local.year == local_now.year else "d MMM y")
    return f"{day} {clock_time(moment)}"


def window_sentence(
    window: Window | None, now: datetime, words: Words, *, human_agent: bool
) -> str:
    """What the composer says about the reply window; "" when it is simply open."""
    if window is None:
        return words("Choose a conversation to reply.")
    if window.state is WindowState.OPEN:
        return ""
    if window.state is WindowState.HUMAN_AGENT:
        left = duration_words(window.time_left(now), words)
        return words("Replies go as a human agent (7-day window) — {left} left", left=left)
    if window.closes_at is None:
        return words(
            "You can't reply yet: Instagram allows replies only after the customer writes to you."
        )
    when = moment_words(window.closes_at, now, words)
    if human_agent:
        return words(
            "You can't reply: Instagram allows replies only within 7 days of the customer's "
            "last message, even as a human agent (closed {when}). Wait for them to write again.",
            when=when,
        )
    sentence = words(
        "You can't reply: Instagram allows replies only within 24 hours of the customer's "
        "last message (closed {when}). Wait for them to write again.",
        when=when,
    )
    last_message = window.closes_at - STANDARD_WINDOW
    if now < last_message + HUMAN_AGENT_WINDOW:
        sentence += " " + words(
            "If Meta approved the Human Agent permission for your app, turn it on in Settings "
            "to reply up to 7 days after their last message."
        )
    return sentence


def window_later(window: Window, now: datetime, *, human_agent: bool) -> Window:
    """The same thread's window at a later `now` (the state it started from tells the rest)."""
    if window.closes_at is None or window.state is WindowState.CLOSED:
        return window
    span = STANDARD_WINDOW if window.state is WindowState.OPEN else HUMAN_AGENT_WINDOW
    return messaging_window(window.closes_at - span, now, human_agent_allowed=human_agent)
