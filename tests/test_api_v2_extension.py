"""Beyond ClinicalTrials.gov: aggregations=true gives the search page's facet counts; and
the data model the API serves matches the official description's."""

from __future__ import annotations

import pytest

from trials.search import engine
from trials.search.criteria import Criteria
from trials.studies import model
from trials.studies import sql as studies

from .api_v2 import get, load_spec

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.API_V2_RATE_LIMIT = ""


@pytest.mark.parametrize(
    ("v2", "search"),
    [
        ({}, {"status": "ALL"}),
        ({"query.cond": "cancer"}, {"condition": "cancer", "status": "ALL"}),
        (
            {
                "query.cond": "breast cancer",
                "filter.overallStatus": "RECRUITING|NOT_YET_RECRUITING",
            },
            {"condition": "breast cancer", "status": ["RECRUITING", "NOT_YET_RECRUITING"]},
        ),
        (
            {"query.term": "insulin", "aggFilters": "phase:2 3,studyType:int"},
            {
                "q": "insulin",
                "status": "ALL",
                "phase": ["PHASE2", "PHASE3"],
                "type": "INTERVENTIONAL",
            },
        ),
        (
            {"aggFilters": "status:rec,sex:f,healthy:y,results:without,ages:older"},
            {
                "status": "RECRUITING",
                "sex": "FEMALE",
                "healthy": "false",
                "has_results": "false",
                "age_group": "OLDER_ADULT",
            },
        ),
    ],
)
def test_the_extensions_counts_are_the_search_pages(client, v2, search):
    """The same query asked of the API v2 and of the search page's JSON API: the same
    total and the same counts for every facet."""
    if search.get("healthy") == "false":
        v2 = {**v2, "aggFilters": v2["aggFilters"].replace("healthy:y", "healthy:n")}
    page = client.get("/api/trials/", search).json()
    answer = get(client, aggregations="true", countTotal="true", pageSize=1, **v2).json
    assert answer["totalCount"] == page["count"]
    assert answer["aggregations"] == page["facets"]


def test_the_extension_is_on_the_first_page_only(client):
    first = get(client, aggregations="true", pageSize=2).json
    assert "aggregations" in first
    second = get(client, aggregations="true", pageSize=2, pageToken=first["nextPageToken"]).json
    assert "aggregations" not in second
    assert "aggregations" not in get(client, pageSize=2).json


@pytest.mark.parametrize(
    "criteria",
    [
        Criteria(chosen={"status": ()}),
        Criteria(condition="cancer", chosen={"status": ("RECRUITING", "COMPLETED")}),
        Criteria(q="pain", chosen={"status": (), "phase": ("PHASE3",), "sex": ("MALE",)}),
        Criteria(chosen={"status": (), "healthy": ("true",), "has_results": ("true",)}),
    ],
)
def test_counts_computed_in_sql_for_other_queries_are_counted_as_the_engine_counts(criteria):
    """Queries with Essie expressions are counted in SQL: on a query the engine can also
    answer, both give the same counts."""
    from trials.studies.query import StudyQuery

    assert studies.facet_counts(StudyQuery(criteria=criteria)) == engine.run(criteria, 1).counts


def test_an_essie_query_gets_counts_too(client):
    """AREA[OverallStatus]RECRUITING is no facet criterion: the other facets are counted
    over the recruiting studies, as the search page counts them for status=RECRUITING."""
    answer = get(
        client,
        aggregations="true",
        countTotal="true",
        **{"filter.advanced": "AREA[OverallStatus]RECRUITING"},
    ).json
    page = client.get("/api/trials/", {"status": "RECRUITING"}).json()
    assert answer["totalCount"] == page["count"]
    for key, counts in page["facets"].items():
        if key != "status":
            assert answer["aggregations"][key] == counts
    assert answer["aggregations"]["status"] == {"RECRUITING": page["count"]}


# The data model against the official description


def _spec_paths(spec) -> dict[str, str]:
    """Every path of the Study schema (outside the results section's content), with its
    JSON type."""
    schemas = spec["components"]["schemas"]
    found = {}

    def walk(schema, path, depth):
        if "$ref" in schema:
            schema = schemas[schema["$ref"].split("/")[-1]]
        if schema.get("type") == "array":
            return walk(schema["items"], path, depth)
        found[".".join(path)] = schema.get("type", "object")
        if path[:1] == ["resultsSection"] and len(path) == 2:
            return
        for key, child in schema.get("properties", {}).items():
            walk(child, [*path, key], depth + 1)

    for key, child in schemas["Study"]["properties"].items():
        walk(child, [key], 1)
    return found


def test_the_data_model_has_every_field_of_the_official_description_and_no_other():
    spec = _spec_paths(load_spec())
    ours = {f.dotted: f for f in model.FIELDS}
    # A geo point is one value (as ClinicalTrials.gov's LocationGeoPoint): its lat and lon
    # are not fields of their own.
    points = [f"{f.dotted}." for f in model.FIELDS if f.type == "geo_point"]
    spec = {path: kind for path, kind in spec.items() if not path.startswith(tuple(points))}
    assert set(ours) == set(spec)
    kinds = {
        "boolean": "boolean",
        "integer": "integer",
        "number": "number",
        "geo_point": "object",
    }
    for path, field in ours.items():
        if field.is_leaf:
            assert spec[path] == kinds.get(field.type, "string"), path
        else:
            assert spec[path] == "object", path


def test_the_enums_are_the_official_descriptions():
    schemas = load_spec()["components"]["schemas"]
    for name, values in model.ENUMS.items():
        assert list(values) == schemas[name]["enum"] or set(values) == set(schemas[name]["enum"]), (
            name
        )
