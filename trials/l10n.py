"""Words that depend on the reader's language beyond the catalogues: country names and
dates in the active language, from the Unicode CLDR data Babel ships.

Records name countries in English, as ClinicalTrials.gov writes them; search and the
database keep those names, and only what a patient reads is translated."""

from __future__ import annotations

import datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_skeleton
from django.utils import translation

# ClinicalTrials.gov's names that differ from CLDR's English ones.
_CTGOV_NAMES = {
    "Antigua and Barbuda": "AG",
    "Bosnia and Herzegovina": "BA",
    "Congo, The Democratic Republic of the": "CD",
    "Czech Republic": "CZ",
    "Côte D'Ivoire": "CI",
    "Hong Kong": "HK",
    "Iran, Islamic Republic of": "IR",
    "Korea, Democratic People's Republic of": "KP",
    "Korea, Republic of": "KR",
    "Lao People's Democratic Republic": "LA",
    "Libyan Arab Jamahiriya": "LY",
    "Macau": "MO",
    "Macedonia, The Former Yugoslav Republic of": "MK",
    "Moldova, Republic of": "MD",
    "Palestinian Territories, Occupied": "PS",
    "Russian Federation": "RU",
    "Saint Kitts and Nevis": "KN",
    "Saint Vincent and the Grenadines": "VC",
    "Syrian Arab Republic": "SY",
    "Tanzania": "TZ",
    "Trinidad and Tobago": "TT",
    "Turkey": "TR",
    "Turkey (Türkiye)": "TR",
    "Viet Nam": "VN",
}


def _locale() -> Locale | None:
    """The active language's CLDR locale; None for English, whose words the records
    already hold."""
    return _locale_of(translation.get_language() or "en")


@cache
def _locale_of(code: str) -> Locale | None:
    if code.split("-")[0] == "en":
        return None
    return Locale.parse(translation.to_locale(code))


@cache
def _codes() -> dict[str, str]:
    names = {name: code for code, name in Locale("en").territories.items()}
    return names | _CTGOV_NAMES


def country_name(name: str) -> str:
    """A country named in English by a record, in the active language ('France' is
    'Francia' in Spanish); unknown names as they are."""
    locale = _locale()
    code = _codes().get(name)
    if locale is None or code is None:
        return name
    return locale.territories.get(code, name)


def month_year(day: datetime.date) -> str:
    """'March 2024' in the active language ('marzo de 2024', '2024年3月')."""
    locale = _locale()
    if locale is None:
        return day.strftime("%B %Y")
    return format_skeleton("yMMMM", day, locale=locale)


def long_date(day: datetime.date) -> str:
    """'7 March 2024' in the active language ('7 de marzo de 2024', '2024年3月7日')."""
    locale = _locale()
    if locale is None:
        return f"{day.day} {day.strftime('%B %Y')}"
    return format_date(day, "long", locale=locale)


# The languages a patient may ask a study team to speak (ISO 639 codes, as stored on a
# contact request): the site's own first, then languages widely spoken by patients of
# the countries where the trials run.
SPOKEN_LANGUAGES = (
    "en", "es", "fr", "zh", "yue", "ar", "bn", "cy", "de", "el", "fa", "fil", "he", "hi",
    "ht", "it", "ja", "ko", "ne", "nl", "pa", "pl", "pt", "ro", "ru", "so", "sw", "ta",
    "tr", "uk", "ur", "vi",
)  # fmt: skip


def spoken_language(site_language: str | None) -> str:
    """The spoken language a page in this site language suggests ('zh-hans' -> 'zh')."""
    code = (site_language or "en").split("-")[0]
    return code if code in SPOKEN_LANGUAGES else ""


def endonym(code: str) -> str:
    """A language named in itself ('es' -> 'español'), as a list of languages shows it."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]


def language_name(value: str) -> str:
    """A stored language in the active language ('es' -> 'Spanish', 'espagnol',
    '西班牙语'); a value that is no code (typed before the list existed) as it is."""
    if value not in SPOKEN_LANGUAGES:
        return value
    locale = _locale() or Locale("en")
    return locale.languages.get(value, value)


def language_label(value: str) -> str:
    """A stored language for coordinators, in English with its code: 'Spanish (es)'."""
    if value not in SPOKEN_LANGUAGES:
        return value
    return f"{Locale('en').languages.get(value, value)} ({value})"
