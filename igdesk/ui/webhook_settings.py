"""Settings › Instant delivery: the receiver, the tunnel, the secrets, and Meta's dashboard steps.

Shows the callback URL and the verify token, each with a copy button, and the steps to enter
them in Meta's App Dashboard. OK saves the choices (settings file), the secrets (keyring only),
then restarts webhooks with them; a problem is a sentence in the dialog, which stays open.
"""

from __future__ import annotations

import dataclasses
from secrets import token_urlsafe

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from igdesk import secrets
from igdesk.app import App
from igdesk.config import Settings
from igdesk.i18n import N_, Words
from igdesk.ui.aio import TaskOwner
from igdesk.ui.buttons import ok_cancel
from igdesk.ui.webhook_indicator import indicator_details, indicator_text
from igdesk.webhooks.subscription import MESSAGING_FIELDS
from igdesk.webhooks.tunnel import TunnelError, TunnelProvider, callback_url, check_public_url

PROVIDER_LABELS = {
    TunnelProvider.NGROK: N_("ngrok (free account, authtoken)"),
    TunnelProvider.CLOUDFLARED: N_("Cloudflare Tunnel (the cloudflared program)"),
    TunnelProvider.MANUAL: N_("My own public https address"),
}

DASHBOARD_STEPS = N_(
    "In Meta's App Dashboard:\n"
    "1. Open Instagram › API setup with Instagram login › Configure webhooks.\n"
    "2. Paste the callback URL and the verify token below, keep igdesk open, and click "
    "Verify and save.\n"
    "3. Subscribe to the fields: {fields}.\n"
    "4. Under Generate access tokens, turn on webhook subscription for your account.\n"
    "igdesk then checks your account's subscription every hour and renews it when needed."
)


class SecretField(QLineEdit):
    """A masked field for one keyring secret: empty keeps what is saved, text replaces it."""

    def __init__(self, app: App, secret: secrets.Secret, words: Words) -> None:
        super().__init__()
        self.secret = secret
        self.setEchoMode(QLineEdit.EchoMode.Password)
        saved = secrets.get(app.profile.key, secret) is not None
        self.setPlaceholderText(words("saved — type to replace") if saved else "")
        self.saved = saved


class WebhookSettingsDialog(QDialog):
    """See the module docstring."""

    def __init__(
        self, app: App, tasks: TaskOwner, *, words: Words, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._app, self._tasks, self._words = app, tasks, words
        settings = app.settings
        self.setWindowTitle(words("Settings — Instant delivery"))
        self.setMinimumWidth(680)  # room for a whole callback URL
        demo = app.webhooks.status is not None and app.webhooks.status.tunnel == "sandbox"

        self.enabled_box = QCheckBox(words("Receive messages &instantly (webhooks)"))
        self.enabled_box.setChecked(settings.webhooks_enabled or demo)

        tunnel_group = QGroupBox(words("Tunnel: how Meta reaches this computer"))
        tunnel_form = QFormLayout(tunnel_group)
        self.provider = QComboBox()
        for provider, label in PROVIDER_LABELS.items():
            self.provider.addItem(words(label), provider.value)
        self.provider.setCurrentIndex(max(0, self.provider.findData(settings.tunnel_provider)))
        self.ngrok_token = SecretField(app, secrets.Secret.NGROK_AUTHTOKEN, words)
        self.ngrok_domain = QLineEdit(settings.ngrok_domain)
        self.ngrok_domain.setPlaceholderText(words("optional, e.g. myshop.ngrok.app"))
        self.cloudflare_hostname = QLineEdit(settings.cloudflare_hostname)
        self.cloudflare_hostname.setPlaceholderText(words("empty: a quick tunnel"))
        self.cloudflare_token = SecretField(app, secrets.Secret.CLOUDFLARE_TUNNEL_TOKEN, words)
        self.public_url = QLineEdit(settings.tunnel_public_url)
        self.public_url.setPlaceholderText("https://shop.example.com")
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setValue(settings.webhook_port)
        self.port.setSpecialValueText(words("any free port"))
        tunnel_form.addRow(words("&Tunnel"), self.provider)
        self._rows = {
            TunnelProvider.NGROK: [
                (words("ngrok &authtoken"), self.ngrok_token),
                (words("Static &domain"), self.ngrok_domain),
            ],
            TunnelProvider.CLOUDFLARED: [
                (words("Named tunnel &hostname"), self.cloudflare_hostname),
                (words("Tunnel &token"), self.cloudflare_token),
            ],
            TunnelProvider.MANUAL: [(words("Public &address"), self.public_url)],
        }
        for rows in self._rows.values():
            for label, field in rows:
                tunnel_form.addRow(label, field)
        tunnel_form.addRow(words("Local &port"), self.port)
        self._tunnel_form = tunnel_form
        self.provider.currentIndexChanged.connect(self._show_provider_rows)

        keys_group = QGroupBox(words("From Meta's App Dashboard"))
        keys_form = QFormLayout(keys_group)
        self.app_secret = SecretField(app, secrets.Secret.APP_SECRET, words)
        self.meta_app_secret = SecretField(app, secrets.Secret.META_APP_SECRET, words)
        keys_form.addRow(words("Instagram app &secret"), self.app_secret)
        keys_form.addRow(words("Meta app secret (optional)"), self.meta_app_secret)
        self.callback = QLineEdit(self._callback_url())
        self.callback.setReadOnly(True)
        self.callback.setAccessibleName(words("Callback URL"))
        self.public_url.textChanged.connect(self._show_callback)
        self.verify_token = QLineEdit(self._verify_token())
        self.verify_token.setReadOnly(True)
        self.verify_token.setAccessibleName(words("Verify token"))
        keys_form.addRow(words("Callback URL"), self._with_copy(self.callback))
        keys_form.addRow(words("Verify token"), self._with_copy(self.verify_token))
        steps = QLabel(words(DASHBOARD_STEPS, fields=", ".join(MESSAGING_FIELDS)))
        steps.setWordWrap(True)
        keys_form.addRow(steps)

        status = app.webhooks.status
        self.status_label = QLabel(
            indicator_text(status, words) + "\n" + indicator_details(status, words)
            if status is not None and status.receiving
            else words("Instant delivery is off: igdesk checks for messages every minute.")
        )
        self.status_label.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: palette(highlight);")
        self.problem.setVisible(False)
        buttons = ok_cancel(words)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.enabled_box)
        layout.addWidget(tunnel_group)
        layout.addWidget(keys_group)
        layout.addWidget(self.status_label)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._show_provider_rows()
        if demo:
            self.status_label.setText(
                words("The sandbox delivers webhooks by itself: nothing to set up here.")
            )
            for group in (self.enabled_box, tunnel_group, keys_group):
                group.setEnabled(False)
            buttons.button(buttons.StandardButton.Ok).setEnabled(False)

    # --- what is shown ----------------------------------------------------------------------

    def chosen_provider(self) -> TunnelProvider:
        return TunnelProvider(self.provider.currentData())

    def _show_provider_rows(self) -> None:
        chosen = self.chosen_provider()
        for provider, rows in self._rows.items():
            for _label, field in rows:
                self._tunnel_form.setRowVisible(field, provider is chosen)
        self._show_callback()

    def _show_callback(self) -> None:
        self.callback.setText(self._callback_url())
        self.callback.setCursorPosition(0)  # an address is read from its start

    def _callback_url(self) -> str:
        """The address to paste into the dashboard: the typed one for the owner's own address,
        else the running tunnel's (a quick tunnel's changes at each start)."""
        if self.chosen_provider() is TunnelProvider.MANUAL:
            try:
                return callback_url(check_public_url(self.public_url.text()))
            except TunnelError as error:
                return self._words.text(error.text)
        status = self._app.webhooks.status
        tunnels = ("sandbox", self.chosen_provider().value)
        if status is not None and status.tunnel in tunnels and status.callback_url is not None:
            return status.callback_url
        return self._words("shown here once the tunnel is up")

    def _verify_token(self) -> str:
        """The saved verify token; a new random one is made (and saved on OK) if none is."""
        saved = secrets.get(self._app.profile.key, secrets.Secret.VERIFY_TOKEN)
        self._new_verify_token = None if saved else token_urlsafe(18)
        return saved or self._new_verify_token or ""

    def signing_fields(self) -> tuple[SecretField, SecretField]:
        return self.app_secret, self.meta_app_secret

    def _with_copy(self, field: QLineEdit) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(field, 1)
        copy = QPushButton(self._words("Copy"))
        copy.setAccessibleName(self._words("Copy {what}", what=field.accessibleName()))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(field.text()))
        layout.addWidget(copy)
        return row

    # --- saving -----------------------------------------------------------------------------

    def edited(self) -> Settings:
        return dataclasses.replace(
            self._app.settings,
            webhooks_enabled=self.enabled_box.isChecked(),
            webhook_port=self.port.value(),
            tunnel_provider=self.chosen_provider().value,
            tunnel_public_url=self.public_url.text().strip(),
            ngrok_domain=self.ngrok_domain.text().strip(),
            cloudflare_hostname=self.cloudflare_hostname.text().strip(),
        )

    def problem_with(self, settings: Settings) -> str | None:
        """Why these choices cannot work, in a sentence; None when they can."""
        words = self._words
        if not settings.webhooks_enabled:
            return None
        if not any(field.text().strip() or field.saved for field in self.signing_fields()):
            return words(
                "Type your Instagram app secret (Instagram › API setup with Instagram "
                "login › Business login settings): igdesk checks every delivery with it."
            )
        if self.chosen_provider() is TunnelProvider.MANUAL:
            try:
                check_public_url(settings.tunnel_public_url)
            except TunnelError as error:
                return words.text(error.text)
            if settings.webhook_port == 0:
                return words(
                    "With your own address, choose a fixed local port: the one your server "
                    "forwards to."
                )
        return None

    def accept(self) -> None:
        settings = self.edited()
        problem = self.problem_with(settings)
        if problem is None:
            problem = self._save(settings)
        if problem is not None:
            self.problem.setText(problem)
            self.problem.setVisible(True)
            return
        self._tasks.start(self._app.webhooks.reconnect(self._app.settings), name="webhooks")
        super().accept()

    def _save(self, settings: Settings) -> str | None:
        key = self._app.profile.key
        fields = (self.app_secret, self.meta_app_secret, self.ngrok_token, self.cloudflare_token)
        typed = [(field.secret, field.text().strip()) for field in fields]
        if self._new_verify_token is not None:
            typed.append((secrets.Secret.VERIFY_TOKEN, self._new_verify_token))
        try:
            for secret, value in typed:
                if value:
                    secrets.put(key, secret, value)
        except secrets.KeyringUnavailableError:
            return self._words(
                "igdesk could not save the secrets: this computer has no working keyring. "
                "Unlock or install one (GNOME Keyring or KWallet), or set IGDESK_APP_SECRET "
                "and IGDESK_VERIFY_TOKEN before starting igdesk."
            )
        self._new_verify_token = None
        try:
            settings.save(self._app.profile.settings_path)
        except OSError:
            return self._words(
                "Could not save the settings: the profile folder is not writable. "
                "Check its permissions, then try again."
            )
        for field in dataclasses.fields(settings):
            setattr(self._app.settings, field.name, getattr(settings, field.name))
        return None
