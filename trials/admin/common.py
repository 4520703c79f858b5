"""Helpers the admin's pages share."""

from __future__ import annotations

import json
import re

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from .. import workflow
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


# What a trial's own coordinators write about it, one row per trial (the study team's
# summary, its languages): who may is `workflow.summary_trials`.


class TrialRowForm(forms.ModelForm):
    """The form of a row about one trial. `cannot` ends "so you cannot …", `exists` ends
    "NCT… already has …"."""

    user = None  # set by TrialRowAdmin.get_form
    cannot = ""
    exists = ""

    def clean_trial(self) -> Trial:
        trial = self.cleaned_data["trial"]
        if not workflow.summary_trials(self.user).filter(pk=trial.pk).exists():
            raise forms.ValidationError(
                f"You are not assigned to the whole of {trial.nct_id}, so you cannot "
                f"{self.cannot}. Ask an administrator to assign you to the trial."
            )
        rows = self._meta.model.objects.filter(trial=trial).exclude(pk=self.instance.pk)
        if rows.exists():
            raise forms.ValidationError(f"{trial.nct_id} already has {self.exists}")
        return trial


class TrialRowAdmin(admin.ModelAdmin):
    """The admin of rows about one trial: only the trials the user may write for are
    offered, and a row stays with its trial (write a new one for another)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "trial"] if obj else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "trial":
            allowed = workflow.summary_trials(request.user)
            kwargs["queryset"] = allowed.only("pk", "nct_id", "brief_title")
            if request.user.is_superuser:
                # Every trial: a lookup by id, not a list of hundreds of thousands.
                kwargs["widget"] = ForeignKeyRawIdWidget(db_field.remote_field, self.admin_site)
            else:
                kwargs["empty_label"] = "Choose one of your trials"
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return (
            super().has_add_permission(request) and workflow.summary_trials(request.user).exists()
        )
