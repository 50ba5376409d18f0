"""Webhook authenticity: the `X-Hub-Signature-256` check of a POST and the GET verify handshake.

Pure functions, no I/O and no exceptions for bad input: the receiver turns a result into 200,
400 or 403. Secrets are compared in constant time and never appear in a result, a repr or a log;
a result names only the *role* of the secret that matched (instagram-api.md: Instagram Login
apps sign with the Instagram app secret, so it is tried first, then the Meta app secret).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: The header Meta signs POSTs with (the legacy SHA-1 `X-Hub-Signature` is not accepted).
SIGNATURE_HEADER = "X-Hub-Signature-256"

_PREFIX = "sha256="
# Meta sends lowercase hex; uppercase is accepted too, since hex is case-free and the comparison
# is on the decoded digest, so accepting it widens nothing an attacker could use.
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


class SecretRole(StrEnum):
    """Which configured secret a signature was made with: what a log line may name."""

    INSTAGRAM_APP = "instagram_app_secret"
    META_APP = "meta_app_secret"


@dataclass(frozen=True)
class WebhookSecret:
    """One secret the receiver accepts, with its role; the value never shows in a repr."""

    role: SecretRole
    value: str = field(repr=False)


def webhook_secrets(
    instagram_app_secret: str | None, meta_app_secret: str | None = None
) -> tuple[WebhookSecret, ...]:
    """The configured secrets in the order they are tried; empty or missing ones are left out."""
    candidates = (
        (SecretRole.INSTAGRAM_APP, instagram_app_secret),
        (SecretRole.META_APP, meta_app_secret),
    )
    return tuple(WebhookSecret(role, value) for role, value in candidates if value)


class SignatureStatus(StrEnum):
    """The outcome of a signature check; only VERIFIED may be processed."""

    VERIFIED = "verified"
    MISSING = "missing"  # no header, or an empty one
    MALFORMED = "malformed"  # not `sha256=` followed by exactly 64 hex digits
    MISMATCH = "mismatch"  # well-formed, but no configured secret produced it
    NO_SECRET = "no_secret"  # nothing configured to check against: never verified


@dataclass(frozen=True)
class SignatureCheck:
    """The result of `verify_signature`: a status and, when verified, the role that matched."""

    status: SignatureStatus
    role: SecretRole | None = None

    @property
    def ok(self) -> bool:
        return self.status is SignatureStatus.VERIFIED


def sign(body: bytes, secret: str) -> str:
    """The header value Meta would send for `body` signed with `secret` (sandbox and tests)."""
    digest = hmac.new(_bytes(secret), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify_signature(
    body: bytes, header: str | None, secrets: Iterable[WebhookSecret]
) -> SignatureCheck:
    """Check `header` (the `X-Hub-Signature-256` value) against the exact bytes received.

    The HMAC is taken over `body` as it arrived, never over re-serialized JSON: Meta signs its
    own escaped-unicode serialization. Surrounding whitespace and the case of `sha256=` and of
    the hex digits are tolerated; anything else malformed is refused.
    """
    usable = [s for s in secrets if s.value]
    if not usable:
        return SignatureCheck(SignatureStatus.NO_SECRET)
    if header is None or not header.strip():
        return SignatureCheck(SignatureStatus.MISSING)
    value = header.strip()
    if value[: len(_PREFIX)].lower() != _PREFIX:
        return SignatureCheck(SignatureStatus.MALFORMED)
    hex_digest = value[len(_PREFIX) :]
    if not _HEX_DIGEST.fullmatch(hex_digest):
        return SignatureCheck(SignatureStatus.MALFORMED)
    received = bytes.fromhex(hex_digest)
    matched: SecretRole | None = None
    # Every secret is tried (no early exit), so timing does not tell which one matched.
    for secret in usable:
        expected = hmac.new(_bytes(secret.value), body, hashlib.sha256).digest()
        if hmac.compare_digest(expected, received) and matched is None:
            matched = secret.role
    if matched is None:
        return SignatureCheck(SignatureStatus.MISMATCH)
    return SignatureCheck(SignatureStatus.VERIFIED, matched)


def verify_challenge(query: Mapping[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to echo for a GET verification, or None (the receiver answers 403).

    Needs `hub.mode == "subscribe"`, a non-empty configured token equal (constant time) to
    `hub.verify_token`, and a non-empty challenge, which is returned unchanged.
    """
    if not verify_token or query.get("hub.mode") != "subscribe":
        return None
    given = query.get("hub.verify_token")
    challenge = query.get("hub.challenge")
    if given is None or not challenge:
        return None
    # compare_digest on str refuses non-ASCII, so compare bytes (surrogatepass: a query decoded
    # with surrogateescape must not raise here).
    if not hmac.compare_digest(_bytes(given), _bytes(verify_token)):
        return None
    return challenge


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
