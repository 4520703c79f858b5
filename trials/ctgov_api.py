"""Fetch studies from the ClinicalTrials.gov API v2 (`/api/v2/studies`), page by page.

`iter_api(query)` yields the same Items as trials.sources, so the live API and
files go through one importer. It follows nextPageToken, retries 429 and 5xx
answers (urllib3's Retry: Retry-After, else exponential backoff), and raises
ApiUnavailable with a plain message when the network or the service cannot be
reached.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import orjson
import urllib3
from django.conf import settings
from urllib3.util import Retry

from .sources import Item

PAGE_SIZE = 1000
RETRIES = 5


class ApiUnavailable(Exception):
    pass


def _pool(backoff: float) -> urllib3.PoolManager:
    """Connections that try a GET again on 429 and 5xx answers and network errors, waiting
    as Retry-After says, else `backoff` seconds doubled at each try."""
    retry = Retry(
        total=RETRIES,
        backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer is reported below, with its status
    )
    return urllib3.PoolManager(
        retries=retry,
        timeout=urllib3.Timeout(connect=10, read=60),
        headers={"Accept": "application/json"},
    )


def _get(pool: urllib3.PoolManager, url: str) -> dict:
    try:
        response = pool.request("GET", url)
    except urllib3.exceptions.MaxRetryError as exc:
        reason = exc.reason or exc
        raise ApiUnavailable(
            f"cannot reach {urllib.parse.urlsplit(url).netloc} ({reason}); "
            "check the network connection or import a downloaded file instead"
        ) from None
    if response.status == 429 or response.status >= 500:
        raise ApiUnavailable(
            f"the API still answered {response.status} after {RETRIES + 1} tries; try again later"
        )
    if response.status >= 400:
        detail = response.data[:500].decode("utf-8", "replace")
        raise ApiUnavailable(f"the API refused the query ({response.status}): {detail}")
    try:
        return orjson.loads(response.data)  # NaN is not JSON: refused
    except orjson.JSONDecodeError as exc:
        raise ApiUnavailable(f"the API answered something that is not JSON: {exc}") from None


def iter_api(query: str) -> Iterator[Item]:
    """Every study matching `query` (an API query string such as 'query.cond=lupus')."""
    base_url = settings.CTGOV_API_URL
    pool = _pool(settings.CTGOV_API_BACKOFF)
    params = urllib.parse.parse_qsl(query.lstrip("?"), keep_blank_values=True)
    params = [(k, v) for k, v in params if k not in {"pageToken", "format"}]
    params.append(("format", "json"))
    if not any(k == "pageSize" for k, _ in params):
        params.append(("pageSize", str(PAGE_SIZE)))
    token, page = None, 0
    while True:
        page += 1
        page_params = params + ([("pageToken", token)] if token else [])
        url = f"{base_url}?{urllib.parse.urlencode(page_params)}"
        data = _get(pool, url)
        studies = data.get("studies") if isinstance(data, dict) else None
        if not isinstance(studies, list):
            raise ApiUnavailable(f"page {page} of the API answer has no list of studies")
        for index, study in enumerate(studies):
            yield Item("ClinicalTrials.gov API", f"page {page}, study {index + 1}", study)
        token = data.get("nextPageToken")
        if not token:
            return
