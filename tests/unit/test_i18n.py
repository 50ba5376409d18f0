"""The one catalogue: every message translated, placeholders kept, a damaged one is English."""

from __future__ import annotations

import ast
import logging
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import igdesk
from igdesk import i18n
from igdesk.i18n import (
    KEYWORDS,
    Text,
    Words,
    available_languages,
    choose_language,
    extract,
    language_code,
    language_name,
    placeholders,
    system_language,
)
from igdesk.sync.outbox import failure_text, sentence_of, text_json

SOURCE = Path(igdesk.__file__).parent
TRANSLATED = available_languages()[1:]


def po_of(lang: str, directory: Path | None = None) -> Path:
    return (directory or i18n.locale_dir()) / lang / "LC_MESSAGES" / "igdesk.po"


def forms(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def test_indonesian_is_shipped() -> None:
    assert "id" in TRANSLATED


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_holds_exactly_the_messages_of_the_code(lang: str) -> None:
    template = {forms(message.id) for message in extract(SOURCE) if message.id}
    with po_of(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    held = {forms(message.id) for message in catalog if message.id}
    assert len(template) > 250  # the extraction really found the code's messages
    missing, stale = template - held, held - template
    assert not missing, f"not in {lang}.po (run python tools/i18n.py): {sorted(missing)}"
    assert not stale, f"no longer in the code (run python tools/i18n.py): {sorted(stale)}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_translated_not_fuzzy_same_placeholders_and_access_keys(lang: str) -> None:
    with po_of(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids, strings = forms(message.id), forms(message.string)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set().union(*(placeholders(one) for one in ids))
        for string in strings:
            found = placeholders(string)
            if found != wanted and not (len(ids) > 1 and found <= wanted):
                problems.append(f"placeholders {sorted(found)} ≠ {sorted(wanted)}: {ids[0]!r}")
            if _access_keys(ids[0]) != _access_keys(string):
                problems.append(f"access key (&) lost or added: {ids[0]!r}")
    assert not problems, "\n".join(problems)


def _access_keys(label: str) -> int:
    return label.replace("&&", "").count("&")


def test_messages_are_written_where_babel_sees_them() -> None:
    """A marked call whose message is built (an f-string, a conditional) or a `Words(lang)(…)`
    call is invisible to the extractor: it would stay English without any test noticing."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "sandbox" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            first, func = node.args[0], node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
            words_now = isinstance(func, ast.Call) and getattr(func.func, "id", "") == "Words"
            if words_now and isinstance(first, ast.Constant | ast.JoinedStr):
                found.append(f"{where}: bind the words first (words = Words(lang))")
            elif name in KEYWORDS and not isinstance(
                first, ast.Constant | ast.Name | ast.Attribute | ast.Subscript | ast.Call
            ):
                found.append(f"{where}: {name}() needs a literal message or a marked constant")
    assert not found, "\n".join(found)


def test_words_translate_format_and_count() -> None:
    english, bahasa = Words("en"), Words("id")
    assert english("Primary") == "Primary" and bahasa("Primary") == "Utama"
    assert bahasa("Last sync {time}", time="09:05") == "Sinkron terakhir 09:05"
    assert english.plural("📷 {n} photo", "📷 {n} photos", 1) == "📷 1 photo"
    assert english.plural("📷 {n} photo", "📷 {n} photos", 3) == "📷 3 photos"
    assert bahasa.plural("📷 {n} photo", "📷 {n} photos", 3) == "📷 3 foto"
    assert Words("id_ID.UTF-8").lang == "id" and Words("fr").lang == "fr"
    assert bahasa("A message nobody marked") == "A message nobody marked"


def test_text_travels_without_translation_and_is_translated_where_shown() -> None:
    why = Text("Instagram refused the request (code {code})", code=100)
    text = Text.plural(
        "{n} conversation could not be read: {why}. It will be tried again.",
        "{n} conversations could not be read: {why}. They will be tried again.",
        2,
        why=why,
    )
    assert "Instagram" not in repr(dict(text.params)).replace(why.msgid, "")  # no sentences
    assert str(text) == (
        "2 conversations could not be read: Instagram refused the request (code 100). "
        "They will be tried again."
    )
    assert Words("id").text(text) == (
        "2 percakapan tidak bisa dibaca: Instagram menolak permintaannya (kode 100). "
        "Akan dicoba lagi nanti."
    )
    assert Text.from_json(text.to_json()) == text
    assert hash(text) == hash(Text.from_json(text.to_json()))
    with pytest.raises(ValueError):
        Text.from_json({"en": "Not sent", "id": "Tidak terkirim"})


def test_outbox_failures_are_kept_as_message_ids() -> None:
    stored = text_json(Text("That file is larger than Instagram's {mb} MB limit.", mb=8))
    assert "Instagram" in stored and "Berkas" not in stored and "File itu" not in stored
    assert sentence_of(stored, "en") == "That file is larger than Instagram's 8 MB limit."
    assert sentence_of(stored, "id") == "File itu lebih besar dari batas Instagram, 8 MB."
    # Archives written by older versions kept both sentences: English is shown.
    legacy = '{"en": "Not sent: gone.", "id": "Tidak terkirim."}'
    assert failure_text(legacy) == Text("Not sent: gone.")
    assert sentence_of("plain words", "id") == "plain words" and failure_text(None) is None


def install(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "locale_dir", lambda: directory)


def test_a_missing_catalogue_is_english_with_a_log_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    install(tmp_path, monkeypatch)
    with caplog.at_level(logging.WARNING, logger="igdesk.i18n"):
        words = Words("id")
    assert words("Primary") == "Primary"
    assert words.text(Text("Last sync {time}", time="09:05")) == "Last sync 09:05"
    assert "no 'id' catalogue" in caplog.text


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 4,  # not text
        'msgid "Primary"\nmsgstr "Útama"\n'.encode("latin-1"),  # not UTF-8
        b'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=import os;\\n"\n',
        b"",  # emptied
        b"msgid {{{ nonsense",
    ],
    ids=["binary", "latin-1", "bad plural rule", "empty", "nonsense"],
)
def test_a_damaged_catalogue_is_english_with_a_log_line(
    content: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    po_of("id", tmp_path).parent.mkdir(parents=True)
    po_of("id", tmp_path).write_bytes(content)
    install(tmp_path, monkeypatch)
    with caplog.at_level(logging.WARNING, logger="igdesk.i18n"):
        words = Words("id")
    assert words("Primary") == "Primary"
    assert words.plural("{n} unread", "{n} unread", 2) == "2 unread"
    assert "catalogue is damaged" in caplog.text


def test_a_translation_that_breaks_its_placeholders_shows_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    po_of("id", tmp_path).parent.mkdir(parents=True)
    po_of("id", tmp_path).write_text(
        'msgid "Last sync {time}"\nmsgstr "Sinkron terakhir {waktu}"\n', encoding="utf-8"
    )
    install(tmp_path, monkeypatch)
    with caplog.at_level(logging.WARNING, logger="igdesk.i18n"):
        assert Words("id")("Last sync {time}", time="09:05") == "Last sync 09:05"
    assert "breaks the placeholders" in caplog.text


def test_a_third_language_is_one_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    po_of("fr", tmp_path).parent.mkdir(parents=True)
    po_of("fr", tmp_path).write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "Primary"\nmsgstr "Principal"\n\n'
        'msgid "{n} unread conversation"\nmsgid_plural "{n} unread conversations"\n'
        'msgstr[0] "{n} conversation non lue"\nmsgstr[1] "{n} conversations non lues"\n',
        encoding="utf-8",
    )
    install(tmp_path, monkeypatch)
    assert available_languages() == ("en", "fr")
    words = Words("fr")
    assert words("Primary") == "Principal"
    assert words.plural("{n} unread conversation", "{n} unread conversations", 3) == (
        "3 conversations non lues"
    )
    assert words("General") == "General"  # not translated yet: English
    assert language_name("fr") == "Français" and language_name("id") == "Bahasa Indonesia"
    assert words.date(date(2026, 3, 2), "EEEE d MMMM") == "lundi 2 mars"


@pytest.mark.parametrize(
    ("name", "code"),
    [("id_ID.UTF-8", "id"), ("in", "id"), ("en-GB", "en"), ("C", "en"), ("", "en"), ("FR", "fr")],
)
def test_language_codes(name: str, code: str) -> None:
    assert language_code(name) == code


def test_language_choice_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IGDESK_LANG", "id_ID.UTF-8")
    assert system_language() == "id"
    assert choose_language("en", "id") == "en"  # --lang first
    assert choose_language(None, "en") == "en"  # then Settings
    assert choose_language(None, "") == "id"  # then the system
    monkeypatch.setenv("IGDESK_LANG", "xx")  # a system language igdesk has no words for
    assert choose_language(None, "") == "en"
