"""The only place that touches the OS keyring: access tokens, the app secret, the verify token,
and the tunnels' credentials (the ngrok authtoken, the Cloudflare tunnel token).

Environment variables (IGDESK_ACCESS_TOKEN, IGDESK_APP_SECRET, IGDESK_META_APP_SECRET,
IGDESK_VERIFY_TOKEN, IGDESK_NGROK_AUTHTOKEN, IGDESK_CLOUDFLARE_TUNNEL_TOKEN) win for one run
and are never written anywhere.
"""

from __future__ import annotations

import logging
import os
from enum import StrEnum

import keyring
import keyring.errors

log = logging.getLogger("igdesk.secrets")

SERVICE = "igdesk"


class Secret(StrEnum):
    ACCESS_TOKEN = "access_token"
    APP_SECRET = "app_secret"
    #: The Meta app's own secret (App settings > Basic); webhooks signed with it are accepted too.
    META_APP_SECRET = "meta_app_secret"
    VERIFY_TOKEN = "verify_token"
    NGROK_AUTHTOKEN = "ngrok_authtoken"
    CLOUDFLARE_TUNNEL_TOKEN = "cloudflare_tunnel_token"


_ENVIRONMENT = {
    Secret.ACCESS_TOKEN: "IGDESK_ACCESS_TOKEN",
    Secret.APP_SECRET: "IGDESK_APP_SECRET",
    Secret.META_APP_SECRET: "IGDESK_META_APP_SECRET",
    Secret.VERIFY_TOKEN: "IGDESK_VERIFY_TOKEN",
    Secret.NGROK_AUTHTOKEN: "IGDESK_NGROK_AUTHTOKEN",
    Secret.CLOUDFLARE_TUNNEL_TOKEN: "IGDESK_CLOUDFLARE_TUNNEL_TOKEN",
}


class KeyringUnavailableError(Exception):
    """The system has no usable keyring, so a secret cannot be saved."""


def _entry(profile_key: str, secret: Secret) -> str:
    return f"{profile_key}:{secret.value}"


def get(profile_key: str, secret: Secret) -> str | None:
    """The secret from the environment, else from the keyring, else None."""
    from_env = os.environ.get(_ENVIRONMENT[secret], "").strip()
    if from_env:
        return from_env
    try:
        value = keyring.get_password(SERVICE, _entry(profile_key, secret))
    except keyring.errors.KeyringError as error:
        log.info("keyring not available (%s)", type(error).__name__)
        return None
    return value or None


def source(profile_key: str, secret: Secret) -> str:
    """Where `get` finds the secret: 'environment', 'keyring' or 'none' (for `doctor`)."""
    if os.environ.get(_ENVIRONMENT[secret], "").strip():
        return "environment"
    return "keyring" if get(profile_key, secret) else "none"


def put(profile_key: str, secret: Secret, value: str) -> None:
    try:
        keyring.set_password(SERVICE, _entry(profile_key, secret), value)
    except keyring.errors.KeyringError as error:
        raise KeyringUnavailableError(type(error).__name__) from None


def delete(profile_key: str, secret: Secret) -> None:
    try:
        keyring.delete_password(SERVICE, _entry(profile_key, secret))
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as error:
        raise KeyringUnavailableError(type(error).__name__) from None
