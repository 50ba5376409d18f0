"""Scenario files: a JSON description of the shop's world, validated and turned into a World.

Times are relative to "now" when the world is built (``"ago": "3h15m"``), so messaging
windows look the same whenever the sandbox starts. Minimal form, handy in tests::

    {"threads": [{"customer": {"username": "ani", "follows_business": true},
                  "messages": [{"from": "customer", "ago": "2h", "text": "Halo kak"}]}]}

Message keys: ``from`` (customer|shop), ``ago``, ``text``, ``attachments`` [{type, media,
name?}], ``shares`` [{kind: ig_post|share|reel, media|link, name?, description?}], ``story``
{kind: reply_to|mention, media|null}, ``sticker`` (media key), ``reactions`` [{emoji, name?,
by: customer|shop|both}], ``reply_to`` (index of an earlier message of the thread),
``deleted`` (true or "true": unsent, so the read API leaves it out), ``unsupported``,
``template`` (a generic-template card: ``{title, subtitle?, image? (media key), url?,
buttons: [{type: web_url, title, url} | {type: postback, title, payload}] (at most 3)}``;
not with text, attachments or shares), ``id``.

Top-level ``human_agent`` grants the Human Agent feature; ``require_app_secret`` turns on the
app's "Require App Secret" (Page-token calls need ``appsecret_proof``); ``missing_fields``
(``{"Message": ["reply_to", "reactions"]}``) takes fields away from node types for this world,
so asking for them is refused like any unknown field (see nodes.py).

``posts`` lists the shop's own published posts (``GET /<IG_ID>/media``, ``MEDIA_SHARE``):
``[{"caption", "media", "ago", "id"?, "media_type"?: IMAGE|VIDEO|CAROUSEL_ALBUM}]``; the type
defaults to VIDEO for video media, IMAGE otherwise.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from igdesk import resources
from igdesk.sandbox.clock import parse_duration
from igdesk.sandbox.media import LIBRARY
from igdesk.sandbox.model import Customer, Message, Post, Shop, World, numeric_id, opaque_id
from igdesk.sandbox.nodes import parse_missing
from igdesk.sandbox.scenario_message import ScenarioError, build_message, keys, media_key, need

__all__ = ["DEFAULT_SCENARIO", "ScenarioError", "build_world", "load_scenario", "world_from_file"]

DEFAULT_SCENARIO = resources.path("sandbox", "scenario.json")
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
    "require_app_secret",
    "missing_fields",
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
    need(isinstance(data, dict), str(path), "a scenario is a JSON object")
    return dict(data)


def _customer(spec: Any, where: str) -> Customer:
    data = keys(spec, _CUSTOMER_KEYS, where)
    username = data.get("username")
    need(isinstance(username, str) and bool(username), where, "username is required")
    avatar = data.get("avatar", "avatar_1")
    return Customer(
        id=str(data.get("id") or numeric_id("igsid:" + str(username))),
        username=str(username),
        name=data["name"] if "name" in data else str(username),
        follows_business=bool(data.get("follows_business", False)),
        business_follows=bool(data.get("business_follows", False)),
        follower_count=int(data.get("follower_count", 0)),
        verified=bool(data.get("verified", False)),
        avatar=None if avatar is None else media_key(avatar, f"{where}.avatar"),
        available=bool(data.get("available", True)),
    )


def _post(spec: Any, where: str, now: datetime) -> Post:
    data = keys(spec, _POST_KEYS, where)
    media = media_key(data.get("media"), f"{where}.media")
    try:
        ago = parse_duration(str(data.get("ago", "")))
    except ValueError as error:
        raise ScenarioError(f"{where}.ago: {error}") from None
    default_type = "VIDEO" if LIBRARY[media].content_type.startswith("video/") else "IMAGE"
    media_type = data.get("media_type", default_type)
    need(
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
    top = keys(data, _TOP_KEYS, "scenario")
    shop_spec = {**DEFAULT_SHOP, **keys(top.get("shop", {}), set(DEFAULT_SHOP), "shop")}
    shop = Shop(**{k: str(v) for k, v in shop_spec.items()})
    try:
        missing = parse_missing(top.get("missing_fields", {}))
    except ValueError as error:
        raise ScenarioError(str(error)) from None
    need(
        isinstance(top.get("require_app_secret", False), bool),
        "require_app_secret",
        "must be true or false",
    )
    world = World(
        shop=shop,
        human_agent=bool(top.get("human_agent", False)),
        require_app_secret=bool(top.get("require_app_secret", False)),
        missing_fields=missing,
    )
    world.media["avatar.shop"] = shop.avatar or "avatar_shop"
    for number, spec in enumerate(_list(top, "customers")):
        customer = _customer(spec, f"customers[{number}]")
        need(customer.id not in world.customers, f"customers[{number}]", "duplicate id")
        need(
            world.customer_by_username(customer.username) is None,
            f"customers[{number}]",
            f"duplicate username {customer.username}",
        )
        world.add_customer(customer)
    for number, spec in enumerate(_list(top, "posts")):
        post = _post(spec, f"posts[{number}]", now)
        need(world.post(post.id) is None, f"posts[{number}]", f"duplicate post id {post.id}")
        world.add_post(post)
    for number, spec in enumerate(_list(top, "threads")):
        _add_thread(world, spec, f"threads[{number}]", now)
    return world


def _list(top: dict[str, Any], key: str) -> list[Any]:
    items = top.get(key, [])
    need(isinstance(items, list), key, "must be a list")
    return list(items)


def _add_thread(world: World, spec: Any, where: str, now: datetime) -> None:
    """One scenario thread: its customer (named, or described here) and its messages."""
    keys(spec, {"id", "customer", "messages"}, where)
    ref = spec.get("customer")
    if isinstance(ref, dict):
        customer = _customer(ref, f"{where}.customer")
        need(customer.id not in world.customers, f"{where}.customer", "duplicate customer")
        world.add_customer(customer)
    else:
        found = world.customer_by_username(str(ref)) if isinstance(ref, str) else None
        need(found is not None, f"{where}.customer", f"no customer named {ref!r}")
        assert found is not None
        customer = found
    need(
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
    need(
        isinstance(messages, list) and bool(messages),
        f"{where}.messages",
        "a thread needs at least one message",
    )
    built: list[Message] = []
    for index, item in enumerate(messages):
        where_item = f"{where}.messages[{index}]"
        built.append(
            build_message(item, where_item, thread.id, index, customer, world.shop, now, built)
        )
    for message in built:
        world.append(thread, message)


def world_from_file(path: Path | None, now: datetime) -> World:
    """The world of a scenario file (the bundled one when `path` is None)."""
    return build_world(load_scenario(path or DEFAULT_SCENARIO), now)
