"""Full-text search over message text (FTS5), safe for any user input.

Words are matched through the FTS index (case- and accent-insensitive, the last word as a
prefix). Emoji are not words to the tokenizer, so emoji terms are matched as substrings of the
text instead. Unsent (deleted) messages are never returned. Snippets are cut and highlighted
here, for the returned hits only: FTS5's snippet() would be computed for every match before
the newest-first sort and limit, which costs far more for common words.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from igdesk.store.db import Db
from igdesk.store.timeconv import from_ms

log = logging.getLogger(__name__)

#: Marks around matched words in `SearchHit.snippet`; control characters never found in text,
#: so the UI can escape the snippet (it may look like HTML) and then turn these into highlights.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
_ELLIPSIS = "…"
_SNIPPET_CHARS = 120  # longer texts are cut to about this around the first match
# Invisible parts of emoji sequences: variation selectors and the zero-width joiner.
_EMOJI_JOINERS = str.maketrans("", "", "\ufe0e\ufe0f\u200d")
# Letters and digits: close to what FTS5's unicode61 tokenizer calls a token.
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchHit:
    thread_id: str
    message_id: str
    snippet: str  # text around the match, matches wrapped in HIGHLIGHT_START/HIGHLIGHT_END
    created_time: datetime

    @property
    def plain_snippet(self) -> str:
        return self.snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


@dataclass(frozen=True)
class ParsedQuery:
    match: str  # an FTS5 MATCH expression built only from quoted phrases, or ""
    symbols: tuple[str, ...]  # emoji / symbol terms matched as substrings
    tokens: frozenset[str]  # folded word tokens, for highlighting
    prefix: str  # folded last token when the last word is typed as a prefix, else ""


def _fold(text: str) -> str:
    """Lower case without accents, like the index (`remove_diacritics 2`)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_wordy(term: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in term)


def _is_symbol(term: str) -> bool:
    return any(unicodedata.category(ch) in ("So", "Sk", "Sm", "Sc", "Co") for ch in term)


def parse_query(query: str) -> ParsedQuery:
    """Turn user input into a safe FTS expression: every word becomes a quoted phrase.

    Nothing the user types (quotes, `*`, `AND`, parentheses, `NEAR`, column filters) can reach
    FTS5 as syntax. Terms of punctuation only are dropped.
    """
    # Lone surrogates cannot be encoded for SQLite and NULs end C strings: drop both.
    query = query.encode("utf-8", "ignore").decode("utf-8").replace("\x00", "")
    terms = query.split()
    words = [term for term in terms if _is_wordy(term)]
    symbols = tuple(
        dict.fromkeys(
            cleaned
            for term in terms
            if not _is_wordy(term) and _is_symbol(term)
            for cleaned in [term.translate(_EMOJI_JOINERS)]
            if cleaned
        )
    )
    phrases = ['"' + word.replace('"', '""') + '"' for word in words]
    tokens = [token for word in words for token in _TOKEN.findall(_fold(word))]
    prefix = ""
    if phrases and words[-1] == terms[-1] and not query[-1:].isspace():
        phrases[-1] += "*"  # the word being typed
        prefix = tokens[-1] if tokens else ""
    return ParsedQuery(" ".join(phrases), symbols, frozenset(tokens), prefix)


def _matches(text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for found in _TOKEN.finditer(text):
        folded = _fold(found.group())
        if folded in parsed.tokens or (parsed.prefix and folded.startswith(parsed.prefix)):
            spans.append(found.span())
    for symbol in parsed.symbols:
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(symbol), text))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:  # drop overlaps so the marks stay balanced
        if not merged or start >= merged[-1][1]:
            merged.append((start, end))
    return merged


def make_snippet(text: str, parsed: ParsedQuery) -> str:
    """The text (cut around the first match when long) with every match marked."""
    spans = _matches(text, parsed)
    start, end = 0, len(text)
    if len(text) > _SNIPPET_CHARS:
        first = spans[0][0] if spans else 0
        start = max(first - _SNIPPET_CHARS // 3, 0)
        if start:
            space = text.find(" ", start, first)
            start = space + 1 if space >= 0 else start
        end = min(start + _SNIPPET_CHARS, len(text))
        if end < len(text):
            space = text.rfind(" ", max(first + 1, start), end)
            end = space if space > first else end
    parts = [_ELLIPSIS] if start else []
    at = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        parts += [text[at:span_start], HIGHLIGHT_START, text[span_start:span_end], HIGHLIGHT_END]
        at = span_end
    parts.append(text[at:end])
    if end < len(text):
        parts.append(_ELLIPSIS)
    return "".join(parts)


class Search:
    """Full-text search over message text: `archive.search`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def find(self, query: str, *, limit: int = 50) -> list[SearchHit]:
        """Messages matching every term of `query`, newest first. Never raises on odd input."""
        parsed = parse_query(query)
        if limit <= 0 or not (parsed.match or parsed.symbols):
            return []
        symbol_filter = "".join(" AND instr(m.text, ?) > 0" for _ in parsed.symbols)
        params: list[object] = []
        # seq order is time order (schema v4), and the index's rowid is seq: walking either
        # backwards gives the newest matches first, so a query stops at its first page
        # however many messages match (a common word matches a third of the archive).
        if parsed.match:
            source = (
                "messages_fts JOIN messages AS m ON m.seq = messages_fts.rowid"
                " WHERE messages_fts MATCH ? AND"
            )
            order = "messages_fts.rowid DESC"
            params.append(parsed.match)
        else:
            source, order = "messages AS m WHERE", "m.seq DESC"
        sql = (
            f"SELECT m.thread_id, m.id, m.created_time, m.text FROM {source} m.deleted = 0"
            f"{symbol_filter} ORDER BY {order} LIMIT ?"
        )
        params.extend(parsed.symbols)
        params.append(limit)
        try:
            rows = self._db.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            # Quoting makes this unreachable in practice; a query must still never crash the UI.
            # The error text may quote the query (customer names): log only its kind.
            log.warning("search failed (%s), query of %d chars", type(exc).__name__, len(query))
            return []
        return [
            SearchHit(
                thread_id=row["thread_id"],
                message_id=row["id"],
                snippet=make_snippet(row["text"], parsed),
                created_time=from_ms(row["created_time"]),
            )
            for row in rows
        ]
