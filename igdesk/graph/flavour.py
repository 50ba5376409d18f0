"""What differs between the two kinds of Graph API account: hosts, scopes, `/me` fields, paths.

Everything else in `igdesk.graph` is shared. A `Flavour` is plain frozen data; the client asks it
for hosts and paths and never branches on the flavour's name itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flavour:
    """One way of reaching the Instagram Messaging API."""

    name: str
    #: Graph host, no trailing slash (every read and send goes there).
    graph_host: str
    #: Where the user is sent to sign in (Business Login authorize window).
    authorize_url: str
    #: Host of the code → token exchange.
    token_host: str
    #: Permissions asked for at sign-in.
    scopes: tuple[str, ...]
    #: `fields=` of the `/me` call.
    me_fields: str
    #: True when `/me` is a Facebook Page and the Instagram account hangs below it.
    via_page: bool

    def owner_path(self, account_id: str, page_id: str | None) -> str:
        """Path segment that owns conversations and sends: IG_ID (A) or the Page (B)."""
        if self.via_page:
            # With a Page token `/me` *is* the Page, so "me" is a safe fallback.
            return page_id or "me"
        return account_id


INSTAGRAM_LOGIN = Flavour(
    name="instagram_login",
    graph_host="https://graph.instagram.com",
    authorize_url="https://www.instagram.com/oauth/authorize",
    token_host="https://api.instagram.com",
    scopes=("instagram_business_basic", "instagram_business_manage_messages"),
    me_fields="user_id,username,name,profile_picture_url,account_type",
    via_page=False,
)

FACEBOOK_PAGE = Flavour(
    name="facebook_page",
    graph_host="https://graph.facebook.com",
    authorize_url="https://www.facebook.com/dialog/oauth",
    token_host="https://graph.facebook.com",
    scopes=(
        "instagram_basic",
        "instagram_manage_messages",
        "pages_manage_metadata",
        "pages_show_list",
        "business_management",
    ),
    me_fields="id,name,instagram_business_account{id,username,name,profile_picture_url}",
    via_page=True,
)

FLAVOURS: dict[str, Flavour] = {f.name: f for f in (INSTAGRAM_LOGIN, FACEBOOK_PAGE)}
_ALIASES = {
    "instagram": INSTAGRAM_LOGIN,
    "ig": INSTAGRAM_LOGIN,
    "a": INSTAGRAM_LOGIN,
    "facebook": FACEBOOK_PAGE,
    "page": FACEBOOK_PAGE,
    "fb": FACEBOOK_PAGE,
    "b": FACEBOOK_PAGE,
}


def flavour_by_name(name: str) -> Flavour:
    """The flavour called `name` (`instagram_login`/`facebook_page`, or a short alias)."""
    key = name.strip().lower().replace("-", "_")
    found = FLAVOURS.get(key) or _ALIASES.get(key)
    if found is None:
        known = ", ".join(sorted(FLAVOURS))
        raise ValueError(f"unknown account kind {name!r} (known: {known})")
    return found
