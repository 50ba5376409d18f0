"""The shop's own posts: ``GET /<IG_ID>/media`` (and ``/me/media`` on Instagram Login).

As the Instagram Graph API answers it: newest first, ``data`` holding only ``id`` unless
``fields`` asks for more (``id, caption, media_type, media_product_type, media_url,
permalink, thumbnail_url, timestamp, username``), cursor paging with ``limit``, ``after``
and ``before``::

    {"data": [{"id": "17918195224117851", "caption": "...", "media_type": "IMAGE",
               "media_url": "<signed sandbox URL>", "permalink": "https://www.instagram.com/p/…/",
               "timestamp": "2024-01-17T08:00:00+0000"}],
     "paging": {"cursors": {"before": "...", "after": "..."}, "next": "..."}}

``thumbnail_url`` is given for videos only. These ids are what ``MEDIA_SHARE`` accepts.
"""

from __future__ import annotations

from typing import Any

from igdesk.domain import format_graph_time
from igdesk.sandbox import fields as f
from igdesk.sandbox import nodes
from igdesk.sandbox.call import GraphCall
from igdesk.sandbox.media import PREVIEW_SUFFIX
from igdesk.sandbox.model import Post
from igdesk.sandbox.paging import Key, paging_block, take_page
from igdesk.sandbox.render import RenderContext
from igdesk.sandbox.state import SandboxState


def _key(post: Post) -> Key:
    return (format_graph_time(post.timestamp), post.id)


def render_post(post: Post, specs: tuple[f.FieldSpec, ...], ctx: RenderContext) -> dict[str, Any]:
    ref = f"post.{post.id}"
    values: dict[str, Any] = {
        "id": post.id,
        "caption": post.caption,
        "media_type": post.media_type,
        "media_product_type": "FEED",
        "media_url": ctx.media_url(ref),
        "permalink": post.permalink,
        "timestamp": format_graph_time(post.timestamp),
        "username": ctx.world.shop.username,
    }
    if post.media_type == "VIDEO":
        values["thumbnail_url"] = ctx.media_url(ref + PREVIEW_SUFFIX)
    out = {s.name: values[s.name] for s in specs if s.name in values}
    out.setdefault("id", post.id)
    return out


def list_media(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """GET /<IG_ID>/media."""
    fields = call.query.get("fields")
    specs = nodes.checked(fields, nodes.IG_MEDIA, state.world.missing_fields) or (
        f.FieldSpec("id"),
    )
    ctx = state.render_context(call)
    limit = ctx.page_limit(call.int_param("limit"))
    page = take_page(
        state.world.posts, _key, limit, call.query.get("after"), call.query.get("before")
    )
    out: dict[str, Any] = {"data": [render_post(p, specs, ctx) for p in page.items]}
    path = f"{call.version_path}{call.path}"
    block = paging_block(page, state.base_url, path, call.next_query())
    if block:
        out["paging"] = block
    return out
