"""The Essie subset: how expressions parse, what they find in the stored records, and
what is refused (400 naming the part, never a silently different answer)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from finder.api_v2.essie import EssieError, parse
from trials.ctgov import age_in_days
from trials.models import Trial
from trials.studies import model
from trials.studies.query import And, InArea, Missing, Not, Or, Range, Text, Value

from .api_v2 import every_page, get, nct_id

BASIC = model.AREAS_BY_NAME["basicsearch"]


# Parsing


def test_words_side_by_side_are_joined_by_and():
    assert parse("heart attack", BASIC) == And((Text("heart"), Text("attack")))


def test_quotes_keep_a_phrase_together():
    assert parse('"heart attack" pain', BASIC) == And(
        (Text("heart attack", phrase=True), Text("pain"))
    )


def test_not_binds_tighter_than_and_and_and_tighter_than_or():
    assert parse("a OR b AND NOT c", BASIC) == Or((Text("a"), And((Text("b"), Not(Text("c"))))))


def test_parentheses_group():
    assert parse("(head OR neck) AND pain", BASIC) == And(
        (Or((Text("head"), Text("neck"))), Text("pain"))
    )


def test_lower_case_operators_are_words():
    assert parse("salt and pepper", BASIC) == And((Text("salt"), Text("and"), Text("pepper")))


def test_area_applies_to_the_next_word_value_or_group():
    status = model.find("OverallStatus")
    assert parse("AREA[OverallStatus]RECRUITING asthma", BASIC) == And(
        (InArea(status, Value("RECRUITING")), Text("asthma"))
    )
    phase = model.find("Phase")
    assert parse("AREA[Phase](PHASE2 OR phase3)", BASIC) == InArea(
        phase, Or((Value("PHASE2"), Value("PHASE3")))
    )


def test_ranges_take_dates_numbers_ages_and_open_ends():
    start = model.find("StartDate")
    assert parse("AREA[StartDate]RANGE[2022, 2023-06]", BASIC) == InArea(
        start, Range(dt.date(2022, 1, 1), dt.date(2023, 6, 30))
    )
    assert parse("AREA[StartDate]RANGE[MIN,2020-02-15]", BASIC) == InArea(
        start, Range(None, dt.date(2020, 2, 15))
    )
    assert parse("AREA[EnrollmentCount]RANGE[100, MAX]", BASIC) == InArea(
        model.find("EnrollmentCount"), Range(100, None)
    )
    assert parse("AREA[MinimumAge]RANGE[MIN, 16 years]", BASIC) == InArea(
        model.find("MinimumAge"), Range(None, age_in_days("16 years"))
    )


def test_a_date_value_stands_for_all_its_days():
    assert parse("AREA[StartDate]2022-02", BASIC) == InArea(
        model.find("StartDate"), Value((dt.date(2022, 2, 1), dt.date(2022, 2, 28)))
    )


def test_missing_and_areas():
    assert parse("AREA[WhyStopped]MISSING", BASIC) == InArea(model.find("WhyStopped"), Missing())
    assert parse("AREA[ConditionSearch]asthma", BASIC) == InArea(
        model.AREAS_BY_NAME["conditionsearch"], Text("asthma")
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("COVERAGE[FullMatch]asthma", "COVERAGE"),
        ("EXPANSION[None]asthma", "EXPANSION"),
        ("SEARCH[Location](AREA[LocationCity]Boston)", "SEARCH"),
        ("TILDE[asthma]", "TILDE"),
        ("AREA[Phase:size]2", "Phase:size"),
        ("AREA[Colour]red", "Colour"),
        ('"heart attack', "quotation mark"),
        ("(heart OR attack", "parenthesis"),
        ("heart )", ")"),
        ("heart AND", "ends"),
        ("AREA[BriefTitle]RANGE[a, b]", "RANGE applies"),
        ("AREA[StartDate]RANGE[2022]", "two bounds"),
        ("AREA[StartDate]RANGE[2023, 2022]", "above"),
        ("AREA[StartDate]yesterday", "not a date"),
        ("AREA[OverallStatus]RECRUITNG", "RECRUITNG"),
        ("AREA[HealthyVolunteers]perhaps", "true or false"),
        ("AREA[EnrollmentCount]many", "number"),
        ("RANGE[1, 2]", "needs a field"),
        ("MISSING", "needs a field"),
        ("AREA[LocationGeoPoint]x", "filter.geo"),
        ("a]", "]"),
        ("", "empty"),
        ("asthma\x00", "NUL"),
    ],
)
def test_what_the_subset_does_not_hold_is_refused_by_name(text, named):
    with pytest.raises(EssieError, match=re.escape(named)):
        parse(text, BASIC)


def test_deep_nesting_is_refused_not_recursed():
    with pytest.raises(EssieError, match="deeper"):
        parse("(" * 200 + "a" + ")" * 200, BASIC)


def test_the_api_answers_a_refusal_with_400_naming_the_parameter_and_the_part(client, settings):
    settings.API_V2_RATE_LIMIT = ""
    answer = get(client, **{"query.cond": "COVERAGE[FullMatch]asthma"})
    assert answer.status == 400
    assert answer.text.startswith("query.cond: COVERAGE[...] is not supported")
    answer = get(client, **{"filter.advanced": "AREA[Colour]red"})
    assert answer.status == 400
    assert "filter.advanced" in answer.text and "Colour" in answer.text


# What expressions find, against the stored records


@pytest.fixture(scope="module")
def stored(django_db_blocker) -> dict[str, dict]:
    with django_db_blocker.unblock():
        return dict(Trial.objects.values_list("nct_id", "raw"))


@pytest.fixture
def find(client, settings):
    settings.API_V2_RATE_LIMIT = ""

    def found(expression: str, param: str = "filter.advanced") -> set[str]:
        return {nct_id(s) for s in every_page(client, pageSize=1000, **{param: expression})}

    return found


def status(r):
    return r["protocolSection"]["statusModule"]["overallStatus"]


def phases(r):
    return set(r["protocolSection"].get("designModule", {}).get("phases", []))


def enrollment(r):
    return r["protocolSection"].get("designModule", {}).get("enrollmentInfo", {}).get("count")


def start(r):
    text = r["protocolSection"]["statusModule"].get("startDateStruct", {}).get("date")
    if not text:
        return None
    return dt.date.fromisoformat((text + "-01-01")[:10] if len(text) < 10 else text)


def select(stored, test) -> set[str]:
    return {k for k, r in stored.items() if test(r)}


@pytest.mark.django_db
def test_boolean_operators_combine_as_sets(find, stored):
    cancer, asthma = find("cancer"), find("asthma")
    assert cancer and asthma
    assert find("cancer OR asthma") == cancer | asthma
    assert find("cancer AND asthma") == cancer & asthma
    assert find("cancer asthma") == cancer & asthma
    assert find("cancer AND NOT asthma") == cancer - asthma
    assert find("NOT cancer") == set(stored) - cancer
    assert find("(cancer OR asthma) AND AREA[OverallStatus]RECRUITING") == (
        cancer | asthma
    ) & select(stored, lambda r: status(r) == "RECRUITING")


@pytest.mark.django_db
def test_a_phrase_finds_fewer_studies_than_its_words(find):
    phrase, words = find('"breast cancer"'), find("breast cancer")
    assert phrase and phrase <= words


@pytest.mark.django_db
def test_area_on_enums_booleans_and_ids(find, stored):
    assert find("AREA[OverallStatus]COMPLETED") == select(
        stored, lambda r: status(r) == "COMPLETED"
    )
    assert find("AREA[Phase](PHASE2 OR PHASE3)") == select(
        stored, lambda r: phases(r) & {"PHASE2", "PHASE3"}
    )
    assert find("AREA[HealthyVolunteers]true") == select(
        stored,
        lambda r: (
            r["protocolSection"].get("eligibilityModule", {}).get("healthyVolunteers") is True
        ),
    )
    assert find("AREA[DesignAllocation]RANDOMIZED") == select(
        stored,
        lambda r: (
            r["protocolSection"].get("designModule", {}).get("designInfo", {}).get("allocation")
            == "RANDOMIZED"
        ),
    )
    key = sorted(stored)[3]
    assert find(f"AREA[NCTId]{key}") == {key}


@pytest.mark.django_db
def test_ranges_of_dates_numbers_and_ages(find, stored):
    assert find("AREA[StartDate]RANGE[2020-01-01, 2021-12-31]") == select(
        stored, lambda r: start(r) and dt.date(2020, 1, 1) <= start(r) <= dt.date(2021, 12, 31)
    )
    assert find("AREA[StartDate]2022") == select(
        stored, lambda r: start(r) and start(r).year == 2022
    )
    assert find("AREA[EnrollmentCount]RANGE[100, 500]") == select(
        stored, lambda r: enrollment(r) is not None and 100 <= enrollment(r) <= 500
    )
    assert find("AREA[EnrollmentCount]RANGE[MIN, 20]") == select(
        stored, lambda r: enrollment(r) is not None and enrollment(r) <= 20
    )

    def accepts(r, years):
        e = r["protocolSection"].get("eligibilityModule", {})
        low = age_in_days(e.get("minimumAge")) or 0
        high = age_in_days(e.get("maximumAge"))
        high = 2**31 - 1 if high is None else high
        return low <= age_in_days(f"{years} years") <= high

    assert find(
        "AREA[MinimumAge]RANGE[MIN, 16 years] AND AREA[MaximumAge]RANGE[16 years, MAX]"
    ) == select(stored, lambda r: accepts(r, 16))


@pytest.mark.django_db
def test_a_date_range_on_a_date_only_the_json_holds(find, stored):
    def submitted(r):
        return r["protocolSection"]["statusModule"].get("studyFirstSubmitDate", "")

    assert find("AREA[StudyFirstSubmitDate]RANGE[2024-01-01, 2024-06-30]") == select(
        stored, lambda r: "2024-01-01" <= submitted(r) <= "2024-06-30"
    )
    verified = model.find("StatusVerifiedDate")
    assert verified.type == "partial_date"

    def verified_month(r):
        return r["protocolSection"]["statusModule"].get("statusVerifiedDate", "")[:7]

    assert find("AREA[StatusVerifiedDate]2024-03") == select(
        stored, lambda r: verified_month(r) == "2024-03"
    )


@pytest.mark.django_db
def test_missing_finds_studies_without_the_field(find, stored):
    assert find("AREA[WhyStopped]MISSING") == select(
        stored, lambda r: "whyStopped" not in r["protocolSection"]["statusModule"]
    )
    assert find("AREA[Keyword]MISSING") == select(
        stored, lambda r: not r["protocolSection"].get("conditionsModule", {}).get("keywords")
    )
    assert find("NOT AREA[ResultsFirstPostDate]MISSING") == select(
        stored, lambda r: "resultsFirstPostDateStruct" in r["protocolSection"]["statusModule"]
    )


@pytest.mark.django_db
def test_words_in_a_field_search_only_that_field(find, stored):
    found = find("AREA[BriefTitle]asthma")
    assert found
    for key in found:
        assert (
            "asthm" in stored[key]["protocolSection"]["identificationModule"]["briefTitle"].lower()
        )
    conditions = find("AREA[Condition]asthma")

    def condition_words(r):
        texts = r["protocolSection"].get("conditionsModule", {}).get("conditions", [])
        return {w for c in texts for w in re.findall(r"\w+", c.lower())}

    exact = {k for k, r in stored.items() if "asthma" in condition_words(r)}
    stems = {k for k, r in stored.items() if any(w.startswith("asthm") for w in condition_words(r))}
    assert exact and exact <= conditions <= stems


@pytest.mark.django_db
def test_query_parameters_take_essie_too(find):
    assert find("asthma AND AREA[Phase]PHASE3", "query.cond") == find(
        "AREA[ConditionSearch]asthma AND AREA[Phase]PHASE3"
    )
    assert find("lupus OR asthma", "query.cond") == find("lupus", "query.cond") | find(
        "asthma", "query.cond"
    )
