"""Property-based fuzzing of the search page's and the API's query strings: never a 5xx."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "q",
    "condition",
    "phase",
    "status",
    "age",
    "age_group",
    "sex",
    "healthy",
    "country",
    "type",
    "sort",
    "page",
]
KNOWN = [
    "PHASE1",
    "PHASE2",
    "RECRUITING",
    "ALL",
    "FEMALE",
    "MALE",
    "INTERVENTIONAL",
    "CHILD",
    "true",
    "relevance",
    "newest",
    "France",
    "lupus",
    "0",
    "1",
    "120",
]

values = st.one_of(
    st.sampled_from(KNOWN),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        ['"', "-", "&", "|", "!", ":*", "(", "'", "\\", "%", "\x00", "NaN", "1e309", "", " "]
    ),
)
queries = st.lists(st.tuples(st.sampled_from(PARAMETERS + ["unknown", ""]), values), max_size=8)
SETTINGS = settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(query=queries)
def test_the_search_page_never_fails(client, query):
    response = client.get("/?" + urlencode(query))
    assert response.status_code == 200


@SETTINGS
@given(query=queries)
def test_the_api_answers_200_or_400(client, query):
    response = client.get("/api/trials/?" + urlencode(query))
    assert response.status_code in (200, 400)
    assert response["Content-Type"] == "application/json"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=values)
def test_htmx_partials_and_autocomplete_never_fail(client, text):
    assert (
        client.get(
            "/?" + urlencode({"condition": text}), headers={"HX-Request": "true"}
        ).status_code
        == 200
    )
    assert (
        client.get(
            "/conditions/suggest/?" + urlencode({"condition": text}), headers={"HX-Request": "true"}
        ).status_code
        == 200
    )
