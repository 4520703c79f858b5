"""Middleware: security headers on every response, and a 503 page while the database is down."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

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
        logger.error("database unavailable: %s", type(exception).__name__)
        html = render_to_string("503.html", {"SITE_NAME": settings.SITE_NAME})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response

    middleware.process_exception = process_exception
    return middleware
