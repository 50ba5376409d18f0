"""The owner's local changes to the archive (folders, read state, a re-read message), as jobs.

Each function takes the Archive first and runs whole on the archive's writer thread
(`ArchiveWorker.write`), so reading a thread and changing it is one step nothing can come
between. They return what the caller needs to announce, never a row of `store/`.
"""

from __future__ import annotations

from igdesk.domain import Folder, Message, accept_request
from igdesk.store import Archive

#: Folders the owner moves accepted threads between.
_ACCEPTED = (Folder.PRIMARY, Folder.GENERAL)


def mark_read(archive: Archive, thread_id: str) -> str | None:
    """Mark an opened thread read; the customer's id when it had unread messages (to mark
    them seen on Instagram), else None. Requests and denied threads stay unread (design.md:
    never seen before they are accepted)."""
    row = archive.threads.get(thread_id)  # only a thread with news is written to
    if row is None or row.folder in (Folder.REQUESTS, Folder.DENIED) or not row.unread:
        return None
    archive.threads.mark_read(thread_id)  # the read mark only moves forward: safe to do apart
    return row.contact_id


def accept(archive: Archive, thread_id: str, folder: Folder) -> None:
    """Accept a request into Primary or General."""
    archive.threads.set_folder(thread_id, accept_request(folder))


def deny(archive: Archive, thread_id: str) -> None:
    """Hide a request (recoverable: `restore`)."""
    archive.threads.set_folder(thread_id, Folder.DENIED)


def restore(archive: Archive, thread_id: str) -> bool:
    """Undo a deny: back to the folder it came from (Requests unless it was elsewhere);
    False when the thread is not denied."""
    with archive.transaction():
        row = archive.threads.get(thread_id)
        if row is None or row.folder is not Folder.DENIED:
            return False
        target = row.previous_folder or Folder.REQUESTS
        archive.threads.set_folder(
            thread_id, Folder.REQUESTS if target is Folder.DENIED else target
        )
        return True


def move(archive: Archive, thread_id: str, folder: Folder) -> bool:
    """Move an accepted thread between Primary and General; False when it is not accepted."""
    with archive.transaction():
        row = archive.threads.get(thread_id)
        if row is None or row.folder not in _ACCEPTED:
            return False
        archive.threads.set_folder(thread_id, folder)
        return True


def store_message(archive: Archive, thread_id: str, message: Message) -> Message | None:
    """Keep a message read again from the API (fresh attachment links); the stored copy."""
    archive.messages.upsert(thread_id, [message])
    return archive.messages.get(message.id)
