"""GET /api/v2/studies and its parameters, checked against the stored records themselves."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re

import pytest

from trials.importer import import_items
from trials.models import Trial
from trials.sources import Item

from .api_v2 import every_page, get, nct_id
from .factories import study

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.API_V2_RATE_LIMIT = ""


@pytest.fixture(scope="module")
def stored(django_db_setup, django_db_blocker) -> dict[str, dict]:
    """NCT ID -> the stored record (the importer's copy of the JSON)."""
    with django_db_blocker.unblock():
        return dict(Trial.objects.values_list("nct_id", "raw"))


def matching(stored, test) -> set[str]:
    return {key for key, record in stored.items() if test(record)}


def protocol(record: dict, module: str) -> dict:
    return record.get("protocolSection", {}).get(module, {})


def words(*texts) -> set[str]:
    return {w for t in texts if t for w in re.findall(r"\w+", str(t).lower())}


# Pages


def test_it_lists_ten_studies_by_default_with_a_token_for_the_next_page(client, stored):
    answer = get(client)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    data = answer.json
    assert len(data["studies"]) == 10
    assert "totalCount" not in data
    assert data["nextPageToken"]


def test_a_page_holds_at_most_a_thousand_studies(client, stored):
    assert len(get(client, pageSize=5000).json["studies"]) == 1000
    assert len(get(client, pageSize=0).json["studies"]) == 10
    assert len(get(client, pageSize=3).json["studies"]) == 3


@pytest.mark.parametrize("size", ["-1", "ten", "1.5", "1e3"])
def test_a_bad_page_size_answers_400_naming_it(client, size):
    answer = get(client, pageSize=size)
    assert answer.status == 400
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert "pageSize" in answer.text


def test_count_total_counts_every_study_on_the_first_page_only(client, stored):
    first = get(client, countTotal="true", pageSize=5).json
    assert first["totalCount"] == len(stored)
    second = get(client, countTotal="true", pageSize=5, pageToken=first["nextPageToken"]).json
    assert "totalCount" not in second
    assert get(client, countTotal="yes").status == 400


def test_every_page_together_holds_every_matching_study_once(client, stored):
    found = every_page(client, pageSize=97, **{"filter.overallStatus": "COMPLETED"})
    ids = [nct_id(s) for s in found]
    assert len(ids) == len(set(ids))
    assert set(ids) == matching(
        stored, lambda r: protocol(r, "statusModule").get("overallStatus") == "COMPLETED"
    )
    assert ids == sorted(ids)  # without sort, in NCT ID order


@pytest.mark.parametrize("sort", [None, "LastUpdatePostDate:desc", "EnrollmentCount"])
@pytest.mark.parametrize("size", [1, 7, 1000])
def test_pages_found_among_the_search_engines_matches_are_those_the_query_finds(
    client, monkeypatch, sort, size
):
    from trials.search import engine

    query = {
        "query.cond": "cancer",
        "filter.overallStatus": "COMPLETED|RECRUITING|ACTIVE_NOT_RECRUITING",
        "pageSize": size,
        **({"sort": sort} if sort else {}),
    }
    asked = []
    matching = engine.matching
    monkeypatch.setattr(engine, "matching", lambda c: asked.append(c) or matching(c))
    among = every_page(client, **query)
    assert asked and len(matching(asked[0])) > 0  # the engine gave its matches
    monkeypatch.setattr(engine, "matching", lambda c: None)
    found = every_page(client, **query)
    assert [nct_id(s) for s in among] == [nct_id(s) for s in found]
    assert len(found) > 7


def test_a_condition_with_punctuation_is_counted_as_the_search_page_counts_it(client, monkeypatch):
    from trials.studies import sql

    monkeypatch.setattr(sql, "count", None)  # no count of its own in SQL: the engine's
    counted = get(client, countTotal="true", **{"query.cond": "Lupus Erythematosus, Systemic"})
    plain = get(client, countTotal="true", **{"query.cond": "Lupus Erythematosus Systemic"})
    assert counted.json["totalCount"] == plain.json["totalCount"] > 0
    assert counted.ids == plain.ids


def test_the_last_page_has_no_token(client):
    data = get(client, pageSize=1000, **{"filter.overallStatus": "SUSPENDED"}).json
    assert "nextPageToken" not in data
    assert data["studies"]


def test_records_come_out_as_stored(client, stored, real_studies):
    originals = {nct_id(s): s for s in real_studies if "statusModule" in s["protocolSection"]}
    found = every_page(client, pageSize=1000)
    assert len(found) == len(stored)
    for record in found:
        assert record == stored[nct_id(record)]
    unique = [k for k in originals if list(originals).count(k) == 1][:50]
    for key in unique:
        if stored[key] == originals[key]:  # the edge-case file may hold a later version
            assert next(s for s in found if nct_id(s) == key) == originals[key]


# Page tokens


def test_a_tampered_page_token_answers_400(client):
    token = get(client, pageSize=2).json["nextPageToken"]
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    answer = get(client, pageSize=2, pageToken=altered)
    assert answer.status == 400
    assert "pageToken" in answer.text
    assert get(client, pageToken="not a token").status == 400


def test_a_page_token_of_another_query_answers_400(client):
    token = get(client, pageSize=2, **{"query.cond": "cancer"}).json["nextPageToken"]
    answer = get(client, pageSize=2, pageToken=token, **{"query.cond": "asthma"})
    assert answer.status == 400
    assert "another query" in answer.text


def test_a_page_token_works_with_another_page_size(client, stored):
    first = get(client, pageSize=3, sort="EnrollmentCount").json
    rest = get(client, pageSize=5, sort="EnrollmentCount", pageToken=first["nextPageToken"])
    whole = get(client, pageSize=8, sort="EnrollmentCount").ids
    assert [nct_id(s) for s in first["studies"]] + rest.ids == whole


def test_pages_stay_whole_while_an_import_adds_updates_and_removes_studies(client, stored):
    """Keyset pages: what an import does between two pages neither repeats nor skips a
    study that was there all along."""
    params = {"pageSize": 50, "sort": "LastUpdatePostDate", "filter.overallStatus": "RECRUITING"}
    data = get(client, **params).json
    seen = [nct_id(s) for s in data["studies"]]
    token = data["nextPageToken"]
    before = set(
        matching(stored, lambda r: protocol(r, "statusModule").get("overallStatus") == "RECRUITING")
    )
    pages = 0
    while token:
        pages += 1
        if pages in (2, 4):
            # An import between pages: new studies before and after the position, an update
            # of a study already seen and one not yet seen, and a study removed.
            newer = [
                study(f"NCT990000{pages}{i}", status="RECRUITING", last_update=day)
                for i, day in enumerate(["2030-01-01", "1990-01-01", "2024-06-01"])
            ]
            import_items([Item("test", str(i), s) for i, s in enumerate(newer)])
            Trial.objects.filter(nct_id=sorted(before - set(seen))[0]).delete()
            before -= {sorted(before - set(seen))[0]}
        data = get(client, **params, pageToken=token).json
        seen.extend(nct_id(s) for s in data["studies"])
        token = data.get("nextPageToken")
    assert len(seen) == len(set(seen)), "no study twice"
    assert before <= set(seen), "every study that stayed, once"


# Parameters


def test_an_unknown_parameter_answers_400_naming_it(client):
    answer = get(client, **{"query.conditon": "asthma"})
    assert answer.status == 400
    assert "query.conditon" in answer.text


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"query.patient": "asthma"}, "query.patient"),
        ({"geoDecay": "func:exp,scale:300mi,offset:0mi,decay:0.5"}, "geoDecay"),
        ({"filter.synonyms": "ConditionSearch:1651367"}, "filter.synonyms"),
        ({"postFilter.synonyms": "ConditionSearch:1651367"}, "postFilter.synonyms"),
        ({"markupFormat": "legacy"}, "markupFormat"),
        ({"format": "xml"}, "format"),
        ({"format": "json", "aggregations": "maybe"}, "aggregations"),
    ],
)
def test_what_is_not_answered_says_so(client, params, named):
    answer = get(client, **params)
    assert answer.status == 400
    assert named in answer.text


def test_markdown_is_the_markup_format(client):
    assert get(client, markupFormat="markdown").status == 200


@pytest.mark.parametrize("kind", ["filter", "postFilter"])
def test_it_filters_by_overall_status(client, stored, kind):
    params = {f"{kind}.overallStatus": "RECRUITING|NOT_YET_RECRUITING", "pageSize": 1000}
    found = {nct_id(s) for s in every_page(client, **params)}
    assert found == matching(
        stored,
        lambda r: (
            protocol(r, "statusModule")["overallStatus"] in ("RECRUITING", "NOT_YET_RECRUITING")
        ),
    )
    assert get(client, countTotal="true", **{f"{kind}.overallStatus": "RECRUITING,COMPLETED"}).json[
        "totalCount"
    ] == len(
        matching(
            stored,
            lambda r: protocol(r, "statusModule")["overallStatus"] in ("RECRUITING", "COMPLETED"),
        )
    )
    answer = get(client, **{f"{kind}.overallStatus": "RECRUITIN"})
    assert answer.status == 400
    assert "RECRUITIN" in answer.text


def test_filter_and_post_filter_both_hold(client, stored):
    answer = get(
        client,
        countTotal="true",
        **{"filter.overallStatus": "RECRUITING,COMPLETED", "postFilter.overallStatus": "COMPLETED"},
    )
    assert answer.json["totalCount"] == len(
        matching(stored, lambda r: protocol(r, "statusModule")["overallStatus"] == "COMPLETED")
    )


@pytest.mark.parametrize("kind", ["filter", "postFilter"])
def test_it_filters_by_nct_ids(client, stored, kind):
    wanted = sorted(stored)[100:105]
    asked = [w.lower() for w in wanted[:2]] + wanted[2:]
    answer = get(client, **{f"{kind}.ids": "|".join(asked)})
    assert sorted(answer.ids) == wanted
    assert get(client, **{f"{kind}.ids": "NCT123,banana"}).status == 400


def test_filter_ids_finds_a_study_by_a_former_id(client, stored):
    aliased = {
        alias: key
        for key, r in stored.items()
        for alias in protocol(r, "identificationModule").get("nctIdAliases", [])
    }
    if not aliased:
        pytest.skip("no record with an alias")
    alias, key = next(iter(aliased.items()))
    assert get(client, **{"filter.ids": alias}).ids == [key]


def _distance_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


@pytest.mark.parametrize("kind", ["filter", "postFilter"])
def test_it_filters_by_distance(client, stored, kind):
    # Around Bethesda, MD: 50 miles.
    lat, lon, km = 39.0035707, -77.1013313, 50 * 1.609344

    def near(record):
        for loc in protocol(record, "contactsLocationsModule").get("locations", []):
            point = loc.get("geoPoint")
            if point and _distance_km(lat, lon, point["lat"], point["lon"]) <= km:
                return True
        return False

    expected = matching(stored, near)
    assert expected
    found = every_page(client, pageSize=1000, **{f"{kind}.geo": f"distance({lat},{lon},50mi)"})
    assert {nct_id(s) for s in found} == expected
    in_km = every_page(client, pageSize=1000, **{f"{kind}.geo": f"distance({lat},{lon},{km}km)"})
    assert {nct_id(s) for s in in_km} == expected
    for bad in ("near(1,2)", "distance(91,0,5mi)", "distance(1,2)"):
        assert get(client, **{f"{kind}.geo": bad}).status == 400


def _stem(word: str) -> str:
    """The stem PostgreSQL's English dictionary gives a word (survival: surviv)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT (ts_lexize('english_stem', %s))[1]", [word])
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("param", "word", "texts"),
    [
        (
            "query.titles",
            "pain",
            lambda r: [
                protocol(r, "identificationModule").get(k)
                for k in ("briefTitle", "officialTitle", "acronym")
            ],
        ),
        (
            "query.intr",
            "placebo",
            lambda r: [
                t
                for i in protocol(r, "armsInterventionsModule").get("interventions", [])
                for t in [i.get("name"), *i.get("otherNames", [])]
            ],
        ),
        (
            "query.outc",
            "survival",
            lambda r: [
                o.get(k)
                for kind in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")
                for o in protocol(r, "outcomesModule").get(kind, [])
                for k in ("measure", "description")
            ],
        ),
        (
            "query.locn",
            "boston",
            lambda r: [
                loc.get(k)
                for loc in protocol(r, "contactsLocationsModule").get("locations", [])
                for k in ("facility", "city", "state", "zip", "country")
            ],
        ),
        (
            "query.spons",
            "pfizer",
            lambda r: (
                [protocol(r, "sponsorCollaboratorsModule").get("leadSponsor", {}).get("name")]
                + [
                    c.get("name")
                    for c in protocol(r, "sponsorCollaboratorsModule").get("collaborators", [])
                ]
            ),
        ),
        (
            "query.lead",
            "university",
            lambda r: [
                protocol(r, "sponsorCollaboratorsModule").get("leadSponsor", {}).get("name")
            ],
        ),
    ],
)
def test_each_query_area_searches_its_own_fields(client, stored, param, word, texts):
    """Every study with the word in those fields, and only studies with a word of that stem
    there (pain: painful)."""
    stem = _stem(word)
    exact = matching(stored, lambda r: word in words(*texts(r)))
    stems = matching(stored, lambda r: any(w.startswith(stem) for w in words(*texts(r))))
    assert exact
    found = {nct_id(s) for s in every_page(client, pageSize=1000, **{param: word})}
    assert exact <= found <= stems


def test_query_cond_searches_conditions_keywords_mesh_terms_and_titles(client, stored):
    def texts(r):
        conditions = protocol(r, "conditionsModule")
        browse = r.get("derivedSection", {}).get("conditionBrowseModule", {})
        ident = protocol(r, "identificationModule")
        return [
            *conditions.get("conditions", []),
            *conditions.get("keywords", []),
            *(m.get("term") for m in browse.get("meshes", [])),
            *(m.get("term") for m in browse.get("ancestors", [])),
            ident.get("briefTitle") or ident.get("officialTitle"),
            ident.get("officialTitle"),
        ]

    exact = matching(stored, lambda r: "asthma" in words(*texts(r)))
    stems = matching(stored, lambda r: any(w.startswith("asthm") for w in words(*texts(r))))
    found = {nct_id(s) for s in every_page(client, pageSize=1000, **{"query.cond": "asthma"})}
    assert exact and exact <= found <= stems


def test_query_term_finds_words_in_titles_conditions_interventions_and_summary(client, stored):
    found = {nct_id(s) for s in every_page(client, pageSize=1000, **{"query.term": "insulin"})}
    assert found
    for key in found:
        r = stored[key]
        text = str(
            [
                protocol(r, "identificationModule"),
                protocol(r, "conditionsModule"),
                protocol(r, "armsInterventionsModule").get("interventions"),
                protocol(r, "descriptionModule").get("briefSummary"),
                r.get("derivedSection", {}).get("conditionBrowseModule"),
            ]
        ).lower()
        assert "insulin" in text


def test_query_id_finds_studies_by_any_of_their_ids(client, stored):
    key, record = next(
        (k, r)
        for k, r in stored.items()
        if protocol(r, "identificationModule").get("orgStudyIdInfo", {}).get("id", "").isalnum()
    )
    org_id = protocol(record, "identificationModule")["orgStudyIdInfo"]["id"]
    assert key in get(client, **{"query.id": org_id.lower()}).ids
    assert get(client, **{"query.id": key}).ids == [key]


def test_a_query_of_nct_ids_alone_ignores_the_filters(client, stored):
    key = next(
        k for k, r in stored.items() if protocol(r, "statusModule")["overallStatus"] == "COMPLETED"
    )
    answer = get(client, **{"query.term": key, "filter.overallStatus": "RECRUITING"})
    assert answer.ids == [key]


@pytest.mark.parametrize(
    ("agg", "test"),
    [
        ("phase:2", lambda r: "PHASE2" in protocol(r, "designModule").get("phases", [])),
        (
            "phase:2 3",
            lambda r: {"PHASE2", "PHASE3"} & set(protocol(r, "designModule").get("phases", [])),
        ),
        (
            "status:rec not",
            lambda r: (
                protocol(r, "statusModule")["overallStatus"] in ("RECRUITING", "NOT_YET_RECRUITING")
            ),
        ),
        (
            "sex:f",
            lambda r: protocol(r, "eligibilityModule").get("sex", "") in ("FEMALE", "ALL", ""),
        ),
        ("healthy:y", lambda r: protocol(r, "eligibilityModule").get("healthyVolunteers") is True),
        (
            "studyType:int",
            lambda r: protocol(r, "designModule").get("studyType") == "INTERVENTIONAL",
        ),
        ("results:with", lambda r: "resultsSection" in r or r.get("hasResults") is True),
        ("results:without", lambda r: not ("resultsSection" in r or r.get("hasResults") is True)),
        ("results:with without", lambda r: True),
        (
            "status:com,phase:3|studyType:int",
            lambda r: (
                protocol(r, "statusModule")["overallStatus"] == "COMPLETED"
                and "PHASE3" in protocol(r, "designModule").get("phases", [])
                and protocol(r, "designModule").get("studyType") == "INTERVENTIONAL"
            ),
        ),
    ],
)
def test_agg_filters_filter_by_the_facets_options(client, stored, agg, test):
    found = {nct_id(s) for s in every_page(client, pageSize=1000, aggFilters=agg)}
    assert found == matching(stored, test)


@pytest.mark.parametrize("agg", ["phase:9", "colour:red", "status", "status:"])
def test_a_bad_agg_filter_answers_400(client, agg):
    answer = get(client, aggFilters=agg)
    assert answer.status == 400
    assert "aggFilters" in answer.text


def test_filters_that_exclude_each_other_find_nothing(client):
    answer = get(
        client,
        countTotal="true",
        aggFilters="status:rec",
        **{"filter.overallStatus": "COMPLETED"},
    )
    assert answer.json == {"totalCount": 0, "studies": []}


# fields


def test_fields_keep_nested_pieces_in_their_place(client, stored):
    key = next(
        k
        for k, r in stored.items()
        if len(protocol(r, "contactsLocationsModule").get("locations", [])) > 3
    )
    answer = get(client, **{"filter.ids": key, "fields": "NCTId,LocationCity,LocationCountry"})
    [record] = answer.json["studies"]
    locations = protocol(stored[key], "contactsLocationsModule")["locations"]
    expected = [
        {k: loc[k] for k in ("city", "country") if k in loc}
        for loc in locations
        if "city" in loc or "country" in loc
    ]
    assert record == {
        "protocolSection": {
            "identificationModule": {"nctId": key},
            "contactsLocationsModule": {"locations": expected},
        }
    }


def test_fields_take_modules_paths_areas_and_any_case(client, stored):
    key = sorted(stored)[7]
    r = stored[key]
    one = get(client, **{"filter.ids": key, "fields": "ConditionsModule|hasResults"}).json
    assert one["studies"][0] == {
        "protocolSection": {"conditionsModule": protocol(r, "conditionsModule")},
        "hasResults": r["hasResults"],
    }
    path = get(
        client, **{"filter.ids": key, "fields": "protocolSection.statusModule.overallStatus"}
    )
    assert path.json["studies"][0] == {
        "protocolSection": {
            "statusModule": {"overallStatus": protocol(r, "statusModule")["overallStatus"]}
        }
    }
    lower = get(client, **{"filter.ids": key, "fields": "nctid,briefTITLE"}).json["studies"][0]
    assert set(lower["protocolSection"]["identificationModule"]) <= {"nctId", "briefTitle"}
    area = get(client, **{"filter.ids": key, "fields": "TitleSearch"}).json["studies"][0]
    assert set(area["protocolSection"]) == {"identificationModule"}
    queried = get(client, **{"query.cond": "asthma", "fields": "@query", "pageSize": 1}).json
    assert set(queried["studies"][0]["protocolSection"]) <= {
        "conditionsModule",
        "identificationModule",
    }


def test_an_unknown_field_answers_400_naming_it(client):
    answer = get(client, fields="NCTId,Colour")
    assert answer.status == 400
    assert "Colour" in answer.text
    assert get(client, fields="").status == 400


# Sorting


def _enrollment(r):
    return protocol(r, "designModule").get("enrollmentInfo", {}).get("count")


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_it_sorts_by_a_number_with_missing_values_last(client, stored, direction):
    found = every_page(
        client, pageSize=1000, sort=f"EnrollmentCount:{direction}", fields="NCTId,EnrollmentCount"
    )
    values = [_enrollment(s) for s in found]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present))
    assert present == sorted(present, reverse=direction == "desc")
    assert len(values) == len(stored)


def test_dates_sort_newest_first_by_default_with_missing_dates_last(client, stored):
    found = every_page(client, pageSize=500, sort="StartDate", fields="NCTId,StartDate")
    dates = [protocol(s, "statusModule").get("startDateStruct", {}).get("date") for s in found]
    present = [d for d in dates if d]
    assert dates[: len(present)] == present and not any(dates[len(present) :])
    firsts = [dt.date(*(int(p) for p in (d + "-01-01")[:10].split("-"))) for d in present]
    assert firsts == sorted(firsts, reverse=True)


def test_two_sort_keys_break_ties_in_order(client, stored):
    found = every_page(
        client,
        pageSize=1000,
        sort="LastUpdatePostDate:asc,EnrollmentCount:desc",
        fields="NCTId,LastUpdatePostDate,EnrollmentCount",
    )
    keys = [
        (
            protocol(s, "statusModule").get("lastUpdatePostDateStruct", {}).get("date"),
            _enrollment(s),
        )
        for s in found
    ]
    for (d1, e1), (d2, e2) in zip(keys, keys[1:], strict=False):
        if d1 and d2:
            assert d1 <= d2
            if d1 == d2 and e1 is not None and e2 is not None:
                assert e1 >= e2


def test_a_date_only_the_json_holds_sorts_too(client, stored):
    found = every_page(
        client, pageSize=1000, sort="StudyFirstSubmitDate:asc", fields="NCTId,StudyFirstSubmitDate"
    )
    dates = [protocol(s, "statusModule").get("studyFirstSubmitDate") for s in found]
    present = [d for d in dates if d]
    assert present == sorted(present)
    assert dates == present + [None] * (len(dates) - len(present))


def test_relevance_puts_studies_about_the_words_first(client):
    found = get(
        client, sort="@relevance", pageSize=5, fields="NCTId,BriefTitle", **{"query.term": "asthma"}
    ).json
    first = found["studies"][0]["protocolSection"]["identificationModule"]["briefTitle"]
    assert "asthma" in first.lower()
    assert len(
        every_page(client, pageSize=7, sort="@relevance", **{"query.term": "asthma"})
    ) == len(every_page(client, pageSize=1000, **{"query.term": "asthma"}))


@pytest.mark.parametrize(
    ("sort", "named"),
    [
        ("BriefTitle", "BriefTitle"),
        ("LocationCity", "LocationCity"),
        ("Colour", "Colour"),
        ("EnrollmentCount:up", "up"),
        ("StartDate,EnrollmentCount,LastUpdatePostDate", "two"),
    ],
)
def test_a_bad_sort_answers_400(client, sort, named):
    answer = get(client, sort=sort)
    assert answer.status == 400
    assert "sort" in answer.text and named in answer.text


# CSV


def test_csv_has_a_header_on_the_first_page_and_the_headers_for_the_next(client, stored):
    answer = get(
        client,
        format="csv",
        countTotal="true",
        pageSize=20,
        **{"filter.overallStatus": "COMPLETED"},
    )
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    total = len(
        matching(stored, lambda r: protocol(r, "statusModule")["overallStatus"] == "COMPLETED")
    )
    assert answer.headers["x-total-count"] == str(total)
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 20
    assert rows[0]["Study URL"] == f"https://clinicaltrials.gov/study/{rows[0]['NCT Number']}"
    assert {r["Study Status"] for r in rows} == {"COMPLETED"}
    second = get(
        client,
        format="csv",
        pageSize=20,
        pageToken=answer.headers["x-next-page-token"],
        **{"filter.overallStatus": "COMPLETED"},
    )
    lines = list(csv.reader(io.StringIO(second.text)))
    assert len(lines) == 20 and lines[0][0] != "NCT Number"
    assert lines[0][0] > rows[-1]["NCT Number"]


def test_csv_columns_are_chosen_by_name_or_piece(client, stored):
    key = next(
        k
        for k, r in stored.items()
        if len(protocol(r, "conditionsModule").get("conditions", [])) > 1
    )
    answer = get(
        client,
        format="csv",
        fields="NCT Number,Conditions,LeadSponsorName,Phase",
        **{"filter.ids": key},
    )
    [row] = list(csv.DictReader(io.StringIO(answer.text)))
    r = stored[key]
    assert row["NCT Number"] == key
    assert row["Conditions"] == "|".join(protocol(r, "conditionsModule")["conditions"])
    assert (
        row["LeadSponsorName"] == protocol(r, "sponsorCollaboratorsModule")["leadSponsor"]["name"]
    )
    assert row["Phase"] == "|".join(protocol(r, "designModule").get("phases", []))
    assert get(client, format="csv", fields="Colour").status == 400


def test_csv_quotes_cells_a_spreadsheet_would_run(client):
    record = study("NCT99000099", title='=HYPERLINK("http://example.org")')
    import_items([Item("test", "1", record)])
    answer = get(
        client, format="csv", fields="NCT Number,Study Title", **{"filter.ids": "NCT99000099"}
    )
    [row] = list(csv.DictReader(io.StringIO(answer.text)))
    assert row["Study Title"].startswith("'=")


# The single study


def test_a_single_study_comes_as_stored(client, stored):
    key = sorted(stored)[42]
    answer = get(client, f"/api/v2/studies/{key}")
    assert answer.status == 200
    assert answer.json == stored[key]
    assert get(client, f"/api/v2/studies/{key.lower()}").json == stored[key]


def test_a_single_study_takes_fields_csv_and_zip(client, stored):
    import zipfile

    key = sorted(stored)[42]
    fields = get(client, f"/api/v2/studies/{key}", fields="NCTId,OverallStatus").json
    assert fields == {
        "protocolSection": {
            "identificationModule": {"nctId": key},
            "statusModule": {
                "overallStatus": protocol(stored[key], "statusModule")["overallStatus"]
            },
        }
    }
    rows = list(
        csv.DictReader(io.StringIO(get(client, f"/api/v2/studies/{key}", format="csv").text))
    )
    assert rows[0]["NCT Number"] == key
    zipped = get(client, f"/api/v2/studies/{key}", format="json.zip")
    with zipfile.ZipFile(io.BytesIO(zipped.body)) as archive:
        import json

        assert json.loads(archive.read(f"{key}.json")) == stored[key]


def test_an_unknown_study_answers_404_and_a_bad_id_400(client):
    missing = get(client, "/api/v2/studies/NCT09999999")
    assert missing.status == 404
    assert missing.headers["Content-Type"].startswith("text/plain")
    assert get(client, "/api/v2/studies/banana").status == 400
    assert get(client, "/api/v2/studies/NCT00000410", format="ris").status == 400
    assert get(client, "/api/v2/studies/NCT00000410", colour="red").status == 400


def test_a_former_id_redirects_to_the_study(client, stored):
    aliased = [
        (alias, key)
        for key, r in stored.items()
        for alias in protocol(r, "identificationModule").get("nctIdAliases", [])
        if alias not in stored
    ]
    if not aliased:
        record = study("NCT99000098")
        record["protocolSection"]["identificationModule"]["nctIdAliases"] = ["NCT99000097"]
        import_items([Item("test", "1", record)])
        aliased = [("NCT99000097", "NCT99000098")]
    alias, key = aliased[0]
    response = client.get(f"/api/v2/studies/{alias}", {"fields": "NCTId"})
    assert response.status_code == 301
    assert response["Location"] == f"/api/v2/studies/{key}?fields=NCTId"


# The other endpoints


def test_version_gives_the_time_of_the_last_import(client):
    data = get(client, "/api/v2/version").json
    latest = Trial.objects.latest("imported_at").imported_at
    assert data == {"apiVersion": "2.0.5", "dataTimestamp": latest.strftime("%Y-%m-%dT%H:%M:%S")}


def test_size_stats_count_every_study(client, stored):
    data = get(client, "/api/v2/stats/size").json
    assert data["totalStudies"] == len(stored)
    assert sum(r["studiesCount"] for r in data["ranges"]) == len(stored)
    assert len(data["largestStudies"]) == 10
    sizes = [s["sizeBytes"] for s in data["largestStudies"]]
    assert sizes == sorted(sizes, reverse=True)


def test_metadata_describes_every_field_enums_their_values_and_areas_their_fields(client):
    metadata = get(client, "/api/v2/studies/metadata").json
    assert [n["name"] for n in metadata] == [
        "protocolSection",
        "resultsSection",
        "annotationSection",
        "documentSection",
        "derivedSection",
        "hasResults",
    ]
    ident = metadata[0]["children"][0]
    assert ident["piece"] == "IdentificationModule"
    assert ident["children"][0] == {
        "name": "nctId",
        "piece": "NCTId",
        "sourceType": "TEXT",
        "type": "nct",
    }
    enums = {e["type"]: e for e in get(client, "/api/v2/studies/enums").json}
    assert "RECRUITING" in [v["value"] for v in enums["Status"]["values"]]
    assert set(enums["Status"]["pieces"]) == {"OverallStatus", "LastKnownStatus"}
    areas = get(client, "/api/v2/studies/search-areas").json[0]["areas"]
    assert {a["param"] for a in areas} >= {"query.cond", "query.term", "query.locn", "query.id"}


def test_a_query_the_database_gives_up_on_answers_503_asking_to_narrow_it(client, settings):
    settings.API_V2_STATEMENT_TIMEOUT_MS = 1
    answer = get(client, countTotal="true", **{"query.outc": "survival OR death OR pain"})
    assert answer.status == 503
    assert answer.headers["Retry-After"]
    assert "narrow" in answer.text
    settings.API_V2_STATEMENT_TIMEOUT_MS = 15000
    assert get(client, pageSize=1).status == 200
