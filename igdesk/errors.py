"""Errors of igdesk's own (outside the Graph API tree) that carry a sentence for the shop owner."""

from __future__ import annotations

from igdesk.i18n import Text, Words


class IgdeskError(Exception):
    """A failure the owner can act on: a catalogue sentence (`text`) and a detail for the log."""

    def __init__(self, text: Text, *, technical: str = "") -> None:
        super().__init__(technical or str(text))
        self.text = text
        self.technical = technical

    def sentence(self, lang: str = "en") -> str:
        """The sentence for the owner in `lang`."""
        return Words(lang).text(self.text)


def not_signed_in() -> IgdeskError:
    return IgdeskError(
        Text(
            "No Instagram account is connected yet. Sign in from the igdesk window, "
            "or set IGDESK_ACCESS_TOKEN for this run."
        )
    )
