"""Archive errors: a sentence for the owner (a catalogue message) and a detail for the log."""

from __future__ import annotations

from pathlib import Path

from igdesk.errors import IgdeskError
from igdesk.i18n import Text


class ArchiveError(IgdeskError):
    """Something is wrong with the archive file or its use; `text` says what."""

    @property
    def message(self) -> str:
        return str(self.text)

    @property
    def detail(self) -> str:
        return self.technical


class ArchiveTooNewError(ArchiveError):
    """The file was written by a newer igdesk whose schema this version does not know."""

    def __init__(self, path: Path, found: int, known: int) -> None:
        super().__init__(
            Text(
                "This message archive was saved by a newer version of igdesk. "
                "Update igdesk to open it; nothing in it has been changed."
            ),
            technical=f"{path}: schema version {found}, this build knows up to {known}",
        )
        self.found = found
        self.known = known


class ArchiveUnreadableError(ArchiveError):
    """The file is not an igdesk archive (or not a SQLite database at all), or cannot be opened."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            Text(
                "igdesk cannot open its message archive. Check that the disk is not full and the "
                "folder can be written to; if the file was damaged, restore it from a backup."
            ),
            technical=f"{path}: {detail}",
        )


class UnknownThreadError(ArchiveError, KeyError):
    """A thread id the archive does not hold (a programming error in the caller, not user data)."""

    def __init__(self, thread_id: str) -> None:
        super().__init__(
            Text("igdesk could not find this conversation in its archive."),
            technical=f"unknown thread id {thread_id!r}",
        )
        self.thread_id = thread_id

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return self.technical
