"""Webhook health for `igdesk doctor` and "Check setup": each check a line with its next step.

Run from another process than the window, so what can be known is checked afresh: the secrets
and verify token are there, the chosen tunnel can start (its address, its token, its program),
Meta lists the messaging fields for the account (read, and restored when it dropped them), and
when the last delivery arrived. Webhooks never block messaging (polling goes on without them),
so a failure here is a warning, not a stop.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from igdesk import secrets
from igdesk.app import App
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError
from igdesk.i18n import N_, Text
from igdesk.webhooks.service import credentials
from igdesk.webhooks.subscription import SubscriptionKeeper
from igdesk.webhooks.tunnel import TunnelError, TunnelProvider, callback_url, check_public_url
from igdesk.webhooks.tunnel.choice import TunnelChoice, tunnel_choice


@dataclass(frozen=True)
class WebhookCheck:
    """One line of the checkup: `label` (a catalogue id), whether it passed, and what was found
    or what to do."""

    label: str
    ok: bool
    detail: Text


async def webhook_checks(app: App) -> list[WebhookCheck]:
    """The webhook lines of the checkup (one "off" line while webhooks are off)."""
    settings = app.settings
    if not settings.webhooks_enabled:
        return [
            WebhookCheck(
                N_("Instant delivery"),
                True,
                Text(
                    "off: igdesk checks for messages every {seconds} seconds. Turn it on in "
                    "the window (igdesk menu › Instant delivery).",
                    seconds=int(settings.poll_interval_seconds),
                ),
            )
        ]
    checks = [_secrets(app), _tunnel(tunnel_choice(settings), app.profile.key)]
    checks.append(await _subscription(app))
    checks.append(await _last_delivery(app))
    return checks


def _secrets(app: App) -> WebhookCheck:
    label = N_("Webhook secrets")
    try:
        signing, _ = credentials(app.profile.key)
    except IgdeskError as error:
        return WebhookCheck(label, False, error.text)
    return WebhookCheck(
        label,
        True,
        Text.plural(
            "the verify token and {n} app secret are saved",
            "the verify token and {n} app secrets are saved",
            len(signing),
        ),
    )


def _tunnel(choice: TunnelChoice, profile_key: str) -> WebhookCheck:
    """Whether the chosen tunnel has what it needs to start (it runs in the window)."""
    label = N_("Tunnel")
    if choice.provider is TunnelProvider.MANUAL:
        try:
            url = check_public_url(choice.public_url)
        except TunnelError as error:
            return WebhookCheck(label, False, error.text)
        return WebhookCheck(
            label, True, Text("your own address; callback URL {url}", url=callback_url(url))
        )
    if choice.provider is TunnelProvider.NGROK:
        if secrets.get(profile_key, secrets.Secret.NGROK_AUTHTOKEN) is None:
            return WebhookCheck(
                label,
                False,
                Text(
                    "ngrok needs your authtoken (dashboard.ngrok.com › Your Authtoken). Enter "
                    "it in igdesk menu › Instant delivery."
                ),
            )
        return WebhookCheck(label, True, Text("ngrok, with your authtoken"))
    if shutil.which("cloudflared") is None:
        return WebhookCheck(
            label,
            False,
            Text(
                "The cloudflared program is not installed. Install it from Cloudflare "
                "(developers.cloudflare.com › Cloudflare Tunnel › Downloads), or choose ngrok."
            ),
        )
    if choice.cloudflare_hostname and (
        secrets.get(profile_key, secrets.Secret.CLOUDFLARE_TUNNEL_TOKEN) is None
    ):
        return WebhookCheck(
            label,
            False,
            Text(
                "A named Cloudflare tunnel needs its token. Enter it in igdesk menu › Instant "
                "delivery, or empty the hostname for a quick tunnel."
            ),
        )
    return WebhookCheck(label, True, Text("cloudflared is installed"))


async def _subscription(app: App) -> WebhookCheck:
    label = N_("Webhook subscription")
    try:
        state = await SubscriptionKeeper(lambda: app.client).check()
    except (GraphError, IgdeskError) as error:
        return WebhookCheck(label, False, error.text)
    if state.error is not None:
        return WebhookCheck(label, False, state.error.text)
    if not state.healthy:
        return WebhookCheck(
            label,
            False,
            Text(
                "Meta does not keep your account subscribed. In Meta's App Dashboard, check "
                "that webhooks are configured for your app with igdesk's callback URL."
            ),
        )
    if state.resubscribed:
        return WebhookCheck(label, True, Text("was missing: igdesk subscribed your account again"))
    return WebhookCheck(label, True, Text("present ({fields})", fields=", ".join(state.fields)))


async def _last_delivery(app: App) -> WebhookCheck:
    label = N_("Last webhook")
    last = await app.webhooks.last_received()
    if last is None:
        return WebhookCheck(
            label,
            True,
            Text("none received yet (they arrive while igdesk runs with the tunnel up)"),
        )
    moment = last.astimezone().strftime("%Y-%m-%d %H:%M")
    return WebhookCheck(label, True, Text("received {time}", time=moment))
