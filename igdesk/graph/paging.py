"""Following `paging.next` safely: same host only, no token in the link, no endless loops.

A `Pager` is fed each page's JSON and answers the next URL to fetch, or None to stop. It refuses
a link to another host (BadResponseError), strips any `access_token` from the link, and stops —
with a log line — on a repeated link or cursor, or after too many pages in a row with nothing new.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from igdesk.graph.errors import BadResponseError
from igdesk.graph.redact import redact
from igdesk.graph.values import as_dict, as_str

log = logging.getLogger("igdesk.graph")

#: Pages in a row that bring nothing new before paging stops.
MAX_EMPTY_PAGES = 3
_STRIPPED_PARAMS = ("access_token", "appsecret_proof")


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host.lower(), url.port)


def safe_next(page: dict[str, Any], requested: httpx.URL) -> httpx.URL | None:
    """The `paging.next` link of `page`, checked and cleaned; None when there is none."""
    paging = as_dict(page.get("paging"))
    if paging is None:
        return None
    raw = as_str(paging.get("next")).strip()
    if not raw:
        return None
    try:
        link = requested.join(raw)
    except (httpx.InvalidURL, ValueError) as exc:
        raise BadResponseError(f"paging.next is not a URL: {redact(raw)[:200]}") from exc
    if _origin(link) != _origin(requested):
        raise BadResponseError(
            f"paging.next points to another host ({link.scheme}://{link.host}); not followed"
        )
    for name in _STRIPPED_PARAMS:
        if name in link.params:
            link = link.copy_remove_param(name)
    return link


class Pager:
    """Loop guard for one paged listing."""

    def __init__(self, first: httpx.URL, what: str) -> None:
        self._what = what
        self._seen_urls: set[str] = {str(first)}
        self._seen_cursors: set[str] = set()
        self._empty_in_row = 0

    def next(self, page: dict[str, Any], requested: httpx.URL, new_items: int) -> httpx.URL | None:
        """Next URL to request after a page that brought `new_items` unseen items, or None."""
        link = safe_next(page, requested)
        if link is None:
            return None
        self._empty_in_row = 0 if new_items else self._empty_in_row + 1
        if self._empty_in_row >= MAX_EMPTY_PAGES:
            log.warning(
                "%s: %d pages in a row brought nothing new; stopping",
                self._what,
                self._empty_in_row,
            )
            return None
        key = str(link)
        cursor = link.params.get("after")
        if key in self._seen_urls or (cursor is not None and cursor in self._seen_cursors):
            log.warning("%s: paging.next repeats an earlier page; stopping", self._what)
            return None
        self._seen_urls.add(key)
        if cursor is not None:
            self._seen_cursors.add(cursor)
        return link
