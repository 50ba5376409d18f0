"""Scenario files: a JSON description of the shop's world, validated and turned into a World.

Times are relative to "now" when the world is built (``"ago": "3h15m"``), so messaging
windows look the same whenever the sandbox starts. Minimal form, handy in tests::

    {"threads": [{"customer": {"username": "ani", "follows_business": true},
                  "messages": [{"from": "customer", "ago": "2h", "text": "Halo kak"}]}]}

Message keys: ``from`` (customer|shop), ``ago``, ``text``, ``attachments`` [{type, media,
name?}], ``shares`` [{kind: ig_post|share|reel, media|link, name?, description?}], ``story``
{kind: reply_to|mention, media|null}, ``sticker`` (media key), ``reactions`` [{emoji, name?,
by: customer|shop|both}], ``reply_to`` (index of an earlier message of the thread),
``deleted`` (true or "true"), ``unsupported``, ``id``.

``posts`` lists the shop's own published posts (``GET /<IG_ID>/media``, ``MEDIA_SHARE``):
``[{"caption", "media", "ago", "id"?, "media_type"?: IMAGE|VIDEO|CAROUSEL_ALBUM}]``; the type
defaults to VIDEO for video media, IMAGE otherwise.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from igdesk.sandbox.clock import parse_duration
from igdesk.sandbox.media import LIBRARY
from igdesk.sandbox.model import (
    Attachment,
    Customer,
    Message,
    Post,
    Reaction,
    Share,
    Shop,
    Story,
    World,
    numeric_id,
    opaque_id,
)

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "resources" / "sandbox" / "scenario.json"
DEFAULT_SHOP: dict[str, Any] = {
    "ig_id": "17841400000000123",
    "app_scoped_id": "9036154213317429",
    "username": "tokobatik.sari",
    "name": "Toko Batik Sari",
    "page_id": "108824217654321",
    "page_name": "Toko Batik Sari",
    "app_id": "1234567890123456",
}
_TOP_KEYS = {
    "format",
    "version",
    "description",
    "shop",
    "human_agent",
    "customers",
    "threads",
    "posts",
}
_POST_KEYS = {"id", "caption", "media", "media_type", "ago"}
_CUSTOMER_KEYS = {
    "id",
    "username",
    "name",
    "follows_business",
    "business_follows",
    "follower_count",
    "verified",
    "avatar",
    "available",
}
_MESSAGE_KEYS = {
    "id",
    "from",
    "ago",
    "text",
    "attachments",
    "shares",
    "story",
    "sticker",
    "reactions",
    "reply_to",
    "deleted",
    "unsupported",
}


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message says where and why."""


def _need(condition: bool, where: str, why: str) -> None:
    if not condition:
        raise ScenarioError(f"{where}: {why}")


def _keys(obj: Any, allowed: set[str], where: str) -> dict[str, Any]:
    _need(isinstance(obj, dict), where, "must be an object")
    unknown = sorted(set(obj) - allowed)
    _need(not unknown, where, f"unknown key(s) {', '.join(unknown)}")
    return dict(obj)


def _media(key: Any, where: str) -> str:
    _need(
        isinstance(key, str) and key in LIBRARY,
        where,
        f"unknown media {key!r}; known: {', '.join(sorted(LIBRARY))}",
    )
    return str(key)


def load_scenario(path: Path) -> dict[str, Any]:
    """Read a scenario file; ScenarioError with the position of a JSON mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read the scenario ({error.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    _need(isinstance(data, dict), str(path), "a scenario is a JSON object")
    return dict(data)


def _customer(spec: Any, where: str) -> Customer:
    data = _keys(spec, _CUSTOMER_KEYS, where)
    username = data.get("username")
    _need(isinstance(username, str) and bool(username), where, "username is required")
    avatar = data.get("avatar", "avatar_1")
    return Customer(
        id=str(data.get("id") or numeric_id("igsid:" + str(username))),
        username=str(username),
        name=data["name"] if "name" in data else str(username),
        follows_business=bool(data.get("follows_business", False)),
        business_follows=bool(data.get("business_follows", False)),
        follower_count=int(data.get("follower_count", 0)),
        verified=bool(data.get("verified", False)),
        avatar=None if avatar is None else _media(avatar, f"{where}.avatar"),
        available=bool(data.get("available", True)),
    )


def _message(
    spec: Any,
    where: str,
    thread_id: str,
    index: int,
    customer: Customer,
    shop: Shop,
    now: datetime,
    earlier: list[Message],
) -> Message:
    data = _keys(spec, _MESSAGE_KEYS, where)
    sender = data.get("from")
    _need(sender in ("customer", "shop"), where, 'from must be "customer" or "shop"')
    try:
        ago = parse_duration(str(data.get("ago", "")))
    except ValueError as error:
        raise ScenarioError(f"{where}.ago: {error}") from None
    mid = str(data.get("id") or opaque_id("aWdfZAGl0ZA", "scenario", thread_id, index))
    attachments = []
    for number, item in enumerate(data.get("attachments") or []):
        spot = f"{where}.attachments[{number}]"
        _need(
            isinstance(item, dict) and item.get("type") in ("image", "video", "audio", "file"),
            spot,
            "type must be image, video, audio or file",
        )
        attachments.append(
            Attachment(
                id=f"{mid}.att{number}",
                kind=item["type"],
                media=_media(item.get("media"), spot),
                name=str(item.get("name", "")),
            )
        )
    shares = []
    for number, item in enumerate(data.get("shares") or []):
        spot = f"{where}.shares[{number}]"
        _need(
            isinstance(item, dict) and item.get("kind") in ("ig_post", "share", "reel"),
            spot,
            "kind must be ig_post, share or reel",
        )
        media = _media(item["media"], spot) if item.get("media") else None
        _need(media is not None or bool(item.get("link")), spot, "give media or link")
        shares.append(
            Share(
                id=f"{mid}.share{number}",
                kind=item["kind"],
                media=media,
                link=item.get("link"),
                name=item.get("name"),
                description=item.get("description"),
            )
        )
    story = None
    if data.get("story") is not None:
        item = data["story"]
        _need(
            isinstance(item, dict) and item.get("kind") in ("reply_to", "mention"),
            f"{where}.story",
            "kind must be reply_to or mention",
        )
        media = item.get("media")
        story = Story(
            id=numeric_id(f"story:{mid}", 17),
            kind=item["kind"],
            media=None if media is None else _media(media, f"{where}.story"),
        )
    reactions = []
    for number, item in enumerate(data.get("reactions") or []):
        spot = f"{where}.reactions[{number}]"
        _need(
            isinstance(item, dict) and isinstance(item.get("emoji"), str), spot, "emoji is required"
        )
        by = item.get("by", "customer")
        _need(by in ("customer", "shop", "both"), spot, "by must be customer, shop or both")
        users = {
            "customer": [customer.id],
            "shop": [shop.ig_id],
            "both": [customer.id, shop.ig_id],
        }[by]
        reactions.append(Reaction(emoji=item["emoji"], user_ids=users, name=item.get("name")))
    reply_to = data.get("reply_to")
    if reply_to is not None:
        _need(
            isinstance(reply_to, int) and 0 <= reply_to < len(earlier),
            f"{where}.reply_to",
            "must be the index of an earlier message of this thread",
        )
        reply_to = earlier[reply_to].id
    _need(
        not (data.get("text") and (attachments or shares)),
        where,
        "text cannot go with attachments or shares: Instagram sends them as separate messages",
    )
    deleted = data.get("deleted", False)
    _need(deleted in (True, False, "true"), f"{where}.deleted", 'must be true, false or "true"')
    from_customer = sender == "customer"
    return Message(
        id=mid,
        thread_id=thread_id,
        sender_id=customer.id if from_customer else shop.ig_id,
        recipient_id=shop.ig_id if from_customer else customer.id,
        created_time=now - ago,
        text=str(data.get("text", "")),
        attachments=attachments,
        shares=shares,
        story=story,
        sticker=_media(data["sticker"], f"{where}.sticker") if data.get("sticker") else None,
        reactions=reactions,
        reply_to=reply_to,
        deleted=deleted,
        unsupported=bool(data.get("unsupported", False)),
    )


def _post(spec: Any, where: str, now: datetime) -> Post:
    data = _keys(spec, _POST_KEYS, where)
    media = _media(data.get("media"), f"{where}.media")
    try:
        ago = parse_duration(str(data.get("ago", "")))
    except ValueError as error:
        raise ScenarioError(f"{where}.ago: {error}") from None
    default_type = "VIDEO" if LIBRARY[media].content_type.startswith("video/") else "IMAGE"
    media_type = data.get("media_type", default_type)
    _need(
        media_type in ("IMAGE", "VIDEO", "CAROUSEL_ALBUM"),
        f"{where}.media_type",
        "must be IMAGE, VIDEO or CAROUSEL_ALBUM",
    )
    post_id = str(data.get("id") or numeric_id(f"post:{media}:{data.get('caption')}", 17))
    return Post(
        id=post_id,
        caption=str(data.get("caption", "")),
        media_type=media_type,
        media=media,
        timestamp=now - ago,
        shortcode=opaque_id("C", "shortcode", post_id)[:11],
    )


def build_world(data: dict[str, Any], now: datetime) -> World:
    """Validate a scenario and build its world, with times relative to `now`."""
    top = _keys(data, _TOP_KEYS, "scenario")
    shop_spec = {**DEFAULT_SHOP, **_keys(top.get("shop", {}), set(DEFAULT_SHOP), "shop")}
    shop = Shop(**{k: str(v) for k, v in shop_spec.items()})
    world = World(shop=shop, human_agent=bool(top.get("human_agent", False)))
    world.media["avatar.shop"] = shop.avatar or "avatar_shop"
    customers = top.get("customers", [])
    _need(isinstance(customers, list), "customers", "must be a list")
    for number, spec in enumerate(customers):
        customer = _customer(spec, f"customers[{number}]")
        _need(customer.id not in world.customers, f"customers[{number}]", "duplicate id")
        _need(
            world.customer_by_username(customer.username) is None,
            f"customers[{number}]",
            f"duplicate username {customer.username}",
        )
        world.add_customer(customer)
    posts = top.get("posts", [])
    _need(isinstance(posts, list), "posts", "must be a list")
    for number, spec in enumerate(posts):
        post = _post(spec, f"posts[{number}]", now)
        _need(world.post(post.id) is None, f"posts[{number}]", f"duplicate post id {post.id}")
        world.add_post(post)
    threads = top.get("threads", [])
    _need(isinstance(threads, list), "threads", "must be a list")
    for number, spec in enumerate(threads):
        where = f"threads[{number}]"
        _keys(spec, {"id", "customer", "messages"}, where)
        ref = spec.get("customer")
        if isinstance(ref, dict):
            customer = _customer(ref, f"{where}.customer")
            _need(customer.id not in world.customers, f"{where}.customer", "duplicate customer")
            world.add_customer(customer)
        else:
            found = world.customer_by_username(str(ref)) if isinstance(ref, str) else None
            _need(found is not None, f"{where}.customer", f"no customer named {ref!r}")
            assert found is not None
            customer = found
        _need(
            world.thread_of(customer.id) is None,
            where,
            f"{customer.username} already has a thread (one thread per customer)",
        )
        thread = world.thread_for(customer)
        if spec.get("id"):
            del world.threads[thread.id]
            thread.id = str(spec["id"])
            world.threads[thread.id] = thread
        messages = spec.get("messages")
        _need(
            isinstance(messages, list) and bool(messages),
            f"{where}.messages",
            "a thread needs at least one message",
        )
        built: list[Message] = []
        for index, item in enumerate(messages):
            built.append(
                _message(
                    item, f"{where}.messages[{index}]", thread.id, index, customer, shop, now, built
                )
            )
        for message in built:
            world.append(thread, message)
    return world


def world_from_file(path: Path | None, now: datetime) -> World:
    """The world of a scenario file (the bundled one when `path` is None)."""
    return build_world(load_scenario(path or DEFAULT_SCENARIO), now)
