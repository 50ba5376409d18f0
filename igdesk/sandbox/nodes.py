"""The read API's node types and their fields, in one place, and the check Graph makes.

Graph refuses the whole request when any requested field, at any depth, is not a field of its
node type (instagram-api.md, "unknown fields")::

    HTTP 400 {"error": {"message": "(#100) Tried accessing nonexisting field (is_deleted) on
               node type (Message)", "type": "OAuthException", "code": 100, "fbtrace_id": ...}}

The first unknown field in request order (depth first, as written) is named. `check` walks a
parsed ``fields`` tree against these tables before anything is rendered, so a field is refused
even when no object on the page would carry it. ``is_deleted``, ``is_echo``, ``is_self``,
``text`` and ``mid`` are webhook keys: no read node has them.

A field whose value has no sub-fields (a string, a time, a flag) refuses any sub-field list
with the same error, naming the first sub-field on the node type that holds the field.

A world may lack fields (``World.missing_fields``, from the scenario key ``missing_fields`` or
``PATCH /_sandbox/world``): ``{"Message": ["reply_to", "reactions"]}`` makes those fields
unknown on every node type of that name, as an account whose API does not offer them.

Meta documents the names ``User``, ``IGUser``, ``Page``, ``Conversation``, ``Message``,
``MessageAttachment`` and ``IGMedia``. The names of the small objects inside a message
(``Participant``, ``ImageData``, ``VideoData``, ``GenericTemplate``, ``Share``, ``Story``,
``StoryItem``, ``Reaction``, ``ReplyTo``) are this sandbox's choice. Two node types may share
a name with different fields: the customer profile and ``/me`` on Instagram Login are both
"User"; ``/<IG_ID>`` and the Page's ``instagram_business_account`` are both "IGUser".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from igdesk.sandbox import fields as f

#: Node type name -> fields this world's API does not offer.
MissingFields = Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class NodeType:
    """A node type: Meta's name and each field with the node type of its sub-fields (if any)."""

    name: str
    fields: Mapping[str, NodeType | None]

    def known(self, missing: MissingFields) -> frozenset[str]:
        return frozenset(self.fields) - missing.get(self.name, frozenset())


def _node(name: str, leaves: str = "", **nested: NodeType) -> NodeType:
    table: dict[str, NodeType | None] = dict.fromkeys(leaves.split(), None)
    table.update({key.removesuffix("_"): value for key, value in nested.items()})
    return NodeType(name, table)


PARTICIPANT = _node("Participant", "id username")
IMAGE_DATA = _node("ImageData", "url preview_url width height animated_gif_url")
VIDEO_DATA = _node("VideoData", "url preview_url")
GENERIC_TEMPLATE = _node("GenericTemplate", "title subtitle image_url url buttons")
MESSAGE_ATTACHMENT = _node(
    "MessageAttachment",
    "id mime_type name size file_url",
    image_data=IMAGE_DATA,
    video_data=VIDEO_DATA,
    generic_template=GENERIC_TEMPLATE,
)
SHARE = _node("Share", "link name description id")
STORY_ITEM = _node("StoryItem", "link id")
STORY = _node("Story", reply_to=STORY_ITEM, mention=STORY_ITEM)
REACTION = _node("Reaction", "reaction emoji", users=PARTICIPANT)
REPLY_TO = _node("ReplyTo", "mid is_self_reply")
MESSAGE = _node(
    "Message",
    "id created_time message is_unsupported sticker",
    from_=PARTICIPANT,
    to=PARTICIPANT,
    attachments=MESSAGE_ATTACHMENT,
    shares=SHARE,
    story=STORY,
    reactions=REACTION,
    reply_to=REPLY_TO,
)
CONVERSATION = _node(
    "Conversation", "id updated_time is_owner", participants=PARTICIPANT, messages=MESSAGE
)
PROFILE = _node(
    "User",
    "id name username profile_pic follower_count is_user_follow_business "
    "is_business_follow_user is_verified_user",
)
_ACCOUNT_FIELDS = "id user_id username name profile_picture_url account_type"
ME = _node("User", _ACCOUNT_FIELDS)  # /me with an Instagram Login token
IG_USER = _node("IGUser", _ACCOUNT_FIELDS)  # /<IG_ID> with an Instagram Login token
LINKED_IG_USER = _node("IGUser", "id username name profile_picture_url")
PAGE = _node("Page", "id name", instagram_business_account=LINKED_IG_USER)
IG_MEDIA = _node(
    "IGMedia",
    "id caption media_type media_product_type media_url permalink thumbnail_url timestamp username",
)

ALL: tuple[NodeType, ...] = (
    PARTICIPANT,
    IMAGE_DATA,
    VIDEO_DATA,
    GENERIC_TEMPLATE,
    MESSAGE_ATTACHMENT,
    SHARE,
    STORY_ITEM,
    STORY,
    REACTION,
    REPLY_TO,
    MESSAGE,
    CONVERSATION,
    PROFILE,
    ME,
    IG_USER,
    LINKED_IG_USER,
    PAGE,
    IG_MEDIA,
)


def check(specs: tuple[f.FieldSpec, ...], node: NodeType, missing: MissingFields) -> None:
    """Refuse the first requested field, at any depth, that its node type does not have."""
    known = node.known(missing)
    for spec in specs:
        f.check_known((spec,), known, node.name)
        if spec.children is None:
            continue
        child = node.fields[spec.name]
        if child is None:
            f.check_known(spec.children, frozenset(), node.name)
        else:
            check(spec.children, child, missing)


def checked(
    text: str | None, node: NodeType, missing: MissingFields
) -> tuple[f.FieldSpec, ...] | None:
    """Parse a ``fields`` value and check it against `node`; None when none was given."""
    specs = f.parse_fields(text)
    if specs is not None:
        check(specs, node, missing)
    return specs


def parse_missing(value: Any) -> dict[str, frozenset[str]]:
    """Validate a ``missing_fields`` value; ValueError saying what is wrong."""
    if not isinstance(value, dict):
        raise ValueError('missing_fields must be an object like {"Message": ["reply_to"]}')
    out: dict[str, frozenset[str]] = {}
    for name, removed in value.items():
        owners = [node for node in ALL if node.name == name]
        if not owners:
            known = ", ".join(sorted({node.name for node in ALL}))
            raise ValueError(f"missing_fields: unknown node type {name!r}; known: {known}")
        if not isinstance(removed, list) or not all(isinstance(x, str) for x in removed):
            raise ValueError(f"missing_fields.{name} must be a list of field names")
        offered = {field for node in owners for field in node.fields}
        unknown = sorted(set(removed) - offered)
        if unknown:
            raise ValueError(f"missing_fields.{name}: no such field(s) {', '.join(unknown)}")
        if "id" in removed:
            raise ValueError(f"missing_fields.{name}: id cannot be missing")
        if removed:
            out[name] = frozenset(removed)
    return out


def describe_missing(missing: MissingFields) -> dict[str, list[str]]:
    """The JSON form of a missing-fields map (sorted, for answers and snapshots)."""
    return {name: sorted(fields) for name, fields in sorted(missing.items())}
