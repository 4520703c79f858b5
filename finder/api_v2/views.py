"""The endpoints of /api/v2/, as ClinicalTrials.gov's API v2 (version 2.0.5) defines them.

Errors answer as that API does: a status code and a plain-text message (here one
that names the parameter and what it accepts). Pages of studies stream: the ids of a
page are found first (a keyset page, so that a page token stays good while an import
runs), then the studies' JSON flows from a server-side cursor to the client.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator

import orjson
from django.core.cache import cache
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.views.decorators.http import require_GET

from trials.models import Trial
from trials.search import engine
from trials.search.facets import FACETS
from trials.studies import model
from trials.studies import sql as studies
from trials.studies.query import StudyQuery

from . import csv as csv_format
from . import params, tokens
from .limits import rate_limited
from .params import BadRequest

API_VERSION = "2.0.5"
CHUNK_BYTES = 64 * 1024


def _text(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def answers_errors(view):
    """Bad parameters answer 400 with the message; a query the database gives up on, 503."""

    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadRequest as exc:
            return _text(str(exc))
        except tokens.BadToken as exc:
            return _text(str(exc))
        except studies.QueryTooSlow:
            response = _text(
                "The query took too long: narrow it (fewer OR terms, a field or area for "
                "the words, a filter) and try again.",
                503,
            )
            response["Retry-After"] = "10"
            return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_GET
@rate_limited
@answers_errors
def studies_list(request: HttpRequest) -> HttpResponse:
    """GET /studies: a page of the studies a query matches."""
    asked = params.studies_request(request.GET)
    query = asked.query
    after = None
    if asked.page_token:
        after = tokens.read(asked.page_token, asked.signature)
        try:
            after = studies.key_values(after, query)
        except ValueError as exc:
            raise BadRequest(f"pageToken is not valid: {exc}") from None
    first_page = after is None
    # The search engine's matches, when it has them at hand: the count, and the page
    # found among them when they are few.
    among = (
        engine.matching(query.criteria) if query.only_criteria and query.criteria.keys() else None
    )
    total = None
    if asked.count_total and first_page:
        total = len(among) if among is not None else _total(query)
    ids, last = studies.page(query, after, asked.page_size, among)
    next_token = tokens.make(asked.signature, last) if last is not None else None
    if asked.format == "csv":
        response = StreamingHttpResponse(
            _csv_lines(ids, asked.csv_columns, header=first_page),
            content_type="text/csv; charset=utf-8",
        )
        if total is not None:
            response["x-total-count"] = str(total)
        if next_token:
            response["x-next-page-token"] = next_token
        return response
    aggregations = _aggregations(query) if asked.aggregations and first_page else None
    return StreamingHttpResponse(
        _json_page(ids, asked.fields, total, next_token, aggregations),
        content_type="application/json",
    )


def _total(query: StudyQuery) -> int:
    """How many studies match: the search engine's count where its criteria say the whole
    query (the search page's count, from the bitmaps where they are loaded), else SQL."""
    if query.only_criteria:
        return engine.run(query.criteria, 1, 1).total
    return studies.count(query)


def _aggregations(query: StudyQuery) -> dict:
    """The extension: every facet's disjunctive counts, as TrialFinder's search counts them."""
    if query.only_criteria:
        counts = engine.run(query.criteria, 1, 1).counts
    else:
        counts = studies.facet_counts(query)
    return {
        facet.key: {str(code): n for code, n in counts.get(facet.key, {}).items()}
        for facet in FACETS
    }


def _json_page(ids, projection, total, next_token, aggregations) -> Iterator[bytes]:
    head = b"{"
    if total is not None:
        head += b'"totalCount":' + str(total).encode() + b","
    buffer = [head + b'"studies":[']
    size = 0
    for index, text in enumerate(studies.records(ids)):
        data = text.encode()
        if projection is not None:
            data = orjson.dumps(projection.apply(orjson.loads(data)))
        buffer.append((b",\n" if index else b"\n") + data)
        size += len(data)
        if size >= CHUNK_BYTES:
            yield b"".join(buffer)
            buffer, size = [], 0
    tail = b"]"
    if next_token:
        tail += b',"nextPageToken":' + orjson.dumps(next_token)
    if aggregations is not None:
        tail += b',"aggregations":' + orjson.dumps(aggregations)
    buffer.append(tail + b"}")
    yield b"".join(buffer)


def _csv_lines(ids, columns, header: bool) -> Iterator[bytes]:
    lines = [csv_format.header(columns)] if header else []
    size = 0
    for text in studies.records(ids):
        line = csv_format.row(orjson.loads(text), columns)
        lines.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(lines).encode()
            lines, size = [], 0
    yield "".join(lines).encode()


SINGLE_PARAMS = {"format", "markupFormat", "fields"}


@require_GET
@rate_limited
@answers_errors
def study_detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    """GET /studies/{nctId}: one study, as stored (`fields` applied)."""
    params.check_names(request.GET, SINGLE_PARAMS)
    if not params.NCT_ID.match(nct_id.strip()):
        raise BadRequest(f"{nct_id!r} is not an NCT ID like NCT01234567")
    wanted = nct_id.strip().upper()
    output = params.one(request.GET, "format") or "json"
    if output in ("fhir.json", "ris"):
        raise BadRequest(f"format={output} is not supported here (json, csv, json.zip)")
    if output not in ("json", "csv", "json.zip"):
        raise BadRequest(f"format is json, csv or json.zip, not {output!r}")
    params.markup(request.GET)
    found = studies.record(wanted)
    if found is None:
        return _text(f"No study {wanted} here.", 404)
    stored_id, text = found
    if stored_id not in studies.nct_ids(wanted):  # an alias: the study's own address
        url = reverse("api_v2_study", args=[stored_id])
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return HttpResponsePermanentRedirect(url + query)
    if output == "csv":
        columns = csv_format.columns(
            params.values(request.GET, "fields") if "fields" in request.GET else None
        )
        body = csv_format.header(columns) + csv_format.row(orjson.loads(text), columns)
        return HttpResponse(body, content_type="text/csv; charset=utf-8")
    projection = params.parse_fields(request.GET)
    data = (
        text.encode() if projection is None else orjson.dumps(projection.apply(orjson.loads(text)))
    )
    if output == "json.zip":
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            zipped.writestr(f"{stored_id}.json", data)
        response = HttpResponse(archive.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{stored_id}.json.zip"'
        return response
    return HttpResponse(data, content_type="application/json")


@require_GET
@rate_limited
@answers_errors
def metadata(request: HttpRequest) -> HttpResponse:
    """GET /studies/metadata: the data model's fields."""
    params.check_names(request.GET, {"includeIndexedOnly", "includeHistoricOnly"})
    params.boolean(request.GET, "includeIndexedOnly")
    params.boolean(request.GET, "includeHistoricOnly")
    return JsonResponse([_node(f) for f in model.ROOTS], safe=False)


SOURCE_TYPES = {
    "text": "TEXT",
    "markup": "MARKUP",
    "nct": "TEXT",
    "date": "DATE",
    "partial_date": "DATE",
    "datetime": "DATE",
    "integer": "NUMERIC",
    "number": "NUMERIC",
    "boolean": "BOOLEAN",
    "geo_point": "GEO_POINT",
    "age": "TEXT",
    "enum": "ENUM",
}
TYPES = {
    "partial_date": "PartialDate",
    "date": "NormalizedDate",
    "datetime": "DateTimeMinutes",
    "geo_point": "GeoPoint",
    "age": "NormalizedTime",
}


def _node(field: model.Field) -> dict:
    if field.is_leaf:
        kind = field.enum or TYPES.get(field.type, field.type)
        node = {
            "name": field.name,
            "piece": field.piece,
            "sourceType": SOURCE_TYPES[field.type],
            "type": f"{kind}[]" if field.is_list else kind,
        }
        if field.enum:
            node["isEnum"] = True
        return node
    node = {
        "name": field.name,
        "piece": field.piece,
        "sourceType": "STRUCT",
        "type": f"{field.piece}[]" if field.is_list else field.piece,
    }
    if field.is_list:
        node["nested"] = True
    if field.children:
        node["children"] = [_node(child) for child in field.children]
    return node


@require_GET
@rate_limited
@answers_errors
def search_areas(request: HttpRequest) -> HttpResponse:
    """GET /studies/search-areas: what each query.* parameter searches here."""
    params.check_names(request.GET, set())
    areas = [
        {
            "name": area.name,
            "param": f"query.{area.param}",
            "uiLabel": area.ui_label,
            "parts": [
                {
                    "pieces": [f.piece],
                    "type": f.type,
                    "isEnum": bool(f.enum),
                    "isSynonyms": False,
                    "weight": 1.0,
                }
                for f in area.fields
            ],
        }
        for area in model.AREAS
    ]
    return JsonResponse([{"name": "Study", "areas": areas}], safe=False)


@require_GET
@rate_limited
@answers_errors
def enums(request: HttpRequest) -> HttpResponse:
    """GET /studies/enums: every enum type, the pieces of that type and its values."""
    params.check_names(request.GET, set())
    pieces = model.enum_pieces()
    found = [
        {
            "type": name,
            "pieces": pieces[name],
            "values": [{"value": v, "legacyValue": model.legacy_value(v)} for v in values],
        }
        for name, values in model.ENUMS.items()
    ]
    return JsonResponse(found, safe=False)


@require_GET
@rate_limited
@answers_errors
def size_stats(request: HttpRequest) -> HttpResponse:
    """GET /stats/size: sizes of the studies' stored JSON, until the next import."""
    params.check_names(request.GET, set())
    key = "api_v2:size:" + hashlib.sha256(Trial.objects.data_version().encode()).hexdigest()
    stats = cache.get(key)
    if stats is None:
        stats = studies.size_stats()
        cache.set(key, stats, 3600)
    ranges = [
        {
            "sizeRange": f"{b * 10}KB+" if b == 10 else f"{b * 10}-{(b + 1) * 10}KB",
            "studiesCount": n,
        }
        for b, n in stats["buckets"]
    ]
    return JsonResponse(
        {
            "averageSizeBytes": stats["average"],
            "largestStudies": [{"id": i, "sizeBytes": s} for i, s in stats["largest"]],
            "percentiles": stats["percentiles"],
            "ranges": ranges,
            "totalStudies": stats["total"],
        }
    )


@require_GET
@rate_limited
@answers_errors
def version(request: HttpRequest) -> HttpResponse:
    """GET /version: the API's version and when an import last wrote studies (UTC)."""
    params.check_names(request.GET, set())
    found = {"apiVersion": API_VERSION}
    if stamp := studies.data_timestamp():
        found["dataTimestamp"] = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    return JsonResponse(found)
