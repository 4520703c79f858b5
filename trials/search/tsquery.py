"""PostgreSQL's tsquery text ("'qualiti' <2> 'life' & !'child'") as a tree both engines read.

PostgreSQL turns what a patient typed into a tsquery (websearch_to_tsquery and
plainto_tsquery: stemming, stop words, phrases, OR, negation); `parse` reads its text
form back. The bitmap engine evaluates the tree over its word bitmaps; both engines rank
with `ranking()`, the tree's wanted words joined as they are but with phrases loosened
to AND and negations dropped, so a field "holds" a query when it holds its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .db import reading

TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'|(<->|<\d+>)|([&|!()]))")


@dataclass(frozen=True)
class Word:
    lexeme: str


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Phrase:
    left: Node
    right: Node
    distance: int  # the right side starts this many positions after the left one


Node = Word | Not | And | Or | Phrase


class Unsupported(ValueError):
    """Text that is not a tsquery of the operators above (a prefix or weight marker)."""


def parse(text: str) -> Node | None:
    """The tree of a tsquery's text; None for an empty query (only stop words)."""
    tokens = _tokens(text)
    if not tokens:
        return None
    node, rest = _or(tokens)
    if rest:
        raise Unsupported(f"unexpected {rest[0]!r} in {text!r}")
    return node


def _tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match:
            raise Unsupported(f"cannot read {text[position:]!r}")
        lexeme, phrase, operator = match.groups()
        if lexeme is not None:
            found.append(("word", lexeme.replace("''", "'")))
        else:
            found.append(("op", phrase or operator))
        position = match.end()
    return found


def _or(tokens):
    return _joined(tokens, "|", _and, Or)


def _and(tokens):
    return _joined(tokens, "&", _phrase, And)


def _joined(tokens, operator: str, operand, node):
    """Operands of one binary operator, joined from the left."""
    left, tokens = operand(tokens)
    while tokens and tokens[0] == ("op", operator):
        right, tokens = operand(tokens[1:])
        left = node(left, right)
    return left, tokens


def _phrase(tokens):
    left, tokens = _not(tokens)
    while tokens and tokens[0][0] == "op" and tokens[0][1].startswith("<"):
        operator = tokens[0][1]
        distance = 1 if operator == "<->" else int(operator[1:-1])
        right, tokens = _not(tokens[1:])
        left = Phrase(left, right, distance)
    return left, tokens


def _not(tokens):
    if not tokens:
        raise Unsupported("a tsquery that ends too early")
    kind, value = tokens[0]
    if (kind, value) == ("op", "!"):
        operand, tokens = _not(tokens[1:])
        return Not(operand), tokens
    if (kind, value) == ("op", "("):
        node, tokens = _or(tokens[1:])
        if not tokens or tokens[0] != ("op", ")"):
            raise Unsupported("a parenthesis left open")
        return node, tokens[1:]
    if kind == "word":
        return Word(value), tokens[1:]
    raise Unsupported(f"unexpected {value!r}")


def words(node: Node | None) -> set[str]:
    """Every lexeme of the query, wanted or not."""
    if node is None:
        return set()
    if isinstance(node, Word):
        return {node.lexeme}
    if isinstance(node, Not):
        return words(node.operand)
    return words(node.left) | words(node.right)


def pairs(node: Node) -> list[tuple[str, str, int]] | None:
    """A phrase of words alone ('type' <-> '2' <-> 'diabet') as its pairs of neighbouring
    words and their distances; None for any other tree."""
    if not isinstance(node, Phrase) or not isinstance(node.right, Word):
        return None
    if isinstance(node.left, Word):
        return [(node.left.lexeme, node.right.lexeme, node.distance)]
    before = pairs(node.left)
    if before is None:
        return None
    return [*before, (before[-1][1], node.right.lexeme, node.distance)]


def has_phrase(node: Node) -> bool:
    """Whether the query holds a phrase (a hyphenated word is one too)."""
    if isinstance(node, Phrase):
        return True
    if isinstance(node, Word):
        return False
    if isinstance(node, Not):
        return has_phrase(node.operand)
    return has_phrase(node.left) or has_phrase(node.right)


def loosened(node: Node | None) -> Node | None:
    """The query a field must hold to count for relevance: phrases as AND, negations gone
    (None when nothing is wanted)."""
    if node is None or isinstance(node, Not):
        return None
    if isinstance(node, Word):
        return node
    left, right = loosened(node.left), loosened(node.right)
    if left is None or right is None:
        if isinstance(node, Or):
            return None  # "a | !b" wants nothing in particular
        return left or right
    return Or(left, right) if isinstance(node, Or) else And(left, right)


def text(node: Node) -> str:
    """The tsquery text of a tree (lexemes quoted, so PostgreSQL does not stem them again)."""
    if isinstance(node, Word):
        return "'" + node.lexeme.replace("'", "''") + "'"
    if isinstance(node, Not):
        return f"!{_grouped(node.operand)}"
    operator = {And: "&", Or: "|"}.get(type(node)) or (
        "<->" if node.distance == 1 else f"<{node.distance}>"
    )
    return f"{_grouped(node.left)} {operator} {_grouped(node.right)}"


def _grouped(node: Node) -> str:
    return text(node) if isinstance(node, (Word, Not)) else f"( {text(node)} )"


def ranking(node: Node | None) -> str:
    """The tsquery text of `loosened(node)`, or "" when it wants nothing."""
    found = loosened(node)
    return text(found) if found is not None else ""


def query_sql(key: str, count: int = 1) -> str:
    """The SQL that turns a text criterion's parameters into its tsquery: the free text as
    a web search ("quotes", -word, or); the condition as plain words, or several
    conditions (a lay name and its MeSH terms) joined by OR."""
    if key == "q":
        return "websearch_to_tsquery('english', %s)"
    parts = ["plainto_tsquery('english', %s)"] * count
    return parts[0] if count == 1 else "(" + " || ".join(parts) + ")"


def parsed(criteria) -> dict[str, Node | None]:
    """Each text criterion that is set, as PostgreSQL stems and reads it."""
    q, condition = _stemmed(criteria.q, criteria.condition_terms if criteria.condition else ())
    found = {}
    if criteria.q:
        found["q"] = parse(q)
    if criteria.condition:
        found["condition"] = parse(condition)
    return found


@lru_cache(maxsize=4096)
def _stemmed(q: str, conditions: tuple[str, ...]) -> tuple[str, str]:
    """The tsquery texts of the free text and the condition (the dictionaries never change
    while the site runs, so each is asked once)."""
    with reading().cursor() as cursor:
        cursor.execute(
            f"SELECT {query_sql('q')}::text, "
            + (f"{query_sql('condition', len(conditions))}::text" if conditions else "''"),
            [q, *conditions],
        )
        return cursor.fetchone()
