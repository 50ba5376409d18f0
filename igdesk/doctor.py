"""`igdesk doctor`: check the set-up step by step and say what to fix."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable

from igdesk import secrets
from igdesk.app import App
from igdesk.domain import parse_graph_time
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError
from igdesk.i18n import N_, Words
from igdesk.sync.unreadable import unreadable_text
from igdesk.views import SyncReport
from igdesk.webhooks.checkup import webhook_checks


class CheckFailed(Exception):
    """A doctor step failed; the message is the sentence to show."""


Step = tuple[str, Callable[[], Awaitable[str]]]


async def run_doctor(app: App, lang: str) -> int:
    """Run every step in order, stop at the first failure, print one line per step."""
    words = Words(lang)

    async def profile_folder() -> str:
        app.profile.ensure()
        probe = app.profile.directory / ".doctor-probe"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
        return str(app.profile.directory)

    async def archive() -> str:
        threads = await app.inbox.threads()
        count = len(threads)
        return words.plural("{n} conversation stored", "{n} conversations stored", count)

    async def token() -> str:
        where = secrets.source(app.profile.key, secrets.Secret.ACCESS_TOKEN)
        if app.graph_url is None and where == "none":
            raise CheckFailed(
                words("no access token: sign in from the igdesk window or set IGDESK_ACCESS_TOKEN")
            )
        _ = app.client  # builds the client, or raises the not-signed-in sentence
        return words("found ({where})", where=where)

    async def account() -> str:
        me = await app.client.me()
        return f"@{me.username}"

    async def conversations() -> str:
        me = await app.client.me()
        async for page in app.client.conversations(me, page_size=1):
            return words("readable") if page else words("readable (no conversations yet)")
        return words("readable (no conversations yet)")

    steps: list[Step] = [
        (N_("Profile folder"), profile_folder),
        (N_("Archive"), archive),
        (N_("Access token"), token),
        (N_("Instagram account"), account),
        (N_("Messages permission"), conversations),
    ]
    for name, check in steps:
        label = words(name)
        try:
            detail = await check()
        except (CheckFailed, IgdeskError, GraphError, OSError) as error:
            print(f"✗ {label}: {_why(error, words)}", file=sys.stderr, flush=True)
            return 1
        print(f"✓ {label}: {detail}", flush=True)
    warnings = sync_warnings(await app.inbox.sync_report(), lang)
    # Webhooks never block messaging (polling goes on): a failed line is a warning.
    for webhook_check in await webhook_checks(app):
        said = f"{words(webhook_check.label)}: {words.text(webhook_check.detail)}"
        if webhook_check.ok:
            print(f"✓ {said}", flush=True)
        else:
            warnings.append(said)
    for warning in warnings:
        print(f"! {warning}", flush=True)
    if not warnings:
        print(words("Everything looks good."), flush=True)
    return 0


def _why(error: Exception, words: Words) -> str:
    if isinstance(error, IgdeskError | GraphError):
        return words.text(error.text)
    if isinstance(error, OSError):
        return words(
            "the folder cannot be written to ({detail})", detail=error.strerror or str(error)
        )
    return str(error)


def sync_warnings(report: SyncReport, lang: str) -> list[str]:
    """What the last passes could not do: fields the account refused, unreadable threads."""
    words = Words(lang)

    lines = []
    refused = report.refused_fields
    if refused:
        names = ", ".join(f"{node}.{name}" for node, fields in refused.items() for name in fields)
        lines.append(
            words(
                "Instagram refused these fields for your account, so igdesk reads without "
                "them: {names}",
                names=names,
            )
        )
    unreadable = list(report.unreadable)
    summary = unreadable_text(unreadable)
    if summary is not None:
        lines.append(words.text(summary))
        for entry in unreadable:
            username = report.usernames.get(entry.customer_id)
            who = f"@{username}" if username else entry.thread_id
            retry = words.date(parse_graph_time(entry.retry_at).astimezone(), "d MMM HH:mm")
            line = words(
                "{who}: could not be read {failures}× (code {code}); next try {retry}",
                who=who,
                failures=entry.failures,
                code=str(entry.code),
                retry=retry,
            )
            lines.append(f"  {line}")
    return lines
