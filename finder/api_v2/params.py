"""The parameters of GET /api/v2/studies, checked and turned into a StudyQuery.

`studies_request(GET)` reads every parameter the API v2 names, and raises BadRequest
with a message naming the parameter for a bad value, an unknown parameter or one we
do not answer (query.patient, the synonym filters, geoDecay). What TrialFinder's own
search criteria can say (statuses, aggFilters, condition words, plain free-text
words) becomes `Criteria`, so that those studies and their facet counts are the
search page's; the rest stays Essie expressions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.http import QueryDict

from trials.search.criteria import Criteria
from trials.studies import model
from trials.studies.query import Geo, SortKey, StudyQuery, Text
from trials.studies.sql import nct_ids as sql_ids

from . import essie, projection

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000
QUERY_PARAMS = ("cond", "term", "locn", "titles", "intr", "outc", "spons", "lead", "id")
FILTERS = ("overallStatus", "geo", "ids", "advanced")
PARAMS = {
    "format",
    "markupFormat",
    *(f"query.{name}" for name in QUERY_PARAMS),
    *(f"{kind}.{name}" for kind in ("filter", "postFilter") for name in FILTERS),
    "aggFilters",
    "fields",
    "sort",
    "countTotal",
    "pageSize",
    "pageToken",
    "aggregations",
}
NOT_ANSWERED = {
    "query.patient": "query.patient is not supported here; use query.cond and query.term",
    "filter.synonyms": "filter.synonyms is not supported here",
    "postFilter.synonyms": "postFilter.synonyms is not supported here",
    "geoDecay": "geoDecay is not supported here: studies near filter.geo are not ranked by distance",
}
# What changes which studies come and in which order: a page token is good only for them.
SELECTING = (
    *(f"query.{name}" for name in QUERY_PARAMS),
    *(f"{kind}.{name}" for kind in ("filter", "postFilter") for name in FILTERS),
    "aggFilters",
    "sort",
)
GEO = re.compile(r"^distance\((-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(km|mi)?\)$")
NCT_ID = re.compile(r"^NCT0*([1-9]\d{0,7})$", re.IGNORECASE)
KM_PER_MILE = 1.609344
ALNUM = re.compile(r"^[^\W_]+$")
HAS_ALNUM = re.compile(r"[^\W_]")

# aggFilters: ClinicalTrials.gov's filter ids and option keys, with the facet and codes
# of TrialFinder's search each stands for.
AGG_FILTERS: dict[str, tuple[str, dict[str, str]]] = {
    "phase": (
        "phase",
        {
            "0": "EARLY_PHASE1",
            "1": "PHASE1",
            "2": "PHASE2",
            "3": "PHASE3",
            "4": "PHASE4",
            "na": "NA",
        },
    ),
    "status": (
        "status",
        {
            "not": "NOT_YET_RECRUITING",
            "rec": "RECRUITING",
            "enr": "ENROLLING_BY_INVITATION",
            "act": "ACTIVE_NOT_RECRUITING",
            "sus": "SUSPENDED",
            "ter": "TERMINATED",
            "com": "COMPLETED",
            "wit": "WITHDRAWN",
            "unk": "UNKNOWN",
            "ava": "AVAILABLE",
            "nla": "NO_LONGER_AVAILABLE",
            "tna": "TEMPORARILY_NOT_AVAILABLE",
            "afm": "APPROVED_FOR_MARKETING",
            "whd": "WITHHELD",
        },
    ),
    "sex": ("sex", {"f": "FEMALE", "m": "MALE"}),
    "healthy": ("healthy", {"y": "true", "n": "false"}),
    "studyType": (
        "type",
        {"int": "INTERVENTIONAL", "obs": "OBSERVATIONAL", "exp": "EXPANDED_ACCESS"},
    ),
    "results": ("has_results", {"with": "true", "without": "false"}),
    "ages": ("age_group", {"child": "CHILD", "adult": "ADULT", "older": "OLDER_ADULT"}),
}
# A facet that takes one option at a time: both options mean "either".
SINGLE = {"sex", "healthy", "has_results"}


class BadRequest(Exception):
    """A parameter the API cannot answer: the message names it and says why."""


@dataclass(frozen=True)
class StudiesRequest:
    query: StudyQuery
    format: str = "json"
    fields: projection.Projection | None = None
    csv_columns: tuple = ()
    count_total: bool = False
    page_size: int = DEFAULT_PAGE_SIZE
    page_token: str = ""
    aggregations: bool = False
    signature: str = ""  # what a page token of this query carries
    queried: tuple[str, ...] = field(default=())  # the areas searched (for fields=@query)


def one(data: QueryDict, name: str) -> str:
    """A parameter given at most once ("" when absent)."""
    values = data.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"{name} is given {len(values)} times; give it once")
    return values[0] if values else ""


def values(data: QueryDict, name: str) -> list[str]:
    """A comma- or pipe-separated list (the parameter may also be repeated)."""
    return [p.strip() for v in data.getlist(name) for p in re.split(r"[,|]", v) if p.strip()]


def boolean(data: QueryDict, name: str, default: bool = False) -> bool:
    value = one(data, name).strip().lower()
    if value == "":
        return default
    if value in ("true", "false"):
        return value == "true"
    raise BadRequest(f"{name} is true or false, not {value!r}")


def check_names(data: QueryDict, known: set[str]) -> None:
    for name in data:
        if name in NOT_ANSWERED:
            raise BadRequest(NOT_ANSWERED[name])
        if name not in known:
            raise BadRequest(f"unknown parameter {name!r}")


def studies_request(data: QueryDict) -> StudiesRequest:
    check_names(data, PARAMS)
    output = one(data, "format") or "json"
    if output not in ("json", "csv"):
        raise BadRequest(f"format is json or csv, not {output!r}")
    markup(data)
    query, queried = study_query(data)
    fields, columns = None, ()
    if output == "csv":
        from . import csv as csv_format

        columns = csv_format.columns(values(data, "fields") if "fields" in data else None)
    else:
        fields = parse_fields(data, queried)
    size_text = one(data, "pageSize").strip()
    if size_text and not re.fullmatch(r"\d+", size_text):
        raise BadRequest(f"pageSize is a whole number from 0 to {MAX_PAGE_SIZE}, not {size_text!r}")
    size = int(size_text) if size_text else 0
    return StudiesRequest(
        query=query,
        format=output,
        fields=fields,
        csv_columns=columns,
        count_total=boolean(data, "countTotal"),
        page_size=min(size, MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE,
        page_token=one(data, "pageToken"),
        aggregations=boolean(data, "aggregations"),
        signature=signature(data),
        queried=queried,
    )


def markup(data: QueryDict) -> None:
    value = one(data, "markupFormat") or "markdown"
    if value == "legacy":
        raise BadRequest("markupFormat=legacy is not supported here: studies are kept in markdown")
    if value != "markdown":
        raise BadRequest(f"markupFormat is markdown, not {value!r}")


def parse_fields(data: QueryDict, queried: tuple[str, ...] = ()) -> projection.Projection | None:
    if "fields" not in data:
        return None
    names = values(data, "fields")
    if not names:
        raise BadRequest("fields is empty; name at least one field, or leave it out for all")
    try:
        return projection.Projection.of(names, queried)
    except ValueError as exc:
        raise BadRequest(f"fields: {exc}") from None


def signature(data: QueryDict) -> str:
    what = "&".join(f"{name}={'|'.join(data.getlist(name))}" for name in SELECTING if name in data)
    return hashlib.sha256(what.encode()).hexdigest()[:16]


def study_query(data: QueryDict) -> tuple[StudyQuery, tuple[str, ...]]:
    expressions, rank_words, queried = [], [], []
    q, condition = "", ""
    only_ids = False
    for name in QUERY_PARAMS:
        text = one(data, f"query.{name}").strip()
        if not text:
            continue
        area = model.AREAS_BY_PARAM[name]
        queried.append(area.name)
        try:
            node = essie.parse(text, area)
        except essie.EssieError as exc:
            raise BadRequest(f"query.{name}: {exc}") from None
        words = essie.words_only(node)
        rank_words.extend(w.words for w in _positive_words(node))
        if words and all(_is_nct_id(w) for w in words):
            only_ids = True
        if name == "cond" and words and _simple(words, phrases=False) and not condition:
            condition = " ".join(w.words for w in words)
        elif name == "term" and words and _simple(words, phrases=True) and not q:
            q = " ".join(f'"{w.words}"' if w.phrase else w.words for w in words)
        else:
            expressions.append((area, node))
    chosen: dict[str, set[str]] = {}
    impossible = False
    ids: list[str] = []
    geo: list[Geo] = []
    for kind in ("filter", "postFilter"):
        if only_ids:  # as ClinicalTrials.gov does: a query of NCT IDs alone ignores filters
            break
        statuses = _statuses(data, f"{kind}.overallStatus")
        if statuses:
            impossible |= _choose(chosen, "status", statuses)
        found_ids = _ids(data, f"{kind}.ids")
        if found_ids:
            if ids:  # filter.ids and postFilter.ids: the IDs in both
                canonical = {sql_ids(i)[-1] for i in ids}
                found_ids = [i for i in found_ids if sql_ids(i)[-1] in canonical]
                impossible |= not found_ids
            ids = found_ids
        if where := _geo(data, f"{kind}.geo"):
            geo.append(where)
        advanced = one(data, f"{kind}.advanced").strip()
        if advanced:
            try:
                expressions.append(
                    (
                        model.AREAS_BY_PARAM["term"],
                        essie.parse(advanced, model.AREAS_BY_PARAM["term"]),
                    )
                )
            except essie.EssieError as exc:
                raise BadRequest(f"{kind}.advanced: {exc}") from None
    for facet_key, codes in _agg_filters(data).items():
        impossible |= _choose(chosen, facet_key, codes)
    criteria = Criteria(
        q=q,
        condition=condition,
        chosen={"status": (), **{k: tuple(sorted(v)) for k, v in chosen.items()}},
    )
    query = StudyQuery(
        expressions=tuple(expressions),
        criteria=criteria,
        ids=tuple(ids),
        geo=tuple(geo),
        impossible=impossible,
        sort=_sort(data),
        rank_words=tuple(rank_words),
    )
    return query, tuple(queried)


def _choose(chosen: dict[str, set[str]], key: str, codes: set[str]) -> bool:
    """Add a filter on a facet (two filters on one facet: both hold); True when the
    two leave no option."""
    if key in chosen:
        chosen[key] &= codes
        return not chosen[key]
    chosen[key] = set(codes)
    return False


def _simple(words: list[Text], phrases: bool) -> bool:
    """Words TrialFinder's own search reads the same way: a condition's plain words as
    they come (both read them with plainto_tsquery, punctuation and all), free text's
    letters and digits only (its search gives quotes, "-" and "or" meanings)."""
    for word in words:
        if word.phrase and not phrases:
            return False
        if _is_nct_id(word):
            return False
        plain = ALNUM.match if phrases else HAS_ALNUM.search
        parts = word.words.split()
        if not parts or not all(plain(p) and p.lower() != "or" for p in parts):
            return False
    return True


def _is_nct_id(word: Text) -> bool:
    return not word.phrase and NCT_ID.match(word.words) is not None


def _positive_words(node) -> list[Text]:
    from trials.studies.query import And, InArea, Not, Or

    if isinstance(node, Text):
        return [node]
    if isinstance(node, (And, Or)):
        return [w for p in node.parts for w in _positive_words(p)]
    if isinstance(node, InArea) and isinstance(node.target, model.SearchArea):
        return _positive_words(node.expr)
    if isinstance(node, Not):
        return []
    return []


def _statuses(data: QueryDict, name: str) -> set[str]:
    given = values(data, name)
    allowed = model.ENUMS["Status"]
    for value in given:
        if value.upper() not in allowed:
            raise BadRequest(f"{name}: {value!r} is not a status ({', '.join(allowed)})")
    return {v.upper() for v in given}


def _ids(data: QueryDict, name: str) -> list[str]:
    found = []
    for value in values(data, name):
        if not NCT_ID.match(value):
            raise BadRequest(f"{name}: {value!r} is not an NCT ID like NCT01234567")
        found.append(value.upper())
    return list(dict.fromkeys(found))


def _geo(data: QueryDict, name: str) -> Geo | None:
    text = one(data, name).strip()
    if not text:
        return None
    match = GEO.match(text.replace(" ", ""))
    if not match:
        raise BadRequest(
            f"{name} is distance(latitude,longitude,distance), e.g. "
            f"distance(39.0035707,-77.1013313,50mi); not {text!r}"
        )
    latitude, longitude, distance = (float(g) for g in match.groups()[:3])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise BadRequest(f"{name}: latitude is -90 to 90 and longitude -180 to 180")
    km = distance * (KM_PER_MILE if match.group(4) != "km" else 1)
    return Geo(latitude, longitude, km)


def _agg_filters(data: QueryDict) -> dict[str, set[str]]:
    text = one(data, "aggFilters").strip()
    found: dict[str, set[str]] = {}
    for pair in filter(None, (p.strip() for p in re.split(r"[,|]", text))):
        name, colon, options = pair.partition(":")
        if not colon or name.strip() not in AGG_FILTERS:
            raise BadRequest(
                f"aggFilters: {pair!r} is not filter:options with a filter among "
                f"{', '.join(AGG_FILTERS)}"
            )
        facet_key, keys = AGG_FILTERS[name.strip()]
        codes = set()
        for option in options.split():
            if option not in keys:
                raise BadRequest(
                    f"aggFilters: {option!r} is not an option of {name.strip()} ({', '.join(keys)})"
                )
            codes.add(keys[option])
        if not codes:
            raise BadRequest(f"aggFilters: {name.strip()} has no options")
        if facet_key in SINGLE and len(codes) > 1:
            continue  # both options of a yes/no filter: every study
        if facet_key in found:
            found[facet_key] &= codes
        else:
            found[facet_key] = codes
    return found


def _sort(data: QueryDict) -> tuple[SortKey, ...]:
    items = values(data, "sort")
    if len(items) > 2:
        raise BadRequest("sort takes at most two fields")
    keys = []
    for item in items:
        name, _, direction = item.partition(":")
        direction = direction.strip().lower()
        if direction not in ("", "asc", "desc"):
            raise BadRequest(f"sort: {item!r}: the direction is asc or desc")
        if name.strip() == "@relevance":
            keys.append(SortKey(None, direction != "asc"))
            continue
        found = model.find(name)
        if found is None:
            raise BadRequest(f"sort: no field {name!r} (see /api/v2/studies/metadata)")
        if found.type not in ("date", "partial_date", "integer", "number", "age"):
            raise BadRequest(f"sort: {found.piece} is not a date or a number")
        if found.in_list:
            raise BadRequest(f"sort: {found.piece} has many values per study")
        default_descending = found.type in ("date", "partial_date")
        keys.append(SortKey(found, direction == "desc" if direction else default_descending))
    return tuple(keys)
