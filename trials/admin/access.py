"""Who sees what: coordinator assignments, users and the audit log."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.text import Truncator

from ..models import (
    AuditLogEntry,
    CoordinatorAssignment,
)
from .common import TRIAL_COLUMNS_DEFERRED, ReadOnly, User, as_id, clean_search
from .requests import dates_titled


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = CoordinatorAssignment
        fields = ["user", "trial", "site"]

    def clean(self):
        cleaned = super().clean()
        trial, site = cleaned.get("trial"), cleaned.get("site")
        if trial and site and site.trial_id != trial.pk:
            self.add_error("site", f"This site belongs to {site.trial.nct_id}, not {trial.nct_id}.")
        return cleaned


@admin.register(CoordinatorAssignment)
class CoordinatorAssignmentAdmin(admin.ModelAdmin):
    form = AssignmentForm
    list_display = ["user", "trial_nct_id", "site"]
    list_select_related = ["user", "trial", "site"]
    search_fields = ["user__username", "user__email", "trial__nct_id", "site__facility"]
    autocomplete_fields = ["user", "trial", "site"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*TRIAL_COLUMNS_DEFERRED)

    @admin.display(description="trial", ordering="trial__nct_id")
    def trial_nct_id(self, assignment: CoordinatorAssignment) -> str:
        return assignment.trial.nct_id


class AssignmentInline(admin.TabularInline):
    model = CoordinatorAssignment
    form = AssignmentForm
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["trial", "site"]
    verbose_name = "trial or site this coordinator answers for"
    verbose_name_plural = "trials and sites this coordinator answers for"


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """The stock user admin, plus the trials and sites a coordinator is assigned."""

    inlines = [*BaseUserAdmin.inlines, AssignmentInline]


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnly, admin.ModelAdmin):
    """Who viewed, changed or exported which contact requests, and who wrote which trial's
    summary: superusers read it, nobody edits it."""

    list_display = ["at", "user", "action", "requests", "nct_id", "short_detail"]
    list_filter = ["action", ("at", dates_titled("time"))]
    list_select_related = ["user"]
    date_hierarchy = "at"
    search_fields = ["user__username", "detail", "=nct_id"]
    search_help_text = "User, detail, a request number or an NCT ID"
    fields = ["at", "user", "action", "contact_request_ids", "nct_id", "detail"]
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        search_term = clean_search(search_term)
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if number := as_id(search_term.strip().removeprefix("#")):
            found |= queryset.filter(contact_request_ids__contains=[number])
        return found, may_have_duplicates

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="detail")
    def short_detail(self, entry: AuditLogEntry) -> str:
        return Truncator(entry.detail).chars(120)

    @admin.display(description="requests")
    def requests(self, entry: AuditLogEntry) -> str:
        shown = ", ".join(f"#{pk}" for pk in entry.contact_request_ids[:20])
        more = len(entry.contact_request_ids) - 20
        return f"{shown} and {more} more" if more > 0 else shown
