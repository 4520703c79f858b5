"""The search page and API, checked against sets computed from the JSON records themselves."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trials.models import Status, Trial

from .factories import make_trial

pytestmark = pytest.mark.django_db

OPEN = {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}
UNITS = {
    "year": 365.25,
    "month": 365.25 / 12,
    "week": 7,
    "day": 1,
    "hour": 1 / 24,
    "minute": 1 / 1440,
}


@pytest.fixture(scope="module")
def records(real_studies, edge_studies):
    """NCT ID -> the record as stored (the later of two copies wins), from the JSON alone."""
    latest = {}
    for s in real_studies + edge_studies:
        ps = s.get("protocolSection", {})
        if "statusModule" in ps:
            latest[ps["identificationModule"]["nctId"]] = ps | {
                "derived": s.get("derivedSection", {})
            }
    return latest


def status(ps):
    return ps["statusModule"]["overallStatus"]


def phases(ps):
    return ps.get("designModule", {}).get("phases", [])


def days(text):
    if not text:
        return None
    number, unit = text.split()
    return int(float(number) * UNITS[unit.lower().rstrip("s")])


def accepts_age(ps, years):
    e = ps.get("eligibilityModule", {})
    low, high = days(e.get("minimumAge")), days(e.get("maximumAge"))
    span_low, span_high = int(years * 365.25), int((years + 1) * 365.25) - 1
    return (low is None or low <= span_high) and (high is None or high >= span_low)


def countries(ps):
    return {
        loc.get("country") for loc in ps.get("contactsLocationsModule", {}).get("locations", [])
    }


def found(client, url):
    """The NCT IDs of every result, following the API's pages."""
    ids, response = [], client.get(url)
    while True:
        assert response.status_code == 200, response.content
        data = response.json()
        ids += [r["nct_id"] for r in data["results"]]
        if not data["next"]:
            return set(ids), data
        response = client.get(data["next"])


# Filters, each against the JSON


def test_with_no_status_it_shows_trials_open_to_enrollment(client, records):
    expected = {n for n, ps in records.items() if status(ps) in OPEN}
    response = client.get("/")
    assert response.status_code == 200
    assert f"{len(expected):,} trials" in response.content.decode()
    assert "open to enrollment" in response.content.decode()
    ids, data = found(client, "/api/trials/")
    assert ids == expected and data["count"] == len(expected)


def test_status_all_turns_the_status_filter_off(client, records):
    ids, data = found(client, "/api/trials/?status=ALL")
    assert ids == set(records)


def test_it_filters_by_phase_counting_two_phase_trials_under_both(client, records):
    expected = {n for n, ps in records.items() if "PHASE2" in phases(ps)}
    ids, _ = found(client, "/api/trials/?status=ALL&phase=PHASE2")
    assert ids == expected
    assert any(phases(records[n]) == ["PHASE1", "PHASE2"] for n in ids)


def test_repeated_phases_and_statuses_mean_any_of_them(client, records):
    expected = {
        n
        for n, ps in records.items()
        if {"PHASE1", "PHASE3"} & set(phases(ps)) and status(ps) in {"COMPLETED", "TERMINATED"}
    }
    ids, _ = found(
        client, "/api/trials/?phase=PHASE1&phase=PHASE3&status=COMPLETED&status=TERMINATED"
    )
    assert ids == expected


@pytest.mark.parametrize("age", [0, 1, 10, 17, 18, 40, 65, 90])
def test_it_filters_by_age_with_open_ended_and_month_based_limits(client, records, age):
    expected = {n for n, ps in records.items() if accepts_age(ps, age)}
    ids, _ = found(client, f"/api/trials/?status=ALL&age={age}")
    assert ids == expected


def test_a_one_year_old_matches_6_months_to_17_years():
    trial = make_trial(min_age="6 Months", max_age="17 Years")
    assert Trial.objects.filter(pk=trial.pk).for_age(1).exists()


def test_sex_describes_the_patient(client, records):
    expected = {
        n
        for n, ps in records.items()
        if ps.get("eligibilityModule", {}).get("sex", "ALL") in {"FEMALE", "ALL"}
    }
    ids, _ = found(client, "/api/trials/?status=ALL&sex=FEMALE")
    assert ids == expected


def test_it_filters_by_healthy_volunteers(client, records):
    expected = {
        n
        for n, ps in records.items()
        if ps.get("eligibilityModule", {}).get("healthyVolunteers") is True
    }
    ids, _ = found(client, "/api/trials/?status=ALL&healthy=true")
    assert ids == expected


def test_it_filters_by_country_and_study_type(client, records):
    expected = {
        n
        for n, ps in records.items()
        if "France" in countries(ps)
        and ps.get("designModule", {}).get("studyType") == "OBSERVATIONAL"
    }
    ids, _ = found(client, "/api/trials/?status=ALL&country=France&type=OBSERVATIONAL")
    assert ids == expected and expected


def condition_text(ps):
    c = ps.get("conditionsModule", {})
    browse = ps["derived"].get("conditionBrowseModule", {})
    ident = ps["identificationModule"]
    return " ".join(
        c.get("conditions", [])
        + c.get("keywords", [])
        + [m["term"] for m in browse.get("meshes", []) + browse.get("ancestors", [])]
        + [ident.get("briefTitle", ""), ident.get("officialTitle", "")]
    ).lower()


def test_condition_matches_conditions_keywords_mesh_terms_and_titles(client, records):
    expected = {n for n, ps in records.items() if re.search(r"\blupus\b", condition_text(ps))}
    ids, _ = found(client, "/api/trials/?status=ALL&condition=Lupus")
    assert ids == expected and expected


def test_condition_matches_mesh_ancestors(client, records):
    with_ancestor = {
        n
        for n, ps in records.items()
        if "Kidney Diseases"
        in [a["term"] for a in ps["derived"].get("conditionBrowseModule", {}).get("ancestors", [])]
    }
    ids, _ = found(client, "/api/trials/?status=ALL&condition=kidney+diseases")
    assert with_ancestor and with_ancestor <= ids
    for n in ids:
        assert "kidney" in condition_text(records[n]) and "diseas" in condition_text(records[n])


def test_kidney_diseases_finds_lupus_nephritis(client):
    trial = make_trial(
        conditions=["Lupus Nephritis"],
        meshes=["Lupus Nephritis"],
        ancestors=["Kidney Diseases", "Lupus Erythematosus, Systemic"],
    )
    ids, _ = found(client, "/api/trials/?condition=kidney+diseases")
    assert trial.nct_id in ids
    ids, _ = found(client, "/api/trials/?condition=LUPUS")
    assert trial.nct_id in ids


def test_condition_ignores_case_accents_and_word_order(client):
    trial = make_trial(conditions=["Maladie de Behçet"], title="Behçet study")
    for text in ["maladie de behcet", "BEHÇET maladie", "behcet"]:
        ids, _ = found(client, f"/api/trials/?condition={text}")
        assert trial.nct_id in ids, text


def test_a_misspelt_condition_still_finds_the_trials(client):
    trial = make_trial(conditions=["Lupus Nephritis"], title="Belimumab in adults")
    response = client.get("/?condition=lupus+nefritis")
    page = response.content.decode()
    assert "No trials matched “lupus nefritis”" in page
    assert "Showing results for <strong>Lupus Nephritis</strong>" in page
    assert trial.title in page


def test_the_condition_box_autocompletes_with_trial_counts(client):
    make_trial(conditions=["Lupus Nephritis"])
    data = client.get("/api/conditions/?q=lupus+ne").json()
    assert data["results"][0]["term"] == "Lupus Nephritis"
    assert data["results"][0]["trials"] >= 1
    response = client.get("/conditions/suggest/?condition=lupus+ne", headers={"HX-Request": "true"})
    assert '<option value="Lupus Nephritis">' in response.content.decode()


# Free text


def test_free_text_is_ranked_and_highlighted(client):
    make_trial(
        title="Mesenchymal stem cells for lupus",
        summary="Umbilical cord mesenchymal stem cells are infused.",
    )
    make_trial(title="Another study", summary="It mentions mesenchymal cells once.")
    response = client.get("/?q=mesenchymal+stem")
    page = response.content.decode()
    assert (
        page.index("Mesenchymal stem cells for lupus") < page.index("Another study")
        if "Another study" in page
        else True
    )
    assert "<mark>mesenchymal</mark>" in page.lower()


def test_free_text_understands_phrases_and_exclusions(client):
    wanted = make_trial(title="Cord blood transfusion", summary="cord blood given weekly")
    unwanted = make_trial(title="Cord blood with placebo", summary="cord blood or placebo")
    ids, _ = found(client, '/api/trials/?q="cord blood" -placebo')
    assert wanted.nct_id in ids and unwanted.nct_id not in ids


def test_snippets_are_escaped(client):
    make_trial(title="Escaping check", summary="<script>alert(1)</script> zanubrutinib works")
    page = client.get("/?q=zanubrutinib").content.decode()
    assert "<script>alert(1)" not in page
    assert "<mark>zanubrutinib</mark> works" in page


# Facet counts: the disjunctive rule


def test_facet_counts_ignore_their_own_filter_and_respect_the_others(client, records):
    data = client.get("/api/trials/?status=ALL&phase=PHASE2&sex=FEMALE").json()
    women = {
        n
        for n, ps in records.items()
        if ps.get("eligibilityModule", {}).get("sex", "ALL") in {"FEMALE", "ALL"}
    }
    for phase in ["PHASE1", "PHASE2", "PHASE3"]:
        assert data["facets"]["phase"].get(phase, 0) == sum(
            1 for n in women if phase in phases(records[n])
        )
    phase2 = {n for n, ps in records.items() if "PHASE2" in phases(ps)}
    for value in ["COMPLETED", "RECRUITING"]:
        assert data["facets"]["status"].get(value, 0) == sum(
            1 for n in women & phase2 if status(records[n]) == value
        )
    male_or_all = sum(
        1
        for n in phase2
        if records[n].get("eligibilityModule", {}).get("sex", "ALL") in {"MALE", "ALL"}
    )
    assert data["facets"]["sex"]["MALE"] == male_or_all
    assert data["count"] == len(women & phase2)


def test_the_page_shows_counts_beside_options(client, records):
    page = client.get("/?status=ALL").content.decode()
    phase3 = sum(1 for ps in records.values() if "PHASE3" in phases(ps))
    assert re.search(rf'Phase 3 <span class="count">{phase3:,}</span>', page)
    assert "counts under both" in page


# htmx


def test_htmx_gets_the_results_partial_and_the_response_varies(client):
    full = client.get("/?condition=lupus")
    partial = client.get("/?condition=lupus", headers={"HX-Request": "true"})
    assert "<html" in full.content.decode() and "<html" not in partial.content.decode()
    assert 'id="search-results"' not in partial.content.decode()
    assert 'hx-swap-oob="true"' in partial.content.decode()
    assert "HX-Request" in partial["Vary"] and "HX-Request" in full["Vary"]
    restore = client.get(
        "/?condition=lupus", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_every_status_ticked_is_all_statuses_and_the_address_says_so(client):
    """With status=ALL the form sends every status back, listed or not, and the next
    change keeps all of them (not only the statuses some trial has)."""
    make_trial(title="A suspended study", status="SUSPENDED")
    page = client.get("/?status=ALL&phase=PHASE3")
    sent = re.findall(r'name="status" value="([A-Z_]+)"', page.content.decode())
    assert sorted(sent) == sorted(Status.values)  # ticked boxes and hidden inputs
    query = "&".join(f"status={s}" for s in sent)
    every = client.get(f"/api/trials/?{query}").json()["count"]
    assert every == client.get("/api/trials/?status=ALL").json()["count"]
    partial = client.get(f"/?{query}&sex=FEMALE", headers={"HX-Request": "true"})
    assert partial["HX-Push-Url"] == "/?status=ALL&sex=FEMALE"
    one_less = "&".join(f"status={s}" for s in sent if s != "SUSPENDED")
    partial = client.get(f"/?{one_less}", headers={"HX-Request": "true"})
    assert "HX-Push-Url" not in partial
    assert "A suspended study" not in partial.content.decode()


def test_the_number_of_queries_does_not_grow_with_the_results(client):
    counts = {}
    for condition in ["zzzunheardof", "lupus", "disease"]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/?status=ALL&condition={condition}&q=-zzz")
        counts[condition] = (len(queries), response.content.decode().count('class="card"'))
    assert counts["disease"][1] == 20 and 0 < counts["lupus"][1] < 20
    assert counts["disease"][0] == counts["lupus"][0] <= 6
    # No match: one more query to suggest a spelling, one to find which filter to relax.
    assert counts["zzzunheardof"][0] <= counts["lupus"][0] + 2


def test_counts_are_cached_until_an_import_changes_the_trials(client, settings):
    settings.SEARCH_CACHE_SECONDS = 300
    url = "/api/trials/?condition=quuxoplasia"
    assert client.get(url).json()["count"] == 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).json()["count"] == 0
    assert not any("count(*) FILTER" in q["sql"] for q in queries.captured_queries)
    make_trial(nct_id="NCT81111111", conditions=["Quuxoplasia"])
    assert client.get(url).json()["count"] == 1
    # An import that only changes a trial (it closed) drops the cached counts too.
    make_trial(
        nct_id="NCT81111111",
        conditions=["Quuxoplasia"],
        status="COMPLETED",
        last_update="2026-02-01",
    )
    assert client.get(url).json()["count"] == 0


# Results, empty state, pagination


def test_cards_say_ages_status_and_phase_in_words(client):
    make_trial(
        title="Open ended adults", min_age="18 Years", max_age=None, phases=["PHASE1", "PHASE2"]
    )
    page = client.get("/?q=open+ended+adults").content.decode()
    assert "18 years and older" in page
    assert "Phase 1 and phase 2" in page
    assert "Recruiting" in page


def test_cards_say_where_in_a_line_with_the_rest_counted_and_countries_in_the_pages_language(
    client,
):
    places = [("Lyon", "France"), ("Paris", "France"), ("Berlin", "Germany"), ("Rome", "Italy")]
    places += [("Madrid", "Spain"), ("Oslo", "Norway")]
    locations = [
        {"facility": f"Hospital {city}", "city": city, "country": country}
        for city, country in places
    ]
    make_trial(title="Spread out widely", locations=locations)
    make_trial(nct_id="NCT81111112", title="Spread out nowhere", locations=[])
    page = client.get("/?q=spread+out&status=ALL").content.decode()
    assert re.search(r"<dd>\w+, \w+, \w+ and 3 more · \w+, \w+, \w+ \+2</dd>", page)
    assert "<dd>No sites listed</dd>" in page
    spanish = client.get("/es/?q=spread+out&status=ALL").content.decode()
    assert re.search(r"<dd>\w+, \w+, \w+ y 3 más · [^<]*Alemania[^<]* \+2</dd>", spanish)


def test_the_empty_state_names_the_filter_to_relax(client):
    make_trial(title="Only in Lyon", conditions=["Quuxitis"], phases=["PHASE3"])
    page = client.get("/?condition=quuxitis&phase=PHASE1").content.decode()
    assert "No trials match" in page
    assert "Remove the phase</a>: 1 trial" in page


@pytest.mark.parametrize("cache_seconds", [0, 300])
def test_a_page_past_the_end_shows_the_last_page(client, settings, cache_seconds):
    settings.SEARCH_CACHE_SECONDS = cache_seconds
    last = client.get("/?status=ALL").context["outcome"].pages
    expected = client.get(f"/?status=ALL&page={last}").context["trials"]
    for _ in range(2):  # the second time, with the counts cached
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/?status=ALL&page=100000")
        assert response.status_code == 200
        assert "There is no page 100000" in response.content.decode()
        assert response.context["outcome"].page == last
        assert response.context["trials"] == expected
    if cache_seconds:  # with the counts known, no query looks for the page that is not there
        offsets = [q["sql"] for q in queries if "OFFSET" in q["sql"]]
        assert len(offsets) == 1 and f"OFFSET {(last - 1) * 20}" in offsets[0]


# Bad input: never a 500


@pytest.mark.parametrize(
    "query, notice",
    [
        ("phase=PHASE9", "Ignored phase “PHASE9”"),
        ("status=SOMETIMES", "Ignored status “SOMETIMES”"),
        ("age=-4", "Ignored age"),
        ("age=400", "Ignored age"),
        ("age=forty", "Ignored age"),
        ("page=0", "Ignored page"),
        ("page=abc", "Ignored page"),
        ("sex=OTHER", "Ignored sex"),
        ("q=" + "x" * 10000, "Ignored search words"),
        ("healthy=perhaps", "Ignored accepts healthy volunteers"),
        ("sort=random", "Ignored sort by"),
    ],
)
def test_bad_values_are_ignored_with_a_notice(client, query, notice):
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert notice in response.content.decode()


@pytest.mark.parametrize(
    "language, notices",
    [
        (
            "es",
            ["Valor «PHASE9» ignorado (fase): no es un valor", "Valor «forty» ignorado (edad): "],
        ),
        (
            "fr",
            ["Valeur « PHASE9 » ignorée (phase) : nous ne", "Valeur « forty » ignorée (âge) : "],
        ),
    ],
)
def test_the_notice_of_an_ignored_value_is_in_the_pages_language(client, language, notices):
    page = client.get(f"/{language}/?phase=PHASE9&age=forty").content.decode()
    for notice in notices:
        assert notice in page
    assert "Ignored" not in page


@pytest.mark.parametrize(
    "query",
    [
        "q=%00%01lupus",
        "q=%F0%9F%A7%AC+%D7%A9%D7%9C%D7%95%D7%9D",
        "condition=%E2%80%AE%ff%fe",
        "age=1&age=2&age=x",
        "q=(((&condition=''",
        "country=" + "A" * 200,
        "q=!:*&|",
    ],
)
def test_stray_input_never_breaks_the_page(client, query):
    assert client.get(f"/?{query}").status_code == 200
    assert client.get(f"/api/trials/?{query}").status_code in (200, 400)


# The JSON API


def test_the_api_returns_results_facets_and_next(client):
    data = client.get("/api/trials/?status=ALL").json()
    assert set(data) >= {"count", "results", "facets", "next"}
    first = data["results"][0]
    assert set(first) >= {"nct_id", "title", "status", "phases", "conditions", "countries", "url"}
    assert set(first["eligibility"]) >= {"min_age", "max_age", "sex"}
    assert set(data["facets"]) >= {
        "phase",
        "status",
        "sex",
        "age_group",
        "country",
        "type",
        "healthy",
    }
    assert data["next"].endswith("page=2")


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("phase=PHASE9", "phase"),
        ("status=NOPE", "status"),
        ("age=abc", "age"),
        ("age=-1", "age"),
        ("page=99999", "page"),
        ("type=X", "type"),
    ],
)
def test_the_api_answers_400_naming_the_parameter(client, query, parameter):
    response = client.get(f"/api/trials/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert parameter in body["parameters"]
    assert body["parameters"][parameter]["accepted"]
    if parameter == "phase":
        assert "PHASE2" in body["parameters"]["phase"]["accepted"]


def test_the_trigger_writes_the_words_and_weights_of_each_field():
    """The trigger parses each text once; its vectors hold what each text gives alone."""

    def vector(text: str) -> str:
        return f"to_tsvector('english', {text})"

    title, official = vector("coalesce(brief_title, '')"), vector("coalesce(official_title, '')")
    first = vector("unaccent(coalesce(conditions[1], ''))")
    others = vector("unaccent(array_to_string(conditions[2:], ' ; '))")
    terms = vector("unaccent(array_to_string(keywords || mesh_terms, ' ; '))")
    ancestors = vector("unaccent(array_to_string(mesh_ancestors, ' ; '))")
    conditions = f"{first} || {others} || {terms} || {ancestors}"
    acronym = vector("coalesce(acronym, '')")
    interventions = vector("coalesce(search_interventions, '')")
    summary = vector("coalesce(brief_summary, '')")
    expected = {
        "search_document": f"setweight({title}, 'A') "
        f"|| setweight({official} || {acronym}, 'B') "
        f"|| setweight({conditions}, 'A') "
        f"|| setweight({interventions}, 'B') "
        f"|| setweight({summary}, 'C')",
        "condition_document": f"setweight({conditions}, 'A') || setweight({title} || {official}, 'B')",
        "rank_document": f"setweight({title}, 'A') || setweight({first}, 'B') "
        f"|| setweight({others}, 'C') || setweight({terms}, 'D')",
    }
    trial = Trial.objects.order_by("nct_id").first()
    trial.brief_title = "Lupus and the kidney: a study of nephritis"
    trial.save()  # the trigger runs on updates of the texts too

    def words(vector: str) -> str:  # each lexeme with its weights, positions left out
        return (
            "(SELECT array_agg(lexeme || ':' || array_to_string(weights, '') ORDER BY lexeme) "
            f"FROM unnest({vector}))"
        )

    with connection.cursor() as cursor:
        for column, expression in expected.items():
            cursor.execute(
                "SELECT count(*) FROM trials_trial "
                f"WHERE {words(column)} IS DISTINCT FROM {words(expression)}"
            )
            assert cursor.fetchone()[0] == 0, column
            cursor.execute(f"SELECT count(*) FROM trials_trial WHERE {column} IS NULL")
            assert cursor.fetchone()[0] == 0, column
    trial.refresh_from_db(fields=["rank_document"])
    assert "nephr" in str(trial.rank_document)


# The "has posted results" facet


def test_the_results_facet_counts_and_filters_the_trials_whose_record_has_results(
    client, real_studies, edge_studies
):
    latest = {}
    for s in real_studies + edge_studies:
        ps = s.get("protocolSection", {})
        if "statusModule" in ps:
            latest[ps["identificationModule"]["nctId"]] = s
    with_results = {n for n, s in latest.items() if "resultsSection" in s or s.get("hasResults")}
    assert len(with_results) >= 131
    ids, data = found(client, "/api/trials/?status=ALL&has_results=true")
    assert ids == with_results
    assert data["facets"]["has_results"] == {
        "true": len(with_results),
        "false": len(latest) - len(with_results),
    }
    page = client.get("/?status=ALL").content.decode()
    assert re.search(rf"Has posted results <span class=\"count\">{len(with_results)}</span>", page)
    page = client.get("/?status=ALL&has_results=true").content.decode()
    assert f"{len(with_results)} trials" in page


def test_a_record_without_results_is_not_counted_as_having_them():
    trial = make_trial()
    assert not trial.has_results
    assert not Trial.objects.filter(pk=trial.pk, facets__has_results=True).exists()


# Everyday names of conditions


def test_an_everyday_name_finds_the_trials_under_its_medical_name(client):
    infarction = make_trial(
        title="Stem cells after myocardial infarction",
        conditions=["Myocardial Infarction"],
        meshes=["Myocardial Infarction"],
    )
    page = client.get("/?condition=Heart+Attack&status=ALL").content.decode()
    assert infarction.get_absolute_url() in page
    assert "includes the trials listed under its medical name" in page
    assert "Myocardial Infarction" in page


def test_the_everyday_names_are_written_as_typed_and_name_other_terms():
    from trials.ctgov import normalize_term
    from trials.search.lay_names import LAY_NAMES

    assert len(LAY_NAMES) >= 60
    for name, terms in LAY_NAMES.items():
        assert name == normalize_term(name), name
        assert terms and all(t and normalize_term(t) != name for t in terms), name


def test_the_condition_suggestions_vary_by_htmx(client):
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/conditions/suggest/?condition=lupus", headers=headers)
        assert "HX-Request" in response["Vary"]


def test_a_search_with_too_many_or_terms_or_phrases_is_refused_with_a_reason(client):
    many_or = " or ".join(f"word{n}" for n in range(12))
    page = client.get("/", {"q": many_or}).content.decode()
    assert "Use at most 8 OR and 5 phrases in quotes." in page
    api = client.get("/api/trials/", {"q": " ".join(f'"phrase {n}"' for n in range(7))})
    assert api.status_code == 400
    assert client.get("/api/trials/", {"q": "lupus or nephritis"}).status_code == 200


def test_the_page_title_names_the_words_searched_in_one_pair_of_quotes(client):
    page = client.get("/", {"q": '"type 2 diabetes"'}).content.decode()
    assert "<title>“type 2 diabetes” trials · " in page
    page = client.get("/es/", {"q": 'lupus "stem cell"'}).content.decode()
    assert "<title>Ensayos con «lupus stem cell» · " in page
