"""The App's event hub, with "sign in again" said once: the poller, the outbox and the webhooks
may all meet the refused token, but the owner gets one banner and one notification, until a
new sign-in (`signed_in`) arms it again."""

from __future__ import annotations

from igdesk.events import Event, EventHub, SignInNeeded


class SignInHub(EventHub):
    """An `EventHub` that passes the first `SignInNeeded` of each signed-out spell only."""

    def __init__(self) -> None:
        super().__init__()
        self.sign_in_needed = False

    def emit(self, event: Event) -> None:
        if isinstance(event, SignInNeeded):
            if self.sign_in_needed:
                return
            self.sign_in_needed = True
        super().emit(event)

    def signed_in(self) -> None:
        """A token works again: the next refusal is news."""
        self.sign_in_needed = False
