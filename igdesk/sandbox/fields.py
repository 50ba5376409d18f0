"""Parser for Graph's ``fields`` parameter, nested expansion and ``.limit(N)`` included.

``id,messages.limit(20){id,from,attachments{image_data}}`` becomes a tree of FieldSpec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from igdesk.sandbox.errors import GraphError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class FieldSpec:
    """One requested field; `children` None means "no sub-field list given"."""

    name: str
    limit: int | None = None
    children: tuple[FieldSpec, ...] | None = None

    def child(self, name: str) -> FieldSpec | None:
        return find(self.children or (), name)


#: A requested field list; None when the request gave none (the node's default applies).
Specs = tuple[FieldSpec, ...] | None


def find(specs: tuple[FieldSpec, ...], name: str) -> FieldSpec | None:
    return next((spec for spec in specs if spec.name == name), None)


def _error(text: str) -> GraphError:
    return GraphError(f'(#100) Syntax error "{text}" in fields parameter', code=100)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.replace(" ", "")
        self.pos = 0

    def parse(self) -> tuple[FieldSpec, ...]:
        specs = self.field_list()
        if self.pos != len(self.text):
            raise _error(f"Unexpected '{self.text[self.pos]}' at character {self.pos}")
        return specs

    def field_list(self) -> tuple[FieldSpec, ...]:
        specs = [self.field()]
        while self.peek(","):
            self.pos += 1
            if self.pos == len(self.text) or self.text[self.pos] in ",}":
                continue  # Graph tolerates a trailing or doubled comma
            specs.append(self.field())
        return tuple(specs)

    def field(self) -> FieldSpec:
        name = self.name()
        limit: int | None = None
        while self.peek("."):
            self.pos += 1
            modifier = self.name()
            argument = self.argument()
            if modifier != "limit":
                raise GraphError(f"(#100) Unknown field modifier: {modifier}", code=100)
            if not argument.isdigit():
                raise _error(f"limit({argument})")
            limit = int(argument)
        children: tuple[FieldSpec, ...] | None = None
        if self.peek("{"):
            self.pos += 1
            children = self.field_list()
            if not self.peek("}"):
                raise _error("Expected '}'")
            self.pos += 1
        return FieldSpec(name, limit, children)

    def argument(self) -> str:
        if not self.peek("("):
            raise _error("Expected '('")
        end = self.text.find(")", self.pos)
        if end < 0:
            raise _error("Expected ')'")
        value = self.text[self.pos + 1 : end]
        self.pos = end + 1
        return value

    def name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            shown = self.text[self.pos] if self.pos < len(self.text) else "end of input"
            raise _error(f"Expected a field name at {shown}")
        self.pos = match.end()
        return match.group(0)

    def peek(self, char: str) -> bool:
        return self.pos < len(self.text) and self.text[self.pos] == char


def parse_fields(text: str | None) -> tuple[FieldSpec, ...] | None:
    """Parse a ``fields`` value; None when the parameter is absent or empty."""
    if text is None or not text.strip():
        return None
    return _Parser(text).parse()


def check_known(specs: tuple[FieldSpec, ...], known: frozenset[str], node_type: str) -> None:
    """Graph refuses a field the node type does not have (nodes.check walks the whole tree)."""
    for spec in specs:
        if spec.name not in known:
            raise GraphError(
                f"(#100) Tried accessing nonexisting field ({spec.name}) "
                f"on node type ({node_type})",
                code=100,
            )
