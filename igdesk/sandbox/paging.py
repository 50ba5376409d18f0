"""Cursor paging over newest-first lists, shaped like Graph's ``paging`` block.

Cursors are opaque base64 of the (time, id) sort key of an edge item, so a thread that moves
to the top between two calls does not shift the next page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from igdesk.sandbox.errors import param_error

T = TypeVar("T")
Key = tuple[str, str]


#: A cursor key above every real one: `after` it comes the whole list.
START_KEY: Key = ("\uffff", "")


def encode_cursor(key: Key) -> str:
    raw = f"{key[0]}\x1f{key[1]}".encode()
    return "QVFI" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key:
    try:
        if not cursor.startswith("QVFI"):
            raise ValueError
        body = cursor[4:]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        first, second = raw.split("\x1f")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise param_error("Invalid cursor provided") from None
    return first, second


@dataclass
class Page(Generic[T]):
    """One page of a newest-first list."""

    items: list[T]
    has_next: bool
    has_previous: bool
    first_key: Key | None
    last_key: Key | None


def take_page(
    items: Sequence[T], key: Callable[[T], Key], limit: int, after: str | None, before: str | None
) -> Page[T]:
    """Slice `items` (sorted by key, descending) the way Graph cursors do."""
    keys = [key(item) for item in items]
    if after:
        cursor = decode_cursor(after)
        start = next((i for i, k in enumerate(keys) if k < cursor), len(keys))
        end = start + limit
    elif before:
        cursor = decode_cursor(before)
        end = next((i for i, k in enumerate(keys) if k <= cursor), len(keys))
        start = max(0, end - limit)
    else:
        start, end = 0, limit
    chosen = list(items[start:end])
    chosen_keys = keys[start:end]
    return Page(
        items=chosen,
        has_next=end < len(items),
        has_previous=start > 0,
        first_key=chosen_keys[0] if chosen_keys else None,
        last_key=chosen_keys[-1] if chosen_keys else None,
    )


def paging_block(
    page: Page[Any], base_url: str, path: str, query: dict[str, str]
) -> dict[str, Any] | None:
    """Graph's ``paging`` object; `next` only while more items follow."""
    if page.first_key is None or page.last_key is None:
        return None
    before, after = encode_cursor(page.first_key), encode_cursor(page.last_key)
    block: dict[str, Any] = {"cursors": {"before": before, "after": after}}
    carried = {k: v for k, v in query.items() if k not in ("after", "before")}
    if page.has_next:
        block["next"] = f"{base_url}/{path}?{urlencode({**carried, 'after': after})}"
    if page.has_previous:
        block["previous"] = f"{base_url}/{path}?{urlencode({**carried, 'before': before})}"
    return block
