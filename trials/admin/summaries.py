"""The study team's plain-language summaries: written by the coordinators of a trial.

Which trials a user may write for is `workflow.summary_trials`; every queryset,
choice of trial and permission check here reads it. Saving and deleting go through
`workflow.save_summary` / `workflow.delete_summary`, which write the audit log.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import workflow
from ..models import TeamSummary
from ..plain import render_markdown
from .common import TRIAL_COLUMNS_DEFERRED, TrialRowAdmin, TrialRowForm

MAX_LENGTH = 6000  # a few paragraphs: the page shows it first, above everything else


class TeamSummaryForm(TrialRowForm):
    cannot = "write its summary"
    exists = "a summary: change that one instead."

    class Meta:
        model = TeamSummary
        fields = ["trial", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 14, "cols": 80})}

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
class TeamSummaryAdmin(TrialRowAdmin):
    form = TeamSummaryForm
    list_display = ["trial_nct_id", "trial_title", "last_change", "updated_by"]
    list_select_related = ["trial", "updated_by"]
    search_fields = ["trial__nct_id", "trial__brief_title"]
    search_help_text = "NCT ID or words of the title"
    readonly_fields = ["preview", "last_change", "updated_by"]

    def get_queryset(self, request):
        summaries = super().get_queryset(request).defer(*TRIAL_COLUMNS_DEFERRED)
        return workflow.summaries_visible_to(summaries, request.user)

    def get_fields(self, request, obj=None):
        return (
            ["trial", "text", "preview", "last_change", "updated_by"] if obj else ["trial", "text"]
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
