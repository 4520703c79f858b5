"""Searches answered from the bitmaps (trials.search.bitmaps) match PostgreSQL's answers."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trials.models import ConditionTerm, SearchIndex, Trial, TrialFacets
from trials.search import bitmaps, engine, sql
from trials.search.criteria import Criteria
from trials.search.facets import FACETS, Kind

from .factories import make_trial

pytestmark = pytest.mark.django_db


def common_conditions() -> list[str]:
    """Condition terms of the real records whose words all have bitmaps."""
    terms = ConditionTerm.objects.order_by("-trial_count", "term").values_list("term", flat=True)
    found = [t for t in terms[:40] if search(Criteria(condition=t)) is not None]
    return found[:15]


def search(criteria: Criteria, offset: int = 0) -> tuple | None:
    """The bitmaps' counts and page, or None when they cannot answer."""
    return bitmaps.counts_and_page(criteria, offset, 20)


def postgresql(criteria: Criteria, offset: int) -> tuple:
    with override_settings(SEARCH_BITMAPS=False):
        counts, ids = sql.counts_and_page(criteria, offset, 20)
        assert sql.page(criteria, offset, 20) == ids
    return counts, ids


def some_values(facet) -> list[str]:
    """Values to choose for a facet: its codes, or the commonest values of an open-ended
    facet's column and one no trial has."""
    if facet.kind is not Kind.TERMS:
        return facet.codes
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v FROM {TrialFacets._meta.db_table}, unnest({facet.column}) v "
            "GROUP BY v ORDER BY count(*) DESC, v LIMIT 6"
        )
        return [row[0] for row in cursor.fetchall()] + ["Nowhere"]


def chosen(data, facet) -> tuple[str, ...] | None:
    """Values drawn for one facet (None: not given, the default applies)."""
    values = some_values(facet)
    if facet.default is not None:
        return data.draw(st.none() | st.lists(st.sampled_from(values), max_size=3, unique=True))
    if not facet.multiple:
        return data.draw(st.lists(st.sampled_from(values), max_size=1))
    return data.draw(st.lists(st.sampled_from(values), max_size=2, unique=True))


# Free text whose words are all in at least 1% of the real records (the bitmaps' words).
TEXTS = ["cancer", "pain", "patients treatment", "cancer -breast", "therapy -placebo", "women"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_bitmaps_count_and_order_a_search_as_postgresql_does(data):
    """Every declared facet takes part: a facet added to trials.search.facets is drawn
    here without a change to this test."""
    conditions = common_conditions()
    assert len(conditions) >= 10
    criteria = Criteria.of(
        q=data.draw(st.sampled_from(["", *TEXTS])),
        condition=data.draw(st.sampled_from(["", *conditions])),
        age=data.draw(st.none() | st.integers(0, 99)),
        sort=data.draw(st.sampled_from(["relevance", "newest", "updated"])),
        **{facet.key: chosen(data, facet) for facet in FACETS if facet.filters},
    )
    offset = data.draw(st.sampled_from([0, 20, 60, 10_000]))
    fast = search(criteria, offset)
    # Only status filters, or none: PostgreSQL reads precomputed counts for those.
    plain = not criteria.q and not criteria.condition and set(criteria.keys()) <= {"status"}
    assert (fast is None) == plain, criteria
    if fast is not None:
        assert fast == postgresql(criteria, offset), criteria
        assert bitmaps.page(criteria, offset, 20) == fast[1]
        assert bitmaps.relaxations(criteria) == sql.relaxations(criteria), criteria


@pytest.mark.parametrize("text", TEXTS)
def test_the_free_text_of_the_property_test_is_answered_from_the_bitmaps(text):
    assert search(Criteria(q=text)) is not None


def test_a_broad_condition_search_reads_no_trial_rows():
    criteria = Criteria.of(condition="Neoplasms", status=[], age=40)
    with CaptureQueriesContext(connection) as queries:
        result = engine.run(criteria)
    counts, ids = result.counts, result.ids
    assert sum(counts["status"].values()) > 100 and len(ids) == 20
    assert not [q for q in queries if "trials_trial" in q["sql"] and "max(" not in q["sql"].lower()]
    assert (counts, ids) == postgresql(criteria, 0)


@pytest.mark.parametrize(
    "criteria",
    [
        Criteria(q='"quality of life"'),  # a phrase
        Criteria(q="lupus or cancer"),  # OR
        Criteria(q="zanubrutinib"),  # a rare word: PostgreSQL's index finds it fast
        Criteria(condition="Zzyzx Syndrome"),  # a word no trial has
        Criteria(condition="the of"),  # only stop words
        Criteria(),  # no criterion but the status: precomputed counts
        Criteria.of(status=["RECRUITING", "COMPLETED"]),
    ],
)
def test_searches_the_bitmaps_cannot_answer_go_to_postgresql(criteria):
    assert search(criteria) is None


def test_changed_trials_are_searched_in_postgresql_until_the_next_import():
    criteria = Criteria.of(condition="Neoplasms", status=[])
    assert search(criteria) is not None
    trial = Trial.objects.filter(condition_terms__contains=["neoplasms"]).first()
    Trial.objects.filter(pk=trial.pk).update(imported_at=timezone.now())  # as an admin edit
    assert search(criteria) is None
    trial.delete()
    assert not SearchIndex.objects.exists()
    make_trial(conditions=["Neoplasms"])  # an import rebuilds them
    fast = search(criteria)
    assert fast is not None and fast == postgresql(criteria, 0)


def test_trials_that_list_the_condition_come_before_those_naming_it_in_the_title():
    listed = make_trial(title="A study of sleep", conditions=["Neoplasms"])
    titled = make_trial(title="Neoplasms and sleep", conditions=["Insomnia"])
    ids = engine.run(Criteria.of(condition="Neoplasms", status=[]), size=10_000).ids
    assert listed.pk in ids and titled.pk in ids
    assert ids.index(listed.pk) < ids.index(titled.pk)


def test_refresh_search_rebuilds_them_after_a_deletion_for_every_process():
    criteria = Criteria.of(condition="Neoplasms", status=[])
    before = bitmaps.current()
    gone = Trial.objects.filter(condition_terms__contains=["neoplasms"]).first()
    gone.delete()
    assert search(criteria) is None
    out = io.StringIO()
    call_command("refresh_search", stdout=out)
    assert "rebuilt" in out.getvalue()
    # Another server process still holds the build from before the deletion, made from
    # the same data version: it must see that the stored build changed.
    bitmaps._loaded = before
    assert gone.pk not in bitmaps.page(criteria, 0, 10_000)
    assert bitmaps.current() is not before
    assert search(criteria) == postgresql(criteria, 0)


def stored_parts(name: str) -> list[str]:
    return sorted(
        SearchIndex.objects.filter(name__startswith=f"search:{name}#").values_list(
            "name", flat=True
        )
    )


def refuse(*args, **kwargs):
    raise AssertionError("read on the wrong connection")


def test_word_bitmaps_built_a_few_words_at_a_time_answer_as_one_build(monkeypatch):
    """Inside a transaction the rows are read on this connection, a few at a time."""
    criteria = [
        Criteria.of(condition="Neoplasms", status=[], q="cancer -breast"),
        Criteria(q="patients treatment", sort="relevance"),
    ]
    whole = [search(c) for c in criteria]
    assert None not in whole
    monkeypatch.setattr(bitmaps, "PART_ROWS", 3)
    monkeypatch.setattr(bitmaps, "_rows_on_own_connection", refuse)
    bitmaps.rebuild()
    for name in ("matches", "named", "text_matches", "text_ranked", "text_titled"):
        assert len(stored_parts(name)) > 2, name
    assert [search(c) for c in criteria] == whole
    assert whole == [postgresql(c, 0) for c in criteria]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_words_are_read_on_a_connection_of_their_own(monkeypatch):
    """As after an import: the rows are streamed from a second connection while this one
    stores the bitmaps built so far (tables are emptied after this test, so it makes its
    own trials)."""
    monkeypatch.setattr(bitmaps, "PART_ROWS", 2)
    monkeypatch.setattr(bitmaps, "_rows_in_transaction", refuse)
    for n in range(6):
        make_trial(title=f"Sleep study {n}", conditions=["Neoplasms", f"Insomnia type {n}"])
    assert not connection.in_atomic_block
    assert len(stored_parts("matches")) > 2 and stored_parts("text_matches")
    criteria = Criteria.of(condition="Neoplasms", status=[], q="sleep")
    fast = search(criteria)
    assert fast is not None and len(fast[1]) >= 6
    assert fast == postgresql(criteria, 0)
