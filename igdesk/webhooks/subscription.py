"""The account's webhook subscription: checked, restored when Meta dropped it, reported.

Meta unsubscribes an account after an hour of failed deliveries, silently (instagram-api.md,
"Subscribing"). `SubscriptionKeeper.check()` reads `GET /me/subscribed_apps`; when our app is
not there, or lacks a messaging field, it posts `POST /me/subscribed_apps` with the fields and
reads again to be sure. `run()` repeats that every hour (at start too) on an injectable sleep,
and each outcome goes to one callback for the status bar and `doctor`. Qt-free.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from igdesk.domain import WEBHOOK_MESSAGING_FIELDS, utc_now
from igdesk.graph import GraphClient
from igdesk.graph.errors import GraphError, TokenError
from igdesk.graph.values import as_dict, as_list, as_str

log = logging.getLogger("igdesk.webhooks")

#: What igdesk needs delivered.
MESSAGING_FIELDS = WEBHOOK_MESSAGING_FIELDS
#: How often the subscription is checked while igdesk runs.
CHECK_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class SubscriptionState:
    """What the last check found."""

    checked_at: datetime
    #: The fields Meta lists for this account (empty: nothing will be delivered).
    fields: tuple[str, ...]
    #: True when this check had to subscribe the account (again).
    resubscribed: bool = False
    #: Why the check could not be done (None when it was).
    error: GraphError | None = None

    @property
    def healthy(self) -> bool:
        return self.error is None and set(MESSAGING_FIELDS) <= set(self.fields)


Report = Callable[[SubscriptionState], None]
Sleep = Callable[[float], Awaitable[None]]


def subscribed_fields(answer: dict[str, object]) -> tuple[str, ...]:
    """The fields of `GET /me/subscribed_apps` (`{"data":[{"id","subscribed_fields":[…]}]}`),
    all apps together; an odd answer counts as "nothing subscribed"."""
    fields: list[str] = []
    for item in as_list(answer.get("data")):
        app = as_dict(item) or {}
        raw = app.get("subscribed_fields")
        names = raw.split(",") if isinstance(raw, str) else as_list(raw)
        for name in names:
            named = as_dict(name)
            value = as_str(named.get("name") if named is not None else name).strip()
            if value and value not in fields:
                fields.append(value)
    return tuple(fields)


class SubscriptionKeeper:
    """Keeps this account subscribed to the messaging fields."""

    def __init__(
        self,
        client: Callable[[], GraphClient],
        *,
        fields: Sequence[str] = MESSAGING_FIELDS,
        report: Report | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._client = client
        self._fields = tuple(fields)
        self._report = report
        self._sleep = sleep
        self._clock = clock
        self.last: SubscriptionState | None = None

    async def check(self) -> SubscriptionState:
        """Read the subscription and restore it when needed; never raises a GraphError."""
        client = self._client()
        try:
            fields = subscribed_fields(await client.get_json("me", "subscribed_apps"))
            resubscribed = False
            if not set(self._fields) <= set(fields):
                log.warning("webhook subscription missing or incomplete; subscribing again")
                await client.post_json(
                    "me", "subscribed_apps", body={"subscribed_fields": ",".join(self._fields)}
                )
                fields = subscribed_fields(await client.get_json("me", "subscribed_apps"))
                resubscribed = True
            state = SubscriptionState(self._clock(), fields, resubscribed)
        except TokenError:
            raise
        except GraphError as error:
            log.info("webhook subscription not checked: %s", type(error).__name__)
            state = SubscriptionState(self._clock(), (), error=error)
        self.last = state
        if self._report is not None:
            self._report(state)
        return state

    async def run(self, every: float = CHECK_EVERY_SECONDS) -> None:
        """Check now, then every `every` seconds until cancelled (a token error ends it)."""
        while True:
            await self.check()
            await self._sleep(every)
