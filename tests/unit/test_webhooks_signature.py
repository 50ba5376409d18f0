"""Webhook authenticity: X-Hub-Signature-256 over the raw bytes, two secrets, the GET handshake."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from igdesk.webhooks.signature import (
    SecretRole,
    SignatureCheck,
    SignatureStatus,
    WebhookSecret,
    sign,
    verify_challenge,
    verify_signature,
    webhook_secrets,
)

IG_SECRET = "ig-app-secret-0123"
META_SECRET = "meta-app-secret-4567"
SECRETS = webhook_secrets(IG_SECRET, META_SECRET)
# Meta signs its own serialization: escaped unicode, no spaces.
BODY = b'{"object":"instagram","entry":[{"id":"1","messaging":[{"message":{"text":"\\u00e9"}}]}]}'


def header_for(body: bytes, secret: str) -> str:
    """Computed here independently of `sign`, so the two are checked against each other."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_sign_matches_an_independent_hmac() -> None:
    assert sign(BODY, IG_SECRET) == header_for(BODY, IG_SECRET)


def test_either_secret_verifies_and_names_its_role() -> None:
    assert verify_signature(BODY, header_for(BODY, IG_SECRET), SECRETS) == SignatureCheck(
        SignatureStatus.VERIFIED, SecretRole.INSTAGRAM_APP
    )
    check = verify_signature(BODY, header_for(BODY, META_SECRET), SECRETS)
    assert check.ok
    assert check.role is SecretRole.META_APP


def test_secrets_are_tried_instagram_first_and_empty_ones_dropped() -> None:
    assert [s.role for s in SECRETS] == [SecretRole.INSTAGRAM_APP, SecretRole.META_APP]
    assert webhook_secrets("", META_SECRET) == (WebhookSecret(SecretRole.META_APP, META_SECRET),)
    assert webhook_secrets(None, None) == ()
    # The same value configured twice: the Instagram role is the one reported.
    both = webhook_secrets(IG_SECRET, IG_SECRET)
    assert verify_signature(BODY, sign(BODY, IG_SECRET), both).role is SecretRole.INSTAGRAM_APP


def test_secret_values_never_show_in_reprs() -> None:
    assert IG_SECRET not in repr(SECRETS)
    check = verify_signature(BODY, sign(BODY, IG_SECRET), SECRETS)
    assert IG_SECRET not in repr(check)
    assert IG_SECRET not in str(check.role)


def test_no_header_or_an_empty_one_is_missing() -> None:
    for header in (None, "", "   "):
        check = verify_signature(BODY, header, SECRETS)
        assert check == SignatureCheck(SignatureStatus.MISSING)
        assert not check.ok


def test_wrong_secret_is_a_mismatch() -> None:
    check = verify_signature(BODY, sign(BODY, "someone-else"), SECRETS)
    assert check == SignatureCheck(SignatureStatus.MISMATCH)
    assert not check.ok


def test_signature_over_other_bytes_is_a_mismatch() -> None:
    # Re-serializing the parsed JSON changes the bytes (é unescaped, spaces): never verified.
    reserialized = json.dumps(json.loads(BODY), ensure_ascii=False).encode()
    assert reserialized != BODY
    assert not verify_signature(BODY, sign(reserialized, IG_SECRET), SECRETS).ok
    assert not verify_signature(reserialized, sign(BODY, IG_SECRET), SECRETS).ok
    assert not verify_signature(BODY + b"\n", sign(BODY, IG_SECRET), SECRETS).ok


@pytest.mark.parametrize(
    "header",
    [
        "sha1=" + hashlib.sha1(BODY).hexdigest(),  # the legacy header's form
        header_for(BODY, IG_SECRET)[len("sha256=") :],  # no prefix
        "sha256:" + header_for(BODY, IG_SECRET)[len("sha256=") :],
        "sha256=",
        "sha256=" + "z" * 64,  # not hex
        "sha256=" + "ab" * 31,  # 62 digits
        "sha256=" + "ab" * 33,  # 66 digits
        header_for(BODY, IG_SECRET) + "0",
        header_for(BODY, IG_SECRET)[:-1],
        "sha256=" + " ".join(["ab"] * 32),  # bytes.fromhex would take this; we do not
        "sha256=" + "é" * 64,
    ],
)
def test_malformed_headers(header: str) -> None:
    assert verify_signature(BODY, header, SECRETS) == SignatureCheck(SignatureStatus.MALFORMED)


def test_uppercase_hex_prefix_case_and_surrounding_spaces_are_accepted() -> None:
    digest = header_for(BODY, IG_SECRET)[len("sha256=") :]
    for header in ("sha256=" + digest.upper(), "SHA256=" + digest, f"  sha256={digest}\t"):
        assert verify_signature(BODY, header, SECRETS).ok, header


def test_no_configured_secret_never_verifies() -> None:
    for secrets in ((), webhook_secrets("", None), (WebhookSecret(SecretRole.META_APP, ""),)):
        check = verify_signature(BODY, sign(BODY, ""), secrets)
        assert check == SignatureCheck(SignatureStatus.NO_SECRET)


def test_empty_body_is_checked_like_any_other() -> None:
    assert verify_signature(b"", sign(b"", META_SECRET), SECRETS).role is SecretRole.META_APP
    assert not verify_signature(b"", sign(b"x", META_SECRET), SECRETS).ok


def test_non_ascii_secret() -> None:
    secrets = webhook_secrets("rahasia-é✓")
    assert verify_signature(BODY, sign(BODY, "rahasia-é✓"), secrets).ok


# --- GET verification -----------------------------------------------------------------------

TOKEN = "verify-me-42"


def query(**overrides: str) -> dict[str, str]:
    base = {"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "1158201444"}
    base.update(overrides)
    return base


def test_challenge_is_echoed_unchanged() -> None:
    assert verify_challenge(query(), TOKEN) == "1158201444"
    assert verify_challenge(query(**{"hub.challenge": "abc DEF"}), TOKEN) == "abc DEF"


@pytest.mark.parametrize(
    "params",
    [
        query(**{"hub.mode": "unsubscribe"}),
        query(**{"hub.mode": "Subscribe"}),
        query(**{"hub.verify_token": "verify-me-43"}),
        query(**{"hub.verify_token": TOKEN + " "}),
        query(**{"hub.verify_token": ""}),
        query(**{"hub.verify_token": "tökén"}),  # non-ASCII must not raise
        query(**{"hub.challenge": ""}),
        {"hub.mode": "subscribe", "hub.challenge": "1"},  # no token
        {"hub.mode": "subscribe", "hub.verify_token": TOKEN},  # no challenge
        {"hub_mode": "subscribe", "hub_verify_token": TOKEN, "hub_challenge": "1"},  # PHP style
        {},
    ],
)
def test_challenge_refused(params: dict[str, str]) -> None:
    assert verify_challenge(params, TOKEN) is None


def test_no_configured_token_refuses_everything() -> None:
    assert verify_challenge(query(**{"hub.verify_token": ""}), "") is None


def test_non_ascii_token_compares() -> None:
    assert verify_challenge(query(**{"hub.verify_token": "tökén"}), "tökén") == "1158201444"
    # A query decoded with surrogateescape (undecodable bytes) must not raise either.
    assert verify_challenge(query(**{"hub.verify_token": "\udcff"}), TOKEN) is None
