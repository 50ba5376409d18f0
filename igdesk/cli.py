"""The command line: parse arguments and run the GUI or a headless command.

A contract other tools rely on (design.md, "Command line"): headless commands exit non-zero with
one clear line on stderr when anything fails, and never print a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from igdesk import resources
from igdesk.app import App, open_app
from igdesk.config import Profile
from igdesk.domain import Account
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError
from igdesk.i18n import Words, available_languages, choose_language
from igdesk.logsetup import log_path, setup_logging
from igdesk.signin.cli_login import add_parser as add_login_parser
from igdesk.single_instance import ProfileLock
from igdesk.sync.engine import SyncSummary
from igdesk.sync.watch import watch
from igdesk.version import version
from igdesk.webhooks.console import StatusPrinter

log = logging.getLogger("igdesk.cli")

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130
#: `sync --once` read some conversations but not all (the summary says which failed and why).
EXIT_PARTIAL = 3


def build_parser(words: Words | None = None) -> argparse.ArgumentParser:
    words = words or Words()
    parser = argparse.ArgumentParser(
        prog="igdesk", description=words("A desktop inbox for your shop's Instagram messages.")
    )
    _global_options(parser, words)
    parser.add_argument(
        "--graph-url", help=words("talk to another Graph-compatible server (tests)")
    )
    parser.add_argument(
        "--screenshot", type=Path, help=words("(GUI) save the window to a PNG and exit")
    )
    parser.add_argument("--verbose", action="store_true", help=words("also log to the terminal"))
    parser.add_argument(
        "--thread",
        metavar="ID",
        help=words("(GUI) open this conversation (also in a running window)"),
    )
    parser.add_argument(
        "--version", action="store_true", help=words("print the version and where the logs are")
    )
    commands = parser.add_subparsers(dest="command")

    sync = commands.add_parser("sync", help=words("sync the archive with Instagram (headless)"))
    mode = sync.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help=words("one full sync, then a summary"))
    mode.add_argument("--watch", action="store_true", help=words("keep syncing until stopped"))
    sync.add_argument("--interval", type=float, help=words("seconds between polls (with --watch)"))
    sync.add_argument(
        "--webhook-port",
        type=int,
        metavar="N",
        help=words("also receive webhooks on 127.0.0.1:N (with --watch; 0: a free port)"),
    )

    commands.add_parser("export", help=words("print the archive as JSON lines, one per thread"))
    commands.add_parser("doctor", help=words("check the set-up step by step"))
    add_login_parser(commands, words)

    sandbox = commands.add_parser("sandbox", help=words("the built-in stand-in for Meta's API"))
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox_commands.add_parser("serve", help=words("run the sandbox alone"))
    serve.add_argument(
        "--port", type=int, default=0, help=words("port on 127.0.0.1 (default: free)")
    )
    serve.add_argument("--scenario", type=Path, help=words("scenario JSON file"))
    serve.add_argument("--simulate", type=float, help=words("a customer writes every N seconds"))
    return parser


def _global_options(parser: argparse.ArgumentParser, words: Words) -> None:
    parser.add_argument("--profile", type=Path, help=words("folder for data and settings"))
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help=words("use the built-in sandbox world, no Meta account"),
    )
    parser.add_argument(
        "--lang",
        choices=available_languages(),
        help=words("language of messages (default: the one chosen in Settings, else the system's)"),
    )


def main(argv: list[str] | None = None) -> int:
    lang = _language(argv)
    args = build_parser(Words(lang)).parse_args(argv)
    if args.version:
        return _version(args, lang)
    missing = resources.missing()
    if missing:
        words = Words(lang)
        return _fail(
            words(
                "igdesk is missing some of its files ({names}) in {folder}. Install igdesk again; "
                "your messages and settings are not affected.",
                names=", ".join(missing),
                folder=str(resources.root()),
            )
        )

    if args.command == "sandbox":
        from igdesk.sandbox.serve import run_serve

        try:
            run_serve(args.port, args.scenario, args.simulate)
        except KeyboardInterrupt:
            return EXIT_OK
        except (IgdeskError, ValueError, OSError) as error:
            return _fail(_sentence(error, lang))
        return EXIT_OK

    if args.command is None:
        from igdesk.ui.launch import run_gui

        try:
            return run_gui(args, lang)
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        except Exception:  # the window's own crash dialog did not catch it (e.g. at start)
            from igdesk.ui.instance import tell

            return tell(_unexpected(args, lang), failed=True)

    command = _COMMANDS[args.command]
    try:
        return asyncio.run(_run_with_app(args, lang, command))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


Command = Callable[[App, argparse.Namespace, str], Coroutine[Any, Any, int]]


async def _run_with_app(args: argparse.Namespace, lang: str, command: Command) -> int:
    try:
        async with open_app(args.profile, graph_url=args.graph_url, sandbox=args.sandbox) as app:
            problem = setup_logging(log_path(app.profile), verbose=args.verbose)
            if problem is not None:
                print(Words(lang).text(problem), file=sys.stderr, flush=True)
            return await command(app, args, lang)
    except (GraphError, IgdeskError) as error:
        log.info("command failed: %s", type(error).__name__)
        return _fail(_sentence(error, lang))
    except OSError as error:
        log.info("command failed: %s", type(error).__name__)
        return _fail(_sentence(error, lang))
    except Exception:
        return _fail(_unexpected(args, lang))


def _unexpected(args: argparse.Namespace, lang: str) -> str:
    """Log the exception being handled (to the profile's log file, never the terminal) and
    give the sentence for the owner."""
    where = log_path(_profile(args))
    if not logging.getLogger("igdesk").handlers:  # it failed before the log was set up
        setup_logging(where)
    log.exception("unexpected failure")
    words = Words(lang)
    return words(
        "igdesk hit an unexpected problem. Please send the log file ({path}) to support.",
        path=str(where),
    )


async def _sync(app: App, args: argparse.Namespace, lang: str) -> int:
    words = Words(lang)
    if not args.once:
        return await _watch(app, args, lang)
    if args.webhook_port is not None:
        return _fail(words("--webhook-port works only with sync --watch."))
    summary = await app.sync_once(_progress_printer(words))
    _clear_progress()
    print(_describe(summary, await app.inbox.account(), words), flush=True)
    problem = summary.problem()
    if problem is not None:
        print(words.text(problem), file=sys.stderr, flush=True)
        return EXIT_PARTIAL
    return EXIT_OK


async def _watch(app: App, args: argparse.Namespace, lang: str) -> int:
    """`sync --watch`: poll (and receive webhooks with --webhook-port) until SIGINT/SIGTERM."""
    words = Words(lang)
    if args.interval is not None:
        if args.interval < 1:
            return _fail(words("--interval must be at least 1 second."))
        app.settings.poll_interval_seconds = args.interval
    lock = ProfileLock(app.profile.directory)
    if not lock.acquire("sync --watch"):
        return _fail(_taken(lock, words))
    with lock:
        return await _watch_locked(app, args, lang)


async def _watch_locked(app: App, args: argparse.Namespace, lang: str) -> int:
    words = Words(lang)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(stop_signal, stop.set)
    if args.webhook_port is not None:
        if not 0 <= args.webhook_port <= 65535:
            return _fail(words("--webhook-port must be a port number from 0 to 65535."))
        if app.settings.webhooks_enabled:  # the tunnel and the subscription, as in the window
            app.events.subscribe(StatusPrinter(words))
            chosen = dataclasses.replace(app.settings, webhook_port=args.webhook_port)
            await app.webhooks.connect_account(chosen)
        webhooks = await app.webhooks.start(args.webhook_port)  # App.aclose stops it
        print(words("Receiving webhooks at {url}", url=webhooks.url), flush=True)

    async def report(summary: SyncSummary) -> None:
        if summary.new_messages:
            print(_describe(summary, await app.inbox.account(), words), flush=True)
        problem = summary.problem()
        if problem is not None:
            print(words.text(problem), file=sys.stderr, flush=True)

    def report_error(error: Exception) -> None:
        print(_sentence(error, lang), file=sys.stderr, flush=True)

    await watch(app, stop, on_summary=report, on_error=report_error)
    return EXIT_OK


async def _export(app: App, args: argparse.Namespace, lang: str) -> int:
    out = sys.stdout
    async for record in app.inbox.export():
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    return EXIT_OK


async def _doctor(app: App, args: argparse.Namespace, lang: str) -> int:
    from igdesk.doctor import run_doctor

    return await run_doctor(app, lang)


async def _login(app: App, args: argparse.Namespace, lang: str) -> int:
    from igdesk.signin.cli_login import run_login

    return await run_login(app, args, lang)


_COMMANDS: dict[str, Command] = {
    "sync": _sync,
    "export": _export,
    "doctor": _doctor,
    "login": _login,
}


def _progress_printer(words: Words) -> Callable[[SyncSummary], None] | None:
    """A one-line progress counter on a terminal (nothing when stderr is a pipe or file)."""
    if not sys.stderr.isatty():
        return None

    def show(summary: SyncSummary) -> None:
        done = summary.conversations_listed
        text = words.plural("Syncing… {n} conversation", "Syncing… {n} conversations", done)
        print(f"\r{text}", end="", file=sys.stderr, flush=True)

    return show


def _clear_progress() -> None:
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def _describe(summary: SyncSummary, account: Account | None, words: Words) -> str:
    who = f"@{account.username}" if account else "?"
    return words(
        "Synced {who}: {updated} ({created} new), {messages} ({from_customers} from customers), "
        "{requests} in {seconds} s.",
        who=who,
        updated=words.plural(
            "{n} conversation updated", "{n} conversations updated", summary.threads_updated
        ),
        created=summary.threads_created,
        messages=words.plural("{n} new message", "{n} new messages", summary.new_messages),
        from_customers=summary.new_customer_messages,
        requests=words.plural(
            "{n} request to Instagram", "{n} requests to Instagram", summary.requests
        ),
        seconds=f"{summary.seconds:.1f}",
    )


def _sentence(error: BaseException, lang: str) -> str:
    words = Words(lang)
    if isinstance(error, GraphError | IgdeskError):
        return words.text(error.text)
    if isinstance(error, OSError):
        return words(
            "igdesk could not read or write a file ({detail}). "
            "Check the disk and the folder's permissions.",
            detail=error.strerror or str(error),
        )
    return words("Something went wrong ({name}).", name=type(error).__name__)


def _language(argv: list[str] | None) -> str:
    """`--lang`, else the language chosen in the profile's Settings, else the system's; read
    before the real parsing so that the help is in that language (a bad value is left to it)."""
    early = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    early.add_argument("--profile", type=Path)
    early.add_argument("--sandbox", action="store_true")
    early.add_argument("--lang", default="")
    try:
        args = early.parse_known_args(argv)[0]
    except argparse.ArgumentError:
        args = argparse.Namespace(profile=None, sandbox=False, lang="")
    if args.profile is not None:
        saved = Profile(args.profile).settings().language
    else:
        saved = "" if args.sandbox else Profile.default().settings().language
    available = available_languages()
    return choose_language(*(code for code in (args.lang, saved) if code in available))


def _profile(args: argparse.Namespace) -> Profile:
    return Profile(args.profile) if args.profile is not None else Profile.default()


def _version(args: argparse.Namespace, lang: str) -> int:
    words = Words(lang)
    print(f"igdesk {version()}")
    print(words("Logs: {path}", path=str(log_path(_profile(args)))))
    return EXIT_OK


def _taken(lock: ProfileLock, words: Words) -> str:
    """Why a long-running command cannot start: another igdesk works this profile."""
    holder = lock.holder()
    pid = holder.pid if holder else "?"
    if holder is not None and holder.what == "window":
        return words(
            "The igdesk window (process {pid}) is open on this profile and already keeps it in "
            "sync. Close it first, or use another --profile.",
            pid=pid,
        )
    return words(
        "Another igdesk (process {pid}) is already syncing this profile. Stop it first, or use "
        "another --profile.",
        pid=pid,
    )


def _fail(line: str) -> int:
    _clear_progress()
    print(line, file=sys.stderr, flush=True)
    return EXIT_FAILED
