"""Facebook Login (flavour B): the dialog's address, the code and long-lived exchanges of a
Facebook user token, and the owner's Pages that have a linked Instagram professional account.

The Page token taken from a long-lived user token does not expire, so nothing refreshes it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlencode

from igdesk.graph.flavour import FACEBOOK_PAGE
from igdesk.graph.http import GraphHttp
from igdesk.graph.oauth import TokenGrant, parse_grant
from igdesk.graph.ratelimit import RateBudget
from igdesk.graph.values import as_dict, as_list, as_str

DIALOG_HOST = "https://www.facebook.com"
PAGE_FIELDS = "id,name,access_token,instagram_business_account{id,username}"


@dataclass(frozen=True)
class PageChoice:
    """A Facebook Page with its linked Instagram account (what the owner picks from)."""

    page_id: str
    page_name: str
    account_id: str  # the Instagram professional account (IG_ID)
    username: str
    page_token: str = field(repr=False, default="")


def dialog_url(
    app_id: str, redirect_uri: str, *, state: str, api_version: str, base_url: str | None = None
) -> str:
    """Facebook Login's dialog, asking the Page permissions of design.md."""
    root = (base_url or DIALOG_HOST).rstrip("/")
    query = urlencode(
        {
            "client_id": app_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
            "scope": ",".join(FACEBOOK_PAGE.scopes),
        }
    )
    return f"{root}/{api_version.strip('/')}/dialog/oauth?{query}"


class FacebookOAuth:
    """The token endpoints of Facebook Login on graph.facebook.com (or the sandbox)."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        redirect_uri: str,
        *,
        api_version: str,
        base_url: str | None = None,
    ) -> None:
        self._app_id = app_id
        self._secret = app_secret
        self._redirect_uri = redirect_uri
        root = (base_url or FACEBOOK_PAGE.graph_host).rstrip("/")
        self._root = f"{root}/{api_version.strip('/')}"
        self._http = GraphHttp(
            None,
            budget=RateBudget(
                conversations_per_second=None, send_per_second=None, send_media_per_second=None
            ),
            timeout=30.0,
            max_body_bytes=1024 * 1024,
            max_retries=0,  # a code works once: a retried exchange would be refused anyway
            transport=None,
            sleep=asyncio.sleep,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def exchange_code(self, code: str) -> TokenGrant:
        """Code → short-lived user token. Codes are single-use: never retried."""
        raw = await self._http.get(
            f"{self._root}/oauth/access_token",
            {
                "client_id": self._app_id,
                "redirect_uri": self._redirect_uri,
                "client_secret": self._secret,
                "code": code.removesuffix("#_").strip(),
            },
            auth=False,
        )
        return parse_grant(raw)

    async def exchange_long_lived(self, short_token: str) -> TokenGrant:
        """Short-lived → 60-day user token (`fb_exchange_token`)."""
        raw = await self._http.get(
            f"{self._root}/oauth/access_token",
            {
                "grant_type": "fb_exchange_token",
                "client_id": self._app_id,
                "client_secret": self._secret,
                "fb_exchange_token": short_token,
            },
            auth=False,
        )
        return parse_grant(raw)

    async def pages(self, user_token: str) -> list[PageChoice]:
        """The owner's Pages that have a linked Instagram professional account."""
        raw = await self._http.get(
            f"{self._root}/me/accounts",
            {"fields": PAGE_FIELDS, "limit": "100", "access_token": user_token},
            auth=False,
        )
        return linked_pages(raw)


def linked_pages(raw: object) -> list[PageChoice]:
    """The Pages of a `/me/accounts` answer that carry `instagram_business_account`."""
    found = []
    for item in as_list((as_dict(raw) or {}).get("data")):
        page = as_dict(item) or {}
        linked = as_dict(page.get("instagram_business_account")) or {}
        account_id = as_str(linked.get("id"))
        token = as_str(page.get("access_token"))
        if account_id and token:
            found.append(
                PageChoice(
                    page_id=as_str(page.get("id")),
                    page_name=as_str(page.get("name")),
                    account_id=account_id,
                    username=as_str(linked.get("username")),
                    page_token=token,
                )
            )
    return found
