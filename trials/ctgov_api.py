"""Fetch studies from the ClinicalTrials.gov API v2 (`/api/v2/studies`), page by page.

`iter_api(query)` yields the same Items as trials.sources, so the live API and
files go through one importer. It follows nextPageToken, retries 429 and 5xx
answers with exponential backoff, and raises ApiUnavailable with a plain
message when the network or the service cannot be reached.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import orjson
from django.conf import settings

from .sources import Item

PAGE_SIZE = 1000
RETRIES = 5


class ApiUnavailable(Exception):
    pass


def _get(url: str, *, retries: int, backoff: float, sleep=time.sleep) -> dict:
    delay = backoff
    for attempt in range(retries + 1):
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                return orjson.loads(response.read())  # NaN is not JSON: refused
        except urllib.error.HTTPError as exc:
            if exc.code != 429 and exc.code < 500:
                detail = exc.read(500).decode("utf-8", "replace")
                raise ApiUnavailable(f"the API refused the query ({exc.code}): {detail}") from None
            if attempt == retries:
                raise ApiUnavailable(
                    f"the API still answered {exc.code} after {retries + 1} tries; try again later"
                ) from None
            retry_after = exc.headers.get("Retry-After", "")
            sleep(float(retry_after) if retry_after.isdigit() else delay)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            if attempt == retries:
                raise ApiUnavailable(
                    f"cannot reach {urllib.parse.urlsplit(url).netloc} ({reason}); "
                    "check the network connection or import a downloaded file instead"
                ) from None
            sleep(delay)
        except json.JSONDecodeError as exc:
            raise ApiUnavailable(f"the API answered something that is not JSON: {exc}") from None
        delay *= 2
    raise AssertionError("unreachable")


def iter_api(query: str) -> Iterator[Item]:
    """Every study matching `query` (an API query string such as 'query.cond=lupus')."""
    base_url = settings.CTGOV_API_URL
    backoff = settings.CTGOV_API_BACKOFF
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
        data = _get(url, retries=RETRIES, backoff=backoff)
        studies = data.get("studies") if isinstance(data, dict) else None
        if not isinstance(studies, list):
            raise ApiUnavailable(f"page {page} of the API answer has no list of studies")
        for index, study in enumerate(studies):
            yield Item("ClinicalTrials.gov API", f"page {page}, study {index + 1}", study)
        token = data.get("nextPageToken")
        if not token:
            return
