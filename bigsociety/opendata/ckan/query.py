"""Parsing CKAN's Solr-style ``fq`` / ``q`` field queries and ``sort`` strings.

Supported (what harvesters and ckanapi send):

* ``field:value``, ``field:"quoted value"``, ``-field:value`` (NOT), ``+field:value`` (must)
* ``a OR b``, ``a AND b``, adjacency = AND, parentheses, ``field:(a OR b)``
* ranges ``metadata_modified:[2024-01-01T00:00:00Z TO *]`` (also ``{...}`` and ``NOW``)
* fields: organization, tags, res_format, license_id, groups (facet fields), name, id,
  metadata_modified, metadata_created, capacity (public), state (active), text.

Anything else raises ``QueryError`` naming the problem; the API maps it to CKAN's
"Search Query Error" (HTTP 400).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

FACET_FIELDS = ("organization", "tags", "res_format", "license_id", "groups")
FIELDS = (
    *FACET_FIELDS,
    "name",
    "id",
    "metadata_modified",
    "metadata_created",
    "capacity",
    "state",
    "text",
    "title",
)
DATE_FIELDS = ("metadata_modified", "metadata_created")


class QueryError(ValueError):
    """A malformed query; ``param`` names the parameter (q, fq or sort)."""

    def __init__(self, message: str, param: str = "fq"):
        super().__init__(message)
        self.param = param


@dataclass
class Term:
    field: str
    value: str | None = None  # exact value
    low: dt.datetime | None = None  # ranges (dates)
    high: dt.datetime | None = None
    is_range: bool = False


@dataclass
class Node:
    op: str  # "and" | "or" | "not" | "term"
    children: list[Node] = field(default_factory=list)
    term: Term | None = None


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<lparen>\() | (?P<rparen>\)) |
      (?P<range>[\[{][^\]}]*[\]}]) |
      (?P<quoted>"(?:[^"\\]|\\.)*") |
      (?P<word>[^\s()"\[\]{}]+)
    )""",
    re.VERBOSE,
)


def _tokens(text: str, param: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise QueryError(
                f"cannot read {param} at position {pos}: {text[pos : pos + 20]!r}", param
            )
        pos = match.end()
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
    return tokens


def parse_datetime(value: str, param: str = "fq") -> dt.datetime:
    value = value.strip()
    if value.upper().startswith("NOW"):
        now = dt.datetime.now(dt.UTC)
        rest = value[3:]
        match = re.fullmatch(r"(?:-(\d+)(DAYS?|HOURS?|MONTHS?|YEARS?))?(?:/DAY)?", rest.upper())
        if not match:
            raise QueryError(f"cannot read date {value!r}", param)
        if match.group(1):
            n = int(match.group(1))
            unit = match.group(2).rstrip("S")
            days = {"DAY": n, "HOUR": n / 24, "MONTH": 30 * n, "YEAR": 365 * n}[unit]
            now -= dt.timedelta(days=days)
        return now
    text = value[:-1] if value.endswith("Z") else value
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise QueryError(
            f"cannot read date {value!r}: use ISO 8601, e.g. 2024-01-31T00:00:00Z", param
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


class _Parser:
    def __init__(self, text: str, param: str):
        self.param = param
        self.tokens = _tokens(text, param)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek()[1]!r} in {self.param}", self.param)  # type: ignore[index]
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek() == ("word", "OR") or self.peek() == ("word", "||"):
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Node("or", parts)

    def parse_and(self) -> Node:
        parts = [self.parse_unary()]
        while True:
            token = self.peek()
            if token is None or token[0] == "rparen" or token in (("word", "OR"), ("word", "||")):
                break
            if token in (("word", "AND"), ("word", "&&")):
                self.take()
                continue
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else Node("and", parts)

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError(f"{self.param} ends too soon", self.param)
        kind, text = token
        if kind == "word" and text == "NOT":
            self.take()
            return Node("not", [self.parse_unary()])
        if kind == "word" and text[0] in "+-" and len(text) > 1:
            self.tokens[self.i] = (kind, text[1:])
            inner = self.parse_unary()
            return Node("not", [inner]) if text[0] == "-" else inner
        if kind == "lparen":
            self.take()
            node = self.parse_or()
            if self.peek() is None or self.peek()[0] != "rparen":  # type: ignore[index]
                raise QueryError(f"missing ) in {self.param}", self.param)
            self.take()
            return node
        if kind == "word" and ":" in text:
            return self.parse_field()
        if kind in ("word", "quoted"):
            self.take()
            return Node("term", term=Term("text", _unquote(text)))
        raise QueryError(f"unexpected {text!r} in {self.param}", self.param)

    def parse_field(self) -> Node:
        _kind, text = self.take()
        name, _colon, rest = text.partition(":")
        if name not in FIELDS:
            raise QueryError(
                f"unknown field {name!r} in {self.param}; use one of {', '.join(FIELDS)}",
                self.param,
            )
        if rest:
            if rest == "*":
                return Node("term", term=Term(name, None, is_range=True))
            return Node("term", term=self._term(name, _unquote(rest)))
        token = self.peek()
        if token is None:
            raise QueryError(f"no value for {name} in {self.param}", self.param)
        kind, value = token
        if kind == "quoted":
            self.take()
            return Node("term", term=self._term(name, _unquote(value)))
        if kind == "range":
            self.take()
            return Node("term", term=self._range(name, value))
        if kind == "lparen":
            self.take()
            values: list[Node] = []
            while True:
                token = self.peek()
                if token is None:
                    raise QueryError(f"missing ) in {self.param}", self.param)
                self.take()
                if token[0] == "rparen":
                    break
                if token in (("word", "OR"), ("word", "||")):
                    continue
                if token[0] not in ("word", "quoted"):
                    raise QueryError(f"unexpected {token[1]!r} in {self.param}", self.param)
                values.append(Node("term", term=self._term(name, _unquote(token[1]))))
            if not values:
                raise QueryError(f"no value for {name} in {self.param}", self.param)
            return values[0] if len(values) == 1 else Node("or", values)
        raise QueryError(f"no value for {name} in {self.param}", self.param)

    def _term(self, name: str, value: str) -> Term:
        if name in DATE_FIELDS:
            moment = parse_datetime(value, self.param)
            return Term(name, low=moment, high=moment, is_range=True)
        return Term(name, value)

    def _range(self, name: str, text: str) -> Term:
        if name not in DATE_FIELDS:
            raise QueryError(f"ranges are only for {', '.join(DATE_FIELDS)}", self.param)
        body = text[1:-1].strip()
        parts = re.split(r"\s+TO\s+", body)
        if len(parts) != 2:
            raise QueryError(f"a range needs the form [FROM TO UNTIL], not {text!r}", self.param)
        low = None if parts[0].strip() == "*" else parse_datetime(parts[0], self.param)
        high = None if parts[1].strip() == "*" else parse_datetime(parts[1], self.param)
        return Term(name, low=low, high=high, is_range=True)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return re.sub(r"\\(.)", r"\1", text)


def parse(text: str, param: str = "fq") -> Node | None:
    """The query tree of ``text``, or None for an empty / match-everything query."""
    text = (text or "").strip()
    if not text or text in ("*:*", "*"):
        return None
    return _Parser(text, param).parse()


SORT_FIELDS = {
    "id": "d.uuid",
    "name": "d.name",
    "title_string": "d.title_sort",
    "title": "d.title_sort",
    "metadata_modified": "d.metadata_modified",
    "metadata_created": "d.metadata_created",
    "score": "score",
}


def parse_sort(text: str) -> list[tuple[str, str]]:
    """``"score desc, metadata_modified desc"`` -> [("score", "desc"), ...]."""
    result: list[tuple[str, str]] = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        bits = part.split()
        name = bits[0]
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if name not in SORT_FIELDS or direction not in ("asc", "desc") or len(bits) > 2:
            raise QueryError(
                f"cannot sort by {part!r}; use one of {', '.join(SORT_FIELDS)} with asc or desc",
                "sort",
            )
        result.append((name, direction))
    return result
