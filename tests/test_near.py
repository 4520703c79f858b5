"""Trials near a place: offline geocoding, distances against an independent great-circle
oracle computed from the JSON records, the distance facet, the search page, the trial
page and the API."""

from __future__ import annotations

import math

import pytest
from django.test import Client, override_settings

from trials import geo
from trials.geo import Near
from trials.models import Place, Trial
from trials.search import bitmaps, engine, sql
from trials.search.criteria import Criteria

from .factories import make_trial

pytestmark = pytest.mark.django_db

OPEN = {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}
MEAN_RADIUS_KM = 6371.0088
BOSTON = (42.3601, -71.0589)
PARIS = (48.8566, 2.3522)


# The oracle: haversine on a sphere of the mean Earth radius, written from the textbook,
# not from trials.geo.


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * MEAN_RADIUS_KM * math.asin(math.sqrt(a))


def destination(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    """The point `km` away from (lat, lon) heading `bearing` degrees."""
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing)
    d = km / MEAN_RADIUS_KM
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


@pytest.fixture(scope="module")
def records(real_studies, edge_studies):
    """NCT ID -> (overall status, [(site status, lat, lon)]) from the JSON alone."""
    found = {}
    for study in real_studies + edge_studies:
        ps = study.get("protocolSection", {})
        if "statusModule" not in ps:
            continue
        sites = [
            (loc.get("status", ""), loc["geoPoint"]["lat"], loc["geoPoint"]["lon"])
            for loc in ps.get("contactsLocationsModule", {}).get("locations", []) or []
            if loc.get("geoPoint")
        ]
        found[ps["identificationModule"]["nctId"]] = (ps["statusModule"]["overallStatus"], sites)
    return found


def oracle(records, point, km, every_status=False) -> dict[str, float]:
    """NCT ID -> the distance of its nearest site that counts, for the trials with one
    within `km` of `point` (open trials; every trial with `every_status`)."""
    found = {}
    for nct_id, (status, sites) in records.items():
        if not every_status and status not in OPEN:
            continue
        counting = [
            haversine_km(*point, lat, lon)
            for site_status, lat, lon in sites
            if every_status or site_status in OPEN or (not site_status and status in OPEN)
        ]
        if counting and min(counting) <= km:
            found[nct_id] = min(counting)
    return found


def found(criteria: Criteria) -> list[str]:
    """Every matching trial's NCT ID, in the page order."""
    result = engine.run(criteria, 1, size=5000)
    by_id = dict(Trial.objects.filter(pk__in=result.ids).values_list("pk", "nct_id"))
    assert result.total == len(result.ids)
    return [by_id[pk] for pk in result.ids]


def client_get(path: str, data: dict) -> str:
    """The page's HTML, which must answer 200."""
    response = Client().get(path, data)
    assert response.status_code == 200
    return response.content.decode()


# Geocoding


@pytest.mark.parametrize(
    ("typed", "label", "unit"),
    [
        ("02115", "02115 Boston, Massachusetts, United States", "mi"),
        ("02115-1234", "02115 Boston, Massachusetts, United States", "mi"),
        ("Nanjing", "Nanjing, China", "km"),
        ("nanjing", "Nanjing, China", "km"),
        ("São Paulo", "São Paulo, Brazil", "km"),
        ("SAO PAULO", "São Paulo, Brazil", "km"),
        ("Boston, MA", "Boston, Massachusetts, United States", "mi"),
        ("boston massachusetts", "Boston, Massachusetts, United States", "mi"),
        ("Tromsø", "Tromsø, Norway", "km"),
        ("Tromso", "Tromsø, Norway", "km"),
        ("München", "Munich, Germany", "km"),
        ("Roma", "Rome, Italy", "km"),
        ("Munich", "Munich, Germany", "km"),
        ("Paris, Texas", "Paris, Texas, United States", "mi"),
        ("75010 Paris", "75010 Paris, France", "km"),
        ("75010, France", "75010 Paris, France", "km"),
        ("10115 Berlin", "10115 Berlin, Germany", "km"),
        ("SW1A 1AA", "SW1A Westminster Abbey, United Kingdom", "km"),
        ("M5V 3L9", "M5V Downtown Toronto, Canada", "km"),
        ("1012 AB Amsterdam", "1012 Amsterdam, The Netherlands", "km"),
    ],
)
def test_it_finds_postcodes_and_towns_offline(typed, label, unit):
    """Towns with trial sites take the region the sites give ("Nanjing, Jiangsu, China")."""
    located = geo.locate(typed)
    name, *_region, country = label.split(", ")
    assert located.near.label.startswith(name + ", ")
    assert located.near.label.endswith(", " + country)
    assert located.near.unit == unit
    assert not located.problem


def test_a_place_is_rounded_to_about_a_kilometre():
    near = geo.locate("Boston, MA").near
    assert (near.lat, near.lon) == (42.36, -71.06)


def test_an_ambiguous_name_offers_the_candidates_largest_first_with_region_and_country():
    located = geo.locate("Paris")
    labels = [c.label for c in located.candidates]
    assert located.ambiguous
    assert labels[0].startswith("Paris, ") and labels[0].endswith(", France")
    assert "Paris, Texas, United States" in labels
    assert "Paris, Tennessee, United States" in labels
    populations = [c.population for c in located.candidates]
    assert populations == sorted(populations, reverse=True)


def test_springfield_offers_several_states():
    regions = {c.region for c in geo.locate("Springfield").candidates}
    assert {"Massachusetts", "Illinois", "Missouri"} <= regions


def test_a_town_of_the_trials_sites_is_found_without_packaged_data():
    make_trial(
        locations=[
            {
                "facility": "Clinic of a Hamlet",
                "city": "Hamletville Zyx",
                "country": "Iceland",
                "status": "RECRUITING",
                "geoPoint": {"lat": 64.1, "lon": -21.9},
            }
        ]
    )
    located = geo.locate("hamletville zyx")
    assert located.near.label == "Hamletville Zyx, Iceland"
    assert (located.near.lat, located.near.lon) == (64.1, -21.9)


def test_an_unknown_place_says_what_to_try():
    located = geo.locate("Xyzzy")
    assert located.near is None
    assert located.problem == "We could not find “Xyzzy”. Try a postcode or a nearby city."


def test_a_postcode_of_a_country_without_data_says_so():
    located = geo.locate("12345, Nigeria")
    assert located.near is None
    assert located.problem == (
        "We have no postcodes for Nigeria. Try the name of your town or city instead."
    )


def test_an_unknown_postcode_says_so_and_offers_the_town_beside_it():
    located = geo.locate("00100 Roma")
    assert "We could not find the postcode “00100”" in located.problem
    assert located.near.label.startswith("Rome, ") and located.near.label.endswith(", Italy")


def test_a_postcode_several_countries_use_offers_each_us_zip_code_first():
    labels = [c.label for c in geo.locate("75010").candidates]
    assert labels[0].startswith("75010 Carrollton, Texas")
    assert any(label.endswith(", France") for label in labels)


def test_geocoding_a_place_takes_a_few_queries_at_most(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        geo.locate("Springfield")


# Distances against the oracle


def test_a_site_at_49_9_km_is_in_at_50_km_and_one_at_50_1_km_is_out(records):
    # An open trial with one site that counts, on the real records.
    nct_id, (status, sites) = next(
        (n, r)
        for n, r in sorted(records.items())
        if r[0] == "RECRUITING" and len(r[1]) == 1 and r[1][0][0] in ("RECRUITING", "")
    )
    _status, lat, lon = sites[0]
    for km, inside in ((49.9, True), (50.1, False)):
        point = destination(lat, lon, 60, km)
        assert abs(haversine_km(*point, lat, lon) - km) < 1e-6
        criteria = Criteria.of(near=Near("test", *point), radius=["50"])
        assert (nct_id in found(criteria)) is inside, km


@pytest.mark.parametrize("center", [BOSTON, PARIS, (37.5665, 126.978), (-33.87, 151.21)])
@pytest.mark.parametrize("radius", ["10", "100", "500"])
def test_the_trials_within_a_radius_are_those_the_oracle_finds(records, center, radius):
    near = Near("test", *center)
    expected = oracle(records, center, float(radius))
    # Sites on the very edge (a rounding apart) may go either way.
    edge = {n for n, d in expected.items() if abs(d - float(radius)) < 0.01}
    assert set(found(Criteria.of(near=near, radius=[radius]))) - edge == set(expected) - edge


def test_miles_are_miles(records):
    near = Near("test", *BOSTON, unit="mi")
    expected = oracle(records, BOSTON, 50 * 1.609344)
    assert set(found(Criteria.of(near=near, radius=["50"]))) == set(expected)


def test_with_all_statuses_every_site_counts(records):
    near = Near("test", *PARIS)
    expected = oracle(records, PARIS, 100, every_status=True)
    assert set(found(Criteria.of(near=near, radius=["100"], status=[]))) == set(expected)
    assert len(expected) > len(oracle(records, PARIS, 100))


def test_a_closed_site_of_an_open_trial_does_not_count_and_a_site_without_status_does():
    point = {"lat": 60.0, "lon": 10.0}
    closed = make_trial(
        locations=[{"city": "A", "country": "Norway", "status": "COMPLETED", "geoPoint": point}]
    )
    unstated = make_trial(locations=[{"city": "B", "country": "Norway", "geoPoint": point}])
    closed_trial_site = make_trial(
        status="COMPLETED", locations=[{"city": "C", "country": "Norway", "geoPoint": point}]
    )
    near = Near("test", 60.0, 10.0)
    open_search = set(found(Criteria.of(near=near, radius=["10"])))
    assert unstated.nct_id in open_search
    assert closed.nct_id not in open_search
    every = set(found(Criteria.of(near=near, radius=["10"], status=[])))
    assert {closed.nct_id, unstated.nct_id, closed_trial_site.nct_id} <= every


def test_distances_are_right_across_the_antimeridian():
    # Suva, Fiji, and a site a few km east of the 180th meridian.
    site = make_trial(
        locations=[
            {
                "city": "Taveuni",
                "country": "Fiji",
                "status": "RECRUITING",
                "geoPoint": {"lat": -16.9, "lon": -179.95},
            }
        ]
    )
    near = Near("Labasa", -16.9, 179.95)
    assert haversine_km(-16.9, 179.95, -16.9, -179.95) < 11
    assert site.nct_id in found(Criteria.of(near=near, radius=["25"]))
    assert site.nct_id not in found(Criteria.of(near=Near("x", -16.9, 178.0), radius=["25"]))


def test_distances_are_right_in_the_far_north():
    site = make_trial(
        locations=[
            {
                "city": "Tromsø",
                "country": "Norway",
                "status": "RECRUITING",
                "geoPoint": {"lat": 69.6496, "lon": 18.956},
            }
        ]
    )
    # Two degrees of longitude are only about 77 km this far north.
    east = (69.6496, 20.956)
    assert 70 < haversine_km(*east, 69.6496, 18.956) < 80
    assert site.nct_id in found(Criteria.of(near=Near("x", *east), radius=["100"]))
    assert site.nct_id not in found(Criteria.of(near=Near("x", *east), radius=["50"]))
    # Across the pole: two points on opposite meridians near it.
    polar = make_trial(
        locations=[
            {
                "city": "North",
                "country": "Norway",
                "status": "RECRUITING",
                "geoPoint": {"lat": 89.9, "lon": 0.0},
            }
        ]
    )
    assert polar.nct_id in found(Criteria.of(near=Near("x", 89.9, 180.0), radius=["25"]))


def test_the_band_counts_match_the_oracle_with_the_other_filters_applied(records):
    near = Near("test", *BOSTON)
    criteria = Criteria.of(near=near, radius=["10"], phase=["PHASE2", "PHASE3"])
    phases = dict(Trial.objects.values_list("nct_id", "phases"))
    counts = engine.run(criteria).counts["radius"]
    for radius in ["10", "25", "50", "100", "250", "500"]:
        expected = {
            n
            for n in oracle(records, BOSTON, float(radius))
            if {"PHASE2", "PHASE3"} & set(phases.get(n, []))
        }
        assert counts.get(radius, 0) == len(expected), radius
    assert counts["500"] > counts["10"]


def test_the_counts_of_other_facets_apply_the_distance(records):
    near = Near("test", *PARIS)
    expected = oracle(records, PARIS, 50)
    counts = engine.run(Criteria.of(near=near, radius=["50"])).counts
    assert sum(counts["status"].values()) == len(expected)
    assert counts["country"].get("France") == len(expected)


def test_nearest_first_orders_by_the_nearest_site_that_counts(records):
    near = Near("test", *BOSTON)
    ids = found(Criteria.of(near=near, radius=["250"], sort="nearest"))
    expected = oracle(records, BOSTON, 250)
    distances = [expected[n] for n in ids]
    assert distances == sorted(distances)
    assert len(ids) == len(expected) > 5


def test_distance_combines_with_words_and_a_condition(records):
    near = Near("test", *BOSTON)
    plain = set(found(Criteria.of(near=near, radius=["500"])))
    with_words = found(Criteria.of(near=near, radius=["500"], q="cancer", sort="nearest"))
    assert with_words and set(with_words) < plain
    ranked = found(Criteria.of(near=near, radius=["500"], q="cancer"))
    assert set(ranked) == set(with_words)


def test_the_cards_nearest_site_and_sites_within_the_radius(records):
    near = Near("test", *BOSTON)
    criteria = Criteria.of(near=near, radius=["50"])
    result = engine.run(criteria)
    nearby = geo.nearest_sites(Trial.objects.in_order(result.ids), near, 50, criteria.every_site)
    nct_ids = dict(Trial.objects.filter(pk__in=result.ids).values_list("pk", "nct_id"))
    for pk, info in nearby.items():
        status, sites = records[nct_ids[pk]]
        counting = [
            haversine_km(*BOSTON, lat, lon)
            for s, lat, lon in sites
            if s in OPEN or (not s and status in OPEN)
        ]
        assert info.km == pytest.approx(min(counting), abs=0.01)
        assert info.within == sum(d <= 50 for d in counting)


# The search page


def test_the_page_finds_trials_near_a_town_and_says_which_sites_count(client, records):
    response = client.get("/", {"near": "Boston, MA", "radius": "25"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Trials with a site within 25 miles of <strong>Boston, Massachusetts" in text
    expected = oracle(records, (42.36, -71.06), 25 * 1.609344)
    assert f"{len(expected)} trial" in text
    assert "Distances count the sites open to enrollment" in text
    assert (
        'GeoNames</a> (<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>)'
        in text
    )
    assert '<option value="nearest">Nearest first</option>' in text


def test_a_card_names_the_nearest_site_and_the_sites_within_the_radius():
    make_trial(
        title="A study near Lyon",
        locations=[
            {
                "facility": "Hôpital Édouard Herriot",
                "city": "Lyon",
                "country": "France",
                "status": "RECRUITING",
                "geoPoint": {"lat": 45.75, "lon": 4.85},
            },
            {
                "facility": "Centre Léon Bérard",
                "city": "Lyon",
                "country": "France",
                "status": "RECRUITING",
                "geoPoint": {"lat": 45.74, "lon": 4.88},
            },
            {
                "facility": "Hôpital de la Croix-Rousse",
                "city": "Lyon",
                "country": "France",
                "status": "COMPLETED",
                "geoPoint": {"lat": 45.78, "lon": 4.83},
            },
            {
                "facility": "CHU de Grenoble",
                "city": "Grenoble",
                "country": "France",
                "status": "RECRUITING",
                "geoPoint": {"lat": 45.19, "lon": 5.72},
            },
        ],
    )
    response = client_get("/", {"near": "Lyon", "radius": "25", "q": "near Lyon"})
    assert "Nearest site: Hôpital Édouard Herriot, Lyon · less than 1 km" in response
    # The completed site does not count; Grenoble is about 90 km away.
    assert "2 sites within 25 km" in response
    assert "?near=Lyon" in response and "radius=25" in response and "unit=km" in response


def test_an_ambiguous_place_links_to_each_candidate_with_its_point():
    text = client_get("/", {"near": "Springfield"})
    assert "Did you mean:" in text
    assert "near=Springfield%2C+Illinois%2C+United+States&amp;lat=39.80&amp;lon=-89.64" in text


def test_the_canonical_address_keeps_the_label_and_the_rounded_point(client):
    response = client.get("/", {"near": "nanjing"}, headers={"HX-Request": "true"})
    assert response["HX-Push-Url"].startswith("/?near=Nanjing%2C+")
    assert "lat=32.06&lon=118.78&radius=50&unit=km" in response["HX-Push-Url"]


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"near": "Xyzzy"}, "We could not find “Xyzzy”. Try a postcode or a nearby city."),
        ({"near": "12345, Nigeria"}, "We have no postcodes for Nigeria."),
        ({"near": "Boston", "radius": "33"}, "Choose a distance of 10, 25, 50, 100, 250, 500."),
        ({"lat": "200", "lon": "10"}, "Ignored latitude “200”"),
        ({"lat": "45"}, "Give both a latitude (lat) and a longitude (lon)."),
        ({"near": "Paris", "unit": "parsecs"}, "Ignored unit “parsecs”"),
    ],
)
def test_bad_place_input_gets_a_notice_and_never_an_error(client, query, notice):
    response = client.get("/", query)
    assert response.status_code == 200
    assert notice in response.content.decode().replace("&quot;", '"')


def test_a_radius_outside_the_list_is_dropped_and_the_default_applies(client):
    text = client.get("/", {"near": "Boston, MA", "radius": "33"}).content.decode()
    assert "within 50 miles of" in text


def test_the_empty_result_offers_to_remove_the_distance():
    make_trial(
        title="Zqxvrt trial",
        conditions=["Zqxvrt disease"],
        locations=[
            {
                "city": "Lyon",
                "country": "France",
                "status": "RECRUITING",
                "geoPoint": {"lat": 45.75, "lon": 4.85},
            }
        ],
    )
    text = client_get("/", {"q": "Zqxvrt", "near": "Tromsø", "radius": "10"})
    assert "Remove the distance" in text


def test_an_empty_result_near_a_place_offers_the_nearest_larger_distance_with_trials():
    make_trial(
        title="Kvxqzt trial",
        conditions=["Kvxqzt disease"],
        locations=[
            {
                "city": "Bergen",
                "country": "Norway",
                "status": "RECRUITING",
                "geoPoint": {"lat": 60.39, "lon": 5.32},
            }
        ],
    )
    # Oslo to Bergen: about 305 km.
    text = client_get("/", {"q": "Kvxqzt", "near": "Oslo", "radius": "100"})
    assert "Try a larger distance:" in text
    assert "Within 500 km</a>: 1 trial" in text
    assert "radius=500" in text


def test_the_bands_ignore_the_chosen_radius(client):
    small = client.get("/", {"near": "Boston, MA", "radius": "10"}).content.decode()
    large = client.get("/", {"near": "Boston, MA", "radius": "500"}).content.decode()
    band = 'Within 500 miles <span class="count">'
    assert small.split(band)[1][:6] == large.split(band)[1][:6]


# The trial page


def test_the_trial_page_sorts_the_sites_by_distance_and_preselects_the_nearest_open_one(client):
    trial = make_trial(
        locations=[
            {
                "facility": "Far Away Clinic",
                "city": "Marseille",
                "country": "France",
                "status": "RECRUITING",
                "geoPoint": {"lat": 43.30, "lon": 5.37},
                "contacts": [{"name": "A", "email": "a@example.org"}],
            },
            {
                "facility": "Closed Near Clinic",
                "city": "Lyon",
                "country": "France",
                "status": "COMPLETED",
                "geoPoint": {"lat": 45.76, "lon": 4.84},
                "contacts": [{"name": "B", "email": "b@example.org"}],
            },
            {
                "facility": "Open Near Clinic",
                "city": "Villeurbanne",
                "country": "France",
                "status": "RECRUITING",
                "geoPoint": {"lat": 45.77, "lon": 4.88},
                "contacts": [{"name": "C", "email": "c@example.org"}],
            },
        ]
    )
    response = client.get(
        trial.get_absolute_url(),
        {"near": "Lyon", "lat": "45.76", "lon": "4.84", "radius": "25", "unit": "km"},
    )
    text = response.content.decode()
    order = [
        text.index(name) for name in ("Closed Near Clinic", "Open Near Clinic", "Far Away Clinic")
    ]
    assert order == sorted(order)
    assert "2 sites within 25 km of Lyon; nearest first." in text
    assert "1 site farther than 25 km" in text
    open_near = trial.sites.get(facility="Open Near Clinic")
    assert response.context["form"]["site"].value() == str(open_near.pk)
    plain = client.get(trial.get_absolute_url()).content.decode()
    assert "nearest first" not in plain


# The API


def test_the_api_takes_a_place_and_gives_each_result_its_nearest_site(client, records):
    data = client.get("/api/trials/", {"near": "Boston, MA", "radius": "50"}).json()
    assert data["place"]["label"].startswith("Boston, Massachusetts")
    assert data["place"]["unit"] == "mi"
    assert data["count"] == len(oracle(records, (42.36, -71.06), 50 * 1.609344))
    first = data["results"][0]
    assert first["nearest_site"]["distance"] <= 50
    assert first["sites_within_radius"] >= 1
    assert set(data["facets"]["radius"]) <= {"10", "25", "50", "100", "250", "500"}


def test_the_api_takes_coordinates_and_the_clinicaltrials_gov_form_alike(client):
    plain = client.get(
        "/api/trials/", {"lat": "42.36", "lon": "-71.06", "radius": "50", "unit": "mi"}
    ).json()
    ctgov = client.get("/api/trials/", {"filter.geo": "distance(42.36,-71.06,50mi)"}).json()
    assert plain["count"] == ctgov["count"] > 0
    assert [r["nct_id"] for r in plain["results"]] == [r["nct_id"] for r in ctgov["results"]]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"lat": "91", "lon": "0"}, "lat"),
        ({"lat": "0", "lon": "-181"}, "lon"),
        ({"lat": "north", "lon": "0"}, "lat"),
        ({"near": "Boston", "radius": "33"}, "radius"),
        ({"near": "Boston", "unit": "leagues"}, "unit"),
        ({"filter.geo": "distance(42,-71)"}, "filter.geo"),
        ({"filter.geo": "distance(95,-71,50mi)"}, "filter.geo"),
        ({"near": "Xyzzy"}, "near"),
        ({"lat": "45"}, "lon"),
        ({"lon": "10"}, "lat"),
    ],
)
def test_the_api_answers_400_naming_the_place_parameter(client, query, parameter):
    response = client.get("/api/trials/", query)
    assert response.status_code == 400
    assert parameter in response.json()["parameters"]


# Both engines


@pytest.mark.parametrize(
    "asked",
    [
        {"radius": ["50"]},
        {"radius": ["10"], "sort": "nearest"},
        {"radius": ["500"], "sort": "nearest", "status": []},
        {"radius": ["250"], "phase": ["PHASE2", "PHASE3"], "country": ["United States"]},
        {"radius": ["100"], "q": "cancer"},
        {"radius": ["500"], "condition": "depression", "sort": "nearest"},
        {"radius": ["25"], "age": 40, "sort": "newest"},
    ],
)
@pytest.mark.parametrize("place", [BOSTON, PARIS, (-16.9, 179.95), (37.5665, 126.978)])
@pytest.mark.parametrize("unit", ["km", "mi"])
def test_the_bitmaps_count_and_order_a_distance_search_as_postgresql_does(asked, place, unit):
    criteria = Criteria.of(near=Near("test", *place, unit=unit), **asked)
    for offset in (0, 20):
        fast = bitmaps.counts_and_page(criteria, offset, 20)
        assert fast is not None
        with override_settings(SEARCH_BITMAPS=False):
            slow = sql.counts_and_page(criteria, offset, 20)
            assert sql.page(criteria, offset, 20) == slow[1]
        assert fast == slow
        assert bitmaps.page(criteria, offset, 20) == slow[1]
    assert bitmaps.relaxations(criteria) == sql.relaxations(criteria)


def test_the_trial_api_gives_each_location_its_distance_nearest_first(client):
    trial = make_trial(
        locations=[
            {
                "facility": "Marseille Clinic",
                "city": "Marseille",
                "country": "France",
                "status": "RECRUITING",
                "geoPoint": {"lat": 43.30, "lon": 5.37},
            },
            {
                "facility": "Lyon Clinic",
                "city": "Lyon",
                "country": "France",
                "status": "RECRUITING",
                "geoPoint": {"lat": 45.76, "lon": 4.84},
            },
        ]
    )
    url = f"/api/trials/{trial.nct_id}/"
    data = client.get(url, {"lat": "45.76", "lon": "4.84", "unit": "km"}).json()
    assert [loc["facility"] for loc in data["locations"]] == ["Lyon Clinic", "Marseille Clinic"]
    assert data["locations"][0]["distance"] == 0.0
    assert data["locations"][1]["distance"] == pytest.approx(
        haversine_km(45.76, 4.84, 43.30, 5.37), abs=0.1
    )
    assert "distance" not in client.get(url).json()["locations"][0]


def test_the_near_box_suggests_towns_as_they_are_typed(client):
    response = client.get("/places/suggest/", {"near": "Springf"}, headers={"HX-Request": "true"})
    options = response.content.decode()
    assert '<option value="Springfield, Illinois, United States">' in options
    assert '<option value="Springfield, Massachusetts, United States">' in options
    assert client.get("/places/suggest/", {"near": "s"}).content.decode().strip() == ""
    # A suggestion is found again as typed.
    assert geo.locate("Springfield, Illinois, United States").near.label.startswith(
        "Springfield, Illinois"
    )


def test_a_point_with_a_name_of_its_own_searches_from_the_point(client):
    named = client.get(
        "/api/trials/", {"near": "My clinic", "lat": "42.36", "lon": "-71.06", "unit": "mi"}
    ).json()
    plain = client.get("/api/trials/", {"lat": "42.36", "lon": "-71.06", "unit": "mi"}).json()
    assert named["place"]["label"] == "My clinic"
    assert plain["place"]["label"] == "your location"
    assert named["count"] == plain["count"] > 0


def test_the_about_page_says_what_happens_to_the_location_and_credits_geonames(client):
    text = client.get("/about-clinical-trials/").content.decode()
    assert "What happens to my location?" in text
    assert "We do not store it, log it or send it anywhere" in text
    assert '<a href="https://www.geonames.org/">GeoNames</a>' in text


def test_the_smallest_towns_loaded_follow_the_setting():
    with override_settings(PLACES_MIN_POPULATION=15000):
        rows = geo._geonames_rows()
    populations = {row[2]: row[9] for row in rows}
    loaded = Place.objects.filter(ref__startswith="gn:").values_list("ref", flat=True).distinct()
    assert len(populations) < len(set(loaded))
    # GeoNames keeps capitals whatever their recorded population (some record none).
    large = [p for p in populations.values() if p >= 15000]
    assert len(large) > 0.95 * len(populations)
    assert Place.objects.filter(ref__startswith="gn:", population__range=(5000, 14999)).exists()
