"""The languages each study team speaks: recorded by the coordinators of a trial, as its
plain-language summary is (`workflow.summary_trials` says who may)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from .. import l10n, workflow
from ..models import TeamLanguages
from .common import TRIAL_COLUMNS_DEFERRED, TrialRowAdmin, TrialRowForm


class TeamLanguagesForm(TrialRowForm):
    cannot = "record its team's languages"
    exists = "its team's languages: change those instead."
    languages = forms.TypedMultipleChoiceField(
        choices=[(code, l10n.language_label(code)) for code in l10n.SPOKEN_LANGUAGES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every language in which someone of the team can talk with patients. "
        "The trial page lists them; the contact form warns patients who ask for another.",
        error_messages={"required": "Tick at least one language."},
    )

    class Meta:
        model = TeamLanguages
        fields = ["trial", "languages"]


@admin.register(TeamLanguages)
class TeamLanguagesAdmin(TrialRowAdmin):
    form = TeamLanguagesForm
    list_display = ["trial_nct_id", "spoken", "updated_at", "updated_by"]
    list_select_related = ["trial", "updated_by"]
    search_fields = ["trial__nct_id", "trial__brief_title"]
    search_help_text = "NCT ID or words of the title"
    readonly_fields = ["updated_at", "updated_by"]

    def get_queryset(self, request):
        rows = super().get_queryset(request).defer(*TRIAL_COLUMNS_DEFERRED)
        if request.user.is_superuser:
            return rows
        return rows.filter(trial__in=workflow.summary_trials(request.user))

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="trial", ordering="trial__nct_id")
    def trial_nct_id(self, row: TeamLanguages) -> str:
        return row.trial.nct_id

    @admin.display(description="languages")
    def spoken(self, row: TeamLanguages) -> str:
        return ", ".join(l10n.language_label(code) for code in row.languages)
