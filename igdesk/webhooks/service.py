"""`WebhookService`: the receiver and the queue's drainer of one profile, started and stopped
together (the App owns one, in the window and in `igdesk sync --watch --webhook-port N`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from igdesk import secrets as keyring_secrets
from igdesk.errors import IgdeskError
from igdesk.i18n import Text
from igdesk.store.webhook_queue import QueueCounts
from igdesk.store.worker import ArchiveWorker
from igdesk.webhooks.drain import DrainHealth, EventsProcessor, QueueDrainer, parse_only
from igdesk.webhooks.receiver import ReceiverHealth, WebhookReceiver
from igdesk.webhooks.signature import WebhookSecret, webhook_secrets


@dataclass(frozen=True)
class WebhookHealth:
    """Everything the owner (status bar, `doctor`) is told about webhooks."""

    url: str
    receiver: ReceiverHealth
    drain: DrainHealth
    queue: QueueCounts


class WebhookService:
    """Receives deliveries on 127.0.0.1:`port` and processes them through `processor`."""

    def __init__(
        self,
        worker: ArchiveWorker,
        *,
        secrets: Sequence[WebhookSecret],
        verify_token: str,
        port: int = 0,
        processor: EventsProcessor = parse_only,
    ) -> None:
        self._worker = worker
        self.drainer = QueueDrainer(worker, processor)
        self.receiver = WebhookReceiver(
            worker,
            secrets=secrets,
            verify_token=verify_token,
            port=port,
            on_stored=self.drainer.wake,
        )

    @property
    def url(self) -> str:
        return self.receiver.url

    async def start(self) -> int:
        """Listen (raises IgdeskError if the port is taken), then drain what an earlier run
        left; the bound port."""
        port = await self.receiver.start()
        self.drainer.start()
        return port

    async def stop(self) -> None:
        """Stop taking deliveries, then finish the one being processed (idempotent)."""
        await self.receiver.stop()
        await self.drainer.stop()

    async def health(self) -> WebhookHealth:
        queue = await self._worker.read(lambda archive: archive.webhook_queue.counts())
        return WebhookHealth(self.url, self.receiver.health(), self.drainer.health(), queue)


def credentials(profile_key: str) -> tuple[tuple[WebhookSecret, ...], str]:
    """The secrets signatures are checked with (the Instagram app secret, the Meta app secret, or
    both: either is accepted) and the verify token, from the environment or the keyring; an
    IgdeskError with the next step when one is missing."""
    signing = webhook_secrets(
        keyring_secrets.get(profile_key, keyring_secrets.Secret.APP_SECRET),
        keyring_secrets.get(profile_key, keyring_secrets.Secret.META_APP_SECRET),
    )
    if not signing:
        raise IgdeskError(
            Text(
                "Webhooks need your app secret to check that deliveries come from Meta. "
                "Save it in igdesk, or set IGDESK_APP_SECRET for this run."
            ),
            technical="no app secret",
        )
    verify_token = keyring_secrets.get(profile_key, keyring_secrets.Secret.VERIFY_TOKEN)
    if not verify_token:
        raise IgdeskError(
            Text(
                "Webhooks need a verify token, the same one entered in Meta's dashboard. "
                "Save it in igdesk, or set IGDESK_VERIFY_TOKEN for this run."
            ),
            technical="no verify token",
        )
    return signing, verify_token
