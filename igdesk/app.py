"""Composition root: builds the archive, the Graph client and the syncer for one profile.

The headless commands and the window use the same object, so they behave the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from igdesk import secrets
from igdesk.config import Profile, Settings
from igdesk.errors import IgdeskError, not_signed_in
from igdesk.graph import GraphClient
from igdesk.graph.flavour import flavour_by_name
from igdesk.graph.ratelimit import RateBudget
from igdesk.store import Archive
from igdesk.sync.engine import ProgressCallback, Syncer, SyncSummary

log = logging.getLogger("igdesk.app")


class App:
    """Everything one profile needs, started and stopped in order."""

    def __init__(
        self,
        profile: Profile,
        *,
        graph_url: str | None = None,
        token: str | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.profile = profile
        self.settings = settings or profile.settings()
        self.graph_url = graph_url
        self._token = token
        self._archive: Archive | None = None
        self._client: GraphClient | None = None
        self._syncer: Syncer | None = None

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self.profile.ensure()
            self._archive = open_archive(self.profile.archive_path)
        return self._archive

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            token = self._token or secrets.get(self.profile.key, secrets.Secret.ACCESS_TOKEN)
            if not token:
                raise not_signed_in()
            budget = RateBudget(conversations_per_second=self.settings.conversations_per_second)
            self._client = GraphClient(
                token,
                flavour=flavour_by_name(self.settings.flavour),
                base_url=self.graph_url,
                api_version=self.settings.api_version,
                budget=budget,
            )
        return self._client

    @property
    def syncer(self) -> Syncer:
        if self._syncer is None:
            self._syncer = Syncer(self.client, self.archive)
        return self._syncer

    async def sync_once(self, on_progress: ProgressCallback | None = None) -> SyncSummary:
        return await self.syncer.run_once(on_progress)

    async def watch(
        self,
        stop: asyncio.Event,
        *,
        on_summary: Callable[[SyncSummary], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Sync until `stop` is set: at the poll interval, backing off while passes fail.

        A token error ends the loop (the owner must sign in again); other failures are reported
        and retried later.
        """
        from igdesk.graph.errors import GraphError, TokenError

        delay = self.settings.poll_interval_seconds
        failures = 0
        while not stop.is_set():
            try:
                summary = await self.sync_once()
            except TokenError:
                raise
            except (GraphError, OSError) as error:
                failures += 1
                log.info("sync pass failed (%s); retrying later", type(error).__name__)
                if on_error is not None:
                    on_error(error)
            else:
                failures = 0
                if on_summary is not None:
                    on_summary(summary)
            wait = min(delay * (2 ** min(failures, 5)), 15 * 60) if failures else delay
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._archive is not None:
            self._archive.close()
            self._archive = None


def open_archive(path: Path) -> Archive:
    """Open the archive, turning a damaged or too-new file into a sentence for the owner."""
    try:
        return Archive.open(path)
    except IgdeskError:
        raise
    except Exception as error:  # sqlite3.DatabaseError and friends: the file is not usable
        raise IgdeskError(
            f"igdesk cannot open its archive at {path}. Close other copies of igdesk; if that "
            "does not help, move the file away and sync again.",
            f"igdesk tidak bisa membuka arsipnya di {path}. Tutup igdesk lain yang terbuka; "
            "jika tetap gagal, pindahkan berkas itu lalu sinkronkan lagi.",
            technical=type(error).__name__,
        ) from error
