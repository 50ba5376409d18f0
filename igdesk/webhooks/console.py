"""What `igdesk sync --watch --webhook-port N` prints about webhooks, headless.

Each change of the `WebhookStatus` the App sends may become a line: the callback URL to give
Meta's dashboard once the tunnel is up (again at each new address), "on" once the account is
subscribed too, and each new problem (on stderr) with its next step, said once.
"""

from __future__ import annotations

import sys

from igdesk.events import Event, WebhookStatus
from igdesk.i18n import Text, Words


class StatusPrinter:
    """A listener for the App's events (`app.events.subscribe(StatusPrinter(words))`)."""

    def __init__(self, words: Words) -> None:
        self._words = words
        self._url: str | None = None
        self._healthy = False
        self._said: list[Text] = []

    def __call__(self, event: Event) -> None:
        if not isinstance(event, WebhookStatus) or not event.receiving:
            return
        words = self._words
        if event.callback_url is not None and event.callback_url != self._url:
            print(words("Callback URL for Meta's dashboard: {url}", url=event.callback_url))
        self._url = event.callback_url
        if event.healthy and not self._healthy:
            print(words("Instant delivery on: polling is only a safety net now."), flush=True)
        self._healthy = event.healthy
        for text in event.problems:
            if text not in self._said:
                print(words.text(text), file=sys.stderr, flush=True)
        self._said = event.problems
