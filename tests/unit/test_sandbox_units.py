"""Unit tests of the sandbox's building blocks: durations, fields, cursors, limits, media."""

from __future__ import annotations

import struct
import wave
import zlib
from io import BytesIO
from pathlib import Path

import pytest

from igdesk.sandbox import nodes
from igdesk.sandbox.clock import SandboxClock, parse_duration
from igdesk.sandbox.errors import GraphError
from igdesk.sandbox.fields import FieldSpec, parse_fields
from igdesk.sandbox.media import LIBRARY, MediaSigner, media_bytes, pdf_bytes, png_bytes, wav_bytes
from igdesk.sandbox.paging import decode_cursor, encode_cursor, take_page
from igdesk.sandbox.ratelimit import SlidingWindow


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3h15m", 11700), ("2d", 172800), ("45s", 45), ("1w2d", 777600), ("23h59m", 86340)],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "3x", "h3", "3h 15"])
def test_parse_duration_refuses_junk(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_fields_nested_with_limit() -> None:
    specs = parse_fields("id,messages.limit(20){id,from,attachments{image_data,file_url}},x")
    assert specs is not None
    assert [s.name for s in specs] == ["id", "messages", "x"]
    messages = specs[1]
    assert messages.limit == 20
    attachments = messages.child("attachments")
    assert attachments is not None and attachments.children == (
        FieldSpec("image_data"),
        FieldSpec("file_url"),
    )


@pytest.mark.parametrize("text", ["id,messages{id", "messages.limit(x)", "a.order(1)", "{id}"])
def test_fields_syntax_errors_are_graph_errors(text: str) -> None:
    with pytest.raises(GraphError) as caught:
        parse_fields(text)
    assert caught.value.code == 100


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("id,is_deleted", "(is_deleted) on node type (Message)"),
        ("attachments{generic_template{title,x}},y", "(x) on node type (GenericTemplate)"),
        ("y,attachments{generic_template{title,x}}", "(y) on node type (Message)"),
        ("from{id,username,pic}", "(pic) on node type (Participant)"),
        ("created_time{x}", "(x) on node type (Message)"),
        ("reply_to", "(reply_to) on node type (Message)"),  # this world lacks it
    ],
)
def test_node_check_names_the_first_unknown_field(text: str, refused: str) -> None:
    specs = parse_fields(text)
    assert specs is not None
    with pytest.raises(GraphError) as caught:
        nodes.check(specs, nodes.MESSAGE, {"Message": frozenset({"reply_to"})})
    assert caught.value.message == f"(#100) Tried accessing nonexisting field {refused}"
    assert caught.value.code == 100 and caught.value.status == 400


def test_node_tables_and_missing_fields() -> None:
    read_keys = {"is_deleted", "is_echo", "is_self", "text", "mid"}
    assert not read_keys & set(nodes.MESSAGE.fields)
    assert "generic_template" in nodes.MESSAGE_ATTACHMENT.fields
    assert nodes.parse_missing({"User": ["follower_count"], "IGUser": []}) == {
        "User": frozenset({"follower_count"})
    }
    for bad in ({"Nope": ["x"]}, {"Message": ["id"]}, {"Message": [1]}, ["Message"]):
        with pytest.raises(ValueError):
            nodes.parse_missing(bad)
    assert nodes.describe_missing({"Message": frozenset({"sticker", "reactions"})}) == {
        "Message": ["reactions", "sticker"]
    }


def test_cursor_round_trip_and_paging() -> None:
    key = ("2024-01-01T00:00:00+0000", "abc")
    assert decode_cursor(encode_cursor(key)) == key
    items = [(f"2024-01-0{9 - i}", str(i)) for i in range(7)]  # newest first
    first = take_page(items, lambda k: k, 3, None, None)
    assert first.items == items[:3] and first.has_next and not first.has_previous
    assert first.last_key is not None
    second = take_page(items, lambda k: k, 3, encode_cursor(first.last_key), None)
    assert second.items == items[3:6] and second.has_next
    assert second.first_key is not None
    back = take_page(items, lambda k: k, 3, None, encode_cursor(second.first_key))
    assert back.items == items[:3]


def test_bad_cursor_is_code_100() -> None:
    with pytest.raises(GraphError) as caught:
        decode_cursor("garbage")
    assert caught.value.code == 100


def test_sliding_window_allows_exact_pace_and_refuses_bursts() -> None:
    now = [0.0]
    paced = SlidingWindow(2.0, 5.0, now=lambda: now[0])
    for _ in range(200):  # 100 seconds at exactly 2 calls per second
        assert paced.hit("acct")
        now[0] += 0.5
    burst = SlidingWindow(2.0, 5.0, now=lambda: 0.0)
    results = [burst.hit("acct") for _ in range(20)]
    assert results[: burst.threshold] == [True] * burst.threshold
    assert not any(results[burst.threshold :])


def test_png_is_valid() -> None:
    data = png_bytes(31, 17, (1, 2, 3), (200, 100, 50))
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (31, 17)
    idat_len = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41 : 41 + idat_len])
    assert len(raw) == 17 * (1 + 31 * 3)


def test_wav_and_pdf_are_real() -> None:
    with wave.open(BytesIO(wav_bytes(seconds=0.5)), "rb") as reader:
        assert reader.getnframes() == 4000
    pdf = pdf_bytes()
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[start:].startswith(b"xref")


def test_every_library_item_loads_and_committed_video_is_small() -> None:
    for key, spec in LIBRARY.items():
        assert media_bytes(key), key
        if spec.preview:
            assert spec.preview in LIBRARY
    clip = Path(__file__).resolve().parents[2] / "resources" / "sandbox" / "media" / "clip.mp4"
    assert clip.stat().st_size < 100_000
    assert media_bytes("clip")[4:8] == b"ftyp"


def test_media_signature_expires_with_the_clock() -> None:
    clock = SandboxClock()
    signer = MediaSigner(b"secret", clock, ttl_seconds=60)
    url = signer.url("http://x", "ref1")
    query = dict(part.split("=") for part in url.split("?")[1].split("&"))
    assert signer.check("ref1", query["exp"], query["sig"]) is None
    assert signer.check("ref2", query["exp"], query["sig"]) == "URL signature mismatch"
    clock.advance(61)
    assert signer.check("ref1", query["exp"], query["sig"]) == "URL signature expired"
