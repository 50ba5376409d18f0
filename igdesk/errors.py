"""Errors of igdesk's own (outside the Graph API tree) that carry a sentence for the shop owner."""

from __future__ import annotations


class IgdeskError(Exception):
    """A failure the owner can act on: a plain sentence in English and Bahasa Indonesia."""

    def __init__(self, english: str, indonesian: str, *, technical: str = "") -> None:
        super().__init__(technical or english)
        self.english = english
        self.indonesian = indonesian
        self.technical = technical

    def sentence(self, lang: str = "en") -> str:
        return self.indonesian if lang == "id" else self.english


def not_signed_in() -> IgdeskError:
    return IgdeskError(
        "No Instagram account is connected yet. Sign in from the igdesk window, "
        "or set IGDESK_ACCESS_TOKEN for this run.",
        "Belum ada akun Instagram yang terhubung. Masuk lewat jendela igdesk, "
        "atau isi IGDESK_ACCESS_TOKEN untuk sekali jalan ini.",
    )
