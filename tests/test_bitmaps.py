"""Searches answered from the bitmaps (trials.search.bitmaps) match PostgreSQL's answers."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trials.models import ConditionTerm, SearchIndex, Trial, TrialFacets
from trials.search import bitmaps, engine, sql, tsquery
from trials.search.criteria import Criteria
from trials.search.facets import FACETS, Kind

from .factories import make_trial

pytestmark = pytest.mark.django_db


# Everyday names of conditions (trials.search.lay_names) some real records are about.
LAY = ["impotence", "slipped disc", "sugar diabetes", "bowel cancer", "heart attack"]


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


# Free text of every kind: words in at least 1% of the real records (the bitmaps' words),
# negations, phrases, OR, and words too rare for bitmaps.
TEXTS = [
    "cancer",
    "pain",
    "patients treatment",
    "cancer -breast",
    "therapy -placebo",
    "women",
    '"quality of life"',
    "erectile or impotence",
    '"erectile dysfunction" -tadalafil',
    "zanubrutinib",
    "sildenafil or (pain and surgery)",
]


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
        condition=data.draw(st.sampled_from(["", *conditions, *LAY])),
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
        Criteria(q='"quality of life"'),  # a phrase: its candidates checked in PostgreSQL
        Criteria(q="lupus or cancer"),  # OR
        Criteria(q="zanubrutinib"),  # a rare word: PostgreSQL's index finds its trials
        Criteria(q='"quality of life" -cancer or zanubrutinib'),
        Criteria(condition="Zzyzx Syndrome"),  # a word no trial has
        Criteria(condition="heart attack"),  # an everyday name: its MeSH term too
        Criteria(q="-cancer"),  # nothing wanted: every trial but those, ranked alike
        # A phrase among many filters is checked only where a count can ask about it.
        Criteria.of(
            q='"quality of life"', status=["RECRUITING", "COMPLETED"], phase=["PHASE2"], age=40
        ),
        Criteria.of(q='cancer -"quality of life"', sex=["FEMALE"], type=["INTERVENTIONAL"]),
        Criteria.of(q='"quality of life"', condition="Neoplasms", status=[], age=60),
    ],
)
def test_phrases_or_and_rare_words_are_answered_from_the_bitmaps_as_postgresql_does(criteria):
    for ranked in (criteria, criteria.replace(chosen={"status": ()})):
        fast = search(ranked)
        assert fast is not None
        assert fast == postgresql(ranked, 0)


def spied(monkeypatch, method: str) -> list[tuple[str, int]]:
    """Each call of a phrase method of bitmaps.Text: the phrase's tsquery and how many
    candidates it was given."""
    calls = []
    original = getattr(bitmaps.Text, method)

    def spy(self, node, candidates):
        calls.append((tsquery.text(node), int(candidates.sum())))
        return original(self, node, candidates)

    monkeypatch.setattr(bitmaps.Text, method, spy)
    return calls


@pytest.fixture
def phrase_checks(monkeypatch) -> list[tuple[str, int]]:
    """Each phrase the bitmaps find the trials of, with its candidates."""
    return spied(monkeypatch, "_phrase")


@pytest.fixture
def postgresql_checks(monkeypatch) -> list[tuple[str, int]]:
    """Each phrase checked in PostgreSQL, with the candidates it is checked on."""
    return spied(monkeypatch, "_checked")


@pytest.mark.parametrize(
    "text", ['cancer "quality of life"', '"quality of life" cancer', 'cancer -"quality of life"']
)
def test_a_phrase_beside_other_words_is_checked_only_on_the_trials_holding_them(
    text, phrase_checks
):
    criteria = Criteria.of(q=text, status=[])
    fast = search(criteria)
    assert fast is not None and fast == postgresql(criteria, 0)
    beside = [candidates for _, candidates in phrase_checks]
    phrase_checks.clear()
    assert search(Criteria.of(q='"quality of life"', status=[])) is not None
    alone = [candidates for _, candidates in phrase_checks]
    words = Trial.objects.filter(search_document=SearchQuery("quality life", config="english"))
    holding = words.filter(search_document=SearchQuery("cancer", config="english")).count()
    assert beside and max(beside) <= holding < max(alone)


@pytest.mark.parametrize("text", ["B-cell lymphoma", '"large B-cell lymphoma"'])
def test_a_hyphenated_word_or_a_phrase_is_checked_in_postgresql_once_whole(text, phrase_checks):
    """PostgreSQL reads "B-cell" as the phrase 'b-cell' <-> 'b' <-> 'cell'."""
    criteria = Criteria.of(q=text, status=[])
    fast = search(criteria)
    assert fast is not None and fast == postgresql(criteria, 0)
    assert fast[0]["status"] and len(phrase_checks) == 1, phrase_checks


def phrase_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "trials_trial" in q["sql"] and "@@" in q["sql"]]


@pytest.mark.parametrize("text", ['"quality of life"', '"quality of life" -cancer'])
def test_a_phrase_of_two_common_words_is_answered_from_the_bitmaps_of_the_pair(text):
    index = bitmaps.current()
    assert index.pair(bitmaps.CRITERIA["q"], "qualiti", "life", 2) is not None
    criteria = Criteria.of(q=text, status=[])
    with CaptureQueriesContext(connection) as queries:
        fast = search(criteria)
    assert fast is not None and fast[0]["status"]
    assert not phrase_queries(queries)
    assert fast == postgresql(criteria, 0)


@pytest.mark.parametrize(
    "text", ['"quality of life" cancer', '"type 2 diabetes"', '"randomized controlled trial"']
)
def test_a_phrase_of_several_common_words_is_checked_only_where_its_pairs_stand(
    text, postgresql_checks, monkeypatch
):
    """Each pair of neighbouring words with bitmaps narrows the trials to check."""
    criteria = Criteria.of(q=text, status=[])
    fast = search(criteria)
    assert fast is not None and fast == postgresql(criteria, 0)
    narrowed = sum(candidates for _, candidates in postgresql_checks)
    postgresql_checks.clear()
    monkeypatch.setattr(bitmaps.current(), "pairs", {})
    assert search(criteria) == fast
    assert narrowed < sum(candidates for _, candidates in postgresql_checks)


def test_common_pairs_chosen_on_a_sample_of_the_trials_answer_as_postgresql_does(monkeypatch):
    monkeypatch.setattr(bitmaps, "PAIR_SAMPLE", 500)  # one trial in four
    monkeypatch.setattr(bitmaps, "PAIR_CHUNK", 100)
    bitmaps.rebuild()
    index = bitmaps.current()
    assert index.pair(bitmaps.CRITERIA["q"], "qualiti", "life", 2) is not None
    for text in ['"quality of life"', '"type 2 diabetes"', '"randomized controlled trial"']:
        criteria = Criteria.of(q=text, status=[])
        assert search(criteria) == postgresql(criteria, 0)


def test_a_trial_whose_words_share_positions_is_checked_in_postgresql():
    """A vector's positions stop at 16383: the words past it share that position, and a
    phrase ending there may hold a pair its neighbours in position order hide."""
    trial = make_trial(title="Zq", conditions=["Zq"], summary="zq")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(p) FROM trials_trial, unnest(search_document) u, unnest(u.positions) p "
            "WHERE id = %s",
            [trial.pk],
        )
        before_summary = cursor.fetchone()[0] - 1  # the summary comes last
    # "quality" at 16381, "life" at 16383 beside common words that sort before it.
    filler = "zq " * (16380 - before_summary)
    common = "cancer care disease effect group health"
    Trial.objects.filter(pk=trial.pk).update(brief_summary=f"{filler}quality of life {common}")
    assert Trial.objects.filter(
        pk=trial.pk,
        search_document=SearchQuery('"quality of life"', search_type="websearch", config="english"),
    ).exists()
    bitmaps.rebuild()
    index = bitmaps.current()
    position = int(np.searchsorted(index.arrays["ids"], trial.pk))
    assert index.arrays["text_pairs_unsure"][position]
    assert not index.pair(bitmaps.CRITERIA["q"], "qualiti", "life", 2)[position]
    criteria = Criteria.of(q='"quality of life"', status=[], sort="newest")
    fast = search(criteria)
    assert fast is not None and fast == postgresql(criteria, 0)
    assert trial.pk in bitmaps.page(criteria, 0, 10_000)


@pytest.mark.parametrize(
    "criteria",
    [
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


def ranked_ids(criteria: Criteria) -> list[int]:
    """The whole ranked list, from the bitmaps, after checking PostgreSQL ranks alike."""
    fast = bitmaps.counts_and_page(criteria, 0, 10_000)
    assert fast is not None and fast == sql.counts_and_page(criteria, 0, 10_000)
    return fast[1]


def before(ids: list[int], *trials) -> bool:
    return [t.pk for t in sorted(trials, key=lambda t: ids.index(t.pk))] == [t.pk for t in trials]


def test_a_trial_naming_the_condition_in_its_title_comes_before_one_listing_it_among_many():
    others = [f"Other condition {n}" for n in range(30)]
    mention = make_trial(title="A registry of many diseases", conditions=[*others, "Neoplasms"])
    about = make_trial(title="Neoplasms and sleep", conditions=["Insomnia"])
    ids = ranked_ids(Criteria.of(condition="Neoplasms", status=[]))
    assert before(ids, about, mention)


def test_the_first_condition_comes_first_then_few_conditions_before_many_and_crowds_last():
    """A trial listing 40 conditions comes after one that has the word as a keyword."""
    tail = [f"Other condition {n}" for n in range(9)]
    first = make_trial(title="A study", conditions=["Neoplasms", *tail])
    tenth = make_trial(title="A study", conditions=[*tail, "Neoplasms"])
    one_of_two = make_trial(title="A study", conditions=["Insomnia", "Neoplasms"])
    one_of_forty = make_trial(
        title="A study", conditions=[*(f"Condition {n}" for n in range(39)), "Neoplasms"]
    )
    keyword = make_trial(title="A study", conditions=["Insomnia"], keywords=["neoplasms"])
    ids = ranked_ids(Criteria.of(condition="Neoplasms", status=[]))
    assert before(ids, first, one_of_two, tenth, keyword, one_of_forty)


def test_at_equal_relevance_open_trials_come_first_then_the_latest_updated():
    closed = make_trial(title="Neoplasms A", status="COMPLETED", last_update="2026-06-01")
    old_open = make_trial(title="Neoplasms B", status="RECRUITING", last_update="2020-01-01")
    new_open = make_trial(title="Neoplasms C", status="RECRUITING", last_update="2026-05-01")
    ids = ranked_ids(Criteria.of(condition="Neoplasms", status=[]))
    assert before(ids, new_open, old_open, closed)


def test_free_text_in_the_title_comes_before_the_conditions_and_the_summary():
    summary = make_trial(title="A study", summary="About zebrafish lanterns.")
    condition = make_trial(title="A study", conditions=["Zebrafish lanterns"])
    title = make_trial(title="Zebrafish lanterns")
    ids = ranked_ids(Criteria.of(q="zebrafish lanterns", status=[]))
    assert before(ids, title, condition, summary)


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
        Criteria(q='"quality of life"'),
    ]
    whole = [search(c) for c in criteria]
    assert None not in whole
    monkeypatch.setattr(bitmaps, "PART_ROWS", 3)
    monkeypatch.setattr(bitmaps, "_rows_on_own_connection", refuse)
    bitmaps.rebuild()
    names = [c.matches for c in bitmaps.CRITERIA.values()] + ["text_pairs_matches"]
    for name in names + [name for c in bitmaps.CRITERIA.values() for name in c.fields]:
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


# One copy of the index for every server process of a machine


def test_server_processes_map_one_copy_of_the_index_from_files(monkeypatch):
    index = bitmaps.current()
    assert index is not None
    ids = index.arrays["ids"]
    assert isinstance(ids, np.memmap)
    assert Path(django_settings.SEARCH_INDEX_DIR) in Path(ids.filename).parents
    # Another process of the same machine maps the same files: it reads nothing from the
    # database's copy of the build.
    monkeypatch.setattr(bitmaps, "_loaded", None)
    monkeypatch.setattr(bitmaps, "_write_files", refuse)
    again = bitmaps.current()
    assert again is not index and again.arrays["ids"].filename == ids.filename
    assert search(Criteria(condition="Neoplasms")) is not None


def test_a_process_started_after_a_rebuild_maps_the_new_build():
    before = bitmaps.current()
    old = Path(before.arrays["ids"].filename).parent
    make_trial(conditions=["Neoplasms"])  # an import rebuilds the index
    bitmaps._loaded = None  # as a process started now
    after = bitmaps.current()
    assert after.version != before.version and after.size == before.size + 1
    assert Path(after.arrays["ids"].filename).parent != old and not old.exists()
    criteria = Criteria.of(condition="Neoplasms", status=[])
    assert search(criteria) == postgresql(criteria, 0)
