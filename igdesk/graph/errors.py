"""The one error tree of `igdesk.graph`, and how server answers and network failures map onto it.

Every failure the client can meet is one of these classes. Each carries a plain sentence for the
shop owner (English and Bahasa Indonesia, with the next step), the technical detail for the log
(never a token, never customer text), and whether retrying can help::

    GraphError
    ├── TokenError                 190 (463 expired, 460 password changed, 467 invalid), 102
    ├── PermissionDeniedError      10 (other subcodes), 3, 200–299, HTTP 403 without a code
    │   └── HumanAgentNotAllowedError  10 without a window subcode, answering a send tagged
    │                              HUMAN_AGENT: the app lacks the Human Agent feature (the
    │                              outbox maps it with `human_agent_refusal`; never retried)
    ├── AccountNotLinkedError      Page without an Instagram professional account (flavour B)
    ├── MessagingUnavailableError  36103
    ├── RecipientError             (the customer cannot be reached right now)
    │   ├── OutsideWindowError     10 with subcode 2534022 or 2018278 (the only window verdict)
    │   ├── UserUnavailableError   551, or subcode 2534014
    │   │   └── NoMatchingUserError  subcode 2018001 "No matching user found" (100): the id is
    │   │                          no customer of this account; never retried
    │   └── ConsentRequiredError   230 or "consent is required" (HTTP 500 too; never retried)
    ├── InvalidRequestError        other 4xx (100, …)
    │   ├── MessageUnreadableError "deleted" message (older than the 20 newest)
    │   └── OAuthExchangeError     api.instagram.com's {error_type, code, error_message}
    │       └── SignInDeniedError  the owner pressed Cancel on the sign-in page
    ├── RateLimitError             4, 17, 32, 613, 80000–80014, HTTP 429 (retryable; retry_after)
    ├── TransientError             1, 2, -1, 5xx without a known code, timeouts, dropped
    │   │                          connections, non-JSON 5xx pages (retryable)
    │   └── SendOutcomeUnknownError the send may have gone out: reconcile, never blind-retry
    └── BadResponseError           malformed JSON, body over the cap, wrong shape, foreign `next`

The mapping from server answers and network failures onto this tree is `igdesk.graph.errormap`
(`error_from_response`, `error_from_exception`, and `human_agent_refusal` for what only the
request tells apart).
"""

from __future__ import annotations

from typing import Any, ClassVar

from igdesk.graph.redact import redact

_TECH_LIMIT = 500


class GraphError(Exception):
    """Base of every error raised by `igdesk.graph`."""

    sentence_en: ClassVar[str] = (
        "Something went wrong while talking to Instagram. Try again in a moment."
    )
    sentence_id: ClassVar[str] = (
        "Terjadi kesalahan saat menghubungi Instagram. Coba lagi sebentar lagi."
    )
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        technical: str = "",
        *,
        code: int | None = None,
        subcode: int | None = None,
        http_status: int | None = None,
        fbtrace_id: str | None = None,
        error_type: str | None = None,
    ) -> None:
        self.technical = redact(technical)[:_TECH_LIMIT]
        self.code = code
        self.subcode = subcode
        self.http_status = http_status
        self.fbtrace_id = fbtrace_id
        self.error_type = error_type
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [type(self).__name__]
        if self.http_status is not None:
            parts.append(f"http={self.http_status}")
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.subcode is not None:
            parts.append(f"subcode={self.subcode}")
        if self.fbtrace_id:
            parts.append(f"fbtrace_id={self.fbtrace_id}")
        head = " ".join(parts)
        return f"{head}: {self.technical}" if self.technical else head

    @classmethod
    def sentence(cls, lang: str = "en") -> str:
        """The plain sentence for the shop owner, in English (`en`) or Bahasa Indonesia (`id`)."""
        return cls.sentence_id if lang.lower().startswith(("id", "in")) else cls.sentence_en


class TokenError(GraphError):
    sentence_en = "Your Instagram sign-in has expired. Sign in again."
    sentence_id = "Sesi masuk Instagram Anda telah berakhir. Silakan masuk lagi."

    _REASONS: ClassVar[dict[int, str]] = {
        463: "expired",
        460: "password_changed",
        467: "invalid",
        458: "app_removed",
    }

    @property
    def reason(self) -> str:
        """`expired`, `password_changed`, `invalid`, `app_removed` or `unknown` (from subcode)."""
        return self._REASONS.get(self.subcode or 0, "unknown")


class PermissionDeniedError(GraphError):
    sentence_en = (
        "igdesk is not allowed to do this with your Instagram account. "
        "Sign in again and allow every permission igdesk asks for."
    )
    sentence_id = (
        "igdesk tidak diizinkan melakukan ini dengan akun Instagram Anda. "
        "Masuk lagi dan izinkan semua akses yang diminta igdesk."
    )


class HumanAgentNotAllowedError(PermissionDeniedError):
    sentence_en = (
        "Instagram refused the Human Agent tag: your app is not approved for the Human Agent "
        "feature, so replies more than 24 hours after the customer's last message can't be "
        "sent. Turn off 'I have the Human Agent permission' in Settings."
    )
    sentence_id = (
        "Instagram menolak tag Human Agent: aplikasi Anda belum disetujui untuk fitur Human "
        "Agent, jadi balasan lebih dari 24 jam setelah pesan terakhir pelanggan tidak bisa "
        "dikirim. Matikan 'Saya punya izin Human Agent' di Pengaturan."
    )


class AccountNotLinkedError(GraphError):
    sentence_en = (
        "This Facebook Page is not linked to an Instagram professional account. "
        "Link them in the Page settings, then sign in again."
    )
    sentence_id = (
        "Halaman Facebook ini belum terhubung ke akun profesional Instagram. "
        "Hubungkan di pengaturan Halaman, lalu masuk lagi."
    )


class MessagingUnavailableError(GraphError):
    sentence_en = (
        "Instagram messaging is not available for this account yet. Make sure it is a "
        "professional account and that 'Allow access to messages' is on in the Instagram app."
    )
    sentence_id = (
        "Pesan Instagram belum tersedia untuk akun ini. Pastikan akunnya akun profesional dan "
        "'Izinkan akses ke pesan' aktif di aplikasi Instagram."
    )


class RecipientError(GraphError):
    sentence_en = "This customer cannot be reached right now."
    sentence_id = "Pelanggan ini tidak dapat dihubungi saat ini."


class OutsideWindowError(RecipientError):
    sentence_en = (
        "You can no longer reply in this chat: Instagram only allows replies for a limited time "
        "after the customer's last message. Wait for the customer to write again."
    )
    sentence_id = (
        "Anda tidak bisa lagi membalas di obrolan ini: Instagram hanya mengizinkan balasan dalam "
        "waktu terbatas setelah pesan terakhir pelanggan. Tunggu pelanggan menulis lagi."
    )


class UserUnavailableError(RecipientError):
    sentence_en = (
        "This person isn't available on Instagram right now (the account may be deleted, "
        "deactivated or blocking you). Nothing to do but wait for them to write again."
    )
    sentence_id = (
        "Orang ini sedang tidak tersedia di Instagram (akunnya mungkin dihapus, dinonaktifkan, "
        "atau memblokir Anda). Tunggu sampai mereka menulis lagi."
    )


class NoMatchingUserError(UserUnavailableError):
    sentence_en = (
        "This customer can't be reached from your account (Instagram says no such user). "
        "The reply was not sent."
    )
    sentence_id = (
        "Pelanggan ini tidak dapat dihubungi dari akun Anda (Instagram menyatakan pengguna "
        "tidak ditemukan). Balasan tidak terkirim."
    )


class ConsentRequiredError(RecipientError):
    sentence_en = (
        "Instagram will not share this person's profile until they send you a message. "
        "Their name will appear once they write to you."
    )
    sentence_id = (
        "Instagram tidak membagikan profil orang ini sampai mereka mengirimi Anda pesan. "
        "Namanya akan muncul setelah mereka menulis kepada Anda."
    )


class InvalidRequestError(GraphError):
    sentence_en = (
        "Instagram refused this request. Try again; if it keeps happening, "
        "update igdesk or report the problem."
    )
    sentence_id = (
        "Instagram menolak permintaan ini. Coba lagi; jika terus terjadi, "
        "perbarui igdesk atau laporkan masalahnya."
    )


class MessageUnreadableError(InvalidRequestError):
    sentence_en = (
        "Instagram only lets apps read the 20 newest messages of a chat; older ones may be "
        "missing here. Open the chat in the Instagram app to see them."
    )
    sentence_id = (
        "Instagram hanya mengizinkan aplikasi membaca 20 pesan terbaru sebuah obrolan; pesan "
        "yang lebih lama mungkin tidak tampil di sini. Buka obrolan di aplikasi Instagram."
    )


class OAuthExchangeError(InvalidRequestError):
    sentence_en = "Instagram did not accept the sign-in. Sign in again."
    sentence_id = "Instagram tidak menerima proses masuk. Silakan masuk lagi."


class SignInDeniedError(OAuthExchangeError):
    sentence_en = "The Instagram sign-in was cancelled. Sign in again and tap Allow."
    sentence_id = "Proses masuk Instagram dibatalkan. Masuk lagi dan ketuk Izinkan."


class RateLimitError(GraphError):
    sentence_en = (
        "Instagram asked igdesk to slow down. Messages will continue to load automatically "
        "in a few minutes."
    )
    sentence_id = (
        "Instagram meminta igdesk memperlambat. Pesan akan dimuat lagi secara otomatis "
        "dalam beberapa menit."
    )
    retryable = True

    def __init__(
        self, technical: str = "", *, retry_after: float | None = None, **kwargs: Any
    ) -> None:
        #: Seconds until access comes back, when Meta said so (`estimated_time_to_regain_access`).
        self.retry_after = retry_after
        super().__init__(technical, **kwargs)


class TransientError(GraphError):
    sentence_en = (
        "Instagram could not be reached. Check your internet connection; "
        "igdesk will try again by itself."
    )
    sentence_id = (
        "Instagram tidak dapat dihubungi. Periksa koneksi internet Anda; "
        "igdesk akan mencoba lagi sendiri."
    )
    retryable = True


class SendOutcomeUnknownError(TransientError):
    sentence_en = (
        "The connection broke while sending, so igdesk does not know whether your reply "
        "went out. It will check the chat before trying again."
    )
    sentence_id = (
        "Koneksi terputus saat mengirim, jadi igdesk tidak tahu apakah balasan Anda terkirim. "
        "igdesk akan memeriksa obrolan sebelum mencoba lagi."
    )
    retryable = False  # the Send API has no idempotency key: reconcile first


class BadResponseError(GraphError):
    sentence_en = (
        "Instagram sent an answer igdesk could not understand. "
        "igdesk will try again later; if it keeps happening, update igdesk."
    )
    sentence_id = (
        "Instagram mengirim jawaban yang tidak dapat dipahami igdesk. "
        "igdesk akan mencoba lagi nanti; jika terus terjadi, perbarui igdesk."
    )
