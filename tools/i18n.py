"""Keep the translation catalogues in step with the source: Babel extracts, the .po files keep.

Run from the project folder, with the project's Python:

    python tools/i18n.py            re-extract every marked message and update each
                                    resources/locale/<lang>/LC_MESSAGES/igdesk.po: new messages
                                    come in untranslated, messages gone from the code go away,
                                    translations are kept
    python tools/i18n.py --check    change nothing; exit 1 when a catalogue is out of date,
                                    misses a translation or holds a fuzzy entry
    python tools/i18n.py init LANG  start the catalogue of a new language (for example `fr`);
                                    translate its msgstr lines and it shows in Settings

Nothing compiled is written: igdesk compiles a catalogue in memory when it loads it.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from igdesk.i18n import DOMAIN, available_languages, extract, locale_dir  # noqa: E402

WIDTH = 100


def po_path(lang: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(
        out, catalog, width=WIDTH, include_lineno=False, ignore_obsolete=True, sort_output=True
    )
    return out.getvalue()


def updated(lang: str, template: Catalog) -> Catalog:
    """The catalogue of `lang` merged with `template` (no guessed, fuzzy translations)."""
    with po_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    return catalog


def problems(lang: str, catalog: Catalog) -> list[str]:
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"{lang}: fuzzy: {message.id!r}")
        if not all(strings):
            found.append(f"{lang}: untranslated: {message.id!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    commands = parser.add_subparsers(dest="command")
    init = commands.add_parser("init", help="start the catalogue of a new language")
    init.add_argument("lang", help="language code, for example fr or pt_BR")
    args = parser.parse_args(argv)

    template = extract(ROOT / "igdesk")
    if args.command == "init":
        path = po_path(args.lang)
        if path.exists():
            print(f"{path} exists already", file=sys.stderr)
            return 1
        catalog = Catalog(locale=args.lang, domain=DOMAIN, project="igdesk", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(catalog))
        print(f"{path}: {len(template)} messages to translate")
        return 0

    status = 0
    for lang in available_languages()[1:]:
        path = po_path(lang)
        catalog = updated(lang, template)
        text = render(catalog)
        report = problems(lang, catalog)
        if args.check:
            if text != path.read_bytes():
                report.insert(0, f"{path} is out of date: run python tools/i18n.py")
        elif text != path.read_bytes():
            path.write_bytes(text)
            print(f"updated {path}")
        for line in report:
            print(line, file=sys.stderr)
        status = status or (1 if report and args.check else 0)
        print(f"{lang}: {len(template)} messages, {len(report)} to look at")
    return status


if __name__ == "__main__":
    sys.exit(main())
