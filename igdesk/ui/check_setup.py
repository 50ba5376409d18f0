"""The window's "Check setup": doctor's checklist (`igdesk.doctor.checklist`), a line per check,
each failure or warning with what to do; "Check again" runs it anew.

The same checks and sentences as `igdesk doctor` in a terminal, in the owner's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from igdesk.doctor import SIGN_IN, CheckResult, Status, blocks_messaging, checklist
from igdesk.i18n import N_, Words
from igdesk.ui import aio
from igdesk.ui.aio import TaskOwner, run_dialog

if TYPE_CHECKING:
    from igdesk.app import App

log = logging.getLogger("igdesk.ui.check_setup")

MARKS = {Status.OK: "✓", Status.WARN: "!", Status.FAIL: "✗"}
COLOURS = {Status.OK: "#2e7d32", Status.WARN: "#b26a00", Status.FAIL: "#c62828"}
_STATUS_NAMES = {
    Status.OK: N_("Fine"),
    Status.WARN: N_("Could be better"),
    Status.FAIL: N_("Blocks messaging"),
}


def _label(text: str, *, bold: bool = False, colour: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    style = ("font-weight: bold;" if bold else "") + (f"color: {colour};" if colour else "")
    if style:
        label.setStyleSheet(style)
    return label


class CheckSetupDialog(QDialog):
    """The checklist; `lines` holds what is shown, as (mark, label, detail, fix)."""

    def __init__(
        self,
        app: App,
        words: Words,
        parent: QWidget | None = None,
        *,
        sign_in: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.words = words
        self.tasks = TaskOwner("check-setup", on_error=self._failed)
        self.lines: list[tuple[str, str, str, str]] = []
        self.setObjectName("checkSetup")
        self.setWindowTitle(words("Check setup"))
        self.resize(640, 560)
        self.summary = _label("", bold=True)
        self.summary.setObjectName("checkSummary")
        self.rows = QWidget()
        self.grid = QGridLayout(self.rows)
        self.grid.setColumnStretch(2, 1)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.rows)
        buttons = QDialogButtonBox()
        self.again_button = buttons.addButton(
            words("Check again"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.again_button.clicked.connect(self.run)
        #: Shown when the checklist says to sign in (no token, a refused or ended one).
        self.sign_in_button = buttons.addButton(
            words("Sign in again"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.sign_in_button.setVisible(False)
        if sign_in is not None:
            self.sign_in_button.clicked.connect(self.accept)
            self.sign_in_button.clicked.connect(sign_in)
        self._can_sign_in = sign_in is not None
        close = buttons.addButton(words("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)

    @property
    def checking(self) -> bool:
        return bool(self.tasks.tasks)

    def run(self) -> None:
        """Run the checklist (again)."""
        if self.checking:
            return
        self.again_button.setEnabled(False)
        self.summary.setText(self.words("Checking…"))
        self.tasks.start(self._check(), name="checklist")

    async def _check(self) -> None:
        results = await checklist(self.app)
        self.show_results(results)

    def show_results(self, results: list[CheckResult]) -> None:
        words = self.words
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.lines = []
        row = 0
        for result in results:
            label, detail, fix = result.said(words)
            shown_fix = fix if fix is not None and result.status is not Status.OK else ""
            mark = MARKS[result.status]
            self.lines.append((mark, label, detail, shown_fix))
            mark_label = _label(mark, bold=True, colour=COLOURS[result.status], wrap=False)
            mark_label.setAccessibleName(words(_STATUS_NAMES[result.status]))
            self.grid.addWidget(mark_label, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(
                _label(label, bold=True, wrap=False), row, 1, Qt.AlignmentFlag.AlignTop
            )
            self.grid.addWidget(_label(detail), row, 2)
            row += 1
            if shown_fix:
                self.grid.addWidget(_label(f"→ {shown_fix}", colour="#444"), row, 2)
                row += 1
        self.sign_in_button.setVisible(
            self._can_sign_in and any(r.fix == SIGN_IN and r.status is Status.FAIL for r in results)
        )
        if blocks_messaging(results):
            self.summary.setText(
                words(
                    "Something stops igdesk from reading or sending messages: see the lines "
                    "marked ✗ and what to do."
                )
            )
        elif all(result.status is Status.OK for result in results):
            self.summary.setText(words("Everything looks good."))
        else:
            self.summary.setText(
                words("igdesk works. The lines marked ! could be better: see what to do.")
            )
        self.again_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        log.error("check setup failed", exc_info=error)
        self.summary.setText(aio.user_sentence(error, self.words.lang))
        self.again_button.setEnabled(True)


async def show_check_setup(
    app: App,
    words: Words,
    parent: QWidget | None = None,
    *,
    sign_in: Callable[[], None] | None = None,
) -> None:
    """Open the checklist and run it; returns when the owner closes it (or signs in from it)."""
    dialog = CheckSetupDialog(app, words, parent, sign_in=sign_in)
    dialog.run()
    try:
        await run_dialog(dialog)
    finally:
        await dialog.tasks.cancel_all()
        dialog.deleteLater()
