"""Control endpoints for what people do (loopback only, no token); each answers 400 with
``{"error": reason}`` and changes nothing when the request is wrong.

- ``POST /_sandbox/shop_message``: ``{customer_id | username, text | attachments | sticker |
  share: {post_id}, reply_to?}``: the shop writes from the Instagram app (echo webhook).
- ``POST /_sandbox/customer_reaction``: ``{message_id, emoji?: "❤️", action?: react|unreact}``.
- ``POST /_sandbox/customer_edit``: ``{message_id, text}``.
- ``POST /_sandbox/customer_read``: ``{customer_id | username, message_id?}``.
- ``POST /_sandbox/customer_postback``: ``{message_id, button?}`` (a template's postback
  button) or ``{customer_id | username, title, payload}`` (an icebreaker).
- ``POST /_sandbox/customer_referral``: ``{customer_id | username, ref, source?}``.

``customer_message`` and ``unsend`` live in control.py; the rules are in world_acts.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from igdesk.sandbox import world_acts
from igdesk.sandbox.control import bad_request, read_json
from igdesk.sandbox.state import SandboxState

Act = Callable[[SandboxState, dict[str, Any]], dict[str, Any]]
ACTS: dict[str, Act] = {
    "shop_message": world_acts.shop_writes,
    "customer_reaction": world_acts.customer_reacts,
    "customer_edit": world_acts.customer_edits,
    "customer_read": world_acts.customer_reads,
    "customer_postback": world_acts.customer_postback,
    "customer_referral": world_acts.customer_referral,
}


def routes(state: SandboxState) -> list[web.RouteDef]:
    def handler(act: Act) -> Callable[[web.Request], Any]:
        async def run(request: web.Request) -> web.Response:
            body = await read_json(request)
            if not isinstance(body, dict):
                return bad_request("send a JSON object")
            try:
                return web.json_response(act(state, body))
            except ValueError as error:
                return bad_request(str(error))

        return run

    return [web.post(f"/_sandbox/{name}", handler(act)) for name, act in ACTS.items()]
