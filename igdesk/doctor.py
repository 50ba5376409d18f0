"""`igdesk doctor`: check the set-up step by step and say what to fix."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable

from igdesk import secrets
from igdesk.app import App
from igdesk.domain import parse_graph_time
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError
from igdesk.graph.fields import STATE_KEY as FIELDS_KEY
from igdesk.graph.fields import ReadFields
from igdesk.store import Archive
from igdesk.sync.unreadable import STATE_KEY as UNREADABLE_KEY
from igdesk.sync.unreadable import UnreadableThreads, unreadable_sentence


class CheckFailed(Exception):
    """A doctor step failed; the message is the sentence to show."""


Step = tuple[str, str, Callable[[], Awaitable[str]]]


async def run_doctor(app: App, lang: str) -> int:
    """Run every step in order, stop at the first failure, print one line per step."""

    def pick(english: str, indonesian: str) -> str:
        return indonesian if lang == "id" else english

    async def profile_folder() -> str:
        app.profile.ensure()
        probe = app.profile.directory / ".doctor-probe"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
        return str(app.profile.directory)

    async def archive() -> str:
        threads = app.archive.threads()
        return pick(f"{len(threads)} conversations stored", f"{len(threads)} percakapan tersimpan")

    async def token() -> str:
        where = secrets.source(app.profile.key, secrets.Secret.ACCESS_TOKEN)
        if app.graph_url is None and where == "none":
            raise CheckFailed(
                pick(
                    "no access token: sign in from the igdesk window or set IGDESK_ACCESS_TOKEN",
                    "tidak ada token akses: masuk lewat jendela igdesk "
                    "atau isi IGDESK_ACCESS_TOKEN",
                )
            )
        _ = app.client  # builds the client, or raises the not-signed-in sentence
        return pick(f"found ({where})", f"ditemukan ({where})")

    async def account() -> str:
        me = await app.client.me()
        return f"@{me.username}"

    async def conversations() -> str:
        me = await app.client.me()
        async for page in app.client.conversations(me, page_size=1):
            return pick(
                "readable" if page else "readable (no conversations yet)",
                "bisa dibaca" if page else "bisa dibaca (belum ada percakapan)",
            )
        return pick("readable (no conversations yet)", "bisa dibaca (belum ada percakapan)")

    steps: list[Step] = [
        ("Profile folder", "Folder profil", profile_folder),
        ("Archive", "Arsip", archive),
        ("Access token", "Token akses", token),
        ("Instagram account", "Akun Instagram", account),
        ("Messages permission", "Izin pesan", conversations),
    ]
    for english, indonesian, check in steps:
        label = pick(english, indonesian)
        try:
            detail = await check()
        except (CheckFailed, IgdeskError, GraphError, OSError) as error:
            sentence = getattr(error, "sentence", None)
            text = sentence(lang) if callable(sentence) else str(error)
            print(f"✗ {label}: {text}", file=sys.stderr, flush=True)
            return 1
        print(f"✓ {label}: {detail}", flush=True)
    warnings = sync_warnings(app.archive, lang)
    for line in warnings:
        print(f"! {line}", flush=True)
    if not warnings:
        print(pick("Everything looks good.", "Semuanya baik."), flush=True)
    return 0


def sync_warnings(archive: Archive, lang: str) -> list[str]:
    """What the last passes could not do: fields the account refused, unreadable threads."""

    def pick(english: str, indonesian: str) -> str:
        return indonesian if lang == "id" else english

    lines = []
    refused = ReadFields.loads(archive.get_state(FIELDS_KEY)).refused
    if refused:
        names = ", ".join(f"{node}.{name}" for node, fields in refused.items() for name in fields)
        lines.append(
            pick(
                f"Instagram refused these fields for your account, so igdesk reads without "
                f"them: {names}",
                f"Instagram menolak kolom ini untuk akun Anda, jadi igdesk membaca tanpanya: "
                f"{names}",
            )
        )
    unreadable = UnreadableThreads.loads(archive.get_state(UNREADABLE_KEY)).entries()
    if unreadable:
        lines.append(unreadable_sentence(unreadable, lang))
        for entry in unreadable:
            contact = archive.contact(entry.customer_id) if entry.customer_id else None
            who = f"@{contact.username}" if contact and contact.username else entry.thread_id
            retry = parse_graph_time(entry.retry_at).astimezone().strftime("%d %b %H:%M")
            lines.append(
                pick(
                    f"  {who}: could not be read {entry.failures}× (code {entry.code}); "
                    f"next try {retry}",
                    f"  {who}: gagal dibaca {entry.failures}× (kode {entry.code}); "
                    f"dicoba lagi {retry}",
                )
            )
    return lines
