"""The languages each study team speaks: recorded by the coordinators of a trial, as its
plain-language summary is (`workflow.summary_trials` says who may)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget

from .. import l10n, workflow
from ..models import TeamLanguages, Trial
from .common import TRIAL_COLUMNS_DEFERRED


class TeamLanguagesForm(forms.ModelForm):
    user = None  # set by TeamLanguagesAdmin.get_form
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

    def clean_trial(self) -> Trial:
        trial = self.cleaned_data["trial"]
        if not workflow.summary_trials(self.user).filter(pk=trial.pk).exists():
            raise forms.ValidationError(
                f"You are not assigned to the whole of {trial.nct_id}, so you cannot record "
                "its team's languages. Ask an administrator to assign you to the trial."
            )
        if TeamLanguages.objects.filter(trial=trial).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                f"{trial.nct_id} already has its team's languages: change those instead."
            )
        return trial


@admin.register(TeamLanguages)
class TeamLanguagesAdmin(admin.ModelAdmin):
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
                kwargs["widget"] = ForeignKeyRawIdWidget(db_field.remote_field, self.admin_site)
            else:
                kwargs["empty_label"] = "Choose one of your trials"
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return (
            super().has_add_permission(request) and workflow.summary_trials(request.user).exists()
        )

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="trial", ordering="trial__nct_id")
    def trial_nct_id(self, row: TeamLanguages) -> str:
        return row.trial.nct_id

    @admin.display(description="languages")
    def spoken(self, row: TeamLanguages) -> str:
        return ", ".join(l10n.language_label(code) for code in row.languages)
