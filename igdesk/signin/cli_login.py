"""`igdesk login`: Business Login from a terminal (a small server that runs `sync --watch`).

It prints the address to open, reads the address the owner landed on (or an access token) from
standard input, and stores the result, with the same checks and sentences as the window. The
app secret comes from IGDESK_APP_SECRET, the keyring, or a prompt that does not echo. Exit 0
when signed in and stored; 1 with one sentence on stderr otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from igdesk.i18n import Text, Words
from igdesk.signin.facebook import PageChoice
from igdesk.signin.flow import (
    SUGGESTED_REDIRECT_URI,
    BusinessLogin,
    Kind,
    LoginSettings,
    PagePicker,
    saved_app_secret,
    sign_in_with_token,
)
from igdesk.signin.store import SignedIn
from igdesk.signin.texts import NO_CODE, NO_SECRET, SignInError

if TYPE_CHECKING:
    from igdesk.app import App

EXIT_OK, EXIT_FAILED = 0, 1


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser], words: Words) -> None:
    login = commands.add_parser("login", help=words("sign in from a terminal (no window needed)"))
    login.add_argument(
        "--app-id", help=words("your Meta app's Instagram app ID (saved for next time)")
    )
    login.add_argument(
        "--redirect-uri",
        help=words(
            "the redirect URI registered for the app (default: {uri})", uri=SUGGESTED_REDIRECT_URI
        ),
    )
    login.add_argument(
        "--facebook",
        action="store_true",
        help=words("sign in with Facebook Login and a Facebook Page (Meta app ID and secret)"),
    )


def not_kept(username: str) -> Text:
    return Text(
        "Signed in as @{username}, but your system has no usable keyring, so nothing was "
        "stored and the next command will not be signed in. Install and unlock a keyring "
        "(GNOME Keyring or KWallet), or the Python package keyrings.alt, then run igdesk login "
        "again; or set IGDESK_ACCESS_TOKEN for each run.",
        username=username,
    )


async def run_login(
    app: App,
    args: argparse.Namespace,
    lang: str,
    *,
    stdin: TextIO | None = None,
    ask_secret: Callable[[str], str] = getpass.getpass,
) -> int:
    words = Words(lang)
    source = stdin or sys.stdin
    saved = LoginSettings.of(app.settings)
    kind: Kind = "facebook" if args.facebook else (saved.kind if saved else "instagram")
    app_id = args.app_id or (saved.app_id if saved else "")
    redirect = args.redirect_uri or (saved.redirect_uri if saved else SUGGESTED_REDIRECT_URI)
    login = None
    if app_id:
        login = BusinessLogin(app, LoginSettings(app_id, redirect, kind), "")
        print(words("1. Open this address in a browser and sign in:"), flush=True)
        print(f"\n{login.authorize_url}\n", flush=True)
        print(
            words(
                "2. After you tap Allow, the browser opens an address that may not load. "
                "Copy that whole address and paste it here (or paste an access token):"
            ),
            flush=True,
        )
    else:
        print(
            words(
                "No app ID given (--app-id), so igdesk cannot open Business Login. Paste an "
                "access token from Meta's App Dashboard (Instagram › API setup › Generate token):"
            ),
            flush=True,
        )
    pasted = (await asyncio.to_thread(read_paste, source, ask_secret, words)).strip()
    try:
        if _looks_like_address(pasted) and login is not None:
            secret = saved_app_secret(app) or _ask(ask_secret, words)
            login = BusinessLogin(
                app, LoginSettings(app_id, redirect, kind), secret, state=login.state
            )
            signed = await login.finish(pasted, choose=_page_picker(source, words))
        elif pasted and not _looks_like_address(pasted):
            signed = await sign_in_with_token(
                app, pasted, kind="facebook" if args.facebook else None
            )
        else:
            raise SignInError(NO_CODE, technical="nothing usable pasted")
    except SignInError as error:
        print(error.sentence(lang), file=sys.stderr, flush=True)
        return EXIT_FAILED
    return _done(signed, words)


def read_paste(source: TextIO, ask_secret: Callable[[str], str], words: Words) -> str:
    """What the owner pasted: not echoed on a terminal (a token must not stay on the screen
    or in its scrollback), one line from a pipe."""
    if source.isatty():
        return ask_secret(words("(what you paste is not shown) > "))
    return source.readline()


def _looks_like_address(text: str) -> bool:
    return "://" in text or "code=" in text or "error=" in text


def _ask(ask_secret: Callable[[str], str], words: Words) -> str:
    try:
        secret = ask_secret(words("App secret (not shown as you type): ")).strip()
    except (EOFError, OSError):
        secret = ""
    if not secret:
        raise SignInError(NO_SECRET, technical="no app secret given")
    return secret


def _page_picker(source: TextIO, words: Words) -> PagePicker:
    async def choose(pages: Sequence[PageChoice]) -> PageChoice | None:
        print(words("Choose the Facebook Page of your shop:"), flush=True)
        for number, page in enumerate(pages, 1):
            print(f"  {number}. {page.page_name} (@{page.username})", flush=True)
        answer = (await asyncio.to_thread(source.readline)).strip()
        if answer.isdigit() and 1 <= int(answer) <= len(pages):
            return pages[int(answer) - 1]
        return None

    return choose


def _done(signed: SignedIn, words: Words) -> int:
    if not signed.remembered:
        print(words.text(not_kept(signed.username)), file=sys.stderr, flush=True)
        return EXIT_FAILED
    if signed.expires_at is not None:
        print(
            words(
                "Signed in as @{username}. igdesk renews the sign-in by itself before it ends "
                "({date}).",
                username=signed.username,
                date=words.date(signed.expires_at.astimezone(), "d MMM yyyy"),
            ),
            flush=True,
        )
    else:
        print(words("Signed in as @{username}.", username=signed.username), flush=True)
    return EXIT_OK
