"""How much a trial is about what was asked: the points both engines rank by.

A search engine weighs where a word stands and how long that field is (BM25F); this is
that idea as a graded score both engines compute exactly. A trial's rank_document keeps
where each word stands: the title (A), the first condition (B), the other conditions
(C), keywords and the trial's own MeSH terms (D). A field "holds" a text criterion when
it holds its wanted words (tsquery.ranking: phrases loosened to AND, negations dropped).

- The condition: in the title 8; as the first condition 4; among the listed conditions
  3, 2 or 1 as the trial lists at most 3, 10 or 19 conditions, and -1 from 20 on (such
  a trial, often a registry, is about none of its conditions in particular, and its
  words meet by chance across them); as a keyword or MeSH term 1 (0 from 20
  conditions on); only through a MeSH ancestor or the official title: 0 (it still
  matches).
- The free text: in the title 4; among the conditions, keywords or MeSH terms 2 (0
  from 20 conditions on); only in the summary, description or interventions: 0.

The points add up. At equal score, trials open to enrollment come first, then the most
recently updated.
"""

from __future__ import annotations

import numpy as np

# A field's points by the number of conditions a trial lists: (up to and including
# this many, points), the last for any number.
Points = tuple[tuple[int | None, int], ...]

# Each field a criterion may stand in: the name of its word bitmaps, the weight letters
# of rank_document that make it, and its points.
CONDITION_FIELDS: dict[str, tuple[str, Points]] = {
    "titled": ("a", ((None, 8),)),
    "first": ("b", ((None, 4),)),
    "listed": ("bc", ((3, 3), (10, 2), (19, 1), (None, -1))),
    "termed": ("d", ((19, 1), (None, 0))),
}
TEXT_FIELDS: dict[str, tuple[str, Points]] = {
    "text_titled": ("a", ((None, 4),)),
    "text_conditions": ("bcd", ((19, 2), (None, 0))),
}


def points_sql(points: Points, conditions: str) -> str:
    """SQL giving a field's points for a trial whose conditions array is `conditions`."""
    if len(points) == 1:
        return str(points[0][1])
    cases = " ".join(
        f"WHEN cardinality({conditions}) <= {upto} THEN {value}"
        for upto, value in points
        if upto is not None
    )
    return f"(CASE {cases} ELSE {points[-1][1]} END)"


def points_by_count(points: Points, counts):
    """A field's points for each trial of a NumPy array of condition counts."""
    found = np.full(len(counts), points[-1][1], dtype=np.int32)
    for upto, value in reversed(points[:-1]):
        found[counts <= upto] = value
    return found
