"""Middleware: security headers on every response, a 503 page while the database is
down or a statement ran too long, the web's statement timeout, a 400 for control
characters in the admin's query strings, and the patient's language on a first visit."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.template.loader import render_to_string
from django.urls import is_valid_path, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers

from trials.ctgov import CONTROL_CHARACTERS
from trials.search.db import reading

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
# Geolocation for our own pages only ("Use my location" on the search page), never for
# a frame of another site.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(self), interest-cohort=()"


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
        # The default database, and the read replica searches read from, if any.
        for database in {connections[DEFAULT_DB_ALIAS], reading()} if limit else ():
            try:
                database.ensure_connection()
                if _limited.get(database.connection) != limit:
                    database.connection.execute(
                        "SELECT set_config('statement_timeout', %s, false)", [f"{limit}ms"]
                    )
                    _limited[database.connection] = limit
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


def _in_other_languages(path: str) -> bool:
    other = next(code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE)
    return translate_url(path, other) != path


def preferred_language(get_response: Callable[[HttpRequest], HttpResponse]):
    """A page's address without a language prefix is its English page. A visitor who
    chose another language with the switcher (its cookie), or who has not chosen and
    whose browser asks for one (Accept-Language), is sent to the page in that language.
    Prefixed addresses, htmx requests and the APIs are left as they are. The admin has
    no prefixed addresses: it is shown in that language, in Django's own translations.
    Runs after LocaleMiddleware, which has read the prefix."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if translation.get_language_from_path(request.path_info):
            return get_response(request)
        wanted = translation.get_language_from_request(request, check_path=False)
        if request.path_info.startswith("/admin/"):
            translation.activate(wanted)
            request.LANGUAGE_CODE = wanted
            return get_response(request)
        # Only pages have other languages: the APIs and unknown addresses do not.
        if not is_valid_path(request.path_info) or not _in_other_languages(request.path_info):
            return get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and wanted != settings.LANGUAGE_CODE
            and "HX-Request" not in request.headers
        ):
            response = HttpResponseRedirect(translate_url(request.get_full_path(), wanted))
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            return response
        response = get_response(request)
        patch_vary_headers(response, ("Cookie",))
        return response

    return middleware
