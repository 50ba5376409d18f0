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


class ArchiveFileError(ArchiveError):
    """Something happened to the archive file while igdesk had it open; each kind has its
    own sentence (`TEXT`) and the path with the detail goes to the log."""

    TEXT: Text

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(self.TEXT, technical=f"{path}: {detail}")


class ArchiveGoneError(ArchiveFileError):
    """The archive file was removed, moved or replaced while igdesk had it open."""

    TEXT = Text(
        "igdesk's message archive file was removed or moved while igdesk was open, so "
        "nothing new can be saved. Put the file back, or quit igdesk and start it again."
    )

    def __init__(self, path: Path, detail: str = "the file is gone") -> None:
        super().__init__(path, detail)


class ArchiveReadOnlyError(ArchiveFileError):
    """The archive file (or its disk) no longer takes writes."""

    TEXT = Text(
        "igdesk cannot save to its message archive: the file was made read-only. Make it "
        "writable again; until then new messages are not saved."
    )

    def __init__(self, path: Path, detail: str = "the file is read-only") -> None:
        super().__init__(path, detail)


class ArchiveBusyError(ArchiveFileError):
    """Another program held the archive's write lock longer than igdesk waits."""

    TEXT = Text(
        "Another program kept igdesk's message archive busy for too long. Close other "
        "copies of igdesk (or a running `igdesk sync`); igdesk will try again."
    )


class ArchiveWriteError(ArchiveFileError):
    """SQLite refused a read or a write for a reason of the disk or the file."""

    TEXT = Text(
        "igdesk could not read or save its message archive. Check that the disk is not "
        "full and the folder can be written to."
    )
