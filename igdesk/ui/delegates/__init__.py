"""Item delegates that paint the thread list and the conversation (plain text only)."""

from igdesk.ui.delegates.message_delegate import MessageDelegate
from igdesk.ui.delegates.thread_delegate import ThreadDelegate

__all__ = ["MessageDelegate", "ThreadDelegate"]
