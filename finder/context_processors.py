"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject


def site(request: HttpRequest) -> dict[str, str]:
    return {"SITE_NAME": settings.SITE_NAME}


def languages(request: HttpRequest) -> dict:
    """The page in each of the site's languages, for the language switcher and the
    hreflang alternates. Computed only when a template asks (fragments never do)."""

    def links() -> list[dict[str, str | bool]]:
        current = translation.get_language()
        path = request.get_full_path()
        return [
            {
                "code": code,
                "name": name,
                "tag": language_tag(code),
                "url": translate_url(path, code),
                "current": code == current,
            }
            for code, name in settings.LANGUAGES
        ]

    return {
        "language_links": SimpleLazyObject(links),
        "LANGUAGE_TAG": SimpleLazyObject(lambda: language_tag(translation.get_language())),
    }


def language_tag(code: str | None) -> str:
    """The BCP 47 tag HTML's lang and hreflang expect: zh-Hans, not Django's zh-hans."""
    return translation.to_locale(code or settings.LANGUAGE_CODE).replace("_", "-")
