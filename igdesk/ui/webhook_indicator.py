"""The status bar's webhook word: whether messages arrive at once, and if not, why.

Hidden while webhooks are off. Each new problem is also said once in the window's notice, with
the next step (the tunnel's sentence, or what to check in Meta's dashboard).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from igdesk.events import WebhookStatus
from igdesk.i18n import Text, Words
from igdesk.ui import aio


def indicator_text(status: WebhookStatus, words: Words) -> str:
    """A few words for the status bar."""
    if status.healthy:
        return words("⚡ Instant delivery on")
    if status.url_changed:
        return words("⚠ Instant delivery: update the callback URL in Meta's dashboard")
    if status.callback_url is None and status.tunnel_problem is not None:
        return words("⚠ Instant delivery: tunnel down, checking every minute")
    if status.subscribed is False:
        return words("⚠ Instant delivery: Meta is not sending, checking every minute")
    return words("Instant delivery: starting…")


def indicator_details(status: WebhookStatus, words: Words) -> str:
    """The tooltip: the callback URL and every problem, one per line."""
    lines = []
    if status.callback_url is not None:
        lines.append(words("Callback URL: {url}", url=status.callback_url))
    lines.extend(words.text(text) for text in status.problems)
    return "\n".join(lines)


class WebhookIndicator(QLabel):
    """Shows the latest `WebhookStatus` (connect `show_status` to the bridge's signal)."""

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words = words
        self._said: list[Text] = []
        self.setAccessibleName(words("Instant delivery"))
        self.setVisible(False)

    def show_status(self, status: WebhookStatus | None) -> None:
        if status is None or not status.receiving:
            self.setVisible(False)
            self._said = []
            return
        self.setText(indicator_text(status, self._words))
        self.setToolTip(indicator_details(status, self._words))
        self.setVisible(True)
        fresh = [text for text in status.problems if text not in self._said]
        self._said = status.problems
        for text in fresh:
            aio.warning(self._words.text(text))
