"""The subset of Drive's `q` search language the tool uses, joined by `and`.

appProperties has { key='k' and value='v' }     properties has { key='k' and value='v' }
trashed = false      starred = true      mimeType = '...'   mimeType != '...'
name = '...'   name != '...'   name contains '...'   'parentId' in parents
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import InvalidArgument

_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<op>!=|<=|>=|=|<|>|\{|\}|\(|\))|(?P<word>[A-Za-z_]+))")

Predicate = Callable[[dict], bool]


def compile_query(q: str) -> Predicate:
    tokens = _tokenize(q)
    if not tokens:
        return lambda file: True
    parser = _Parser(tokens, q)
    predicates = [parser.term()]
    while parser.peek():
        parser.expect_word("and")
        predicates.append(parser.term())
    return lambda file: all(p(file) for p in predicates)


def _tokenize(q: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(q):
        if q[pos:].strip() == "":
            break
        match = _TOKEN.match(q, pos)
        if not match:
            raise _invalid(q, f"cannot read {q[pos:].strip()!r}")
        kind = match.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        text = match.group(kind)
        if kind == "string":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        tokens.append((kind, text))
        pos = match.end()
    return tokens


def _invalid(q: str, detail: str) -> InvalidArgument:
    return InvalidArgument(f"Invalid Value: q ({detail}) in {q!r}", reason="invalid")


class _Parser:
    def __init__(self, tokens, q):
        self.tokens, self.q, self.pos = tokens, q, 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str) -> str:
        token = self.peek()
        if token is None or token[0] != kind:
            raise _invalid(self.q, f"expected a {kind}")
        self.pos += 1
        return token[1]

    def expect_word(self, word: str) -> None:
        if self.take("word") != word:
            raise _invalid(self.q, f"only {word!r} is supported here by the local workspace")

    def expect_op(self, op: str) -> None:
        if self.take("op") != op:
            raise _invalid(self.q, f"expected {op!r}")

    def term(self) -> Predicate:
        token = self.peek()
        if token and token[0] == "string":
            parent = self.take("string")
            self.expect_word("in")
            self.expect_word("parents")
            return lambda file: parent in file.get("parents", [])
        field = self.take("word")
        if field in ("appProperties", "properties"):
            return self._has_property(field)
        if field in ("trashed", "starred"):
            op = self.take("op")
            value = self.take("word")
            if op not in ("=", "!=") or value not in ("true", "false"):
                raise _invalid(self.q, f"{field} takes = true or = false")
            wanted = value == "true"
            return lambda file: (bool(file.get(field)) == wanted) == (op == "=")
        if field in ("mimeType", "name"):
            token = self.peek()
            if field == "name" and token and token == ("word", "contains"):
                self.pos += 1
                text = self.take("string")
                return lambda file: text.lower() in file.get("name", "").lower()
            op = self.take("op")
            value = self.take("string")
            if op not in ("=", "!="):
                raise _invalid(self.q, f"{field} takes = or !=")
            return lambda file: (file.get(field) == value) == (op == "=")
        raise _invalid(self.q, f"the local workspace does not search on {field!r}")

    def _has_property(self, field: str) -> Predicate:
        self.expect_word("has")
        self.expect_op("{")
        self.expect_word("key")
        self.expect_op("=")
        key = self.take("string")
        self.expect_word("and")
        self.expect_word("value")
        self.expect_op("=")
        value = self.take("string")
        self.expect_op("}")
        return lambda file: file.get(field, {}).get(key) == value
