"""Forms of the site: the trial page's "contact the study team" form and its checklist,
and the sign-up for e-mail alerts about a search.

Each field cleans and checks itself in `clean_<field>` with a message a patient can
act on; `clean()` adds the check that needs the database (the study is open). The forms
never store anything: `trials.contact.submit` does, checking the rate limits.

`AboutYouForm` reads the age, sex and healthy-volunteer answer a search carries to a
trial page; `ChecklistForm` adds the profile and an answer per item of the trial's
pre-screening checklist (trials.prescreen).
"""

from __future__ import annotations

import json
import re
import unicodedata

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from trials import contact, prescreen, rules
from trials.ctgov import CONTROL_CHARACTERS, one_line
from trials.models import Site, Subscription, Trial
from trials.vocabularies import Sex

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
    send_answers = forms.BooleanField(
        label=_("Send my answers to the checklist to the study team"),
        required=False,
    )
    # The checklist's answers (trials.prescreen payload, JSON), written by the checklist.
    prescreen = forms.CharField(required=False, widget=forms.HiddenInput)
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
        self.checklist: prescreen.Checklist | None = None
        self.prescreen_problem = ""
        if check_url:
            for name, field in self.fields.items():
                if name not in ("leave_empty", "prescreen", "send_answers"):
                    field.widget.attrs.update(
                        {
                            "hx-post": check_url,
                            "hx-trigger": "change",
                            "hx-target": "closest .field",
                            "hx-swap": "outerHTML",
                            # A field's check never carries the checklist's answers.
                            "hx-params": "not prescreen,send_answers",
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

    def _answers_to_send(self, data: dict) -> dict | None:
        """What the study team will see of the checklist (trials.prescreen.Snapshot), only
        when the patient ticked the box; an error when there is nothing right to send."""
        if not data.get("send_answers"):
            return None
        checklist = data.get("prescreen")
        if checklist is None:
            if self.prescreen_problem == "the checklist changed":
                message = _(
                    "The study's criteria changed since you answered them. Please check your "
                    "answers again, or untick this box."
                )
            else:
                message = _(
                    "There are no answers to send. Answer the checklist under “Who can join”, "
                    "or untick this box."
                )
            self.add_error("send_answers", message)
            return None
        if not any(e.answer for e in checklist.entries):
            self.add_error(
                "send_answers",
                _("You have not answered the checklist yet. Answer it, or untick this box."),
            )
            return None
        return prescreen.Snapshot.of(checklist).as_json()

    def clean_site(self) -> Site | None:
        return self.sites[self.cleaned_data["site"]]

    @sensitive_variables()
    def clean_prescreen(self) -> prescreen.Checklist | None:
        """The checklist the answers make, or None; a bad one is an error only when the
        patient asks to send it (see clean)."""
        text = self.cleaned_data["prescreen"].strip()
        if not text:
            return None
        try:
            if len(text) > prescreen.MAX_PAYLOAD:
                raise prescreen.PayloadError("too long")
            self.checklist = prescreen.read_payload(self.trial, json.loads(text))
        except (ValueError, prescreen.PayloadError) as exc:
            self.prescreen_problem = str(exc)
            return None
        return self.checklist

    def clean_leave_empty(self) -> str:
        self.is_spam = bool(self.cleaned_data["leave_empty"].strip())
        return ""

    @sensitive_variables()
    def clean(self) -> dict:
        data = super().clean()
        if "site" not in self.fields:
            data["site"] = self.fixed_site()
        data["prescreen"] = self._answers_to_send(data)
        if not self.trial.is_open:
            raise forms.ValidationError(
                "This study is not looking for participants now, so we cannot pass on requests."
            )
        return data


# The pre-screening checklist on the trial page

SEX_CHOICES = [(Sex.FEMALE, _("Female")), (Sex.MALE, _("Male")), ("", _("Not given"))]
ANSWER_CHOICES = [(value, label) for value, label in rules.ANSWER_LABELS.items()]


class AboutYouForm(forms.Form):
    """The age, sex and healthy-volunteer answer of a search, on the trial page's link."""

    age = forms.IntegerField(
        label=_("Your age"),
        help_text=_("In years."),
        min_value=0,
        max_value=120,
        required=False,
        error_messages={
            "invalid": _("Enter your age as a whole number of years."),
            "min_value": _("Enter an age from 0 to 120."),
            "max_value": _("Enter an age from 0 to 120."),
        },
    )
    sex = forms.ChoiceField(
        label=_("Your sex"),
        choices=SEX_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Choose female or male, or leave it empty.")},
    )
    healthy = forms.BooleanField(
        label=_("I would take part as a healthy volunteer (I do not have the condition studied)."),
        required=False,
    )

    @classmethod
    def lenient(cls, data) -> tuple[AboutYouForm, list[str]]:
        """Bound to `data`, each bad value dropped with a notice (a hand-edited link)."""
        form = cls(data)
        if form.is_valid():
            return form, []
        kept = data.copy()
        notices = []
        for name, errors in form.errors.items():
            notices.append(
                _("We did not use “%(value)s” from the link: %(error)s")
                % {"value": str(data.get(name, ""))[:40], "error": errors[0]}
            )
            kept.pop(name, None)
        form = cls(kept)
        form.is_valid()
        return form, notices

    def profile(self) -> rules.Profile:
        data = getattr(self, "cleaned_data", {})
        return rules.Profile(
            age=data.get("age"),
            sex=data.get("sex") or "",
            healthy=True if data.get("healthy") else None,
        )

    def query(self) -> str:
        """The valid values as a link's query, as finder.filters.patient_query writes it."""
        data = getattr(self, "cleaned_data", {})
        query = QueryDict(mutable=True)
        if data.get("age") is not None:
            query["age"] = str(data["age"])
        if data.get("sex"):
            query["sex"] = data["sex"]
        if data.get("healthy"):
            query["healthy"] = "true"
        return query.urlencode()


class ChecklistForm(AboutYouForm):
    """The checklist as a plain form: the profile, then Yes / No / Not sure per item.

    Each item's hidden `auto_<key>` holds the answer the page filled in from the
    profile: an answer equal to it is not the patient's own, so that a changed profile
    can answer the item again; any other answer is theirs and wins."""

    pregnancy = forms.ChoiceField(
        label=rules.QUESTIONS["pregnancy"],
        choices=rules.PREGNANCY_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    other_study = forms.ChoiceField(
        label=rules.QUESTIONS["other_study"],
        choices=rules.YES_NO_UNSURE,
        required=False,
        widget=forms.RadioSelect,
    )
    other_cancer = forms.ChoiceField(
        label=rules.QUESTIONS["other_cancer"],
        choices=rules.YES_NO_UNSURE,
        required=False,
        widget=forms.RadioSelect,
    )
    hiv = forms.ChoiceField(
        label=rules.QUESTIONS["hiv"],
        choices=rules.YES_NO_UNSURE,
        required=False,
        widget=forms.RadioSelect,
    )
    hepatitis_b = forms.ChoiceField(
        label=rules.QUESTIONS["hepatitis_b"],
        choices=rules.YES_NO_UNSURE,
        required=False,
        widget=forms.RadioSelect,
    )
    hepatitis_c = forms.ChoiceField(
        label=rules.QUESTIONS["hepatitis_c"],
        choices=rules.YES_NO_UNSURE,
        required=False,
        widget=forms.RadioSelect,
    )
    bmi = forms.DecimalField(
        label=_("Body-mass index (BMI), if you know it (optional)"),
        help_text=_("Your weight in kilograms divided by the square of your height in metres."),
        min_value=rules.BMI_RANGE[0],
        max_value=rules.BMI_RANGE[1],
        decimal_places=1,
        required=False,
        error_messages={
            "invalid": _("Enter your BMI as a number, for example 24.5."),
            "min_value": _("Enter a BMI from 10 to 80."),
            "max_value": _("Enter a BMI from 10 to 80."),
            "max_decimal_places": _("Enter your BMI with at most one decimal, for example 24.5."),
        },
    )
    PROFILE_CHOICES = (
        "pregnancy",
        "other_study",
        "other_cancer",
        "hiv",
        "hepatitis_b",
        "hepatitis_c",
    )

    def __init__(self, *args, keys: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.keys = keys
        for key in keys:
            self.fields[f"answer_{key}"] = forms.ChoiceField(
                choices=ANSWER_CHOICES,
                required=False,
                error_messages={"invalid_choice": _("Choose Yes, No or Not sure.")},
            )
            self.fields[f"auto_{key}"] = forms.CharField(required=False, widget=forms.HiddenInput)
        for name in self.PROFILE_CHOICES:
            self.fields[name].error_messages["invalid_choice"] = _("Choose one of the answers.")

    def profile(self) -> rules.Profile:
        data = getattr(self, "cleaned_data", {})
        bmi = data.get("bmi")
        return rules.Profile(
            age=data.get("age"),
            sex=data.get("sex") or "",
            healthy=True if data.get("healthy") else None,
            bmi=float(bmi) if bmi is not None else None,
            **{name: data.get(name) or "" for name in self.PROFILE_CHOICES},
        )

    def own_answers(self) -> dict[str, str]:
        """The patient's own answers: those that differ from what the page filled in."""
        data = getattr(self, "cleaned_data", {})
        answers = {}
        for key in self.keys:
            answer = data.get(f"answer_{key}") or ""
            if answer and answer != (data.get(f"auto_{key}") or ""):
                answers[key] = answer
        return answers


class AlertForm(forms.Form):
    """An e-mail address and how often to write, for alerts about a search (the search
    itself comes from the page's query string, cleaned by the FilterSet)."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter your e-mail address in the form name@example.com."),
            "max_length": _(
                "Please shorten your e-mail address to %(limit_value)d characters or fewer."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.WEEKLY,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose daily or weekly.")},
    )
    # Hidden from people (CSS and aria-hidden); bots fill it in.
    leave_empty = forms.CharField(
        label=_("Leave this field empty"),
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
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose daily or weekly.")},
    )
