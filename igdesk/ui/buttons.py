"""OK and Cancel in the owner's language: Qt ships no Bahasa Indonesia for its standard buttons."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from igdesk.i18n import Words


def ok_cancel(words: Words) -> QDialogButtonBox:
    """An OK / Cancel button box whose buttons say so in `words.lang`."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(words("OK"))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(words("Cancel"))
    return buttons
