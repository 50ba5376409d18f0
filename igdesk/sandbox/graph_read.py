"""Read side of the Graph API: /me, account nodes, conversations, messages and profiles."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from igdesk.domain import format_graph_time
from igdesk.sandbox import fields as f
from igdesk.sandbox import nodes
from igdesk.sandbox.call import GraphCall
from igdesk.sandbox.errors import (
    GraphError,
    consent_required,
    invalid_token,
    message_deleted,
    nonexisting_edge,
    param_error,
    too_much_data,
    unknown_object,
)
from igdesk.sandbox.model import Customer, Message, Thread
from igdesk.sandbox.paging import START_KEY, Key, encode_cursor, paging_block, take_page
from igdesk.sandbox.render import (
    RenderContext,
    edge_size,
    render_conversation,
    render_message,
    render_messages_edge,
    render_profile,
    select,
)
from igdesk.sandbox.state import SandboxState

FOREIGN_HOST = "https://evil.example.com"

Node = Thread | Message | Customer | str


def resolve(state: SandboxState, call: GraphCall, object_id: str) -> tuple[str, Node]:
    """What an id in the path names, for this token's flavour.

    Kinds: "account" (the IG account), "page", "thread", "message", "customer". An id of the
    other flavour's world is treated like Meta treats a token sent to the wrong host.
    """
    shop = state.world.shop
    flavour = call.info.flavour if call.info else "instagram"
    if object_id == "me":
        return ("account", shop.ig_id) if flavour == "instagram" else ("page", shop.page_id)
    if object_id == shop.ig_id:
        return "account", shop.ig_id
    if object_id == shop.page_id:
        if flavour != "page":
            raise invalid_token()
        return "page", shop.page_id
    if object_id == shop.app_scoped_id:
        if flavour != "instagram":
            raise invalid_token()
        return "account", shop.ig_id
    world = state.world
    if object_id in world.threads:
        return "thread", world.threads[object_id]
    if object_id in world.customers:
        return "customer", world.customers[object_id]
    found = world.find_message(object_id)
    if found:
        return "message", found[1]
    raise unknown_object(object_id, call.method.lower())


def requested(state: SandboxState, call: GraphCall, node: nodes.NodeType) -> f.Specs:
    """The call's ``fields``, checked against `node` (and what this world lacks)."""
    return nodes.checked(call.query.get("fields"), node, state.world.missing_fields)


def account_node(state: SandboxState, call: GraphCall, via_me: bool) -> dict[str, Any]:
    """/me (or /<IG_ID>) on Instagram Login: `id` is app-scoped on /me, `user_id` the IG_ID."""
    shop = state.world.shop
    specs = requested(state, call, nodes.ME if via_me else nodes.IG_USER) or (f.FieldSpec("id"),)
    ctx = state.render_context(call)
    values: dict[str, Any] = {
        "id": shop.app_scoped_id if via_me else shop.ig_id,
        "user_id": shop.ig_id,
        "username": shop.username,
        "name": shop.name,
        "profile_picture_url": ctx.media_url("avatar.shop"),
        "account_type": shop.account_type,
    }
    out = select(values, specs)
    out.setdefault("id", values["id"])
    return out


def page_node(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """/me with a Page token: the Page and its linked Instagram account."""
    shop = state.world.shop
    specs = requested(state, call, nodes.PAGE) or (f.FieldSpec("name"), f.FieldSpec("id"))
    ctx = state.render_context(call)
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.name == "id":
            out["id"] = shop.page_id
        elif spec.name == "name":
            out["name"] = shop.page_name
        else:
            linked = {
                "id": shop.ig_id,
                "username": shop.username,
                "name": shop.name,
                "profile_picture_url": ctx.media_url("avatar.shop"),
            }
            children = spec.children or (f.FieldSpec("id"),)
            out["instagram_business_account"] = select(linked, children)
    out.setdefault("id", shop.page_id)
    return out


def _check_platform(call: GraphCall) -> bool:
    """True when the call is for Instagram; Page tokens must say so (code 100 otherwise)."""
    platform = call.query.get("platform")
    flavour = call.info.flavour if call.info else "instagram"
    if platform is None:
        if flavour == "page":
            raise param_error(
                "Param platform is required for Instagram conversations: use platform=instagram"
            )
        return True
    if platform.lower() not in ("instagram", "messenger"):
        raise param_error("Param platform must be one of {MESSENGER, INSTAGRAM}")
    return platform.lower() == "instagram"


def _thread_key(thread: Thread) -> Key:
    return (format_graph_time(thread.updated_time), thread.id)


def _check_nested_size(items: list[Thread], specs: f.Specs, ctx: RenderContext, cap: int) -> None:
    """Graph refuses a list answer that would nest too many messages (code 1, HTTP 500)."""
    spec = f.find(specs or (), "messages")
    if spec is not None and sum(edge_size(t, spec, ctx) for t in items) > cap:
        raise too_much_data()


def list_conversations(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """GET /<account>/conversations: newest first, cursor paged, with the API's quirks.

    ``user_id`` narrows the list to that customer's thread and honours ``fields`` (``id``
    only by default). A page whose nested ``messages`` would carry more than
    ``max_nested_messages`` message objects in all is refused (see errors.too_much_data).
    """
    if not _check_platform(call):
        return {"data": []}
    world = state.world
    specs = requested(state, call, nodes.CONVERSATION)
    ctx = state.render_context(call)
    listed = world.listed_threads(state.clock.now())
    user_id = call.query.get("user_id")
    if user_id is not None:
        chosen = specs or (f.FieldSpec("id"),)
        mine = [t for t in listed if t.customer.id == user_id]
        return {"data": [render_conversation(t, chosen, ctx) for t in mine]}
    limit = ctx.page_limit(call.int_param("limit"))
    after, before = call.query.get("after"), call.query.get("before")
    path = f"{call.version_path}{call.path}"
    faults, method, log_path = state.faults, call.method, "/" + call.path

    first_page = not after and not before
    if first_page and faults.take(("empty_page_with_next",), method, log_path):
        # An empty first page whose `next` (a new cursor, as Meta's would be) starts the list.
        query = {**call.next_query(), "after": encode_cursor(START_KEY)}
        return {"data": [], "paging": {"next": f"{state.base_url}/{path}?{urlencode(query)}"}}

    page = take_page(listed, _thread_key, limit, after, before)
    items = list(page.items)
    if after and page.items:
        start = listed.index(page.items[0])
        dup = faults.take(("duplicate_conversations",), method, log_path, when=lambda _f: start > 0)
        if dup:
            overlap = int(dup.params.get("overlap", 2))
            items = listed[max(0, start - overlap) : start] + items

    def holds_bad(fault: Any) -> bool:
        wanted = fault.params.get("thread_id")
        username = fault.params.get("username")
        return any(t.id == wanted or (username and t.customer.username == username) for t in items)

    if faults.take(("bad_thread",), method, log_path, when=holds_bad):
        raise GraphError("An unknown error has occurred.", code=1, status=500)
    _check_nested_size(items, specs, ctx, state.options.max_nested_messages)

    out: dict[str, Any] = {"data": [render_conversation(t, specs, ctx) for t in items]}
    block = paging_block(page, state.base_url, path, call.next_query())
    if faults.take(("foreign_next",), method, log_path):
        block = block or {}
        own = block.get("next") or f"{state.base_url}/{path}?{urlencode(call.next_query())}"
        block["next"] = foreign_link(str(own))
    if block:
        out["paging"] = block
    return out


def foreign_link(link: str) -> str:
    """The same link on a foreign host (same path and query, token included)."""
    parts = urlsplit(link)
    foreign = urlsplit(FOREIGN_HOST)
    return urlunsplit((foreign.scheme, foreign.netloc, parts.path, parts.query, ""))


def conversation_node(state: SandboxState, call: GraphCall, thread: Thread) -> dict[str, Any]:
    specs = requested(state, call, nodes.CONVERSATION)
    return render_conversation(thread, specs, state.render_context(call))


def messages_edge(state: SandboxState, call: GraphCall, thread: Thread) -> dict[str, Any]:
    specs = requested(state, call, nodes.MESSAGE)
    spec = f.FieldSpec("messages", call.int_param("limit"), specs)
    ctx = state.render_context(call)
    return render_messages_edge(
        thread, spec, ctx, call.query.get("after"), call.query.get("before")
    )


def message_node(state: SandboxState, call: GraphCall, message: Message) -> dict[str, Any]:
    """GET /<mid>: unsent messages and those older than the 20 newest read as deleted."""
    thread = state.world.threads[message.thread_id]
    specs = requested(state, call, nodes.MESSAGE)
    readable = message.id in thread.readable_ids()
    if not readable:
        raise message_deleted()
    return render_message(message, specs, state.render_context(call), readable)


def profile_node(state: SandboxState, call: GraphCall, customer: Customer) -> dict[str, Any]:
    specs = requested(state, call, nodes.PROFILE)
    if not state.world.has_consent(customer.id):
        raise consent_required()
    return render_profile(customer, specs, state.render_context(call))


def read_edge(state: SandboxState, call: GraphCall, kind: str, node: Node, edge: str) -> Any:
    """GET /<node>/<edge> for the read edges."""
    if edge == "conversations":
        if kind == "page" or (kind == "account" and call.info and call.info.flavour == "instagram"):
            return list_conversations(state, call)
        raise nonexisting_edge(edge, "IGUser" if kind == "account" else kind.title())
    if edge == "messages" and isinstance(node, Thread):
        return messages_edge(state, call, node)
    raise nonexisting_edge(
        edge,
        {
            "account": "IGUser",
            "page": "Page",
            "thread": "Conversation",
            "message": "Message",
            "customer": "User",
        }[kind],
    )
