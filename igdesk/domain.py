"""Pure data and rules of igdesk: threads, messages, contacts, folders and the messaging window.

Nothing here does I/O. The sandbox may import the constants; every other layer imports the types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

#: Images one message may carry (the Send API's plural `attachments`).
MAX_IMAGES_PER_MESSAGE = 10
#: Text limit of the Send API, in UTF-8 bytes (not characters).
MAX_TEXT_BYTES = 1000
#: Only this many newest messages of a conversation can be read in detail.
READABLE_MESSAGES_PER_THREAD = 20
#: Requests-folder conversations idle this long are no longer listed by the API.
REQUEST_IDLE_LIMIT = timedelta(days=30)
#: The webhook fields igdesk subscribes to (Webhooks-page names, instagram-api.md).
WEBHOOK_MESSAGING_FIELDS: tuple[str, ...] = (
    "messages",
    "message_reactions",
    "messaging_seen",
    "message_edit",
    "messaging_postbacks",
    "messaging_referral",
)
#: Standard messaging window after the customer's last message.
STANDARD_WINDOW = timedelta(hours=24)
#: Window for human replies sent with the HUMAN_AGENT tag.
HUMAN_AGENT_WINDOW = timedelta(days=7)


#: What the Send API takes by URL: attachment type → (accepted MIME types, max bytes).
#: Decimal megabytes, the stricter reading of Meta's "8MB"/"25MB".
SEND_MEDIA_LIMITS: dict[str, tuple[frozenset[str], int]] = {
    "image": (frozenset({"image/png", "image/jpeg", "image/gif"}), 8_000_000),
    "audio": (
        frozenset(
            {
                "audio/aac",
                "audio/mp4",
                "audio/m4a",
                "audio/x-m4a",
                "audio/wav",
                "audio/x-wav",
                "audio/wave",
            }
        ),
        25_000_000,
    ),
    "video": (
        frozenset(
            {
                "video/mp4",
                "video/ogg",
                "video/x-msvideo",
                "video/avi",
                "video/quicktime",
                "video/webm",
            }
        ),
        25_000_000,
    ),
    "file": (frozenset({"application/pdf"}), 25_000_000),
}


class Folder(StrEnum):
    """Where a thread is shown. Local data: the API exposes no folders."""

    PRIMARY = "primary"
    GENERAL = "general"
    REQUESTS = "requests"
    DENIED = "denied"


class WindowState(StrEnum):
    """Whether the shop may still send to a thread, and how."""

    OPEN = "open"
    HUMAN_AGENT = "human_agent"
    CLOSED = "closed"


@dataclass(frozen=True)
class Account:
    """The shop's Instagram professional account."""

    id: str  # IG_ID (the `user_id` of /me): the id in webhooks, participants and paths
    username: str
    name: str = ""
    picture_url: str = ""
    account_type: str = ""


@dataclass(frozen=True)
class Contact:
    """A customer, by Instagram-scoped id."""

    id: str
    username: str = ""
    name: str = ""
    profile_pic: str = ""
    follows_business: bool | None = None
    business_follows: bool | None = None
    follower_count: int | None = None
    is_verified: bool | None = None


@dataclass(frozen=True)
class TemplateButton:
    """One button of a template card: a web link, or a postback (no url: shown, not opened)."""

    title: str
    url: str = ""


@dataclass(frozen=True)
class Attachment:
    """One attachment, whatever shape (read API or webhook) it came in.

    A template card (type "template", one per card of a generic template) keeps its default
    action in `url`, its image in `preview_url`, and its words in `title`, `subtitle` and
    `buttons`.
    """

    # image, video, audio, file, ig_post, share, reel, story_mention, story_reply, sticker,
    # template
    type: str
    url: str = ""
    preview_url: str = ""
    mime_type: str = ""
    name: str = ""
    size: int | None = None
    title: str = ""
    subtitle: str = ""
    buttons: tuple[TemplateButton, ...] = ()


@dataclass(frozen=True)
class Reaction:
    """An emoji reaction on a message."""

    user_id: str
    emoji: str


@dataclass(frozen=True)
class Message:
    """One message of a thread, as igdesk understands it; `raw` keeps what the API sent."""

    id: str
    thread_id: str
    sender_id: str
    created_time: datetime
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = None
    reactions: tuple[Reaction, ...] = ()
    is_from_shop: bool = False
    deleted: bool = False
    unsupported: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Post:
    """One of the shop's own published posts (it can be shared in a chat)."""

    id: str
    caption: str = ""
    media_type: str = ""
    media_url: str = ""
    permalink: str = ""


@dataclass(frozen=True)
class ConversationRef:
    """One row of the conversations list: enough to decide whether the thread changed.

    `updated_time` is None when the API left it out; `newest_message_id` comes from the
    one-message preview of the list call and tells a change apart within the same second.
    """

    id: str
    updated_time: datetime | None
    participants: tuple[Contact, ...] = ()
    newest_message_id: str | None = None


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_graph_time(value: str) -> datetime:
    """Parse Graph's `2022-07-12T19:11:07+0000` (and ISO variants) into an aware UTC datetime."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_graph_time(moment: datetime) -> str:
    """Format a datetime the way the Graph API does: `2022-07-12T19:11:07+0000`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def text_bytes(text: str) -> int:
    """Size of a text as the Send API counts it."""
    return len(text.encode("utf-8"))


# --- folder rules (design.md) -------------------------------------------------------------


def folder_for_new_thread(*, follows_business: bool | None, shop_has_written: bool) -> Folder:
    """Folder of a thread igdesk sees for the first time."""
    if follows_business:
        return Folder.PRIMARY
    return Folder.GENERAL if shop_has_written else Folder.REQUESTS


def folder_after_customer_message(current: Folder) -> Folder:
    """A denied person who writes again reappears in Requests; nothing else moves."""
    return Folder.REQUESTS if current is Folder.DENIED else current


def folder_after_shop_message(
    current: Folder, *, follows_business: bool | None, from_igdesk: bool
) -> Folder:
    """A thread the shop wrote in is never a request.

    A reply sent from igdesk moves a request to General (Instagram does that for third-party
    apps); a reply from Instagram's own app accepts it to the folder the rules give.
    """
    if current is not Folder.REQUESTS:
        return current
    if from_igdesk:
        return Folder.GENERAL
    return Folder.PRIMARY if follows_business else Folder.GENERAL


def accept_request(target: Folder = Folder.PRIMARY) -> Folder:
    """Folder of an accepted request: Primary unless the owner picks General."""
    if target not in (Folder.PRIMARY, Folder.GENERAL):
        raise ValueError("an accepted request goes to Primary or General")
    return target


# --- messaging window ----------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The messaging window of a thread at one moment."""

    state: WindowState
    closes_at: datetime | None  # when the current state ends (None: never opened)

    def time_left(self, now: datetime) -> timedelta:
        if self.closes_at is None:
            return timedelta(0)
        return max(self.closes_at - now, timedelta(0))


def messaging_window(
    last_customer_message: datetime | None, now: datetime, *, human_agent_allowed: bool
) -> Window:
    """Whether the shop can answer now, from the customer's last message."""
    if last_customer_message is None:
        return Window(WindowState.CLOSED, None)
    standard_end = last_customer_message + STANDARD_WINDOW
    if now < standard_end:
        return Window(WindowState.OPEN, standard_end)
    human_end = last_customer_message + HUMAN_AGENT_WINDOW
    if human_agent_allowed and now < human_end:
        return Window(WindowState.HUMAN_AGENT, human_end)
    return Window(WindowState.CLOSED, human_end if human_agent_allowed else standard_end)


def effective_window(
    last_customer_message: datetime | None,
    now: datetime,
    *,
    human_agent_allowed: bool,
    server_closed_at: datetime | None = None,
) -> Window:
    """The one answer every part of igdesk shows: our rule, overruled by the server's verdict.

    `server_closed_at` is when the API last refused a send as outside the window. It wins
    until the customer writes again (a newer message opens a new window).
    """
    window = messaging_window(last_customer_message, now, human_agent_allowed=human_agent_allowed)
    if server_closed_at is None or window.state is WindowState.CLOSED:
        return window
    if last_customer_message is None or last_customer_message <= server_closed_at:
        return Window(WindowState.CLOSED, server_closed_at)
    return window
