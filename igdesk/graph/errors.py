"""The one error tree of `igdesk.graph`, and how server answers and network failures map onto it.

Every failure the client can meet is one of these classes. Each carries a plain sentence for the
shop owner (`text`, a catalogue message translated where it is shown, with the next step), the
technical detail for the log (never a token, never customer text), and whether retrying can
help::

    GraphError
    ├── TokenError                 190 (463 expired, 460 password changed, 467 invalid), 102
    ├── PermissionDeniedError      10 (other subcodes), 3, 200–299, HTTP 403 without a code
    │   └── HumanAgentNotAllowedError  10 without a window subcode, answering a send tagged
    │                              HUMAN_AGENT: the app lacks the Human Agent feature (the
    │                              outbox maps it with `human_agent_refusal`; never retried)
    ├── AccountNotLinkedError      Page without an Instagram professional account (flavour B)
    ├── MessagingUnavailableError  36103
    ├── RecipientError             (the customer cannot be reached right now)
    │   ├── OutsideWindowError     10 with subcode 2534022 or 2018278 (the only window verdict)
    │   ├── UserUnavailableError   551, or subcode 2534014
    │   │   └── NoMatchingUserError  subcode 2018001 "No matching user found" (100): the id is
    │   │                          no customer of this account; never retried
    │   └── ConsentRequiredError   230 or "consent is required" (HTTP 500 too; never retried)
    ├── InvalidRequestError        other 4xx (100, …)
    │   ├── MessageUnreadableError "deleted" message (older than the 20 newest)
    │   └── OAuthExchangeError     api.instagram.com's {error_type, code, error_message}
    │       └── SignInDeniedError  the owner pressed Cancel on the sign-in page
    ├── RateLimitError             4, 17, 32, 613, 80000–80014, HTTP 429 (retryable; retry_after)
    ├── TransientError             1, 2, -1, 5xx without a known code, timeouts, dropped
    │   │                          connections, non-JSON 5xx pages (retryable)
    │   └── SendOutcomeUnknownError the send may have gone out: reconcile, never blind-retry
    └── BadResponseError           malformed JSON, body over the cap, wrong shape, foreign `next`

The mapping from server answers and network failures onto this tree is `igdesk.graph.errormap`
(`error_from_response`, `error_from_exception`, and `human_agent_refusal` for what only the
request tells apart).
"""

from __future__ import annotations

from typing import Any, ClassVar

from igdesk.graph.redact import redact
from igdesk.i18n import Text, Words

_TECH_LIMIT = 500


class GraphError(Exception):
    """Base of every error raised by `igdesk.graph`."""

    text: ClassVar[Text] = Text(
        "Something went wrong while talking to Instagram. Try again in a moment."
    )
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        technical: str = "",
        *,
        code: int | None = None,
        subcode: int | None = None,
        http_status: int | None = None,
        fbtrace_id: str | None = None,
        error_type: str | None = None,
    ) -> None:
        self.technical = redact(technical)[:_TECH_LIMIT]
        self.code = code
        self.subcode = subcode
        self.http_status = http_status
        self.fbtrace_id = fbtrace_id
        self.error_type = error_type
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [type(self).__name__]
        if self.http_status is not None:
            parts.append(f"http={self.http_status}")
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.subcode is not None:
            parts.append(f"subcode={self.subcode}")
        if self.fbtrace_id:
            parts.append(f"fbtrace_id={self.fbtrace_id}")
        head = " ".join(parts)
        return f"{head}: {self.technical}" if self.technical else head

    @classmethod
    def sentence(cls, lang: str = "en") -> str:
        """The plain sentence for the shop owner (`text`) in `lang`."""
        return Words(lang).text(cls.text)


class TokenError(GraphError):
    text = Text("Your Instagram sign-in has expired. Sign in again.")

    _REASONS: ClassVar[dict[int, str]] = {
        463: "expired",
        460: "password_changed",
        467: "invalid",
        458: "app_removed",
    }

    @property
    def reason(self) -> str:
        """`expired`, `password_changed`, `invalid`, `app_removed` or `unknown` (from subcode)."""
        return self._REASONS.get(self.subcode or 0, "unknown")


class PermissionDeniedError(GraphError):
    text = Text(
        "igdesk is not allowed to do this with your Instagram account. "
        "Sign in again and allow every permission igdesk asks for."
    )


class HumanAgentNotAllowedError(PermissionDeniedError):
    text = Text(
        "Instagram refused the Human Agent tag: your app is not approved for the Human Agent "
        "feature, so replies more than 24 hours after the customer's last message can't be "
        "sent. Turn off 'I have the Human Agent permission' in Settings."
    )


class AccountNotLinkedError(GraphError):
    text = Text(
        "This Facebook Page is not linked to an Instagram professional account. "
        "Link them in the Page settings, then sign in again."
    )


class MessagingUnavailableError(GraphError):
    text = Text(
        "Instagram messaging is not available for this account yet. Make sure it is a "
        "professional account and that 'Allow access to messages' is on in the Instagram app."
    )


class RecipientError(GraphError):
    text = Text("This customer cannot be reached right now.")


class OutsideWindowError(RecipientError):
    text = Text(
        "You can no longer reply in this chat: Instagram only allows replies for a limited time "
        "after the customer's last message. Wait for the customer to write again."
    )


class UserUnavailableError(RecipientError):
    text = Text(
        "This person isn't available on Instagram right now (the account may be deleted, "
        "deactivated or blocking you). Nothing to do but wait for them to write again."
    )


class NoMatchingUserError(UserUnavailableError):
    text = Text(
        "This customer can't be reached from your account (Instagram says no such user). "
        "The reply was not sent."
    )


class ConsentRequiredError(RecipientError):
    text = Text(
        "Instagram will not share this person's profile until they send you a message. "
        "Their name will appear once they write to you."
    )


class InvalidRequestError(GraphError):
    text = Text(
        "Instagram refused this request. Try again; if it keeps happening, "
        "update igdesk or report the problem."
    )


class MessageUnreadableError(InvalidRequestError):
    text = Text(
        "Instagram only lets apps read the 20 newest messages of a chat; older ones may be "
        "missing here. Open the chat in the Instagram app to see them."
    )


class OAuthExchangeError(InvalidRequestError):
    text = Text("Instagram did not accept the sign-in. Sign in again.")


class SignInDeniedError(OAuthExchangeError):
    text = Text("The Instagram sign-in was cancelled. Sign in again and tap Allow.")


class RateLimitError(GraphError):
    text = Text(
        "Instagram asked igdesk to slow down. Messages will continue to load automatically "
        "in a few minutes."
    )
    retryable = True

    def __init__(
        self, technical: str = "", *, retry_after: float | None = None, **kwargs: Any
    ) -> None:
        #: Seconds until access comes back, when Meta said so (`estimated_time_to_regain_access`).
        self.retry_after = retry_after
        super().__init__(technical, **kwargs)


class TransientError(GraphError):
    text = Text(
        "Instagram could not be reached. Check your internet connection; "
        "igdesk will try again by itself."
    )
    retryable = True


class ConnectionReplacedError(TransientError):
    """A call on a client the App closed (a new sign-in replaced it) during a pass: nothing
    was sent; the next pass uses the new client."""

    text = Text("igdesk switched to your new sign-in and will try again by itself.")


class SendOutcomeUnknownError(TransientError):
    text = Text(
        "The connection broke while sending, so igdesk does not know whether your reply "
        "went out. It will check the chat before trying again."
    )
    retryable = False  # the Send API has no idempotency key: reconcile first


class BadResponseError(GraphError):
    text = Text(
        "Instagram sent an answer igdesk could not understand. "
        "igdesk will try again later; if it keeps happening, update igdesk."
    )
