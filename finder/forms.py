"""Forms of the site: the "contact the study team" form on the trial page.

Each field cleans and checks itself in `clean_<field>` with a message a patient can
act on; `clean()` adds the check that needs the database (the study is open). The form
never stores anything: `trials.contact.submit` does, checking the rate limits.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.views.decorators.debug import sensitive_variables

from trials import contact
from trials.ctgov import CONTROL_CHARACTERS, one_line
from trials.models import Site, Trial

# Anything a mail client could make a link of: a scheme, www., an address, a tag, or a
# domain name ("evil.example"; initials such as "J.R." stay allowed).
LINK = re.compile(r"https?://|www\.|@|<|>|:/|[^\W_]\.[^\W\d_]{2,}", re.I)
PHONE = re.compile(r"^\+?[0-9\s().\-/]+?(?:\s*(?:ext\.?|x|#)\s*[0-9]{1,6})?$", re.I)
EXTENSION = re.compile(r"(?:ext\.?|x|#)\s*[0-9]{1,6}$", re.I)
# Zero-width joiners shape words in some scripts and emoji: a message keeps them.
JOINERS = {"\u200c", "\u200d"}
MESSAGE_MAX = 2000
PHONE_EXAMPLE = "+33 1 42 49 49 49"


def plain(value: str, keep: frozenset[str] | set[str] = frozenset()) -> str:
    """The text as one would type it: NFKC (fullwidth letters, ligatures and compatibility
    digits become the usual ones) and without format characters (bidi overrides,
    zero-width spaces), which can make a name or number read otherwise than it is."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(c for c in value if c in keep or unicodedata.category(c) != "Cf")


def ascii_digits(value: str) -> str:
    """'٠١٢' -> '012': a team dials what it reads, and tel: links need ASCII digits."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value)


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
        check_url: str = "",
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.trial = trial
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
        value = one_line(plain(value))
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
        phone = one_line(ascii_digits(plain(self.cleaned_data["phone"])))
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
        language = one_line(plain(self.cleaned_data["language"]))
        if LINK.search(language):
            raise forms.ValidationError("Please enter just the name of a language.")
        return language

    def clean_message(self) -> str:
        return CONTROL_CHARACTERS.sub("", plain(self.cleaned_data["message"], JOINERS)).strip()

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
        return data
