"""The glossary: terms patients meet on trial pages, and marking them in a trial's text.

`terms()` lists the glossary's terms (trials.glossary_terms) in alphabetical order;
`find(slug)` one of them. `mark_terms(html, seen, url)` takes sanitised HTML (what
trials.plain.render_markdown makes) and wraps the first use of each glossary term in
a link to its definition on the glossary page, carrying the definition for the
page's script to show in place. It reads the HTML with a real parser and changes
text only: never inside a link, a heading or a term already marked. Matching
ignores case (but not for abbreviations such as "PET") and finds plurals. `seen`
holds the terms a section has already marked, so each is marked once per section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

from django.utils.text import slugify
from django.utils.translation import get_language

from .glossary_terms import TERMS

# Text inside these is never marked: links and buttons (a term link would nest in
# them), headings (a term there would be read before its section's text).
SKIP = {"a", "button", "h1", "h2", "h3", "h4", "h5", "h6", "dfn", "abbr", "code", "script", "style"}
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area"}
# A word: letters and digits, joined by hyphens or apostrophes ("non-randomised" is one
# word, not "randomised"). A term of several words matches words with only spaces between.
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


@dataclass(frozen=True)
class Term:
    slug: str
    name: str
    definition: str
    forms: tuple[str, ...]  # what the text may say, as the glossary page lists them

    @property
    def letter(self) -> str:
        first = self.name[:1].upper()
        return first if first.isalpha() else "#"


def _plurals(form: str) -> list[str]:
    """The form and its plural(s): "biopsy" -> "biopsies", "class" -> "classes"."""
    head, _, last = form.rpartition(" ")
    word = last
    if word.isupper() or word[-1:].isdigit():
        ends = [word + "s"]
    elif re.search(r"[^aeiou]y$", word):
        ends = [word[:-1] + "ies"]
    elif re.search(r"(s|x|z|ch|sh)$", word):
        ends = [word + "es"]
    elif word.endswith("is"):
        ends = [word[:-2] + "es"]
    else:
        ends = [word + "s"]
    return [form, *(f"{head} {end}".strip() for end in ends)]


@dataclass(frozen=True)
class _Matcher:
    by_form: dict[str, str]  # lower-cased form -> slug
    by_exact: dict[str, str]  # form as written -> slug
    # The first word of each form (lower-cased, and as written for exact forms) -> the
    # most words a form starting with it has: most words start no form at all.
    starts: dict[str, int]


def _words_of(form: str) -> tuple[str, ...]:
    return tuple(WORD.findall(form))


@lru_cache(maxsize=8)
def _terms(language: str | None) -> tuple[list[Term], _Matcher]:
    terms, by_form, by_exact = [], {}, {}
    for entry in TERMS:
        name = str(entry.name)
        slug = slugify(name) or slugify(entry.also[0] if entry.also else name)
        loose = ([name] if entry.match_name and name not in entry.exact else []) + list(entry.also)
        for form in loose:
            for variant in _plurals(form):
                by_form.setdefault(" ".join(_words_of(variant)).lower(), slug)
        for form in entry.exact:
            for variant in _plurals(form):
                by_exact.setdefault(" ".join(_words_of(variant)), slug)
        forms = tuple(dict.fromkeys([*entry.also, *entry.exact]))
        terms.append(Term(slug, name, str(entry.definition), forms))
    terms.sort(key=lambda t: t.name.casefold())
    starts: dict[str, int] = {}
    for form, key in [*((f, f) for f in by_form), *((f, f"={f}") for f in by_exact)]:
        first, length = key.split(" ")[0], len(form.split(" "))
        starts[first] = max(starts.get(first, 0), length)
    return terms, _Matcher(by_form, by_exact, starts)


def terms() -> list[Term]:
    """Every term of the glossary, in alphabetical order, in the active language."""
    return _terms(get_language())[0]


def find(slug: str) -> Term | None:
    return next((t for t in terms() if t.slug == slug), None)


def _by_slug() -> dict[str, Term]:
    return {t.slug: t for t in terms()}


class _Marker(HTMLParser):
    """Copies HTML through, wrapping the first use of each term in its text."""

    def __init__(self, seen: set[str], url: str):
        super().__init__(convert_charrefs=True)
        self.seen = seen
        self.url = url
        self.out: list[str] = []
        self.skipping: list[str] = []  # open elements whose text is never marked
        self.matcher = _terms(get_language())[1]
        self.terms = _by_slug()

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or f"<{tag}>")
        if tag in SKIP:
            self.skipping.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        self.out.append(f"</{tag}>")
        if tag in self.skipping:
            # Close back to the matching element (sanitised HTML nests properly).
            while self.skipping and self.skipping.pop() != tag:
                pass

    def handle_data(self, data):
        if self.skipping:
            self.out.append(escape(data, quote=False))
            return
        self.out.append(self._mark(data))

    def _mark(self, text: str) -> str:
        pieces, last = [], 0
        words = list(WORD.finditer(text))
        i = 0
        while i < len(words):
            found = self._match_at(text, words, i)
            if found is None:
                i += 1
                continue
            slug, end = found
            start, stop = words[i].start(), words[end - 1].end()
            i = end
            if slug in self.seen:
                continue
            self.seen.add(slug)
            term = self.terms[slug]
            pieces.append(escape(text[last:start], quote=False))
            pieces.append(
                f'<a class="term" href="{escape(self.url)}#{slug}" '
                f'data-term="{escape(term.name)}" data-definition="{escape(term.definition)}">'
                f"{escape(text[start:stop], quote=False)}</a>"
            )
            last = stop
        pieces.append(escape(text[last:], quote=False))
        return "".join(pieces)

    def _match_at(self, text: str, words: list, i: int) -> tuple[str, int] | None:
        """The longest form starting at word i: (its slug, the index after its last word)."""
        matcher = self.matcher
        first = words[i].group(0)
        longest = max(matcher.starts.get(first.lower(), 0), matcher.starts.get(f"={first}", 0))
        if not longest:
            return None
        end = i + 1
        while end < len(words) and end - i < longest:
            if text[words[end - 1].end() : words[end].start()].strip():
                break  # punctuation between two words: a form never spans it
            end += 1
        for stop in range(end, i, -1):
            said = " ".join(w.group(0) for w in words[i:stop])
            slug = matcher.by_exact.get(said) or matcher.by_form.get(said.lower())
            if slug:
                return slug, stop
        return None


def mark_terms(html: str, seen: set[str], url: str) -> str:
    """`html` with the first use of each glossary term not in `seen` linked to its
    definition at `url`#slug; the marked terms are added to `seen`."""
    if not html:
        return html
    marker = _Marker(seen, url)
    marker.feed(html)
    marker.close()
    return "".join(marker.out)


class PageTerms(dict):
    """The terms already marked in each section of a page: `page_terms["who"]` is the
    set for the section "who", made on first use. Templates pass one to the
    `define_terms` filter, so a term is marked once per section."""

    def __missing__(self, section: str) -> set[str]:
        self[section] = seen = set()
        return seen
