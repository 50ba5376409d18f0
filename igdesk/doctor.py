"""`igdesk doctor` and the window's "Check setup": a checklist, each line with a fix.

`checklist(app)` returns the lines as data (`CheckResult`: label, ok / warn / fail, what was
found, what to do), so the window shows the same thing the terminal prints. A `fail` blocks
messaging (no token, a refused one, no permission, a personal account, messaging switched off,
Instagram out of reach); `warn` does not (a token close to its end, a skewed clock, webhooks,
what the last passes could not read). `run_doctor` prints them and exits 1 on any fail.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

import httpx

from igdesk import secrets
from igdesk.app import App
from igdesk.domain import Account, parse_graph_time, utc_now
from igdesk.errors import IgdeskError
from igdesk.graph.errors import (
    GraphError,
    MessagingUnavailableError,
    PermissionDeniedError,
    TokenError,
    TransientError,
)
from igdesk.graph.flavour import flavour_by_name
from igdesk.i18n import N_, Text, Words
from igdesk.signin import record as records
from igdesk.signin import texts
from igdesk.signin.flow import PROFESSIONAL_TYPES
from igdesk.sync.unreadable import unreadable_text
from igdesk.views import SyncReport
from igdesk.webhooks.checkup import webhook_checks

#: A clock further off than this makes times (the reply window, renewals) wrong.
SKEW_LIMIT = timedelta(minutes=5)
SOON = timedelta(days=7)


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class CheckResult:
    """One line of the checklist. `label` is a catalogue id (`words(label)` where shown)."""

    label: str
    status: Status
    detail: Text | str  # a str is shown as it is (a folder, a username)
    fix: Text | None = None

    def said(self, words: Words) -> tuple[str, str, str | None]:
        """(label, detail, fix) in `words`' language."""
        detail = self.detail if isinstance(self.detail, str) else words.text(self.detail)
        fix = None if self.fix is None else words.text(self.fix)
        return words(self.label), detail, fix


SIGN_IN = Text(
    "Sign in: in the igdesk window, or run igdesk login on this computer (a token for one run: "
    "IGDESK_ACCESS_TOKEN)."
)


async def checklist(app: App, *, clock: Callable[[], datetime] = utc_now) -> list[CheckResult]:
    """Every check in order; the API checks are left out when there is no usable token."""
    results = [_profile_folder(app), await _archive(app)]
    token = await _token(app, clock)
    results.append(token)
    if token.status is not Status.FAIL:
        results += await _account_checks(app)
        results.append(await _clock(app, clock))
    for check in await webhook_checks(app):
        status = Status.OK if check.ok else Status.WARN  # polling goes on without webhooks
        results.append(CheckResult(check.label, status, check.detail))
    results += [
        CheckResult(N_("Last sync"), Status.WARN, problem)
        for problem in sync_problems(await app.inbox.sync_report())
    ]
    return results


def blocks_messaging(results: list[CheckResult]) -> bool:
    return any(result.status is Status.FAIL for result in results)


def _profile_folder(app: App) -> CheckResult:
    label = N_("Profile folder")
    try:
        app.profile.ensure()
        probe = app.profile.directory / ".doctor-probe"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as error:
        found = Text("cannot be written to ({detail})", detail=error.strerror or str(error))
        fix = Text("Check the disk and the folder's permissions, or choose another with --profile.")
        return CheckResult(label, Status.FAIL, found, fix)
    return CheckResult(label, Status.OK, (str(app.profile.directory)))


async def _archive(app: App) -> CheckResult:
    label = N_("Archive")
    try:
        count = len(await app.inbox.threads())
    except (IgdeskError, OSError) as error:
        detail = error.text if isinstance(error, IgdeskError) else (str(error))
        fix = Text("Move the damaged archive file away; igdesk builds a new one on the next sync.")
        return CheckResult(label, Status.FAIL, detail, fix)
    found = Text.plural("{n} conversation stored", "{n} conversations stored", count)
    return CheckResult(label, Status.OK, found)


async def _token(app: App, clock: Callable[[], datetime]) -> CheckResult:
    label = N_("Access token")
    where = secrets.source(app.profile.key, secrets.Secret.ACCESS_TOKEN)
    if not app.current_token():
        return CheckResult(label, Status.FAIL, Text("none: igdesk is not signed in"), SIGN_IN)
    record = records.load(app.profile)
    if where == "environment" or record is None:
        found = Text("found ({where}); its end date is not known", where=where)
        return CheckResult(label, Status.OK, found)
    if record.kind != "instagram":
        return CheckResult(label, Status.OK, Text("a Facebook Page token (it does not expire)"))
    now = clock()
    if record.expires_at is None:
        found = Text("its end date is not known yet: igdesk renews it a day after sign-in")
        return CheckResult(label, Status.OK, found)
    left = record.expires_at - now
    if left <= timedelta(0):
        return CheckResult(label, Status.FAIL, Text("it has ended"), SIGN_IN)
    days = left.days
    renewed = record.refreshed_at or record.obtained_at
    found = Text.plural(
        "valid for {n} more day (renewed {renewed})",
        "valid for {n} more days (renewed {renewed})",
        days,
        renewed=renewed.date().isoformat(),
    )
    if left < SOON and record.refresh_failed_at is not None:
        failed = record.refresh_failed_at.date().isoformat()
        found = Text("{found}; renewing failed on {failed}", found=found, failed=failed)
        return CheckResult(label, Status.WARN, found, Text("Sign in again before it ends."))
    return CheckResult(label, Status.OK, found)


async def _account_checks(app: App) -> list[CheckResult]:
    """The token against Instagram: the account, its kind, the permission, messaging."""
    results: list[CheckResult] = []
    via_page = flavour_by_name(app.settings.flavour).via_page
    try:
        client = app.client
        account: Account = await client.me()
        results.append(CheckResult(N_("Instagram account"), Status.OK, (f"@{account.username}")))
        kind_of = account.account_type.upper()
        if not via_page and kind_of and kind_of not in PROFESSIONAL_TYPES:
            fix = texts.not_professional(account.username)
            found = Text("a personal account")
            results.append(CheckResult(N_("Professional account"), Status.FAIL, found, fix))
            return results
        kinds = {"BUSINESS": Text("a business account"), "": Text("linked to a Facebook Page")}
        kind_text = kinds.get(kind_of, Text("a creator account"))
        results.append(CheckResult(N_("Professional account"), Status.OK, kind_text))
        page = await anext(aiter(client.conversations(account, page_size=1)), None)
    except TokenError as error:
        return [*results, CheckResult(N_("Access token"), Status.FAIL, error.text, SIGN_IN)]
    except PermissionDeniedError:
        found = Text("messages cannot be read with this sign-in")
        return [
            *results,
            CheckResult(N_("Permissions"), Status.FAIL, found, texts.NO_MESSAGING_SCOPE),
        ]
    except MessagingUnavailableError as error:
        found = Text("switched off for this account (36103)")
        return [*results, CheckResult(N_("Messaging"), Status.FAIL, found, error.text)]
    except TransientError as error:
        found = Text("Instagram could not be reached")
        return [*results, CheckResult(N_("Conversations"), Status.FAIL, found, error.text)]
    except (GraphError, IgdeskError) as error:
        return [
            *results,
            CheckResult(N_("Conversations"), Status.FAIL, (type(error).__name__), error.text),
        ]
    saved = records.load(app.profile)
    granted = saved.permissions if saved is not None else ""
    allowed = (
        Text("messages can be read and sent (granted: {names})", names=granted.replace(",", ", "))
        if granted
        else Text("messages can be read and sent")
    )
    results.append(CheckResult(N_("Permissions"), Status.OK, allowed))
    results.append(CheckResult(N_("Messaging"), Status.OK, Text("available")))
    found = Text("readable") if page else Text("readable (no conversations yet)")
    results.append(CheckResult(N_("Conversations"), Status.OK, found))
    return results


async def _clock(app: App, clock: Callable[[], datetime]) -> CheckResult:
    """This computer's clock against the time in Instagram's answer (`Date` header)."""
    label = N_("Clock")
    root = app.graph_url or flavour_by_name(app.settings.flavour).graph_host
    try:
        async with httpx.AsyncClient(timeout=10.0) as http:
            answer = await http.get(root.rstrip("/") + "/")
        theirs = parsedate_to_datetime(answer.headers["date"])
    except (httpx.HTTPError, KeyError, TypeError, ValueError):
        return CheckResult(label, Status.WARN, Text("could not be compared with Instagram's"))
    skew = clock() - theirs
    minutes = int(abs(skew.total_seconds()) // 60)
    if abs(skew) > SKEW_LIMIT:
        found = Text.plural("{n} minute off", "{n} minutes off", minutes)
        fix = Text("Let the computer set its clock by itself (network time), then check again.")
        return CheckResult(label, Status.WARN, found, fix)
    return CheckResult(label, Status.OK, Text("right"))


async def run_doctor(app: App, lang: str) -> int:
    """Print the checklist: a line per check and its fix; 1 when something blocks messaging."""
    words = Words(lang)
    results = await checklist(app)
    marks = {Status.OK: "✓", Status.WARN: "!", Status.FAIL: "✗"}
    for result in results:
        label, detail, fix = result.said(words)
        out = sys.stderr if result.status is Status.FAIL else sys.stdout
        print(f"{marks[result.status]} {label}: {detail}", file=out, flush=True)
        if fix is not None and result.status is not Status.OK:
            print(f"  → {fix}", file=out, flush=True)
    if blocks_messaging(results):
        return 1
    if all(result.status is Status.OK for result in results):
        print(words("Everything looks good."), flush=True)
    return 0


def sync_warnings(report: SyncReport, lang: str) -> list[str]:
    """What the last passes could not do, in `lang`."""
    words = Words(lang)
    return [words.text(problem) for problem in sync_problems(report)]


def sync_problems(report: SyncReport) -> list[Text]:
    """What the last passes could not do: fields the account refused, unreadable threads."""
    problems = []
    refused = report.refused_fields
    if refused:
        names = ", ".join(f"{node}.{name}" for node, fields in refused.items() for name in fields)
        problems.append(
            Text(
                "Instagram refused these fields for your account, so igdesk reads without "
                "them: {names}",
                names=names,
            )
        )
    unreadable = list(report.unreadable)
    summary = unreadable_text(unreadable)
    if summary is not None:
        problems.append(summary)
        for entry in unreadable:
            username = report.usernames.get(entry.customer_id)
            who = "@" + username if username else entry.thread_id
            problems.append(
                Text(
                    "{who}: could not be read {failures}× (code {code}); next try {retry}",
                    who=who,
                    failures=entry.failures,
                    code=str(entry.code),
                    retry=parse_graph_time(entry.retry_at).astimezone().strftime("%d %b %H:%M"),
                )
            )
    return problems
