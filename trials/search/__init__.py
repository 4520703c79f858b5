"""Trial search: what a patient asks, declared facets, two engines, one entry point.

- `facets`: every facet declared once (parameter, labels, the column a trial is tested on).
- `criteria`: `Criteria`, what was asked, as a value object.
- `engine`: `run(criteria, page)`, the one entry point: picks an engine, caches counts.
- `sql` (PostgreSQL) and `bitmaps` (NumPy, in memory): the two engines, which give the
  same counts and pages.
- `summaries`: what an import rebuilds for search (vocabulary, status counts, bitmaps).
- `suggest` (spelling, autocomplete, snippets) and `related` (a trial's related trials).

This module imports nothing: `trials.models` reads the facet declarations while Django
loads the models, before the engines could be imported.
"""
