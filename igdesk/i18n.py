"""One catalogue for every word the owner reads: gettext, English in the source, `.po` files.

How code speaks to the owner:

- `words = Words(lang)` then `words("Primary")`, `words("Synced {who}.", who=name)` and
  `words.plural("{n} photo", "{n} photos", n)`: translated now, in `words.lang`.
- `N_("Primary")` marks a constant for the catalogue; translate it where shown: `words(label)`.
- `Text("That link answers with an error ({status}).", status=503)` (or `Text.plural(...)`) is
  a sentence that travels — an error, an event, a stored outbox failure. It holds the message
  id and its parameters, never a translation; `words.text(text)` translates it where shown.

Catalogues live in `resources/locale/<lang>/LC_MESSAGES/igdesk.po`; Babel compiles one in
memory the first time its language is used, so nothing compiled is kept in git. A missing or
damaged catalogue gives English and a log line. English needs no catalogue. A new language is
one new `.po` file (`python tools/i18n.py init <lang>`); `python tools/i18n.py` re-extracts the
messages into every catalogue, and tests/unit/test_i18n.py fails when one misses a string.
"""

from __future__ import annotations

import functools
import gettext
import io
import locale
import logging
import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from igdesk import resources

if TYPE_CHECKING:
    from babel import Locale
    from babel.messages.catalog import Catalog

log = logging.getLogger("igdesk.i18n")

DOMAIN = "igdesk"
ENGLISH = "en"
#: Names that mark a message for extraction, with the positions of their message arguments.
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "words": None,  # words(...), self.words(...): a Words bound to a name first
    "_words": None,
    "plural": (1, 2),  # words.plural(...), Text.plural(...)
    "Text": None,
    "N_": None,
}
#: What a language calls itself, where Babel's name is not what our users say.
_NATIVE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}


def locale_dir() -> Path:
    return resources.path("locale")


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it (translated where shown)."""
    return message


@dataclass(frozen=True, init=False)
class Text:
    """A sentence for the owner, not yet translated: a catalogue message id and its parameters.

    Parameters are plain values or other `Text`s (translated too). `str()` gives English, for
    logs and exceptions.
    """

    msgid: str
    params: tuple[tuple[str, Param], ...]
    plural_id: str
    count: int

    def __init__(self, msgid: str, /, **params: Param) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "params", tuple(sorted(params.items())))
        object.__setattr__(self, "plural_id", "")
        object.__setattr__(self, "count", 0)

    @classmethod
    def plural(cls, singular: str, plural: str, n: int, /, **params: Param) -> Text:
        """A sentence with a count: `{n}` in either form is `n`."""
        text = cls(singular, n=n, **params)
        object.__setattr__(text, "plural_id", plural)
        object.__setattr__(text, "count", n)
        return text

    def __str__(self) -> str:
        return Words(ENGLISH).text(self)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (kept by the outbox); `from_json` reads it back."""
        data: dict[str, Any] = {"msgid": self.msgid}
        if self.params:
            data["params"] = {
                name: {"text": value.to_json()} if isinstance(value, Text) else value
                for name, value in self.params
            }
        if self.plural_id:
            data["plural"], data["count"] = self.plural_id, self.count
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Text:
        """Read `to_json`'s form back; raises ValueError when it is not one."""
        msgid, raw = data.get("msgid"), data.get("params") or {}
        if not isinstance(msgid, str) or not isinstance(raw, Mapping):
            raise ValueError("not a catalogue message")
        params: dict[str, Param] = {}
        for name, value in raw.items():
            if isinstance(value, Mapping):
                params[str(name)] = cls.from_json(value.get("text") or {})
            elif isinstance(value, str | int | float):
                params[str(name)] = value
        text = cls(msgid, **params)
        plural, count = data.get("plural"), data.get("count")
        if isinstance(plural, str) and isinstance(count, int):
            object.__setattr__(text, "plural_id", plural)
            object.__setattr__(text, "count", count)
        return text


Param = str | int | float | Text


class Words:
    """The words of one language: `words("Primary")`, `words.plural(...)`, `words.text(t)`."""

    def __init__(self, lang: str = ENGLISH) -> None:
        self.lang = language_code(lang)
        self._catalogue = catalogue(self.lang)

    def __call__(self, message: str, /, **params: Param) -> str:
        return self._format(self._catalogue.gettext(message), message, params)

    def plural(self, singular: str, plural: str, n: int, /, **params: Param) -> str:
        template = self._catalogue.ngettext(singular, plural, n)
        return self._format(template, singular if n == 1 else plural, {"n": n, **params})

    def text(self, text: Text) -> str:
        """A travelling sentence in this language."""
        params = dict(text.params)
        if text.plural_id:
            return self.plural(text.msgid, text.plural_id, text.count, **params)
        return self(text.msgid, **params)

    def date(self, moment: date | datetime, pattern: str) -> str:
        """`moment` (local time already) written with a CLDR date `pattern` ("EEEE, d MMMM",
        "d MMM HH:mm"): day and month names in this language."""
        from babel.dates import format_date, format_datetime

        where = _babel_locale(self.lang)
        if isinstance(moment, datetime):
            return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=where)
        return format_date(moment, pattern, locale=where)

    def _format(self, template: str, english: str, params: Mapping[str, Param]) -> str:
        if not params:
            return template
        values = {k: self.text(v) if isinstance(v, Text) else v for k, v in params.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            log.warning("the %s catalogue breaks the placeholders of %r", self.lang, english)
            return english.format(**values)


@functools.cache
def _babel_locale(lang: str) -> Locale:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        log.info("no date words for %r: English ones", lang)
        return Locale.parse(ENGLISH)


def language_code(name: str) -> str:
    """`id_ID.UTF-8`, `id-ID`, `in` → `id`; empty, `C` and `POSIX` → English."""
    code = name.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].strip().lower()
    if code in ("", "c", "posix"):
        return ENGLISH
    return "id" if code == "in" else code  # "in" is Indonesian's old ISO code (Java, Android)


def system_language() -> str:
    """The language the system asks for (`IGDESK_LANG` first), as a code like `id` or `en`."""
    for variable in ("IGDESK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return language_code(value)
    try:
        return language_code(locale.getlocale()[0] or "")
    except ValueError:
        return ENGLISH


def choose_language(*preferred: str | None) -> str:
    """The first language asked for (`--lang`, then Settings; empty skipped), else the system's
    when igdesk has words for it, else English."""
    for wanted in preferred:
        if wanted:
            return language_code(wanted)
    system = system_language()
    return system if system in available_languages() else ENGLISH


def available_languages(directory: Path | None = None) -> tuple[str, ...]:
    """English, then every language that has a catalogue."""
    found = (directory or locale_dir()).glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    return (ENGLISH, *sorted({path.parents[1].name for path in found} - {ENGLISH}))


def language_name(code: str) -> str:
    """What the language calls itself ("Bahasa Indonesia", "Français")."""
    if code in _NATIVE_NAMES:
        return _NATIVE_NAMES[code]
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code).get_display_name(code)
    except (UnknownLocaleError, ValueError):
        return code
    return (name or code)[:1].upper() + (name or code)[1:]


def catalogue(lang: str, directory: Path | None = None) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (English: none). A missing or damaged one gives English
    and a log line, each time it is asked for (a good one is compiled once per process)."""
    lang, directory = language_code(lang), directory or locale_dir()
    if lang == ENGLISH:
        return gettext.NullTranslations()
    key = (lang, directory)
    if key not in _COMPILED:
        try:
            _COMPILED[key] = _compile(directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po")
        except FileNotFoundError:
            log.warning("no %r catalogue in %s: the words stay in English", lang, directory)
            return gettext.NullTranslations()
        except CatalogueError as error:
            log.warning("the %r catalogue is damaged (%s): the words stay in English", lang, error)
            return gettext.NullTranslations()
    return _COMPILED[key]


_COMPILED: dict[tuple[str, Path], gettext.GNUTranslations] = {}


class CatalogueError(Exception):
    """A `.po` file that cannot be read or compiled."""


def _compile(path: Path) -> gettext.GNUTranslations:
    """Read a `.po` file and compile it in memory (FileNotFoundError when it is not there)."""
    from babel.core import UnknownLocaleError
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as po:
            messages = read_po(po, domain=DOMAIN, abort_invalid=True)
        if not any(message.id and message.string for message in messages):
            raise CatalogueError(f"{path}: no translated message")
        compiled = io.BytesIO()
        write_mo(compiled, messages)
        compiled.seek(0)
        return gettext.GNUTranslations(compiled)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, LookupError, PoFileError, UnknownLocaleError) as error:
        raise CatalogueError(f"{path}: {error}") from error


def placeholders(message: str) -> set[str]:
    """The `{name}` fields of a message (what a translation must keep)."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(message) if field is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def extract(source: Path) -> Catalog:
    """Every message marked in the Python files under `source` (the sandbox, Meta's side, is not
    the owner's), as a Babel template catalogue."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(domain=DOMAIN, project="igdesk", fuzzy=False)
    method_map = [("sandbox/**.py", "ignore"), ("**.py", "python")]
    found = extract_from_dir(
        source,
        method_map,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        where = (f"{source.name}/{filename}", lineno)
        template.add(message, locations=[where], auto_comments=comments, context=context)
    return template
