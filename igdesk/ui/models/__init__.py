"""Item models of the inbox: folders, threads, one conversation's messages, search results."""

from igdesk.ui.models.folders import FolderListModel, FolderRole
from igdesk.ui.models.messages import MessageListModel, MessageRole, RowKind
from igdesk.ui.models.search import SearchResultModel, SearchRole
from igdesk.ui.models.threads import ThreadListModel, ThreadRole

__all__ = [
    "FolderListModel",
    "FolderRole",
    "MessageListModel",
    "MessageRole",
    "RowKind",
    "SearchResultModel",
    "SearchRole",
    "ThreadListModel",
    "ThreadRole",
]
