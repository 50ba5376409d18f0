"""The read fields igdesk asks for, and the step down when an account's API refuses one.

Meta refuses a whole request when any requested field, nested ones included, does not exist on
its node (instagram-api.md, "unknown fields"): HTTP 400, code 100, "(#100) Tried accessing
nonexisting field (reply_to) on node type (Message)". `ReadFields` builds every `fields=` value
from per-node lists, drops a field that was refused (unless the read is useless without it),
and can be saved and loaded so the narrower list survives a restart. Only read-API fields are
listed here, never webhook keys (`is_deleted`, `is_echo`, `is_self`, `text`, `mid`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from enum import StrEnum

from igdesk.domain import READABLE_MESSAGES_PER_THREAD

log = logging.getLogger("igdesk.graph")


class Node(StrEnum):
    """The groups of fields igdesk requests, one per node type."""

    CONVERSATION = "conversation"
    MESSAGE = "message"
    ATTACHMENT = "attachment"
    PROFILE = "profile"


#: What igdesk asks of each node, in request order (instagram-api.md, "reading messages").
WANTED: Mapping[Node, tuple[str, ...]] = {
    Node.CONVERSATION: ("id", "updated_time", "participants"),
    Node.MESSAGE: (
        "id",
        "created_time",
        "from",
        "to",
        "message",
        "attachments",
        "shares",
        "story",
        "is_unsupported",
        "reactions",
        "sticker",
        "reply_to",
    ),
    Node.ATTACHMENT: (
        "id",
        "mime_type",
        "name",
        "size",
        "image_data",
        "video_data",
        "file_url",
        "generic_template",
    ),
    Node.PROFILE: (
        "name",
        "username",
        "profile_pic",
        "follower_count",
        "is_user_follow_business",
        "is_business_follow_user",
        "is_verified_user",
    ),
}

#: Fields without which a read is useless: a refusal of one of these is not stepped down.
ESSENTIAL: Mapping[Node, frozenset[str]] = {
    Node.CONVERSATION: frozenset({"id"}),
    Node.MESSAGE: frozenset({"id", "created_time", "from"}),
    Node.ATTACHMENT: frozenset(),
    Node.PROFILE: frozenset(),
}

#: Meta's node type names → our groups (a name we do not know is matched by field name).
_NODE_TYPES: Mapping[str, Node] = {
    "conversation": Node.CONVERSATION,
    "message": Node.MESSAGE,
    "messageattachment": Node.ATTACHMENT,
    "attachment": Node.ATTACHMENT,
    "user": Node.PROFILE,
    "instagramuser": Node.PROFILE,
}

_NONEXISTING = re.compile(
    r"nonexisting field \((?P<field>[A-Za-z0-9_]+)\)(?: on node type \((?P<node>[A-Za-z0-9_]+)\))?"
)

#: Sync-state key under which the refused fields of the account are kept.
STATE_KEY = "fields.refused"


def refused_field(text: str) -> tuple[str, str | None] | None:
    """(field, node type) named by a "Tried accessing nonexisting field" refusal, else None."""
    match = _NONEXISTING.search(text)
    if match is None:
        return None
    return match.group("field"), match.group("node")


class ReadFields:
    """The `fields=` values of every read, narrowed by what the account refused."""

    def __init__(self, refused: Mapping[Node, frozenset[str]] | None = None) -> None:
        self._refused: dict[Node, set[str]] = {node: set() for node in Node}
        for node, names in (refused or {}).items():
            self._refused[node].update(names)

    # --- what is asked --------------------------------------------------------------------

    def of(self, node: Node) -> tuple[str, ...]:
        refused = self._refused[node]
        return tuple(name for name in WANTED[node] if name not in refused)

    def message(self) -> str:
        """A Message node's fields, attachments with explicit sub-fields."""
        parts = []
        for name in self.of(Node.MESSAGE):
            if name == "attachments":
                parts.append("attachments{" + ",".join(self.of(Node.ATTACHMENT)) + "}")
            else:
                parts.append(name)
        return ",".join(parts)

    def messages(self, limit: int = READABLE_MESSAGES_PER_THREAD) -> str:
        """The `messages` edge with `limit` full messages."""
        return f"messages.limit({int(limit)}){{{self.message()}}}"

    def conversation(self, *, nested: bool) -> str:
        """A conversations-list row: with its readable messages, or with a one-message preview."""
        head = ",".join(self.of(Node.CONVERSATION))
        tail = self.messages() if nested else "messages.limit(1){id,created_time}"
        return f"{head},{tail}"

    def profile(self) -> str:
        return ",".join(self.of(Node.PROFILE))

    # --- stepping down --------------------------------------------------------------------

    def refuse(self, text: str, asked: tuple[Node, ...]) -> bool:
        """Drop the field a refusal names, if it may be dropped; True when something changed.

        `asked` are the groups the refused request used, in order of preference for a node
        type name we do not know.
        """
        found = refused_field(text)
        if found is None:
            return False
        name, node_type = found
        node = _NODE_TYPES.get((node_type or "").lower())
        if node is None or node not in asked or name not in WANTED[node]:
            node = next((n for n in asked if name in self.of(n)), None)
        if node is None or name in ESSENTIAL[node] or name not in self.of(node):
            return False
        self._refused[node].add(name)
        log.warning("the account's API refused field %s on %s; not asked again", name, node)
        return True

    @property
    def refused(self) -> dict[Node, tuple[str, ...]]:
        """What was dropped, per group (empty groups left out)."""
        return {node: tuple(sorted(names)) for node, names in self._refused.items() if names}

    # --- persistence ----------------------------------------------------------------------

    def dumps(self) -> str:
        return json.dumps({node.value: list(names) for node, names in self.refused.items()})

    @classmethod
    def loads(cls, text: str | None) -> ReadFields:
        """The fields saved by `dumps`; anything unreadable counts as "nothing refused"."""
        if not text:
            return cls()
        try:
            raw = json.loads(text)
        except ValueError:
            log.warning("saved refused fields unreadable; asking for every field again")
            return cls()
        refused: dict[Node, frozenset[str]] = {}
        if isinstance(raw, dict):
            known = {node.value: node for node in Node}
            for key, names in raw.items():
                if key in known and isinstance(names, list):
                    refused[known[key]] = frozenset(n for n in names if isinstance(n, str))
        return cls(refused)
