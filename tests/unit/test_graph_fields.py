"""The read fields and their step-down when an account's API refuses one."""

from __future__ import annotations

from igdesk.graph.fields import Node, ReadFields, refused_field

REFUSAL = "HTTP 400 OAuthException: (#100) Tried accessing nonexisting field ({}) on node type ({})"


def test_no_webhook_key_is_ever_asked_for() -> None:
    fields = ReadFields()
    asked = fields.conversation(nested=True) + "," + fields.message() + "," + fields.profile()
    for webhook_key in ("is_deleted", "is_echo", "is_self", "text", "mid"):
        assert webhook_key not in asked.replace("{", ",").replace("}", ",").split(",")


def test_the_requests_read_as_instagram_api_md_says() -> None:
    fields = ReadFields()
    assert fields.messages() == (
        "messages.limit(20){id,created_time,from,to,message,"
        "attachments{id,mime_type,name,size,image_data,video_data,file_url,generic_template},"
        "shares,story,is_unsupported,reactions,sticker,reply_to}"
    )
    assert fields.conversation(nested=False) == (
        "id,updated_time,participants,messages.limit(1){id,created_time}"
    )
    assert fields.conversation(nested=True).startswith("id,updated_time,participants,messages.")


def test_a_refused_message_field_is_dropped_everywhere_messages_are_read() -> None:
    fields = ReadFields()
    assert fields.refuse(REFUSAL.format("reply_to", "Message"), (Node.MESSAGE, Node.ATTACHMENT))
    assert "reply_to" not in fields.message()
    assert "reply_to" not in fields.conversation(nested=True)
    assert fields.refused == {Node.MESSAGE: ("reply_to",)}
    # The same refusal again changes nothing (no endless retry).
    assert not fields.refuse(REFUSAL.format("reply_to", "Message"), (Node.MESSAGE,))


def test_a_nested_attachment_field_is_dropped_from_the_attachments_only() -> None:
    fields = ReadFields()
    text = REFUSAL.format("generic_template", "MessageAttachment")
    assert fields.refuse(text, (Node.CONVERSATION, Node.MESSAGE, Node.ATTACHMENT))
    assert "generic_template" not in fields.message()
    assert "attachments{id," in fields.message()


def test_an_unknown_node_type_is_matched_by_the_field_name() -> None:
    fields = ReadFields()
    assert fields.refuse(REFUSAL.format("is_verified_user", "InstagramScopedUser"), (Node.PROFILE,))
    assert fields.profile().split(",")[-1] == "is_business_follow_user"


def test_essential_fields_and_foreign_refusals_are_not_dropped() -> None:
    fields = ReadFields()
    assert not fields.refuse(REFUSAL.format("created_time", "Message"), (Node.MESSAGE,))
    assert not fields.refuse(REFUSAL.format("id", "Conversation"), (Node.CONVERSATION,))
    assert not fields.refuse(REFUSAL.format("nonsense", "Message"), (Node.MESSAGE,))
    assert not fields.refuse("(#100) Param limit must be a number", (Node.MESSAGE,))
    assert fields.refused == {}


def test_refusals_survive_a_save_and_garbage_is_forgiven() -> None:
    fields = ReadFields()
    fields.refuse(REFUSAL.format("reactions", "Message"), (Node.MESSAGE,))
    fields.refuse(REFUSAL.format("sticker", "Message"), (Node.MESSAGE,))
    again = ReadFields.loads(fields.dumps())
    assert again.refused == {Node.MESSAGE: ("reactions", "sticker")}
    assert again.message() == fields.message()
    for garbage in (None, "", "{", "[1,2]", '{"message": "reply_to"}', '{"planet": ["x"]}'):
        assert ReadFields.loads(garbage).refused == {}


def test_refused_field_reads_the_graph_sentence() -> None:
    assert refused_field(REFUSAL.format("is_deleted", "Message")) == ("is_deleted", "Message")
    assert refused_field("(#100) Tried accessing nonexisting field (foo)") == ("foo", None)
    assert refused_field("Invalid OAuth access token.") is None
