"""The sandbox world: the shop, its customers, their threads and messages, and what was sent.

This is Meta's side of the data. It knows nothing about igdesk's folders; the only
folder-like rule it applies is the API's own: idle request threads stop being listed.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from igdesk.domain import READABLE_MESSAGES_PER_THREAD, REQUEST_IDLE_LIMIT, utc_now
from igdesk.sandbox.media import MediaSpec

#: Whether a message was unsent. Webhooks say so with `is_deleted` (a bool or the string
#: "true"); the read API has no such field and leaves unsent messages out.
DeletedFlag = bool | Literal["true"]
AttachmentKind = Literal["image", "video", "audio", "file"]
ShareKind = Literal["ig_post", "share", "reel"]
StoryKind = Literal["reply_to", "mention"]
PostType = Literal["IMAGE", "VIDEO", "CAROUSEL_ALBUM"]


@dataclass
class Shop:
    """The shop's Instagram professional account and the Facebook Page linked to it."""

    ig_id: str
    app_scoped_id: str
    username: str
    name: str
    page_id: str
    page_name: str
    account_type: str = "BUSINESS"
    app_id: str = "1234567890123456"
    avatar: str | None = "avatar_shop"


@dataclass
class Customer:
    """A person who can write to the shop; `id` is the Instagram-scoped id (IGSID)."""

    id: str
    username: str
    name: str | None
    follows_business: bool = False
    business_follows: bool = False
    follower_count: int = 0
    verified: bool = False
    avatar: str | None = None
    available: bool = True


@dataclass
class Attachment:
    """A file attached to a message; `media` is a key of the media library."""

    id: str
    kind: AttachmentKind
    media: str
    name: str = ""


@dataclass
class Share:
    """A shared post, legacy share or reel; `media` (library key) or a fixed `link`."""

    id: str
    kind: ShareKind
    media: str | None = None
    link: str | None = None
    name: str | None = None
    description: str | None = None


@dataclass
class Story:
    """A story reply or mention; `media` None means the story expired (link "")."""

    id: str
    kind: StoryKind
    media: str | None


@dataclass
class TemplateButton:
    """A button of a generic template: ``web_url`` opens `url`, ``postback`` sends `payload`."""

    type: Literal["web_url", "postback"]
    title: str
    url: str | None = None
    payload: str | None = None


@dataclass
class GenericTemplate:
    """A generic-template card (automated messages): an attachment without a file.

    `image` is a media-library key (served at a sandbox media URL), `url` the default action.
    """

    id: str
    title: str
    subtitle: str | None = None
    image: str | None = None
    url: str | None = None
    buttons: list[TemplateButton] = field(default_factory=list)


@dataclass
class Post:
    """One of the shop's own published posts (``GET /<IG_ID>/media``, ``MEDIA_SHARE``)."""

    id: str
    caption: str
    media_type: PostType
    media: str  # library key of the image or video
    timestamp: datetime
    shortcode: str

    @property
    def permalink(self) -> str:
        return f"https://www.instagram.com/p/{self.shortcode}/"


@dataclass
class Reaction:
    """One emoji on a message and who put it there."""

    emoji: str
    user_ids: list[str]
    name: str | None = None  # "love" for the heart, like the webhook's `reaction` key


@dataclass
class Message:
    """One message as Meta stores it."""

    id: str
    thread_id: str
    sender_id: str
    recipient_id: str
    created_time: datetime
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    story: Story | None = None
    sticker: str | None = None
    reactions: list[Reaction] = field(default_factory=list)
    reply_to: str | None = None
    deleted: DeletedFlag = False
    unsupported: bool = False
    template: GenericTemplate | None = None
    edits: int = 0  # times the sender edited the text (a webhook's num_edit)

    def media_refs(self) -> list[tuple[str, str]]:
        """(reference id, library key) of every media this message points at."""
        refs = [(a.id, a.media) for a in self.attachments]
        refs += [(s.id, s.media) for s in self.shares if s.media]
        if self.story and self.story.media:
            refs.append((self.story.id, self.story.media))
        if self.sticker:
            refs.append((f"{self.id}.sticker", self.sticker))
        if self.template and self.template.image:
            refs.append((self.template.id, self.template.image))
        return refs


@dataclass
class Thread:
    """One conversation between the shop and one customer; messages oldest first."""

    id: str
    customer: Customer
    messages: list[Message] = field(default_factory=list)
    seen_marks: list[datetime] = field(default_factory=list)
    touched: datetime | None = None  # last change that is no new message (an unsend)

    @property
    def updated_time(self) -> datetime:
        last = self.messages[-1].created_time
        return max(last, self.touched) if self.touched else last

    def newest_first(self) -> list[Message]:
        """Every message Meta stores for the thread, unsent ones included."""
        return sorted(self.messages, key=lambda m: (m.created_time, m.id), reverse=True)

    def visible_newest_first(self) -> list[Message]:
        """What the read API shows: unsent messages are left out."""
        return [m for m in self.newest_first() if not m.deleted]

    def last_customer_time(self) -> datetime | None:
        times = [m.created_time for m in self.messages if m.sender_id == self.customer.id]
        return max(times) if times else None

    def shop_has_written(self) -> bool:
        return any(m.sender_id != self.customer.id for m in self.messages)

    def is_request(self) -> bool:
        return not self.customer.follows_business and not self.shop_has_written()

    def listed(self, now: datetime) -> bool:
        """Whether the conversations list returns it: idle requests vanish after 30 days."""
        if not self.messages:
            return False
        return not (self.is_request() and now - self.updated_time > REQUEST_IDLE_LIMIT)

    def readable_ids(self) -> set[str]:
        """The 20 newest messages that were not unsent: the only ones whose detail reads."""
        newest = self.visible_newest_first()[:READABLE_MESSAGES_PER_THREAD]
        return {m.id for m in newest}


def opaque_id(prefix: str, *parts: object) -> str:
    """A stable id that looks like Meta's (base64-ish, not guessable by reading a scenario)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return prefix + digest[:40]


def numeric_id(seed: str, digits: int = 16) -> str:
    """A stable numeric id (IGSIDs, Page ids) derived from a seed string."""
    number = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return str(number)[:digits]


@dataclass
class World:
    """Everything the sandbox knows. Mutated only on the server's event loop."""

    shop: Shop
    human_agent: bool = False
    require_app_secret: bool = False  # the app's "Require App Secret" setting (Page tokens)
    missing_fields: dict[str, frozenset[str]] = field(default_factory=dict)  # see nodes.py
    customers: dict[str, Customer] = field(default_factory=dict)
    threads: dict[str, Thread] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)  # reference id -> library key
    sends: list[dict[str, Any]] = field(default_factory=list)
    sender_actions: list[dict[str, Any]] = field(default_factory=list)
    subscribed_fields: list[str] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)  # newest first
    uploads: dict[str, MediaSpec] = field(default_factory=dict)  # media key -> fetched file
    reusable: dict[str, tuple[str, str]] = field(default_factory=dict)  # attachment_id -> kind, key
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def from_scenario(cls, data: dict[str, Any], now: datetime | None = None) -> World:
        """Build a world from a scenario dict (see scenario.py); ScenarioError if it is bad."""
        from igdesk.sandbox.scenario import build_world  # scenario builds on this module

        return build_world(data, now or utc_now())

    # -- lookups ---------------------------------------------------------------------------

    def customer_by_username(self, username: str) -> Customer | None:
        wanted = username.lstrip("@").lower()
        return next((c for c in self.customers.values() if c.username.lower() == wanted), None)

    def thread_of(self, customer_id: str) -> Thread | None:
        return next((t for t in self.threads.values() if t.customer.id == customer_id), None)

    def find_message(self, mid: str) -> tuple[Thread, Message] | None:
        for thread in self.threads.values():
            for message in thread.messages:
                if message.id == mid:
                    return thread, message
        return None

    def post(self, post_id: str) -> Post | None:
        return next((p for p in self.posts if p.id == post_id), None)

    def has_consent(self, customer_id: str) -> bool:
        """Profile reads need the customer to have written at least once."""
        thread = self.thread_of(customer_id)
        return thread is not None and thread.last_customer_time() is not None

    def listed_threads(self, now: datetime) -> list[Thread]:
        listed = [t for t in self.threads.values() if t.listed(now)]
        return sorted(listed, key=lambda t: (t.updated_time, t.id), reverse=True)

    # -- changes ---------------------------------------------------------------------------

    def next_serial(self) -> int:
        return next(self._counter)

    def register_media(self, message: Message) -> None:
        for ref, key in message.media_refs():
            self.media[ref] = key

    def add_customer(self, customer: Customer) -> None:
        self.customers[customer.id] = customer
        if customer.avatar:
            self.media[f"avatar.{customer.id}"] = customer.avatar

    def thread_for(self, customer: Customer) -> Thread:
        """The customer's thread, created on first contact."""
        thread = self.thread_of(customer.id)
        if thread is None:
            thread = Thread(id=self.thread_id_for(customer.id), customer=customer)
            self.threads[thread.id] = thread
        return thread

    def thread_id_for(self, customer_id: str) -> str:
        """The id of the customer's thread, existing or to be created on first contact."""
        thread = self.thread_of(customer_id)
        return thread.id if thread else opaque_id("aWdfZAG", "thread", customer_id)

    def append(self, thread: Thread, message: Message) -> Message:
        thread.messages.append(message)
        thread.messages.sort(key=lambda m: (m.created_time, m.id))
        self.register_media(message)
        return message

    def unsend(self, mid: str, now: datetime) -> Thread:
        """The sender takes a message back: it leaves the read API, the thread is updated."""
        found = self.find_message(mid)
        if found is None or found[1].deleted:
            raise ValueError(f"no message {mid} to unsend")
        thread, message = found
        message.deleted = True
        thread.touched = max(now, thread.updated_time)
        return thread

    def add_post(self, post: Post) -> None:
        self.posts.append(post)
        self.posts.sort(key=lambda p: (p.timestamp, p.id), reverse=True)
        self.media[f"post.{post.id}"] = post.media

    def new_message_id(self, thread_id: str) -> str:
        return opaque_id("aWdfZAGl0ZA", "message", thread_id, self.next_serial())
