"""Trials and sites as imported from ClinicalTrials.gov: read-only, with the upload of a file."""

from __future__ import annotations

import re

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.postgres.search import SearchQuery
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator

from .. import workflow
from ..ctgov import CONTROL_CHARACTERS
from ..models import (
    Contact,
    ContactRequest,
    Intervention,
    Site,
    StatusSummary,
    TeamSummary,
    Trial,
)
from ..vocabularies import Phase
from . import views as admin_views
from .common import (
    NCT_ID_LENGTH,
    NCT_ID_START,
    OptionsFilter,
    ReadOnly,
    Status,
    clean_search,
    nct_id_range,
    partial_date,
    pre,
)

# The phase and country filters read the narrow, GIN-indexed facets table (see TrialFacets).


class PhaseFilter(OptionsFilter):
    title = "phase"
    parameter_name = "phase"

    def options(self):
        phases = {
            code: (label, Q(facets__phases__contains=[code])) for code, label in Phase.choices
        }
        return {**phases, "none": ("No phase given", Q(facets__phases=[]))}


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


class NewRequestsFilter(OptionsFilter):
    title = "new contact requests"
    parameter_name = "new_requests"

    def options(self):
        return {
            "yes": ("Has new requests", Q(new_requests_count__gt=0)),
            "no": ("No new requests", Q(new_requests_count=0)),
        }


class TrialPartInline(ReadOnly, admin.TabularInline):
    """Sites, contacts and interventions: part of the imported record, shown with the trial."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("trials.view_trial")


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


# The trial's dates, shown by the methods of TrialAdmin of these names.
DATES = [
    "started",
    "primary_completion_on",
    "completed",
    "first_posted_date",
    "last_update_date",
    "verified",
]


def _dated(attribute: str, description: str):
    """A read-only admin field showing one of a trial's dates at its own precision."""

    @admin.display(description=description)
    def show(model_admin, trial: Trial) -> str:
        return partial_date(getattr(trial, attribute))

    return show


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
                    "plain_language_summary",
                ]
            },
        ),
        (
            "Status",
            {"fields": ["overall_status", "why_stopped", *DATES]},
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
        "plain_language_summary",
        *DATES,
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
            path(
                "import/<int:upload_id>/",
                self.admin_site.admin_view(self.import_status_view),
                name="trials_trial_import_status",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        return admin_views.import_ctgov_file(request, self)

    def import_status_view(self, request: HttpRequest, upload_id: int) -> TemplateResponse:
        return admin_views.import_status(request, self, upload_id)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        """An NCT ID (or its start) by the NCT ID; words through the full-text index of
        titles, conditions and interventions, each word also as the start of one: a scan
        of every title would be far too slow at the size of ClinicalTrials.gov."""
        term = clean_search(search_term).strip()
        if not term:
            return queryset, False
        if NCT_ID_START.fullmatch(term):
            if len(term) == NCT_ID_LENGTH:
                return queryset.filter(nct_id=term.upper()), False
            low, high = nct_id_range(term)
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

    @admin.display(description="plain-language summary")
    def plain_language_summary(self, trial: Trial) -> str:
        """The study team's own summary: a link to write or change it, for who may."""
        summary = TeamSummary.objects.filter(trial=trial).only("pk", "updated_at").first()
        viewer = getattr(trial, "viewer", None)
        if viewer is None or not workflow.summary_trials(viewer).filter(pk=trial.pk).exists():
            return "Written" if summary else "None"
        if summary:
            url = reverse("admin:trials_teamsummary_change", args=[summary.pk])
            return format_html('<a href="{}">Change the study team\'s summary</a>', url)
        url = reverse("admin:trials_teamsummary_add") + "?" + urlencode({"trial": trial.pk})
        return format_html('<a href="{}">Write a summary in plain words</a>', url)

    def get_object(self, request, object_id, from_field=None):
        trial = super().get_object(request, object_id, from_field)
        if trial is not None:
            trial.viewer = request.user  # for plain_language_summary, which gets only the trial
        return trial

    # Dates as ClinicalTrials.gov gives them: a year, a month or a day, maybe estimated.
    started = _dated("start", "start")
    primary_completion_on = _dated("primary_completion", "primary completion")
    completed = _dated("completion", "completion")
    first_posted_date = _dated("first_posted_on", "first posted")
    last_update_date = _dated("last_update_on", "last update posted")
    verified = _dated("verified_on", "status verified")

    @admin.display(description="original JSON")
    def raw_json(self, trial: Trial) -> str:
        return pre(trial.raw)


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
        return super().get_search_results(request, queryset, clean_search(search_term))

    @admin.display(description="trial", ordering="trial__nct_id")
    def trial_nct_id(self, site: Site) -> str:
        return site.trial.nct_id
