"""Parser for the subset of SOQL that the sandbox Salesforce server answers.

Supported: `SELECT` of plain fields, `COUNT()` and `COUNT(field) [alias]`; `FROM` one object;
`WHERE` with `AND`, `OR`, `NOT` and parentheses over `= != <> < <= > >=`, `[NOT] IN (...)` and
`LIKE`; literals: quoted strings, numbers, `TRUE`/`FALSE`, `NULL`, dates (`2024-01-31`) and unquoted
datetimes (`2024-01-31T10:00:00Z`, `+00:00` offsets, optional fractional seconds); `ORDER BY` with
`ASC`/`DESC` and `NULLS FIRST`/`NULLS LAST`; `LIMIT`; `OFFSET`.
Not supported (answered as a malformed query): relationship fields, subqueries, `GROUP BY`,
date literals such as `TODAY` or `LAST_N_DAYS:n`, date functions, `TYPEOF`, `FIELDS()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


class SoqlError(Exception):
    """A query Salesforce would refuse: `code` is the API errorCode (MALFORMED_QUERY, INVALID_FIELD...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Literal:
    """A literal value: `kind` is string, number, date, datetime, boolean or null."""

    kind: str  # string | number | date | datetime | boolean | null
    value: Any


@dataclass(frozen=True)
class Compare:
    """`field op literal`."""

    field: str
    op: str  # = != < <= > >=
    literal: Literal


@dataclass(frozen=True)
class InList:
    """`field [NOT] IN (literals)`."""

    field: str
    literals: tuple[Literal, ...]
    negate: bool


@dataclass(frozen=True)
class Like:
    """`field LIKE 'pattern'`."""

    field: str
    pattern: str


@dataclass(frozen=True)
class BoolOp:
    """Conditions joined by AND or OR."""

    op: str  # AND | OR
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """`NOT condition`."""

    item: Condition


Condition = Compare | InList | Like | BoolOp | Not


@dataclass(frozen=True)
class OrderItem:
    """One ORDER BY term."""

    field: str
    descending: bool
    nulls_last: bool


@dataclass(frozen=True)
class CountItem:
    """`COUNT()` (field None) or `COUNT(field) [alias]`."""

    field: str | None  # None for COUNT()
    alias: str | None


@dataclass
class Query:
    """A parsed SELECT statement."""

    sobject: str
    fields: list[str] = field(default_factory=list)
    count: CountItem | None = None
    where: Condition | None = None
    order_by: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None

    @property
    def count_only(self) -> bool:
        """`SELECT COUNT() FROM ...`: only `totalSize` is answered."""
        return self.count is not None and self.count.field is None


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<string>'(?:[^'\\]|\\.)*')
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2})(?![\dT])
    |(?P<number>[+-]?\d+(?:\.\d+)?)(?![A-Za-z_])
    |(?P<op><=|>=|!=|<>|=|<|>)
    |(?P<punct>[(),])
    |(?P<name>[A-Za-z_][A-Za-z0-9_.]*(?::\d+)?)
    """,
    re.X,
)

_KEYWORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "LIKE",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "NULLS",
    "FIRST",
    "LAST",
    "LIMIT",
    "OFFSET",
    "TRUE",
    "FALSE",
    "NULL",
    "GROUP",
    "HAVING",
    "INCLUDES",
    "EXCLUDES",
    "TYPEOF",
    "WITH",
    "FOR",
    "USING",
}

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}


@dataclass(frozen=True)
class _Token:
    kind: str  # string datetime date number op punct name keyword eof
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise _malformed(text, pos, f"unexpected character: {text[pos]!r}")
        kind = m.lastgroup or ""
        if kind != "ws":
            value = m.group(kind)
            if kind == "name" and value.upper() in _KEYWORDS:
                kind = "keyword"
            tokens.append(_Token(kind, value, pos))
        pos = m.end()
    tokens.append(_Token("eof", "", len(text)))
    return tokens


def _malformed(text: str, pos: int, detail: str) -> SoqlError:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return SoqlError("MALFORMED_QUERY", f"{text}\nERROR at Row:{line}:Column:{col}\n{detail}")


def parse_datetime_literal(text: str) -> datetime:
    """An unquoted SOQL datetime literal as an aware UTC datetime."""
    value = text
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    elif re.search(r"[+-]\d{4}$", value):
        value = value[:-2] + ":" + value[-2:]
    return datetime.fromisoformat(value).astimezone(UTC)


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    # -- token helpers ---------------------------------------------------------------------------
    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def error(self, detail: str | None = None) -> SoqlError:
        tok = self.tok
        shown = tok.text or "<end of query>"
        return _malformed(self.text, tok.pos, detail or f"unexpected token: {shown}")

    def is_kw(self, *words: str) -> bool:
        return self.tok.kind == "keyword" and self.tok.text.upper() in words

    def take_kw(self, word: str) -> None:
        if not self.is_kw(word):
            raise self.error()
        self.i += 1

    def take_punct(self, char: str) -> None:
        if not (self.tok.kind == "punct" and self.tok.text == char):
            raise self.error()
        self.i += 1

    def take_name(self) -> str:
        tok = self.tok
        if tok.kind != "name":
            raise self.error()
        self.i += 1
        return tok.text

    # -- grammar ---------------------------------------------------------------------------------
    def parse(self) -> Query:
        self.take_kw("SELECT")
        fields, count = self.select_list()
        self.take_kw("FROM")
        sobject = self.take_name()
        if "." in sobject or ":" in sobject:
            raise _malformed(self.text, self.tokens[self.i - 1].pos, f"unexpected token: {sobject}")
        query = Query(sobject=sobject, fields=fields, count=count)
        if self.is_kw("WHERE"):
            self.i += 1
            query.where = self.or_expr()
        if self.is_kw("GROUP", "HAVING", "WITH", "FOR", "USING"):
            raise self.error(f"{self.tok.text.upper()} is not supported by the sandbox server")
        if self.is_kw("ORDER"):
            self.i += 1
            self.take_kw("BY")
            query.order_by = self.order_list()
        if self.is_kw("LIMIT"):
            self.i += 1
            query.limit = self.integer()
        if self.is_kw("OFFSET"):
            self.i += 1
            query.offset = self.integer()
        if self.tok.kind != "eof":
            raise self.error()
        if count is not None and fields:
            raise SoqlError(
                "MALFORMED_QUERY",
                "Field must be grouped or aggregated: the sandbox does not support GROUP BY, so COUNT "
                "cannot be combined with other fields",
            )
        if count is not None and query.order_by:
            raise SoqlError("MALFORMED_QUERY", "ORDER BY is not allowed with an aggregate query here")
        return query

    def integer(self) -> int:
        tok = self.tok
        if tok.kind != "number" or not tok.text.isdigit():
            raise self.error("expecting a non-negative integer")
        self.i += 1
        return int(tok.text)

    def select_list(self) -> tuple[list[str], CountItem | None]:
        fields: list[str] = []
        count: CountItem | None = None
        seen: set[str] = set()
        while True:
            tok = self.tok
            if tok.kind == "name" and tok.text.upper() == "COUNT" and self.tokens[self.i + 1].text == "(":
                if count is not None:
                    raise self.error("only one aggregate is supported by the sandbox server")
                self.i += 2
                counted = None if self.tok.text == ")" else self.take_name()
                self.take_punct(")")
                alias = None
                if self.tok.kind == "name":
                    alias = self.take_name()
                count = CountItem(counted, alias)
            elif tok.kind == "name":
                if tok.text.upper() == "FIELDS" and self.tokens[self.i + 1].text == "(":
                    raise self.error("FIELDS() is not supported by the sandbox server")
                name = self.take_name()
                if name.lower() in seen:
                    raise SoqlError("MALFORMED_QUERY", f"duplicate field selected: {name}")
                seen.add(name.lower())
                fields.append(name)
            elif tok.kind == "punct" and tok.text == "(":
                raise self.error("subqueries are not supported by the sandbox server")
            else:
                raise self.error()
            if self.tok.kind == "punct" and self.tok.text == ",":
                self.i += 1
                continue
            return fields, count

    def order_list(self) -> list[OrderItem]:
        items: list[OrderItem] = []
        while True:
            name = self.take_name()
            descending = False
            if self.is_kw("ASC", "DESC"):
                descending = self.tok.text.upper() == "DESC"
                self.i += 1
            nulls_last = descending  # SOQL default: ASC NULLS FIRST, DESC NULLS LAST
            if self.is_kw("NULLS"):
                self.i += 1
                if not self.is_kw("FIRST", "LAST"):
                    raise self.error()
                nulls_last = self.tok.text.upper() == "LAST"
                self.i += 1
            items.append(OrderItem(name, descending, nulls_last))
            if self.tok.kind == "punct" and self.tok.text == ",":
                self.i += 1
                continue
            return items

    def or_expr(self) -> Condition:
        items = [self.and_expr()]
        while self.is_kw("OR"):
            self.i += 1
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("OR", tuple(items))

    def and_expr(self) -> Condition:
        items = [self.not_expr()]
        while self.is_kw("AND"):
            self.i += 1
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("AND", tuple(items))

    def not_expr(self) -> Condition:
        if self.is_kw("NOT"):
            self.i += 1
            return Not(self.not_expr())
        if self.tok.kind == "punct" and self.tok.text == "(":
            self.i += 1
            inner = self.or_expr()
            self.take_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Condition:
        name = self.take_name()
        if self.is_kw("NOT"):
            self.i += 1
            self.take_kw("IN")
            return InList(name, self.literal_list(), negate=True)
        if self.is_kw("IN"):
            self.i += 1
            return InList(name, self.literal_list(), negate=False)
        if self.is_kw("LIKE"):
            self.i += 1
            lit = self.literal()
            if lit.kind != "string":
                raise self.error("LIKE needs a quoted string pattern")
            return Like(name, lit.value)
        if self.is_kw("INCLUDES", "EXCLUDES"):
            raise self.error("INCLUDES/EXCLUDES are not supported by the sandbox server")
        if self.tok.kind != "op":
            raise self.error()
        op = "!=" if self.tok.text == "<>" else self.tok.text
        self.i += 1
        return Compare(name, op, self.literal())

    def literal_list(self) -> tuple[Literal, ...]:
        self.take_punct("(")
        items = [self.literal()]
        while self.tok.kind == "punct" and self.tok.text == ",":
            self.i += 1
            items.append(self.literal())
        self.take_punct(")")
        return tuple(items)

    def literal(self) -> Literal:
        tok = self.tok
        if tok.kind == "string":
            value: Any = _unquote(tok.text)
            kind = "string"
        elif tok.kind == "number":
            value = float(tok.text) if "." in tok.text else int(tok.text)
            kind = "number"
        elif tok.kind == "datetime":
            try:
                value = parse_datetime_literal(tok.text)
            except ValueError:
                raise self.error(f"invalid datetime literal: {tok.text}") from None
            kind = "datetime"
        elif tok.kind == "date":
            try:
                value = date.fromisoformat(tok.text)
            except ValueError:
                raise self.error(f"invalid date literal: {tok.text}") from None
            kind = "date"
        elif tok.kind == "keyword" and tok.text.upper() in ("TRUE", "FALSE"):
            value, kind = tok.text.upper() == "TRUE", "boolean"
        elif tok.kind == "keyword" and tok.text.upper() == "NULL":
            value, kind = None, "null"
        elif tok.kind == "name":
            raise self.error(
                f"date literal or bind variable {tok.text} is not supported by the sandbox server; "
                "use an explicit date or datetime"
            )
        else:
            raise self.error()
        self.i += 1
        return Literal(kind, value)


def parse(text: str) -> Query:
    """Parse a SOQL statement; raises `SoqlError` with code MALFORMED_QUERY on a syntax error."""
    if not text or not text.strip():
        raise SoqlError("MALFORMED_QUERY", "A query string has to be specified")
    return _Parser(text.strip()).parse()
