"""The window's dialogs: Settings, Instant delivery (webhooks) and About, opened with `open()`
(never `exec()`), and what a saved Settings changes in the open window. A collaborator the
window owns (`window.dialogs`), as it owns `window.replying`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from igdesk.ui.main_window import MainWindow


class WindowDialogs:
    """Opens the window's dialogs; see the module docstring."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def open_settings(self) -> None:
        from igdesk.ui.settings_app_page import AppSettingsPage
        from igdesk.ui.settings_dialog import SettingsDialog

        window = self._window
        page = AppSettingsPage(
            window.app.settings,
            window.words,
            images=window.images,
            tasks=window.tasks,
            profile_dir=window.app.profile.directory,
            autostart_allowed=window.app.graph_url is None,  # Meta's own servers only
        )
        dialog = SettingsDialog(
            window.app.settings,
            window.app.profile.settings_path,
            lang=window.words.lang,
            app_page=page,
            parent=window,
        )
        dialog.saved.connect(self.settings_saved)
        dialog.open()

    def open_about(self) -> None:
        from igdesk.logsetup import log_path
        from igdesk.ui.about import AboutDialog

        window = self._window
        profile = window.app.profile
        AboutDialog(
            window.words, log_file=log_path(profile), profile_dir=profile.directory, parent=window
        ).open()

    def open_webhook_settings(self) -> None:
        from igdesk.ui.webhook_settings import WebhookSettingsDialog

        window = self._window
        WebhookSettingsDialog(window.app, window.tasks, words=window.words, parent=window).open()

    def settings_saved(self, _settings: object) -> None:
        """The open window follows at once: the reply window rule, Ending soon, the tray."""
        window = self._window
        allowed = window.app.settings.human_agent_allowed
        window.thread_model.set_human_agent(allowed)
        window.ending_model.set_human_agent(allowed)
        window.conversation.human_agent = allowed
        window.conversation.refresh_window()
        if window.conversation.current is not None:
            window.replying.update_window(window.conversation.current)
        if window.ending_soon_button.isChecked():
            window.tasks.start(window.reload_ending_soon(), name="ending-soon")
        if window.tray is not None:
            window.tray.set_settings(window.app.settings)
