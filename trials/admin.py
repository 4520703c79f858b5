"""The Django admin: trials as imported (read-only) and the coordinators' contact request queue.

Coordinators are staff users in the "Coordinators" group (migration 0003) with
CoordinatorAssignments. Every contact request queryset here passes through
`workflow.visible_to`, so a request a coordinator cannot see they cannot open,
change, search, autocomplete, export or read the history of either. Views,
changes and exports of requests go to the audit log, which only superusers read.
"""

from __future__ import annotations

import json
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.postgres.search import SearchQuery
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.timesince import timesince

from . import admin_views, workflow
from .ctgov import CONTROL_CHARACTERS
from .models import (
    AuditLogEntry,
    Contact,
    ContactRequest,
    ContactRequestEvent,
    CoordinatorAssignment,
    Intervention,
    PartialDate,
    Phase,
    Site,
    StatusSummary,
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


def _as_id(value: str | None) -> int | None:
    """A primary key from a query string, or None for anything else (hand-edited URLs)."""
    if value and re.fullmatch(r"[0-9]{1,19}", value) and 0 < int(value) <= MAX_ID:
        return int(value)
    return None


NCT_ID_START = re.compile(r"(?i)nct\d{0,8}")
NCT_ID_LENGTH = 11


def _nct_id_range(start: str) -> tuple[str, str]:
    """The NCT IDs beginning with `start` ("NCT" and up to 8 digits) lie from it to the
    next such start (NCT0494 to NCT0495, not included): a range of the unique index,
    which lists them in order and stops at the list's page. Digits sort the same in every
    collation, and a start sorts before the IDs that extend it."""
    digits = start[3:]
    after = str(int(digits) + 1).zfill(len(digits)) if digits else ""
    if not digits or len(after) > len(digits):  # "NCT", or only nines: up to "NCU"
        return start.upper(), "NCU"
    return start.upper(), "NCT" + after


def _clean_search(term: str) -> str:
    # PostgreSQL refuses NUL in text; other control characters can only be typos.
    return CONTROL_CHARACTERS.sub("", term)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i")


def _pre(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


def _partial_date(date: PartialDate | None) -> str:
    if date is None:
        return "-"
    return f"{date} (estimated)" if date.estimated else str(date)


# Trials


# The phase and country filters read the narrow, GIN-indexed facets table (see TrialFacets).


class PhaseFilter(admin.SimpleListFilter):
    title = "phase"
    parameter_name = "phase"

    def lookups(self, request, model_admin):
        return [*Phase.choices, ("none", "No phase given")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(facets__phases=[])
        if self.value() in Phase.values:
            return queryset.filter(facets__phases__contains=[self.value()])
        return queryset


class CountryFilter(admin.SimpleListFilter):
    title = "country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        # From the precomputed per-country counts, not every trial's list of countries.
        countries = (
            StatusSummary.objects.filter(kind="country")
            .values_list("value", flat=True)
            .distinct()
            .order_by("value")
        )
        return [(c, c) for c in countries if c]

    def queryset(self, request, queryset):
        if self.value() and not CONTROL_CHARACTERS.search(self.value()):
            return queryset.filter(facets__countries__contains=[self.value()])
        return queryset


class NewRequestsFilter(admin.SimpleListFilter):
    title = "new contact requests"
    parameter_name = "new_requests"

    def lookups(self, request, model_admin):
        return [("yes", "Has new requests"), ("no", "No new requests")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(new_requests_count__gt=0)
        if self.value() == "no":
            return queryset.filter(new_requests_count=0)
        return queryset


class TrialPartInline(admin.TabularInline):
    """Sites, contacts and interventions: part of the imported record, shown with the trial."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("trials.view_trial")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SiteInline(TrialPartInline):
    model = Site
    fields = ["facility", "city", "state", "country", "status", "site_contacts", "listed"]
    readonly_fields = fields

    @admin.display(description="contacts")
    def site_contacts(self, site: Site) -> str:
        return format_html_join(
            "",
            "<div>{}</div>",
            (
                (" · ".join(str(c.get(k)) for k in ("name", "role", "email", "phone") if c.get(k)),)
                for c in site.contacts
                if isinstance(c, dict)
            ),
        )


class ContactInline(TrialPartInline):
    model = Contact
    verbose_name = "central contact"
    fields = ["name", "role", "phone", "phone_ext", "email"]
    readonly_fields = fields


class InterventionInline(TrialPartInline):
    model = Intervention
    fields = ["type", "name", "description", "other_names"]
    readonly_fields = fields


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    """Read-only: every field comes from ClinicalTrials.gov and the next import would overwrite it."""

    list_display = [
        "nct_id",
        "short_title",
        "overall_status",
        "phase_list",
        "last_updated",
        "recruiting_sites",
        "new_requests",
    ]
    list_display_links = ["nct_id", "short_title"]
    list_filter = ["overall_status", PhaseFilter, "study_type", CountryFilter, NewRequestsFilter]
    search_fields = ["nct_id", "brief_title", "official_title", "acronym", "search_conditions"]
    search_help_text = "NCT ID, words of the title, or a condition"
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    inlines = [SiteInline, ContactInline, InterventionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "nct_id",
                    "ctgov_link",
                    "brief_title",
                    "official_title",
                    "acronym",
                    "organization",
                    "contact_requests",
                ]
            },
        ),
        (
            "Status",
            {
                "fields": [
                    "overall_status",
                    "why_stopped",
                    "started",
                    "primary_completion_on",
                    "completed",
                    "first_posted_date",
                    "last_update_date",
                    "verified",
                ]
            },
        ),
        (
            "Design",
            {
                "fields": [
                    "study_type",
                    "phase_list",
                    "enrollment",
                    "allocation",
                    "intervention_model",
                    "primary_purpose",
                    "masking",
                ]
            },
        ),
        ("Description", {"fields": ["brief_summary", "conditions", "keywords", "mesh_terms"]}),
        (
            "Eligibility",
            {
                "fields": [
                    "minimum_age",
                    "maximum_age",
                    "sex",
                    "healthy_volunteers",
                    "eligibility_criteria",
                ]
            },
        ),
        (
            "Sponsor and places",
            {"fields": ["lead_sponsor", "countries", "site_count", "recruiting_site_count"]},
        ),
        (
            "Original ClinicalTrials.gov record",
            {"classes": ["collapse"], "fields": ["imported_at", "raw_json"]},
        ),
    ]
    readonly_fields = [
        "ctgov_link",
        "contact_requests",
        "started",
        "primary_completion_on",
        "completed",
        "first_posted_date",
        "last_update_date",
        "verified",
        "phase_list",
        "raw_json",
    ]

    def get_queryset(self, request):
        new = workflow.visible_to(
            ContactRequest.objects.filter(trial=OuterRef("pk"), status=Status.NEW), request.user
        )
        count = new.order_by().values("trial").annotate(n=Count("pk")).values("n")
        return (
            super().get_queryset(request).annotate(new_requests_count=Coalesce(Subquery(count), 0))
        )

    def get_changelist(self, request, **kwargs):
        return TrialChangeList

    def has_add_permission(self, request):
        return False  # trials come from ClinicalTrials.gov: see the import page

    def has_change_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(["trials.add_trial", "trials.change_trial"])

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="trials_trial_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> TemplateResponse:
        return admin_views.import_ctgov_file(request, self)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        """An NCT ID (or its start) by the NCT ID; words through the full-text index of
        titles, conditions and interventions, each word also as the start of one: a scan
        of every title would take seconds at 600,000 trials."""
        term = _clean_search(search_term).strip()
        if not term:
            return queryset, False
        if NCT_ID_START.fullmatch(term):
            if len(term) == NCT_ID_LENGTH:
                return queryset.filter(nct_id=term.upper()), False
            low, high = _nct_id_range(term)
            return queryset.filter(nct_id__gte=low, nct_id__lt=high), False
        words = re.findall(r"[^\W_]+", term)
        if not words:
            return queryset.none(), False
        query = " & ".join(f"{word}:*" for word in words)  # letters and digits: nothing to escape
        search = SearchQuery(query, search_type="raw", config="english")
        return queryset.filter(search_document=search), False

    @admin.display(description="title", ordering="brief_title")
    def short_title(self, trial: Trial) -> str:
        return Truncator(trial.title).chars(70)

    @admin.display(description="last update", ordering="last_update")
    def last_updated(self, trial: Trial) -> str:
        return date_format(trial.last_update, "j M Y") if trial.last_update else ""

    @admin.display(description="recruiting sites", ordering="recruiting_site_count")
    def recruiting_sites(self, trial: Trial) -> int:
        return trial.recruiting_site_count

    @admin.display(description="phases")
    def phase_list(self, trial: Trial) -> str:
        return ", ".join(trial.phase_labels)

    @admin.display(description="new requests", ordering="new_requests_count")
    def new_requests(self, trial: Trial) -> str:
        if not trial.new_requests_count:
            return "0"
        url = reverse("admin:trials_contactrequest_changelist")
        query = urlencode({"trial": trial.pk, "status__exact": Status.NEW})
        return format_html('<a href="{}?{}">{}</a>', url, query, trial.new_requests_count)

    @admin.display(description="on ClinicalTrials.gov")
    def ctgov_link(self, trial: Trial) -> str:
        return format_html('<a href="{}" rel="noopener">{}</a>', trial.ctgov_url, trial.ctgov_url)

    @admin.display(description="contact requests")
    def contact_requests(self, trial: Trial) -> str:
        url = reverse("admin:trials_contactrequest_changelist")
        return format_html(
            '<a href="{}?{}">{} new</a>',
            url,
            urlencode({"trial": trial.pk}),
            trial.new_requests_count,
        )

    # Dates as ClinicalTrials.gov gives them: a year, a month or a day, maybe estimated.

    @admin.display(description="start")
    def started(self, trial: Trial) -> str:
        return _partial_date(trial.start)

    @admin.display(description="primary completion")
    def primary_completion_on(self, trial: Trial) -> str:
        return _partial_date(trial.primary_completion)

    @admin.display(description="completion")
    def completed(self, trial: Trial) -> str:
        return _partial_date(trial.completion)

    @admin.display(description="first posted")
    def first_posted_date(self, trial: Trial) -> str:
        return _partial_date(trial.first_posted_on)

    @admin.display(description="last update posted")
    def last_update_date(self, trial: Trial) -> str:
        return _partial_date(trial.last_update_on)

    @admin.display(description="status verified")
    def verified(self, trial: Trial) -> str:
        return _partial_date(trial.verified_on)

    @admin.display(description="original JSON")
    def raw_json(self, trial: Trial) -> str:
        return _pre(trial.raw)


class TrialChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list needs a few short columns; the raw JSON and texts would be most of the bytes.
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .only(
                "nct_id",
                "brief_title",
                "overall_status",
                "phases",
                "last_update",
                "recruiting_site_count",
            )
        )


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    """Sites as imported, read-only; searchable so assignments can pick one."""

    list_display = ["__str__", "trial_nct_id", "status", "listed"]
    list_filter = ["listed"]
    search_fields = ["trial__nct_id", "facility", "city", "country"]
    list_select_related = ["trial"]
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("trial")
            .only(
                *(f.name for f in Site._meta.concrete_fields), "trial__nct_id", "trial__brief_title"
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, _clean_search(search_term))

    @admin.display(description="trial", ordering="trial__nct_id")
    def trial_nct_id(self, site: Site) -> str:
        return site.trial.nct_id


# Contact requests


class TrialFilter(admin.SimpleListFilter):
    title = "trial"
    parameter_name = "trial"

    def lookups(self, request, model_admin):
        rows = (
            workflow.visible_to(ContactRequest.objects.all(), request.user)
            .order_by("trial__nct_id")
            .values_list("trial_id", "trial__nct_id", "trial__brief_title")
            .distinct()
        )
        return [(str(pk), f"{nct_id} {Truncator(title).chars(50)}") for pk, nct_id, title in rows]

    def queryset(self, request, queryset):
        if trial_id := _as_id(self.value()):
            return queryset.filter(trial_id=trial_id)
        return queryset


class SiteFilter(admin.SimpleListFilter):
    title = "site"
    parameter_name = "site"

    def lookups(self, request, model_admin):
        requests = workflow.visible_to(ContactRequest.objects.all(), request.user)
        if trial_id := _as_id(request.GET.get(TrialFilter.parameter_name)):
            requests = requests.filter(trial_id=trial_id)
        rows = (
            requests.filter(site__isnull=False)
            .order_by("trial__nct_id", "site__facility", "site_id")
            .values_list("site_id", "trial__nct_id", "site__facility", "site__city")
            .distinct()
        )
        return [
            (str(pk), f"{nct_id}: {', '.join(p for p in (facility, city) if p) or 'site'}")
            for pk, nct_id, facility, city in rows
        ]

    def queryset(self, request, queryset):
        if site_id := _as_id(self.value()):
            return queryset.filter(site_id=site_id)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        rows = (
            workflow.visible_to(ContactRequest.objects.all(), request.user)
            .filter(assignee__isnull=False)
            .exclude(assignee=request.user)
            .order_by("assignee__username")
            .values_list("assignee_id", "assignee__username")
            .distinct()
        )
        return [("me", "Me"), ("none", "Nobody"), *((str(pk), name) for pk, name in rows)]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "none":
            return queryset.filter(assignee__isnull=True)
        if user_id := _as_id(self.value()):
            return queryset.filter(assignee_id=user_id)
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = "first answer"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [
            ("late", "Waiting more than 24 hours"),
            ("waiting", "Not answered yet"),
            ("answered", "Answered"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "late":
            since = timezone.now() - workflow.WAITING_TOO_LONG
            return queryset.filter(first_response_at__isnull=True, created_at__lt=since)
        if self.value() == "waiting":
            return queryset.filter(first_response_at__isnull=True)
        if self.value() == "answered":
            return queryset.filter(first_response_at__isnull=False)
        return queryset


def dates_titled(title: str) -> type[admin.DateFieldListFilter]:
    class DateFilter(admin.DateFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return DateFilter


class StatusActionForm(ActionForm):
    status = forms.ChoiceField(
        label="New status:", required=False, choices=[("", "---------"), *Status.choices]
    )


class ContactRequestForm(forms.ModelForm):
    """Status and assignee, checked against the workflow; a note is added to the history."""

    user = None  # set by ContactRequestAdmin.get_form
    note = forms.CharField(
        label="Add an internal note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by the study team only, with your name and the time.",
    )

    class Meta:
        model = ContactRequest
        fields = ["status", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.status
        allowed = [current, *workflow.next_statuses(current, reopen=workflow.can_reopen(self.user))]
        # Offer only the allowed steps; clean_status explains a refused one.
        self.fields["status"].widget.choices = [c for c in Status.choices if c[0] in allowed]
        if not self.user.has_perm("trials.add_contactrequestevent"):
            del self.fields["note"]
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = workflow.assignable_users(self.instance)
            self.fields["assignee"].label_from_instance = lambda u: u.get_username()

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        try:
            workflow.check_transition(
                self.instance.status, status, reopen=workflow.can_reopen(self.user)
            )
        except workflow.InvalidTransition as exc:
            raise forms.ValidationError(str(exc)) from None
        return status


class EventInline(admin.TabularInline):
    """The request's history: received, status changes, assignments and notes, oldest first."""

    model = ContactRequestEvent
    verbose_name = "history entry"
    verbose_name_plural = "history and notes"
    extra = 0
    can_delete = False
    fields = ["when", "kind", "who", "change", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="when")
    def when(self, event: ContactRequestEvent) -> str:
        return _when(event.at)

    @admin.display(description="by")
    def who(self, event: ContactRequestEvent) -> str:
        return event.actor.get_username() if event.actor else "the site"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="change")
    def change(self, event: ContactRequestEvent) -> str:
        if event.kind != ContactRequestEvent.Kind.STATUS:
            return ""
        return f"{workflow.label(event.from_status)} → {workflow.label(event.to_status)}"


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    form = ContactRequestForm
    action_form = StatusActionForm
    actions = ["change_status", "assign_to_me"]
    inlines = [EventInline]
    list_display = [
        "number",
        "age",
        "first_response",
        "patient",
        "trial_nct_id",
        "site_label",
        "status",
        "assignee_name",
    ]
    list_display_links = ["number", "patient"]
    list_filter = [
        TrialFilter,
        SiteFilter,
        "status",
        WaitingFilter,
        AssigneeFilter,
        ("created_at", dates_titled("received")),
    ]
    list_select_related = ["trial", "site", "assignee"]
    date_hierarchy = "created_at"
    search_fields = ["first_name", "last_name", "email", "phone", "trial__nct_id"]
    search_help_text = "Name, e-mail, phone, NCT ID or request number"
    fieldsets = [
        (
            "What the patient sent",
            {
                "fields": [
                    "patient",
                    "email_link",
                    "phone_link",
                    "language",
                    "message",
                    "consent",
                    "received",
                ]
            },
        ),
        ("Trial", {"fields": ["trial", "site", "site_name", "team_recipients"]}),
        (
            "Follow-up",
            {
                "fields": [
                    "status",
                    "assignee",
                    "note",
                    "age",
                    "first_response",
                    "status_changed",
                ]
            },
        ),
    ]
    readonly_fields = [
        "patient",
        "email_link",
        "phone_link",
        "language",
        "message",
        "consent",
        "received",
        "trial",
        "site",
        "site_name",
        "team_recipients",
        "age",
        "first_response",
        "status_changed",
    ]

    # Visibility: every list, object lookup, search, autocomplete and export starts here.

    def get_queryset(self, request):
        requests = (
            super()
            .get_queryset(request)
            .select_related("trial", "site", "assignee")
            .defer(*TRIAL_COLUMNS_DEFERRED)
            .annotate(
                response_time=ExpressionWrapper(
                    F("first_response_at") - F("created_at"), output_field=DurationField()
                )
            )
        )
        return workflow.visible_to(requests, request.user)

    def get_search_results(self, request, queryset, search_term):
        search_term = _clean_search(search_term)
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if number := _as_id(search_term.strip().removeprefix("#")):
            found |= queryset.filter(pk=number)
        return found, may_have_duplicates

    def has_add_permission(self, request):
        return False  # patients send them from the trial pages

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def get_fieldsets(self, request, obj=None):
        if request.user.has_perm("trials.add_contactrequestevent"):
            return self.fieldsets
        follow_up = [f for f in self.fieldsets[2][1]["fields"] if f != "note"]
        return [*self.fieldsets[:2], ("Follow-up", {"fields": follow_up})]

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="trials_contactrequest_export",
            ),
            *super().get_urls(),
        ]

    # Audit: views of the list and of one request, changes, exports, deletions.

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if request.method == "GET" and changelist is not None:
            # Evaluating the page here fills the queryset's cache: the template reuses it.
            shown = [r.pk for r in changelist.result_list]
            if shown:
                # The search box may hold a patient's name: the log keeps filters, not it.
                query = changelist.get_query_string(remove=["q"]).removeprefix("?")
                detail = f"list ?{query}" if query else "list"
                workflow.audit(request.user, AuditLogEntry.Action.VIEW, shown, detail)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and original is not None:
            workflow.audit(request.user, AuditLogEntry.Action.VIEW, [original.pk], "opened")
        return response

    def export_view(self, request: HttpRequest) -> HttpResponse:
        return admin_views.export_contact_requests(request, self)

    def save_model(self, request, obj, form, change):
        # Status, assignee and notes go through the workflow so each leaves a history entry;
        # the patient's own fields are read-only and never saved from here.
        done = []
        if "status" in form.changed_data:
            before = form.initial["status"]
            try:
                workflow.change_status(obj.pk, obj.status, request.user)
            except workflow.InvalidTransition as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                done.append(f"status {workflow.label(before)} → {workflow.label(obj.status)}")
        if "assignee" in form.changed_data:
            workflow.assign(obj.pk, obj.assignee, request.user)
            done.append(f"assignee {obj.assignee.get_username() if obj.assignee else 'nobody'}")
        if workflow.add_note(obj.pk, form.cleaned_data.get("note", ""), request.user):
            done.append("note added")
        if done:
            workflow.audit(request.user, AuditLogEntry.Action.CHANGE, [obj.pk], "; ".join(done))
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        workflow.audit(request.user, AuditLogEntry.Action.DELETE, [obj.pk], "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        workflow.audit(request.user, AuditLogEntry.Action.DELETE, ids, "deleted")
        super().delete_queryset(request, queryset)

    # Bulk actions

    @admin.action(description="Change the status of the selected requests", permissions=["change"])
    def change_status(self, request, queryset):
        new = request.POST.get("status", "")
        if new not in Status.values:
            self.message_user(
                request, "Choose the new status next to the action.", messages.WARNING
            )
            return
        changed, refused = [], {}
        for pk, current in queryset.values_list("pk", "status"):
            if current == new:
                continue
            try:
                workflow.change_status(pk, new, request.user)
            except workflow.InvalidTransition as exc:
                refused.setdefault(str(exc), []).append(pk)
            else:
                changed.append(pk)
        if changed:
            workflow.audit(
                request.user,
                AuditLogEntry.Action.CHANGE,
                changed,
                f"status → {workflow.label(new)} (bulk)",
            )
            self.message_user(
                request, f"{len(changed)} request(s) now “{workflow.label(new)}”.", messages.SUCCESS
            )
        for reason, ids in refused.items():
            numbers = ", ".join(f"#{pk}" for pk in ids)
            self.message_user(request, f"Not changed: {numbers}. {reason}", messages.ERROR)

    @admin.action(description="Assign the selected requests to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        ids = list(queryset.exclude(assignee=request.user).values_list("pk", flat=True))
        for pk in ids:
            workflow.assign(pk, request.user, request.user)
        if ids:
            workflow.audit(
                request.user,
                AuditLogEntry.Action.CHANGE,
                ids,
                f"assignee {request.user.get_username()} (bulk)",
            )
        self.message_user(request, f"{len(ids)} request(s) assigned to you.", messages.SUCCESS)

    # Columns

    @admin.display(description="#", ordering="pk")
    def number(self, cr: ContactRequest) -> str:
        return f"#{cr.pk}"

    @admin.display(description="received", ordering="created_at")
    def received(self, cr: ContactRequest) -> str:
        return _when(cr.created_at)

    @admin.display(description="status changed")
    def status_changed(self, cr: ContactRequest) -> str:
        return _when(cr.status_changed_at) if cr.status_changed_at else "-"

    @admin.display(description="age", ordering="created_at")
    def age(self, cr: ContactRequest) -> str:
        age = timesince(cr.created_at, depth=1)
        if workflow.is_late(cr):
            return format_html(
                '<strong><img src="{}" alt="Late:" title="No answer for more than 24 hours"> '
                "{}</strong>",
                static("admin/img/icon-alert.svg"),
                age,
            )
        return age

    @admin.display(description="first response", ordering="response_time")
    def first_response(self, cr: ContactRequest) -> str:
        if cr.first_response_at is None:
            return "not yet"
        return f"after {timesince(cr.created_at, cr.first_response_at, depth=2)}"

    @admin.display(description="patient", ordering="last_name")
    def patient(self, cr: ContactRequest) -> str:
        return f"{cr.first_name} {cr.last_name}"

    @admin.display(description="trial", ordering="trial__nct_id")
    def trial_nct_id(self, cr: ContactRequest) -> str:
        return cr.trial.nct_id

    @admin.display(description="site")
    def site_label(self, cr: ContactRequest) -> str:
        where = (cr.site.facility or str(cr.site)) if cr.site else cr.site_name
        return Truncator(where).chars(32)

    @admin.display(description="assignee", ordering="assignee__username")
    def assignee_name(self, cr: ContactRequest) -> str:
        return cr.assignee.get_username() if cr.assignee else ""

    @admin.display(description="e-mail")
    def email_link(self, cr: ContactRequest) -> str:
        return format_html('<a href="mailto:{}">{}</a>', cr.email, cr.email)

    @admin.display(description="phone")
    def phone_link(self, cr: ContactRequest) -> str:
        dial = re.sub(r"[^0-9+]", "", cr.phone)
        return format_html('<a href="tel:{}">{}</a>', dial, cr.phone)


# Access


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
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Who viewed, changed or exported which contact requests: superusers read it, nobody edits it."""

    list_display = ["at", "user", "action", "requests", "detail"]
    list_filter = ["action", ("at", dates_titled("time"))]
    list_select_related = ["user"]
    date_hierarchy = "at"
    search_fields = ["user__username", "detail"]
    search_help_text = "User, detail, or a request number"
    fields = ["at", "user", "action", "contact_request_ids", "detail"]
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        search_term = _clean_search(search_term)
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if number := _as_id(search_term.strip().removeprefix("#")):
            found |= queryset.filter(contact_request_ids__contains=[number])
        return found, may_have_duplicates

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="requests")
    def requests(self, entry: AuditLogEntry) -> str:
        shown = ", ".join(f"#{pk}" for pk in entry.contact_request_ids[:20])
        more = len(entry.contact_request_ids) - 20
        return f"{shown} and {more} more" if more > 0 else shown
