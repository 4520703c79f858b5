"""The study team's plain-language summaries: written by the coordinators of a trial.

Which trials a user may write for is `workflow.summary_trials`; every queryset,
choice of trial and permission check here reads it. Saving and deleting go through
`workflow.save_summary` / `workflow.delete_summary`, which write the audit log.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import workflow
from ..models import TeamSummary, Trial
from ..plain import render_markdown
from .common import TRIAL_COLUMNS_DEFERRED

MAX_LENGTH = 6000  # a few paragraphs: the page shows it first, above everything else


class TeamSummaryForm(forms.ModelForm):
    user = None  # set by TeamSummaryAdmin.get_form

    class Meta:
        model = TeamSummary
        fields = ["trial", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 14, "cols": 80})}

    def clean_trial(self) -> Trial:
        trial = self.cleaned_data["trial"]
        if not workflow.summary_trials(self.user).filter(pk=trial.pk).exists():
            raise forms.ValidationError(
                f"You are not assigned to the whole of {trial.nct_id}, so you cannot write "
                "its summary. Ask an administrator to assign you to the trial."
            )
        if TeamSummary.objects.filter(trial=trial).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                f"{trial.nct_id} already has a summary: change that one instead."
            )
        return trial

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not render_markdown(text):
            raise forms.ValidationError("Write a few sentences: the summary is empty.")
        if len(text) > MAX_LENGTH:
            raise forms.ValidationError(
                f"Keep it to a few paragraphs: at most {MAX_LENGTH:,} characters "
                f"(this one has {len(text):,})."
            )
        return text


@admin.register(TeamSummary)
class TeamSummaryAdmin(admin.ModelAdmin):
    form = TeamSummaryForm
    list_display = ["trial_nct_id", "trial_title", "last_change", "updated_by"]
    list_select_related = ["trial", "updated_by"]
    search_fields = ["trial__nct_id", "trial__brief_title"]
    search_help_text = "NCT ID or words of the title"
    readonly_fields = ["preview", "last_change", "updated_by"]

    def get_queryset(self, request):
        summaries = super().get_queryset(request).defer(*TRIAL_COLUMNS_DEFERRED)
        return workflow.summaries_visible_to(summaries, request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_fields(self, request, obj=None):
        return (
            ["trial", "text", "preview", "last_change", "updated_by"] if obj else ["trial", "text"]
        )

    def get_readonly_fields(self, request, obj=None):
        # A summary stays with its trial; write a new one for another trial.
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

    def save_model(self, request, obj, form, change):
        workflow.save_summary(obj, request.user)

    def delete_model(self, request, obj):
        workflow.delete_summary(obj, request.user)

    def delete_queryset(self, request, queryset):
        for summary in queryset.select_related("trial"):
            workflow.delete_summary(summary, request.user)

    @admin.display(description="trial", ordering="trial__nct_id")
    def trial_nct_id(self, summary: TeamSummary) -> str:
        return summary.trial.nct_id

    @admin.display(description="title")
    def trial_title(self, summary: TeamSummary) -> str:
        return summary.trial.title

    @admin.display(description="last change", ordering="updated_at")
    def last_change(self, summary: TeamSummary) -> str:
        return date_format(summary.updated_at, "j M Y, H:i") if summary.updated_at else "-"

    @admin.display(description="as patients will see it")
    def preview(self, summary: TeamSummary) -> str:
        rendered = render_markdown(summary.text)  # sanitised by nh3, as on the trial page
        return format_html('<div class="team-summary-preview">{}</div>', mark_safe(rendered))
