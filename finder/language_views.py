"""The language switcher's target: Django's set_language, which remembers the choice in
a cookie and sends the patient to the same page, search included, in that language."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views import i18n


def set_language(request: HttpRequest) -> HttpResponse:
    # Django finds the page in the new language by resolving `next` in the active
    # language, which is English here (this address has no prefix): read it in the
    # language of its own prefix instead.
    next_path = urlsplit(request.POST.get("next", request.GET.get("next", ""))).path
    language = translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    with translation.override(language):
        return i18n.set_language(request)
