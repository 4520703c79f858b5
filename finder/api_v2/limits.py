"""The API's rate limit per client address, counted by django-ratelimit in the cache
that every server process shares (settings.RATELIMIT_USE_CACHE)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpResponse
from django_ratelimit.core import get_usage

from ..client import client_ip


def _client(group: str, request) -> str:
    return client_ip(request)


def rate_limited(view):
    """Answer 429 with Retry-After once a client has used up API_V2_RATE_LIMIT."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        rate = settings.API_V2_RATE_LIMIT
        if rate:
            usage = get_usage(request, group="api_v2", key=_client, rate=rate, increment=True)
            if usage and usage["should_limit"]:
                wait = max(1, usage["time_left"])
                response = HttpResponse(
                    f"Too many requests: this server answers {rate} (requests per second, "
                    f"minute or hour) from one address. Try again in {wait} s.",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapper
