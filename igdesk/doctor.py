"""`igdesk doctor`: check the set-up step by step and say what to fix."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable

from igdesk import secrets
from igdesk.app import App
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError


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
    print(pick("Everything looks good.", "Semuanya baik."), flush=True)
    return 0
