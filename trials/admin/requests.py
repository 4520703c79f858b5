"""The coordinators' queue of contact requests: form, filters, actions, history and export."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timesince import timesince

from .. import prescreen, rules, tasks, workflow
from ..models import (
    AuditLogEntry,
    ContactRequest,
    ContactRequestEvent,
)
from . import views as admin_views
from .common import (
    TRIAL_COLUMNS_DEFERRED,
    IdFilter,
    OptionsFilter,
    ReadOnly,
    Status,
    as_id,
    clean_search,
    when,
)


def _visible(request) -> QuerySet[ContactRequest]:
    """The contact requests the signed-in user may see."""
    return workflow.visible_to(ContactRequest.objects.all(), request.user)


def _distinct(requests: QuerySet, order: list[str], fields: list[str]) -> QuerySet:
    """The distinct `fields` of some requests, in `order`: a list filter's options."""
    return requests.order_by(*order).values_list(*fields).distinct()


class TrialFilter(IdFilter):
    title = "trial"
    parameter_name = "trial"
    field = "trial_id"

    def lookups(self, request, model_admin):
        rows = _distinct(
            _visible(request),
            ["trial__nct_id"],
            ["trial_id", "trial__nct_id", "trial__brief_title"],
        )
        return [(str(pk), f"{nct_id} {Truncator(title).chars(50)}") for pk, nct_id, title in rows]


class SiteFilter(IdFilter):
    title = "site"
    parameter_name = "site"
    field = "site_id"

    def lookups(self, request, model_admin):
        requests = _visible(request)
        if trial_id := as_id(request.GET.get(TrialFilter.parameter_name)):
            requests = requests.filter(trial_id=trial_id)
        rows = _distinct(
            requests.filter(site__isnull=False),
            ["trial__nct_id", "site__facility", "site_id"],
            ["site_id", "trial__nct_id", "site__facility", "site__city"],
        )
        return [
            (str(pk), f"{nct_id}: {', '.join(p for p in (facility, city) if p) or 'site'}")
            for pk, nct_id, facility, city in rows
        ]


class AssigneeFilter(IdFilter):
    title = "assignee"
    parameter_name = "assignee"
    field = "assignee_id"

    def lookups(self, request, model_admin):
        others = _visible(request).filter(assignee__isnull=False).exclude(assignee=request.user)
        rows = _distinct(others, ["assignee__username"], ["assignee_id", "assignee__username"])
        return [("me", "Me"), ("none", "Nobody"), *((str(pk), name) for pk, name in rows)]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "none":
            return queryset.filter(assignee__isnull=True)
        return super().queryset(request, queryset)


class WaitingFilter(OptionsFilter):
    title = "first answer"
    parameter_name = "waiting"

    def options(self):
        since = timezone.now() - workflow.WAITING_TOO_LONG
        waiting = Q(first_response_at__isnull=True)
        return {
            "late": ("Waiting more than 24 hours", waiting & Q(created_at__lt=since)),
            "waiting": ("Not answered yet", waiting),
            "answered": ("Answered", ~waiting),
        }


class EmailsFilter(admin.SimpleListFilter):
    """For superusers: the requests whose e-mails the worker gave up sending."""

    title = "e-mails"
    parameter_name = "emails"

    def lookups(self, request, model_admin):
        return [("gave_up", "Gave up sending"), ("unsent", "Not sent yet")]

    def queryset(self, request, queryset):
        if self.value() == "gave_up":
            return queryset.filter(
                Q(team_email_gave_up_at__isnull=False) | Q(patient_email_gave_up_at__isnull=False)
            )
        if self.value() == "unsent":
            return queryset.filter(
                Q(team_notified_at__isnull=True) | Q(patient_notified_at__isnull=True)
            )
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


class EventInline(ReadOnly, admin.TabularInline):
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
        return when(event.at)

    @admin.display(description="by")
    def who(self, event: ContactRequestEvent) -> str:
        return event.actor.get_username() if event.actor else "the site"

    @admin.display(description="change")
    def change(self, event: ContactRequestEvent) -> str:
        if event.kind != ContactRequestEvent.Kind.STATUS:
            return ""
        return f"{workflow.label(event.from_status)} → {workflow.label(event.to_status)}"


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    form = ContactRequestForm
    action_form = StatusActionForm
    actions = ["change_status", "assign_to_me", "send_emails_again"]
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
        "checklist",
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
                    "prescreen_answers",
                ]
            },
        ),
        ("Trial", {"fields": ["trial", "site", "site_name", "team_recipients"]}),
        ("E-mails", {"fields": ["team_email", "patient_email"]}),
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
        "prescreen_answers",
        "trial",
        "site",
        "site_name",
        "team_recipients",
        "team_email",
        "patient_email",
        "team_email_detail",
        "patient_email_detail",
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
        search_term = clean_search(search_term)
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if number := as_id(search_term.strip().removeprefix("#")):
            found |= queryset.filter(pk=number)
        return found, may_have_duplicates

    def has_add_permission(self, request):
        return False  # patients send them from the trial pages

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(self.fieldsets)
        if request.user.is_superuser:  # how many tries, and when the worker gave up
            fieldsets[2] = ("E-mails", {"fields": ["team_email_detail", "patient_email_detail"]})
        if not request.user.has_perm("trials.add_contactrequestevent"):
            follow_up = [f for f in fieldsets[3][1]["fields"] if f != "note"]
            fieldsets[3] = ("Follow-up", {"fields": follow_up})
        return fieldsets

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return [*self.list_filter, EmailsFilter]
        return self.list_filter

    def has_resend_permission(self, request) -> bool:
        return request.user.is_superuser

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
        if changelist is not None:  # whatever the method: any page that shows requests
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
        # Whatever the method: a POST that fails validation shows the request again.
        if original is not None:
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

    @admin.action(description="Send the unsent e-mails again", permissions=["resend"])
    def send_emails_again(self, request, queryset):
        queued = tasks.send_again(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"{queued} e-mail(s) queued to be sent again." if queued else "Every e-mail was sent.",
            messages.SUCCESS if queued else messages.INFO,
        )

    # Columns

    @admin.display(description="#", ordering="pk")
    def number(self, cr: ContactRequest) -> str:
        return f"#{cr.pk}"

    @admin.display(description="received", ordering="created_at")
    def received(self, cr: ContactRequest) -> str:
        return when(cr.created_at)

    @admin.display(description="status changed")
    def status_changed(self, cr: ContactRequest) -> str:
        return when(cr.status_changed_at) if cr.status_changed_at else "-"

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

    def _email_state(self, cr: ContactRequest, email: tasks.Email, *, detail: bool) -> str:
        if sent := getattr(cr, email.sent):
            return f"sent {when(sent)}"
        attempts = getattr(cr, email.attempts)
        if detail and (gave_up := getattr(cr, email.gave_up)):
            return (
                f"not sent: gave up after {attempts} tries, {when(gave_up)} "
                "(“Send the unsent e-mails again” on the list tries again)"
            )
        if getattr(cr, email.sending):
            return "being sent"
        if detail and attempts:
            return f"not sent yet ({attempts} tries so far)"
        return "not sent yet"

    @admin.display(description="study team notified")
    def team_email(self, cr: ContactRequest) -> str:
        return self._email_state(cr, tasks.TEAM, detail=False)

    @admin.display(description="patient's copy")
    def patient_email(self, cr: ContactRequest) -> str:
        return self._email_state(cr, tasks.PATIENT, detail=False)

    @admin.display(description="study team notified")
    def team_email_detail(self, cr: ContactRequest) -> str:
        return self._email_state(cr, tasks.TEAM, detail=True)

    @admin.display(description="patient's copy")
    def patient_email_detail(self, cr: ContactRequest) -> str:
        return self._email_state(cr, tasks.PATIENT, detail=True)

    @admin.display(description="checklist")
    def checklist(self, cr: ContactRequest) -> str:
        snapshot = prescreen.Snapshot.from_json(cr.prescreen)
        return snapshot.label if snapshot else ""

    @admin.display(description="pre-screening checklist")
    def prescreen_answers(self, cr: ContactRequest) -> str:
        """The verdict, each criterion against the patient or that they are not sure of, with
        its text, and how many they answered in their favour."""
        snapshot = prescreen.Snapshot.from_json(cr.prescreen)
        if snapshot is None:
            return "Not sent (the patient did not send their checklist answers)."
        return format_html(
            '<div class="prescreen-answers"><p><strong>{}</strong> (the patient\'s own '
            "answers on the trial page; only the study team can say for sure)</p>{}{}<p>{}</p></div>",
            snapshot.label,
            _criteria_list(
                "Against them", snapshot.against, lambda c: _AGAINST_WORDS.get(c["kind"], "")
            ),
            _criteria_list("Not sure", snapshot.unsure, lambda c: ""),
            f"Answered in their favour: {snapshot.favourable} "
            f"(inclusion criteria answered Yes, exclusion criteria answered No) · "
            f"not answered: {snapshot.unanswered} of {snapshot.total}",
        )

    @admin.display(description="e-mail")
    def email_link(self, cr: ContactRequest) -> str:
        return format_html('<a href="mailto:{}">{}</a>', cr.email, cr.email)

    @admin.display(description="phone")
    def phone_link(self, cr: ContactRequest) -> str:
        dial = re.sub(r"[^0-9+]", "", cr.phone)
        return format_html('<a href="tel:{}">{}</a>', dial, cr.phone)


_AGAINST_WORDS = {
    "inclusion": "inclusion criterion, answered No",
    "exclusion": "exclusion criterion, answered Yes",
}


def _criteria_list(title: str, criteria, describe) -> str:
    """One kind of answer as a list: each criterion's text (and list), what was answered,
    and the profile answer that answered it, if one did."""
    if not criteria:
        return ""
    rows = []
    for criterion in criteria:
        source = rules.SOURCES.get(criterion.get("source", ""))
        rows.append(
            format_html(
                "<li>{}{}{}{}{}</li>",
                f"[{criterion['group']}] " if criterion.get("group") else "",
                criterion.get("text", ""),
                format_html(
                    "<ul>{}</ul>",
                    format_html_join(
                        "", "<li>{}</li>", ((s,) for s in criterion.get("subitems", []))
                    ),
                )
                if criterion.get("subitems")
                else "",
                format_html(" <em>({})</em>", describe(criterion)) if describe(criterion) else "",
                format_html(" <em>(from {})</em>", source) if source else "",
            )
        )
    return format_html(
        "<p>{}:</p><ul>{}</ul>", title, format_html_join("", "{}", ((r,) for r in rows))
    )
