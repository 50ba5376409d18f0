"""Picking the owner's language for words the window shows (English or Bahasa Indonesia)."""

from __future__ import annotations


class Words:
    """`words("Primary", "Utama")` gives the text in the chosen language."""

    def __init__(self, lang: str) -> None:
        self.lang = "id" if lang == "id" else "en"

    def __call__(self, english: str, indonesian: str) -> str:
        return indonesian if self.lang == "id" else english
