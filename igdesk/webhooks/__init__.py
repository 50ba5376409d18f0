"""Webhooks: signature and verify-token checks, and parsing deliveries into typed events.

Pure and Qt-free. The receiver, durable queue, tunnels and subscription checks build on these.
"""

from igdesk.webhooks.convert import to_message
from igdesk.webhooks.events import (
    Channel,
    Event,
    HandoverEvent,
    MessageEditEvent,
    MessageEvent,
    PostbackEvent,
    ReactionEvent,
    ReadEvent,
    Referral,
    ReferralEvent,
    StoryRef,
    UnknownEvent,
    WebhookEvent,
)
from igdesk.webhooks.payload import PayloadError, PayloadErrorReason, parse_payload
from igdesk.webhooks.signature import (
    SIGNATURE_HEADER,
    SecretRole,
    SignatureCheck,
    SignatureStatus,
    WebhookSecret,
    sign,
    verify_challenge,
    verify_signature,
    webhook_secrets,
)

__all__ = [
    "SIGNATURE_HEADER",
    "Channel",
    "Event",
    "HandoverEvent",
    "MessageEditEvent",
    "MessageEvent",
    "PayloadError",
    "PayloadErrorReason",
    "PostbackEvent",
    "ReactionEvent",
    "ReadEvent",
    "Referral",
    "ReferralEvent",
    "SecretRole",
    "SignatureCheck",
    "SignatureStatus",
    "StoryRef",
    "UnknownEvent",
    "WebhookEvent",
    "WebhookSecret",
    "parse_payload",
    "sign",
    "to_message",
    "verify_challenge",
    "verify_signature",
    "webhook_secrets",
]
