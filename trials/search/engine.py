"""The one entry point of search: `run(criteria, page)` gives the counts and one page.

It picks the engine (the bitmaps when they can answer, else PostgreSQL) and caches the
facet counts until the next import (SEARCH_CACHE_SECONDS); with the counts cached,
only the page is looked up. Views call `run` and `relaxations`, nothing below them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache

from ..models import Trial
from . import bitmaps, sql
from .criteria import Criteria

PAGE_SIZE = 20


@dataclass(frozen=True)
class Result:
    criteria: Criteria
    counts: dict[str, dict[str, int]]  # facet key -> option -> trials
    total: int
    page: int  # the page found: the last one when the page asked for is beyond it
    pages: int
    ids: list[int]  # the page's trial ids, in order
    asked: int  # the page asked for

    @property
    def beyond(self) -> bool:
        """Whether the page asked for is past the last one."""
        return self.asked > self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1


def run(criteria: Criteria, page: int = 1, size: int = PAGE_SIZE) -> Result:
    """The counts of every facet and the ids of page `page` (counted from 1)."""
    key = _cache_key(criteria)
    counts = cache.get(key) if key else None
    ids = None
    if counts is None:
        offset = (page - 1) * size
        counts, ids = bitmaps.counts_and_page(criteria, offset, size) or sql.counts_and_page(
            criteria, offset, size
        )
        if key:
            cache.set(key, counts, settings.SEARCH_CACHE_SECONDS)
    total = criteria.total_from(counts)
    pages = max(1, -(-total // size))
    found = min(page, pages)
    if ids is None or found != page:  # a page past the end is not looked for
        ids = _page(criteria, (found - 1) * size, size) if total else []
    return Result(criteria, counts, total, found, pages, ids, page)


def matching(criteria: Criteria) -> np.ndarray | None:
    """The ids of every matching trial, in id order, when the bitmaps can say them at
    once; else None."""
    return bitmaps.matching(criteria)


def _page(criteria: Criteria, offset: int, limit: int) -> list[int]:
    found = bitmaps.page(criteria, offset, limit)
    return found if found is not None else sql.page(criteria, offset, limit)


def relaxations(criteria: Criteria) -> dict[str, int]:
    """For each active criterion, how many trials match without it."""
    found = bitmaps.relaxations(criteria)
    return found if found is not None else sql.relaxations(criteria)


def _cache_key(criteria: Criteria) -> str:
    if not settings.SEARCH_CACHE_SECONDS:
        return ""
    what = repr((Trial.objects.data_version(), criteria.cache_key()))
    return "facets:" + hashlib.sha256(what.encode()).hexdigest()
