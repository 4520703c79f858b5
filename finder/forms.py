"""Forms of the site: the "contact the study team" form on the trial page, and the
sign-up for e-mail alerts about a search.

Each field cleans and checks itself in `clean_<field>` with a message a patient can
act on; `clean()` adds the checks that need the database (the study is open, the
rate limits). The form never stores anything: `finder.contact.submit` does.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from trials import contact
from trials.ctgov import CONTROL_CHARACTERS, one_line
from trials.models import Site, Subscription, Trial

LINK = re.compile(r"https?://|www\.|@|<|>", re.I)
PHONE = re.compile(r"^\+?[\d\s().\-/]+?(?:\s*(?:ext\.?|x|#)\s*\d{1,6})?$", re.I)
EXTENSION = re.compile(r"(?:ext\.?|x|#)\s*\d{1,6}$", re.I)
MESSAGE_MAX = 2000
PHONE_EXAMPLE = "+33 1 42 49 49 49"


def _limit(what: str) -> str:
    return f"Please shorten {what} to %(limit_value)d characters or fewer (it has %(show_value)d)."


class ContactForm(forms.Form):
    """A patient's name, e-mail and phone, and their consent to pass them to a study team."""

    first_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={
            "required": "Enter your first name.",
            "max_length": _limit("your first name"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={
            "required": "Enter your last name.",
            "max_length": _limit("your last name"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="We send you a copy of your request at this address.",
        error_messages={
            "required": "Enter your e-mail address.",
            "invalid": "Enter your e-mail address in the form name@example.com.",
            "max_length": _limit("your e-mail address"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=40,
        help_text=f"With the country code if you are abroad, for example {PHONE_EXAMPLE}.",
        error_messages={
            "required": "Enter a phone number the study team can call you on.",
            "max_length": _limit("the phone number"),
        },
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    language = forms.CharField(
        label="Other language (optional)",
        max_length=60,
        required=False,
        help_text="If you would rather not speak English with the team, which language? "
        "They will tell you if they can.",
        error_messages={"max_length": _limit("the language")},
        widget=forms.TextInput(attrs={"autocomplete": "language"}),
    )
    message = forms.CharField(
        label="Message (optional)",
        max_length=MESSAGE_MAX,
        required=False,
        help_text="For example when it is best to call you. "
        "Please do not send medical records here.",
        error_messages={"max_length": _limit("your message")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    site = forms.ChoiceField(
        label="Study site to contact",
        help_text="Your details go to the team at this site.",
        error_messages={
            "required": "Choose the study site you would like to hear from.",
            "invalid_choice": "Choose one of the study sites in the list.",
        },
    )
    consent = forms.BooleanField(
        label="Agreement to send your details",
        error_messages={
            "required": "Tick this box so that we may send your details to the study team."
        },
    )
    # Hidden from people (CSS and aria-hidden); bots fill it in.
    leave_empty = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(
        self,
        *args,
        trial: Trial,
        sites: list[Site],
        client: str = "",
        check_limits: bool = True,
        check_url: str = "",
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.trial, self.client, self.check_limits = trial, client, check_limits
        self.sites = {str(s.pk): s for s in contact.contactable_sites(sites)}
        self.is_spam = False
        self.rate_limited = False
        if len(self.sites) > 1:
            self.fields["site"].choices = self._site_choices()
            self.fields["site"].initial = next(iter(self.sites))
        else:
            del self.fields["site"]
        if check_url:
            for name, field in self.fields.items():
                if name != "leave_empty":
                    field.widget.attrs.update(
                        {
                            "hx-post": check_url,
                            "hx-trigger": "change",
                            "hx-target": "closest .field",
                            "hx-swap": "outerHTML",
                        }
                    )

    def _site_choices(self) -> list:
        by_country: dict[str, list[tuple[str, str]]] = {}
        ordered = sorted(self.sites.values(), key=lambda s: (s.country, s.city, s.position))
        for site in ordered:
            label = contact.site_label(site)
            if site.status:
                label = f"{label} ({site.status_label.lower()})"
            by_country.setdefault(site.country or "Other", []).append((str(site.pk), label))
        if len(by_country) == 1:
            return next(iter(by_country.values()))
        return list(by_country.items())

    # Who receives the details, as the consent box says it

    def fixed_site(self) -> Site | None:
        """The one site requests go to when the patient has no choice (or none: the study)."""
        return next(iter(self.sites.values()), None) if len(self.sites) <= 1 else None

    def chosen_site(self) -> Site | None:
        if "site" not in self.fields:
            return self.fixed_site()
        return self.sites.get(str(self["site"].value()))

    def consent_who(self, *, specific: bool) -> str:
        """Exactly who receives the details: for the chosen site when the page can follow it."""
        if "site" not in self.fields or specific and self.chosen_site():
            team = contact.study_team(self.trial, self.chosen_site())
            return team.who
        fallback = contact.study_team(self.trial, None)
        return (
            "the study team at the site you choose, as listed for that site under "
            f"“Where the study takes place”; for a site that lists no e-mail address, {fallback.who}"
        )

    # Cleaning

    @sensitive_variables()
    def _name(self, value: str, which: str) -> str:
        value = one_line(value)
        if LINK.search(value):
            raise forms.ValidationError(f"Please enter just your {which}, without links.")
        if not any(c.isalpha() for c in value):
            raise forms.ValidationError(f"Enter your {which} in letters.")
        return value

    def clean_first_name(self) -> str:
        return self._name(self.cleaned_data["first_name"], "first name")

    def clean_last_name(self) -> str:
        return self._name(self.cleaned_data["last_name"], "last name")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    @sensitive_variables()
    def clean_phone(self) -> str:
        phone = one_line(self.cleaned_data["phone"])
        if not PHONE.match(phone):
            raise forms.ValidationError(
                "Use only digits, spaces and + ( ) - in the phone number, "
                f"for example {PHONE_EXAMPLE}."
            )
        digits = sum(c.isdigit() for c in EXTENSION.sub("", phone))
        if digits < 6:
            raise forms.ValidationError(
                "This phone number looks too short. Please include the area code, "
                f"for example {PHONE_EXAMPLE}."
            )
        if digits > 15:
            raise forms.ValidationError("This phone number has too many digits. Please check it.")
        return phone

    def clean_language(self) -> str:
        language = one_line(self.cleaned_data["language"])
        if LINK.search(language):
            raise forms.ValidationError("Please enter just the name of a language.")
        return language

    def clean_message(self) -> str:
        return CONTROL_CHARACTERS.sub("", self.cleaned_data["message"]).strip()

    def clean_site(self) -> Site | None:
        return self.sites[self.cleaned_data["site"]]

    def clean_leave_empty(self) -> str:
        self.is_spam = bool(self.cleaned_data["leave_empty"].strip())
        return ""

    @sensitive_variables()
    def clean(self) -> dict:
        data = super().clean()
        if "site" not in self.fields:
            data["site"] = self.fixed_site()
        if not self.trial.is_open:
            raise forms.ValidationError(
                "This study is not looking for participants now, so we cannot pass on requests."
            )
        if self.check_limits and not self.errors and not self.is_spam:
            submission = contact.submission_hash(self.trial, data["site"], data)
            if not contact.find_duplicate(submission):
                if error := contact.rate_limit_error(self.client, data["email"]):
                    self.rate_limited = True
                    raise forms.ValidationError(error, code="rate_limited")
        return data


class AlertForm(forms.Form):
    """An e-mail address and how often to write, for alerts about a search (the search
    itself comes from the page's query string, cleaned by the FilterSet)."""

    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        max_length=254,
        error_messages={
            "required": gettext_lazy("Enter your e-mail address."),
            "invalid": gettext_lazy("Enter your e-mail address in the form name@example.com."),
            "max_length": gettext_lazy(
                "Please shorten your e-mail address to %(limit_value)d characters or fewer."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.WEEKLY,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Choose daily or weekly.")},
    )
    # Hidden from people (CSS and aria-hidden); bots fill it in.
    leave_empty = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("leave_empty", "").strip())


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("How often"),
        choices=Subscription.Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Choose daily or weekly.")},
    )
