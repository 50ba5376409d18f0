"""The command line: parse arguments and run the GUI or a headless command.

A contract other tools rely on (design.md, "Command line"): headless commands exit non-zero with
one clear line on stderr when anything fails, and never print a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from igdesk.app import App, open_app
from igdesk.config import system_language
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError
from igdesk.logsetup import setup_logging
from igdesk.sync.engine import SyncSummary

log = logging.getLogger("igdesk.cli")

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: `sync --once` read some conversations but not all (the summary says which failed and why).
EXIT_PARTIAL = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="igdesk", description="A desktop inbox for your shop's Instagram messages."
    )
    parser.add_argument("--profile", type=Path, help="folder for data and settings")
    parser.add_argument("--graph-url", help="talk to another Graph-compatible server (tests)")
    parser.add_argument(
        "--sandbox", action="store_true", help="use the built-in sandbox world, no Meta account"
    )
    parser.add_argument("--screenshot", type=Path, help="(GUI) save the window to a PNG and exit")
    parser.add_argument("--lang", choices=("en", "id"), help="language of messages")
    parser.add_argument("--verbose", action="store_true", help="also log to the terminal")
    commands = parser.add_subparsers(dest="command")

    sync = commands.add_parser("sync", help="sync the archive with Instagram (headless)")
    mode = sync.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="one full sync, then a summary")
    mode.add_argument("--watch", action="store_true", help="keep syncing until stopped")
    sync.add_argument("--interval", type=float, help="seconds between polls (with --watch)")

    commands.add_parser("export", help="print the archive as JSON lines, one per thread")
    commands.add_parser("doctor", help="check the set-up step by step")

    sandbox = commands.add_parser("sandbox", help="the built-in stand-in for Meta's API")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox_commands.add_parser("serve", help="run the sandbox alone")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    serve.add_argument("--scenario", type=Path, help="scenario JSON file")
    serve.add_argument("--simulate", type=float, help="a customer writes every N seconds")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = args.lang or system_language()

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

    command = _COMMANDS[args.command]
    try:
        return asyncio.run(_run_with_app(args, lang, command))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


Command = Callable[[App, argparse.Namespace, str], Coroutine[Any, Any, int]]


async def _run_with_app(args: argparse.Namespace, lang: str, command: Command) -> int:
    try:
        async with open_app(args.profile, graph_url=args.graph_url, sandbox=args.sandbox) as app:
            setup_logging(app.profile.log_path, verbose=args.verbose)
            return await command(app, args, lang)
    except (GraphError, IgdeskError) as error:
        log.info("command failed: %s", type(error).__name__)
        return _fail(_sentence(error, lang))
    except OSError as error:
        log.info("command failed: %s", type(error).__name__)
        return _fail(
            _pick(
                lang,
                f"igdesk could not read or write a file ({error.strerror or error}). "
                "Check the disk and the folder's permissions.",
                f"igdesk tidak bisa membaca atau menulis berkas ({error.strerror or error}). "
                "Periksa disk dan izin foldernya.",
            )
        )
    except Exception:
        log.exception("unexpected failure")
        return _fail(
            _pick(
                lang,
                "igdesk hit an unexpected problem. Please send the log file from your profile "
                "folder (logs/igdesk.log) to support.",
                "igdesk mengalami masalah tak terduga. Kirimkan berkas log dari folder profil "
                "Anda (logs/igdesk.log) ke dukungan.",
            )
        )


async def _sync(app: App, args: argparse.Namespace, lang: str) -> int:
    if args.once:
        summary = await app.sync_once(_progress_printer(lang))
        _clear_progress()
        print(_describe(summary, app, lang), flush=True)
        if not summary.complete:
            print(summary.problem(lang), file=sys.stderr, flush=True)
            return EXIT_PARTIAL
        return EXIT_OK
    if args.interval is not None:
        if args.interval < 1:
            return _fail(
                _pick(lang, "--interval must be at least 1 second.", "--interval minimal 1 detik.")
            )
        app.settings.poll_interval_seconds = args.interval
    stop = asyncio.Event()

    def report(summary: SyncSummary) -> None:
        if summary.new_messages:
            print(_describe(summary, app, lang), flush=True)
        if not summary.complete:
            print(summary.problem(lang), file=sys.stderr, flush=True)

    def report_error(error: Exception) -> None:
        print(_sentence(error, lang), file=sys.stderr, flush=True)

    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(stop_signal, stop.set)
    await app.watch(stop, on_summary=report, on_error=report_error)
    return EXIT_OK


async def _export(app: App, args: argparse.Namespace, lang: str) -> int:
    out = sys.stdout
    for record in app.archive.iter_export():
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    return EXIT_OK


async def _doctor(app: App, args: argparse.Namespace, lang: str) -> int:
    from igdesk.doctor import run_doctor

    return await run_doctor(app, lang)


_COMMANDS: dict[str, Command] = {"sync": _sync, "export": _export, "doctor": _doctor}


def _progress_printer(lang: str) -> Callable[[SyncSummary], None] | None:
    """A one-line progress counter on a terminal (nothing when stderr is a pipe or file)."""
    if not sys.stderr.isatty():
        return None

    def show(summary: SyncSummary) -> None:
        done = summary.conversations_listed
        text = _pick(lang, f"Syncing… {done} conversations", f"Menyinkronkan… {done} percakapan")
        print(f"\r{text}", end="", file=sys.stderr, flush=True)

    return show


def _clear_progress() -> None:
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def _describe(summary: SyncSummary, app: App, lang: str) -> str:
    account = app.archive.account()
    who = f"@{account.username}" if account else "?"
    return _pick(
        lang,
        f"Synced {who}: {summary.threads_updated} conversations updated "
        f"({summary.threads_created} new), {summary.new_messages} new messages "
        f"({summary.new_customer_messages} from customers), {summary.requests} requests "
        f"in {summary.seconds:.1f} s.",
        f"Sinkron {who}: {summary.threads_updated} percakapan diperbarui "
        f"({summary.threads_created} baru), {summary.new_messages} pesan baru "
        f"({summary.new_customer_messages} dari pelanggan), {summary.requests} permintaan "
        f"dalam {summary.seconds:.1f} dtk.",
    )


def _sentence(error: BaseException, lang: str) -> str:
    sentence = getattr(error, "sentence", None)
    if callable(sentence):
        return str(sentence(lang))
    return _pick(
        lang,
        f"Something went wrong ({type(error).__name__}).",
        f"Terjadi kesalahan ({type(error).__name__}).",
    )


def _pick(lang: str, english: str, indonesian: str) -> str:
    return indonesian if lang == "id" else english


def _fail(line: str) -> int:
    _clear_progress()
    print(line, file=sys.stderr, flush=True)
    return EXIT_FAILED
