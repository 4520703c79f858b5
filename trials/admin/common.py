"""Helpers the admin's pages share."""

from __future__ import annotations

import json
import re

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from ..ctgov import CONTROL_CHARACTERS
from ..models import (
    ContactRequest,
    PartialDate,
    Trial,
)

Status = ContactRequest.Status
User = get_user_model()
MAX_ID = 2**63 - 1
# The trial columns a contact request list shows; the others (the raw JSON above all) stay unread.
TRIAL_COLUMNS_SHOWN = {"id", "nct_id", "brief_title"}
TRIAL_COLUMNS_DEFERRED = [
    f"trial__{f.name}" for f in Trial._meta.concrete_fields if f.name not in TRIAL_COLUMNS_SHOWN
]


def as_id(value: str | None) -> int | None:
    """A primary key from a query string, or None for anything else (hand-edited URLs)."""
    if value and re.fullmatch(r"[0-9]{1,19}", value) and 0 < int(value) <= MAX_ID:
        return int(value)
    return None


NCT_ID_START = re.compile(r"(?i)nct\d{0,8}")
NCT_ID_LENGTH = 11


def nct_id_range(start: str) -> tuple[str, str]:
    """The NCT IDs beginning with `start` ("NCT" and up to 8 digits) lie from it to the
    next such start (NCT0494 to NCT0495, not included): a range of the unique index,
    which lists them in order and stops at the list's page. Digits sort the same in every
    collation, and a start sorts before the IDs that extend it."""
    digits = start[3:]
    after = str(int(digits) + 1).zfill(len(digits)) if digits else ""
    if not digits or len(after) > len(digits):  # "NCT", or only nines: up to "NCU"
        return start.upper(), "NCU"
    return start.upper(), "NCT" + after


def clean_search(term: str) -> str:
    # PostgreSQL refuses NUL in text; other control characters can only be typos.
    return CONTROL_CHARACTERS.sub("", term)


def when(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i")


def pre(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


def partial_date(date: PartialDate | None) -> str:
    if date is None:
        return "-"
    return f"{date} (estimated)" if date.estimated else str(date)


class ReadOnly:
    """An admin (or inline) where nothing is added, changed or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IdFilter(admin.SimpleListFilter):
    """A list filter on a foreign key: the chosen row's id in the query string."""

    field = ""  # the foreign key's column, e.g. "trial_id"

    def queryset(self, request, queryset):
        if pk := as_id(self.value()):
            return queryset.filter(**{self.field: pk})
        return queryset


class OptionsFilter(admin.SimpleListFilter):
    """A list filter whose options are each a condition: `options()` gives
    value -> (label, Q)."""

    def options(self) -> dict[str, tuple[str, Q]]:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.options().items()]

    def queryset(self, request, queryset):
        if (option := self.options().get(self.value())) is not None:
            return queryset.filter(option[1])
        return queryset
