"""How hard a text is to read: the Flesch–Kincaid grade level, computed offline.

Syllables are counted with the English hyphenation dictionary that ships inside
the `pyphen` package (nothing is downloaded at run time): a word has at least one
syllable more than the places where it may be hyphenated. Hyphenation leaves out
breaks near a word's ends ("stu|dy", "pla|ce|bo"), so a word's groups of vowels,
less a silent final e, count when they are more. The grade is the school year a
reader needs to follow the text:

    0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59

Record texts are ClinicalTrials.gov Markdown; list items and lines count as
sentences of their own, since they are read as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyphen

# Above this grade a text is for specialists: most adults read comfortably up to grade 8,
# and grade 12 is the end of secondary school.
RESEARCHERS_GRADE = 12.0

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*")
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n|\n\s*(?:[*+-]|\d+[.)])\s+")
VOWELS = re.compile(r"[aeiouy]+")
SILENT_E = re.compile(r"(?:[^l]|[aeiouy]l)e$|[^aeiouytd]e[sd]$")
MARKDOWN = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>^~])|[*_`]+")


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    # Breaks one letter from the start count ("e|val|u|a|tion"); two from the end, since a
    # final consonant alone ("treat|men|t") is no syllable.
    return pyphen.Pyphen(lang="en_US", left=1, right=2)


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables of one word: its hyphenation points plus one (a number counts as one)."""
    if not word or word[0].isdigit():
        return 1
    lowered = word.lower()
    return max(len(_dictionary().positions(lowered)) + 1, _vowel_groups(lowered))


def _vowel_groups(word: str) -> int:
    """Groups of vowels, less a silent final e ("make", "doses" but not "table")."""
    groups = len(VOWELS.findall(word))
    if groups > 1 and SILENT_E.search(word):
        groups -= 1
    return max(groups, 1)


@dataclass(frozen=True)
class Reading:
    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float | None:
        if not self.words or not self.sentences:
            return None
        return round(
            0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59, 1
        )

    @property
    def for_researchers(self) -> bool:
        return self.grade is not None and self.grade > RESEARCHERS_GRADE


def reading(text: str) -> Reading:
    """Words, sentences and syllables of a text, for its grade level."""
    # Sentences from the text as written (a list marker ends one), words without Markdown.
    sentences = [s for s in SENTENCE_END.split(text or "") if WORD.search(s)]
    words = WORD.findall(MARKDOWN.sub(lambda m: m.group(1) or "", text or ""))
    return Reading(len(words), len(sentences), sum(syllables(w) for w in words))


def grade_level(text: str) -> float | None:
    """The Flesch–Kincaid grade of a text, or None for a text without words."""
    return reading(text).grade
