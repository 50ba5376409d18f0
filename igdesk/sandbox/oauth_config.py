"""How the sandbox's Meta app is set up for signing in, as the App Dashboard would have it.

Instagram Login uses the Instagram app ID and secret (``Shop.app_id``, ``state.app_secret``);
Facebook Login uses the Meta app ID and secret (``meta_app_id``, ``state.meta_app_secret``).
Tests change these through ``PATCH /_sandbox/oauth`` (igdesk/sandbox/oauth_control.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: igdesk's suggested redirect URI (igdesk/signin/flow.py), registered in the demo app.
DEFAULT_REDIRECT_URI = "https://localhost/igdesk/signed-in"
INSTAGRAM_SCOPES = frozenset(
    {
        "instagram_business_basic",
        "instagram_business_manage_messages",
        "instagram_business_manage_comments",
        "instagram_business_content_publish",
        "instagram_business_manage_insights",
    }
)
FACEBOOK_SCOPES = frozenset(
    {
        "instagram_basic",
        "instagram_manage_messages",
        "pages_manage_metadata",
        "pages_show_list",
        "pages_read_engagement",
        "pages_messaging",
        "business_management",
    }
)
MESSAGING_SCOPES = frozenset({"instagram_business_manage_messages", "instagram_manage_messages"})


@dataclass
class OAuthConfig:
    """The dashboard's sign-in settings and what the next consent grants."""

    redirect_uris: list[str] = field(default_factory=lambda: [DEFAULT_REDIRECT_URI])
    meta_app_id: str = "9876543210987654"
    #: What Allow grants; None: every scope asked for (a test may leave messaging out).
    grant_scopes: list[str] | None = None
    #: Facebook Login: the shop's Page is linked to its Instagram account.
    page_linked: bool = True
    #: The code exchange answers `{"data": [{...}]}` (as documented) or flat `{...}` (seen too).
    flat_code_answer: bool = False
    #: "Allow access to messages" is on in the Instagram app (off: messaging calls get 36103).
    messaging_access: bool = True

    def registered(self, uri: str) -> bool:
        """Meta compares exactly, but the dashboard may add a trailing slash."""
        return any(uri.rstrip("/") == known.rstrip("/") for known in self.redirect_uris)

    def granted(self, asked: str) -> str:
        wanted = [s.strip() for s in asked.replace(" ", ",").split(",") if s.strip()]
        if self.grant_scopes is not None:
            wanted = [s for s in wanted if s in self.grant_scopes]
        return ",".join(wanted)
