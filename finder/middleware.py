"""Middleware: security headers on every response, a 503 page while the database is
down or a statement ran too long, the web's statement timeout, and a 400 for control
characters in the admin's query strings."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

from trials.ctgov import CONTROL_CHARACTERS

logger = logging.getLogger(__name__)

# No inline script or style, nothing from another host: patients' searches stay private.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), interest-cohort=()"


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    return middleware


def database_unavailable(get_response: Callable[[HttpRequest], HttpResponse]):
    """A friendly 503, without a stack trace, while the database cannot be reached."""

    def middleware(request: HttpRequest) -> HttpResponse:
        return get_response(request)

    def process_exception(request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        too_long = isinstance(exception.__cause__, psycopg.errors.QueryCanceled)
        if too_long:
            logger.warning("statement timeout on %s", request.path)
        else:
            logger.error("database unavailable: %s", type(exception).__name__)
        context = {"SITE_NAME": settings.SITE_NAME, "too_long": too_long}
        html = render_to_string("503.html", context)
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response

    middleware.process_exception = process_exception
    return middleware


# The limit each database connection has already (connections outlive requests).
_limited: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def statement_timeout(get_response: Callable[[HttpRequest], HttpResponse]):
    """Each database connection a web request uses cancels statements that run longer
    than STATEMENT_TIMEOUT_MS: one search that cannot finish must not hold a server
    process and a connection. Set once per connection, on it directly: a setting of
    the connection, not a query of the page."""

    def middleware(request: HttpRequest) -> HttpResponse:
        limit = settings.STATEMENT_TIMEOUT_MS
        if limit:
            try:
                connection.ensure_connection()
                if _limited.get(connection.connection) != limit:
                    connection.connection.execute(
                        "SELECT set_config('statement_timeout', %s, false)", [f"{limit}ms"]
                    )
                    _limited[connection.connection] = limit
            except (OperationalError, InterfaceError):
                pass  # the database is down: the view meets it and answers the 503 page
        return get_response(request)

    return middleware


def admin_query_strings(get_response: Callable[[HttpRequest], HttpResponse]):
    """A 400, not a 500, for control characters (a NUL above all, which PostgreSQL
    refuses in text) in the admin's query strings: no one types them."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/admin/") and any(
            CONTROL_CHARACTERS.search(text)
            for key, values in request.GET.lists()
            for text in (key, *values)
        ):
            return HttpResponseBadRequest(
                "This address holds control characters: go back and use the page's "
                "filters and search box.",
                content_type="text/plain; charset=utf-8",
            )
        return get_response(request)

    return middleware
