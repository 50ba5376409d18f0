"""Async Graph API client on httpx for both account kinds: endpoints, OAuth, pacing, typed errors.

Import from here: `GraphClient`, the flavours, `RateBudget`, the parsers and the error tree.
Nothing in this package imports Qt.
"""

from igdesk.graph.client import GraphClient
from igdesk.graph.errormap import error_from_exception, error_from_response
from igdesk.graph.errors import (
    AccountNotLinkedError,
    BadResponseError,
    ConsentRequiredError,
    GraphError,
    HumanAgentNotAllowedError,
    InvalidRequestError,
    MessageUnreadableError,
    MessagingUnavailableError,
    NoMatchingUserError,
    OAuthExchangeError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RecipientError,
    SendOutcomeUnknownError,
    SignInDeniedError,
    TokenError,
    TransientError,
    UserUnavailableError,
)
from igdesk.graph.flavour import FACEBOOK_PAGE, INSTAGRAM_LOGIN, Flavour, flavour_by_name
from igdesk.graph.oauth import InstagramOAuth, TokenGrant, authorize_url, code_from_redirect
from igdesk.graph.parse import (
    parse_account,
    parse_conversation_ref,
    parse_message,
    parse_messages,
    parse_profile,
)
from igdesk.graph.ratelimit import CallKind, RateBudget
from igdesk.graph.redact import redact

__all__ = [
    "FACEBOOK_PAGE",
    "INSTAGRAM_LOGIN",
    "AccountNotLinkedError",
    "BadResponseError",
    "CallKind",
    "ConsentRequiredError",
    "Flavour",
    "GraphClient",
    "GraphError",
    "HumanAgentNotAllowedError",
    "InstagramOAuth",
    "InvalidRequestError",
    "MessageUnreadableError",
    "MessagingUnavailableError",
    "NoMatchingUserError",
    "OAuthExchangeError",
    "OutsideWindowError",
    "PermissionDeniedError",
    "RateBudget",
    "RateLimitError",
    "RecipientError",
    "SendOutcomeUnknownError",
    "SignInDeniedError",
    "TokenError",
    "TokenGrant",
    "TransientError",
    "UserUnavailableError",
    "authorize_url",
    "code_from_redirect",
    "error_from_exception",
    "error_from_response",
    "flavour_by_name",
    "parse_account",
    "parse_conversation_ref",
    "parse_message",
    "parse_messages",
    "parse_profile",
    "redact",
]
