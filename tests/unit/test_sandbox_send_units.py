"""Pure parts of the sandbox Send API: image sniffing, message plans, fault options."""

from __future__ import annotations

import pytest

from igdesk.domain import utc_now
from igdesk.sandbox.errors import GraphError
from igdesk.sandbox.faults import after_apply, parse_fault
from igdesk.sandbox.media import image_format, image_size, media_bytes, png_bytes
from igdesk.sandbox.scenario import build_world
from igdesk.sandbox.send_media import peek_bucket, plan_message


def test_image_sniffing() -> None:
    assert image_size(png_bytes(30, 20, (0, 0, 0), (9, 9, 9))) == (30, 20)
    assert image_size(media_bytes("photo")) == (480, 360)
    assert image_size(b"GIF89a\x05\x00\x07\x00rest") == (5, 7)
    assert image_format(media_bytes("photo")) == "image/jpeg"
    assert image_format(b"%PDF-1.4") is None and image_size(b"%PDF-1.4") is None


def test_plans_and_buckets() -> None:
    world = build_world({"posts": [{"id": "1", "media": "batik_red", "ago": "1d"}]}, utc_now())
    assert plan_message(world, {"text": "hi"}).text == "hi"
    share = plan_message(world, {"attachment": {"type": "MEDIA_SHARE", "payload": {"id": "1"}}})
    assert share.post is not None and share.post.media_type == "IMAGE"
    video = plan_message(world, {"attachment": {"type": "video", "payload": {"url": "http://x"}}})
    assert video.bucket == "media"
    assert peek_bucket({"attachment": {"type": "audio"}}) == "media"
    assert peek_bucket({"attachments": [{"type": "image"}]}) == "text"
    with pytest.raises(GraphError):
        plan_message(world, {"attachment": {"type": "video", "payload": {"attachment_id": "5"}}})


def test_after_apply_option() -> None:
    assert after_apply(parse_fault({"kind": "drop", "after_apply": True}))
    assert not after_apply(parse_fault({"kind": "server_error"}))
    with pytest.raises(ValueError, match="after_apply"):
        parse_fault({"kind": "rate_limit", "after_apply": True})
