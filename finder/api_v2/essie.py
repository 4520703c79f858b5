"""A parser for the subset of ClinicalTrials.gov's Essie expression syntax we answer.

Supported (docs/api.md says the same):

- words (`heart attack`: both words, in any order) and "quoted phrases";
- `AND`, `OR`, `NOT` (upper case), parentheses; words side by side are joined by AND;
  precedence from loosest to tightest: OR, AND, NOT, then AREA[...] and the rest;
- `AREA[Field]expr` and `AREA[SearchArea]expr`: `expr` (one word, phrase, value or
  parenthesised expression) searches that field or area; on an enum, boolean, date,
  number or age field, words are values (`AREA[Phase]PHASE2`, `AREA[StartDate]2022`);
- `AREA[Field]RANGE[low, high]` on date, number and age fields (`MIN`, `MAX` for open
  ends; ages as `16 years`, `6 months`);
- `AREA[Field]MISSING`.

Anything else (COVERAGE[], EXPANSION[], SEARCH[], TILDE[], AREA[Field:size], ...)
raises EssieError naming it: never a silently different answer.

`parse(text, area)` returns a tree of trials.studies.query nodes, every field and
area resolved against trials.studies.model.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from trials.ctgov import age_in_days
from trials.studies.model import AREAS_BY_NAME, ENUMS, Field, SearchArea, find
from trials.studies.query import And, InArea, Missing, Node, Not, Or, Range, Text, Value

MAX_LENGTH = 2000
MAX_DEPTH = 40
SUPPORTED = 'words, "phrases", AND, OR, NOT, parentheses, AREA[Field], RANGE[low, high], MISSING'
NCT_ID = re.compile(r"^NCT0*([1-9]\d{0,7})$", re.IGNORECASE)
DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class EssieError(ValueError):
    def __init__(self, message: str, position: int | None = None):
        where = f" (at character {position + 1})" if position is not None else ""
        super().__init__(f"{message}{where}")


@dataclass(frozen=True)
class Token:
    kind: str  # word, phrase, (, ), AND, OR, NOT, AREA, RANGE, MISSING
    text: str
    position: int


def tokens(text: str) -> list[Token]:
    found, i = [], 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            found.append(Token(char, char, i))
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise EssieError("a quotation mark is not closed", i)
            found.append(Token("phrase", text[i + 1 : end], i))
            i = end + 1
        elif char in "[]":
            raise EssieError(f"“{char}” outside an operator such as AREA[...]", i)
        else:
            match = re.compile(r'[^\s()"\[\]]+').match(text, i)
            word = match.group()
            end = match.end()
            if end < len(text) and text[end] == "[":
                close = text.find("]", end)
                if close < 0:
                    raise EssieError(f"{word}[ is not closed with ]", i)
                if word not in ("AREA", "RANGE"):
                    raise EssieError(
                        f"{word}[...] is not supported here (supported: {SUPPORTED})", i
                    )
                found.append(Token(word, text[end + 1 : close], i))
                i = close + 1
                continue
            if word in ("AND", "OR", "NOT", "MISSING"):
                found.append(Token(word, word, i))
            else:
                found.append(Token("word", word, i))
            i = end
    return found


def parse(text: str, area: SearchArea) -> Node:
    """The expression `text`, whose bare words search `area`."""
    if len(text) > MAX_LENGTH:
        raise EssieError(f"the expression is longer than {MAX_LENGTH} characters")
    if "\x00" in text:
        raise EssieError("the expression holds a NUL character", text.index("\x00"))
    parser = _Parser(tokens(text))
    if not parser.tokens:
        raise EssieError("the expression is empty")
    node = parser.expression(area, 0)
    if parser.index < len(parser.tokens):
        token = parser.tokens[parser.index]
        raise EssieError(f"unexpected “{token.text}”", token.position)
    return node


class _Parser:
    def __init__(self, found: list[Token]):
        self.tokens = found
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expression(self, target, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise EssieError(f"the expression nests deeper than {MAX_DEPTH} levels")
        parts = [self.conjunction(target, depth)]
        while (token := self.peek()) and token.kind == "OR":
            self.take()
            parts.append(self.conjunction(target, depth))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def conjunction(self, target, depth: int) -> Node:
        parts = [self.negation(target, depth)]
        while (token := self.peek()) and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.take()
            parts.append(self.negation(target, depth))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def negation(self, target, depth: int) -> Node:
        token = self.peek()
        if token and token.kind == "NOT":
            self.take()
            return Not(self.negation(target, depth + 1))
        return self.primary(target, depth)

    def primary(self, target, depth: int) -> Node:
        token = self.peek()
        if token is None:
            last = self.tokens[-1]
            raise EssieError(f"the expression ends after “{last.text}”", last.position)
        self.take()
        if token.kind == "(":
            node = self.expression(target, depth + 1)
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise EssieError("a parenthesis is not closed", token.position)
            self.take()
            return node
        if token.kind == "AREA":
            inner = _target(token)
            if self.peek() is None:
                raise EssieError(
                    f"AREA[{token.text}] is not followed by what to find", token.position
                )
            return InArea(inner, self.primary(inner, depth + 1))
        if token.kind == "RANGE":
            return _range(token, target)
        if token.kind == "MISSING":
            if not isinstance(target, Field):
                raise EssieError("MISSING needs a field: AREA[Field]MISSING", token.position)
            return Missing()
        if token.kind in ("word", "phrase"):
            return _words(token, target)
        raise EssieError(f"unexpected “{token.text}”", token.position)


def _target(token: Token) -> Field | SearchArea:
    name = token.text.strip()
    if ":" in name:
        raise EssieError(
            f"AREA[{name}] (a field's size or other part) is not supported", token.position
        )
    found = find(name) or AREAS_BY_NAME.get(name.lower())
    if found is None:
        raise EssieError(
            f"AREA[{name}]: no such field or search area (see /api/v2/studies/metadata "
            "and /api/v2/studies/search-areas)",
            token.position,
        )
    if isinstance(found, Field) and found.type == "geo_point":
        raise EssieError(f"AREA[{name}]: search by distance with filter.geo", token.position)
    return found


def _words(token: Token, target) -> Node:
    if isinstance(target, SearchArea) or not target.is_leaf or target.type in ("text", "markup"):
        return Text(token.text, phrase=token.kind == "phrase")
    text = token.text.strip()
    kind = target.type
    if kind == "enum":
        code = text.upper().replace(" ", "_")
        if code not in ENUMS[target.enum]:
            raise EssieError(
                f"{text!r} is not a value of {target.piece} ({', '.join(ENUMS[target.enum])})",
                token.position,
            )
        return Value(code)
    if kind == "boolean":
        if text.lower() in ("true", "yes", "y"):
            return Value(True)
        if text.lower() in ("false", "no", "n"):
            return Value(False)
        raise EssieError(f"{target.piece} is true or false, not {text!r}", token.position)
    if kind == "nct":
        if not NCT_ID.match(text):
            raise EssieError(f"{text!r} is not an NCT ID like NCT01234567", token.position)
        return Value(text.upper())
    if kind in ("date", "partial_date", "datetime"):
        return Value(_date_span(text, token))
    if kind in ("integer", "number"):
        return Value(_number(text, target, token))
    if kind == "age":
        days = _age(text, token)
        return Value(days)
    raise EssieError(f"{target.piece} cannot be searched by value", token.position)


def _date_span(text: str, token: Token) -> tuple[dt.date, dt.date]:
    """The first and last day a date (2022, 2022-03, 2022-03-15) stands for."""
    match = DATE.match(text)
    try:
        if not match:
            raise ValueError
        year, month, day = (int(g) if g else None for g in match.groups())
        if day:
            first = last = dt.date(year, month, day)
        elif month:
            first = dt.date(year, month, 1)
            following = dt.date(year + (month == 12), month % 12 + 1, 1)
            last = following - dt.timedelta(days=1)
        else:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        raise EssieError(
            f"{text!r} is not a date like 2022, 2022-03 or 2022-03-15", token.position
        ) from None
    return first, last


def _number(text: str, target: Field, token: Token):
    if not NUMBER.match(text):
        raise EssieError(f"{target.piece} is a number, not {text!r}", token.position)
    return float(text) if "." in text or target.type == "number" else int(text)


def _age(text: str, token: Token) -> int:
    """An age in days: '16 years', '6 months', or a number of years."""
    if NUMBER.match(text):
        text = f"{text} years"
    try:
        days = age_in_days(text)
    except ValueError:
        days = None
    if days is None:
        raise EssieError(f"{text!r} is not an age like 16 years or 6 months", token.position)
    return days


def _range(token: Token, target) -> Range:
    if not isinstance(target, Field):
        raise EssieError("RANGE needs a field: AREA[Field]RANGE[low, high]", token.position)
    if target.type not in ("date", "partial_date", "integer", "number", "age"):
        raise EssieError(
            f"RANGE applies to date, number and age fields; {target.piece} is not one",
            token.position,
        )
    bounds = [b.strip() for b in token.text.split(",")]
    if len(bounds) != 2:
        raise EssieError(f"RANGE[{token.text}] needs two bounds: RANGE[low, high]", token.position)
    low, high = (
        _bound(b, target, token, first) for b, first in zip(bounds, (True, False), strict=True)
    )
    if low is not None and high is not None and low > high:
        raise EssieError(
            f"RANGE[{token.text}]: the low bound is above the high one", token.position
        )
    return Range(low, high)


def _bound(text: str, target: Field, token: Token, first: bool):
    if text.upper() in ("MIN", "MAX", ""):
        if (text.upper() == "MIN") != first and text:
            raise EssieError(f"RANGE[{token.text}]: MIN goes first, MAX last", token.position)
        return None
    if target.type in ("date", "partial_date"):
        span = _date_span(text, token)
        return span[0] if first else span[1]
    if target.type == "age":
        return _age(text, token)
    return _number(text, target, token)


def words_only(node: Node) -> list[Text] | None:
    """The words of an expression that is nothing but words and phrases side by side
    (joined by AND), or None."""
    parts = node.parts if isinstance(node, And) else (node,)
    if all(isinstance(p, Text) for p in parts):
        return list(parts)
    return None
