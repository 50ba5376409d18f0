"""Signing out: igdesk forgets the token (keyring and sign-in record) and stops reading and
sending; the archive stays readable, and the webhook receiver keeps storing deliveries (they
are applied once the owner signs in again). With `erase`, the archive and the pictures go too.
Qt-free: the window's dialog (igdesk/ui/sign_out.py) asks, this does.
"""

from __future__ import annotations

import logging
import shutil
from typing import TYPE_CHECKING

from igdesk import secrets
from igdesk.config import Profile
from igdesk.errors import IgdeskError
from igdesk.i18n import Text
from igdesk.signin import record

if TYPE_CHECKING:
    from igdesk.app import App

log = logging.getLogger("igdesk.signin")


async def sign_out(app: App, *, erase: bool) -> None:
    """Forget the token: the App drops its client (nothing more is read or sent; the archive
    stays readable and a new sign-in resumes everything), the keyring entry and the sign-in
    record go. With `erase`, the App closes and the archive and the pictures are deleted.

    A token from IGDESK_ACCESS_TOKEN cannot be forgotten from here: IgdeskError, nothing
    changed. OSError when the files cannot be deleted (the App is closed by then)."""
    refusal = why_not(app)
    if refusal is not None:
        raise IgdeskError(refusal, technical="token from the environment")
    await app.replace_token("")  # no token: each pass now says "not signed in", nothing is sent
    try:
        secrets.delete(app.profile.key, secrets.Secret.ACCESS_TOKEN)
    except secrets.KeyringUnavailableError:
        log.info("no keyring at sign-out: no token was kept there")
    record.forget(app.profile)
    if erase:
        await app.aclose()  # the poller, the sender, the webhooks and the archive stop
        erase_local_data(app.profile)
    log.info("signed out%s", " and deleted the local data" if erase else "")


def why_not(app: App) -> Text | None:
    """Why signing out cannot be done here (a token from IGDESK_ACCESS_TOKEN), else None."""
    if secrets.source(app.profile.key, secrets.Secret.ACCESS_TOKEN) != "environment":
        return None
    return Text(
        "igdesk is using the token in IGDESK_ACCESS_TOKEN for this run, so it cannot sign out "
        "from here. Remove that variable and start igdesk again."
    )


def erase_local_data(profile: Profile) -> None:
    """The archive (with its journal files) and the pictures cache; settings stay."""
    archive = profile.archive_path
    for suffix in ("", "-wal", "-shm"):
        archive.with_name(archive.name + suffix).unlink(missing_ok=True)
    shutil.rmtree(profile.cache_dir, ignore_errors=True)
