"""The trial page, its JSON twin, and the checklist and "contact the study team" form on it.

Every view takes the NCT ID as typed: `nct05631717` or one with spaces redirects to
the canonical URL (`canonical_url`), an unknown one gets the friendly 404 page. The
form posts to `contact_study_team` (post/redirect/get; with htmx a fragment or
HX-Redirect) and each field is checked on change by `contact_check`.

The pre-screening checklist (trials.prescreen) is answered from the age, sex and
healthy-volunteer answer a search result's link carries (`?age=40&sex=FEMALE`; the
page names its canonical address in a Link header). Without JavaScript it posts to
`trial_checklist`, which shows the page again with the verdict and nothing stored;
with JavaScript static/js/prescreen.js answers and judges in the browser.
"""

from __future__ import annotations

import functools
import json
import logging
import re

from django.conf import settings
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from trials import contact, glossary, plain, prescreen, readability, rules
from trials.models import ContactRequest, Site, TextVector, Trial
from trials.results import parse_results
from trials.search.criteria import Criteria
from trials.search.related import related_trials
from trials.tasks import sent_via_coordinators, team_addresses

from . import client
from .alert_views import signup_context
from .forms import AboutYouForm, ChecklistForm, ContactForm
from .serializers import trial_detail as trial_detail_json

logger = logging.getLogger(__name__)

NCT_ID = re.compile(r"^NCT\d{1,12}$")  # as the importer accepts them
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "language",
    "message",
    "prescreen",
)
# What a search result's link carries to the checklist (the search's own parameters).
PATIENT_PARAMETERS = ("age", "sex", "healthy")
DONE_SESSION_KEY = "contact_request_done"
# Not needed by the page: the original JSON and the search columns (text vectors).
HEAVY_FIELDS = [
    f.name
    for f in Trial._meta.concrete_fields
    if isinstance(f, TextVector) or f.name in {"raw", "search_conditions"}
]


def canonical_nct_id(text: str) -> str:
    """' nct 05631717 ' -> 'NCT05631717'; eight digits alone get the NCT prefix."""
    compact = re.sub(r"\s+", "", text).strip(".,;:").upper()
    return f"NCT{compact}" if re.fullmatch(r"\d{8}", compact) else compact


def canonical_url(view):
    """A view of one trial, whose NCT ID typed otherwise ('nct05631717', with spaces)
    redirects permanently to the same view at the canonical ID, if that trial exists."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, nct_id: str, *args, **kwargs) -> HttpResponse:
        canonical = canonical_nct_id(nct_id)
        if canonical != nct_id:
            if not (NCT_ID.match(canonical) and Trial.objects.filter(nct_id=canonical).exists()):
                raise Http404("no such trial")
            query = f"?{request.GET.urlencode()}" if request.GET else ""
            url = reverse(request.resolver_match.view_name, args=[canonical])
            return redirect(url + query, permanent=True)
        return view(request, nct_id, *args, **kwargs)

    return wrapper


def _get_trial(nct_id: str) -> Trial:
    """The trial with everything its page shows, or Http404 (for a malformed ID too)."""
    if not NCT_ID.match(nct_id):
        raise Http404("no such trial")
    trials = (
        Trial.objects.defer(*HEAVY_FIELDS)
        # The parts of the original JSON the page shows: its posted results and documents.
        .annotate(
            results_section=F("raw__resultsSection"), document_section=F("raw__documentSection")
        )
        .select_related("team_summary")
        .prefetch_related(
            Prefetch("sites", queryset=Site.objects.order_by("position")),
            "arm_groups",
            "interventions",
            "outcomes",
            "central_contacts",
        )
    )
    return get_object_or_404(trials, nct_id=nct_id)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 page: for a trial's well-formed ID, says which; JSON under the API."""
    match = request.resolver_match
    nct_id = canonical_nct_id(match.kwargs.get("nct_id", "")) if match else ""
    nct_id = nct_id if NCT_ID.match(nct_id) else ""
    if match and match.url_name.startswith("api_"):
        return JsonResponse({"error": "not found", "nct_id": nct_id or None}, status=404)
    return render(request, "404.html", {"nct_id": nct_id}, status=404)


def _arms(trial: Trial) -> list:
    """The arm groups, each with the interventions it receives (as `treatments`)."""
    interventions = list(trial.interventions.all())
    arms = list(trial.arm_groups.all())
    for arm in arms:
        names = {n.partition(": ")[2].casefold() or n.casefold() for n in arm.intervention_names}
        arm.treatments = [
            i
            for i in interventions
            if arm.label in i.arm_group_labels or i.name.casefold() in names
        ]
    return arms


def _contact_form(request: HttpRequest, trial: Trial, **kwargs) -> ContactForm:
    return ContactForm(
        trial=trial,
        sites=list(trial.sites.all()),
        check_url=reverse("contact_check", args=[trial.nct_id]),
        **kwargs,
    )


def _form_context(request: HttpRequest, form: ContactForm, checklist=None) -> dict:
    checklist = checklist or form.checklist
    answered = checklist is not None and any(e.answer for e in checklist.entries)
    return {
        "form": form,
        "consent_who": form.consent_who(specific=bool(request.htmx)),
        "reply_days": settings.CONTACT_REPLY_WORKING_DAYS,
        "retention_days": settings.CONTACT_REQUEST_RETENTION_DAYS,
        # What the study team would see of the checklist, shown beside "Send my answers".
        "answers_preview": prescreen.Snapshot.of(checklist) if answered else None,
    }


def _team_summary(trial: Trial):
    try:
        return trial.team_summary
    except Trial.team_summary.RelatedObjectDoesNotExist:
        return None


def _checklist_context(
    checklist: prescreen.Checklist,
    form: ChecklistForm,
    *,
    opened: bool = False,
    notices: list[str] | tuple = (),
) -> dict:
    return {
        "checklist": checklist,
        "checklist_form": form,
        # For static/js/prescreen.js, in an attribute: the page has no inline script at all.
        "checklist_json": json.dumps({**checklist.as_data(), "texts": prescreen.texts()}),
        "answer_choices": list(rules.ANSWER_LABELS.items()),
        "checklist_open": opened,
        "checklist_notices": list(notices),
    }


def _checklist_form(checklist: prescreen.Checklist, data=None, **kwargs) -> ChecklistForm:
    return ChecklistForm(data, keys=[e.key for e in checklist.entries], **kwargs)


def _trial_context(trial: Trial, nearest: plain.NearestSite | None = None) -> dict:
    """What the trial page shows of a trial beyond its own columns. `nearest` is the
    site closest to a place the patient gave, when a search passes one."""
    sites = [s for s in trial.sites.all() if s.listed]
    arms = _arms(trial)
    interventions = list(trial.interventions.all())
    return {
        "team_summary": _team_summary(trial),
        "glance": plain.at_a_glance(trial, arms, interventions, sites, nearest),
        "reading": readability.reading(trial.brief_summary),
        "results": parse_results(
            trial.nct_id,
            getattr(trial, "results_section", None),
            getattr(trial, "document_section", None),
            trial.references,
        ),
        # The glossary terms marked so far in each section of the page (define_terms).
        "terms": glossary.PageTerms(),
        "trial": trial,
        "sites": sorted(sites, key=lambda s: (s.country or "~", s.city or "~", s.position)),
        "recruiting_sites": sum(s.is_recruiting for s in sites),
        "country_count": len({s.country for s in sites if s.country}),
        "arms": arms,
        "interventions": interventions,
        "outcomes": list(trial.outcomes.all()),
        "central_contacts": list(trial.central_contacts.all()),
        "design": plain.design_facts(trial, arms, interventions),
        "related": related_trials(trial),
    }


def _page(
    request: HttpRequest,
    trial: Trial,
    form: ContactForm,
    status: int = 200,
    *,
    checklist: dict | None = None,
) -> HttpResponse:
    if checklist is None:
        # The contact form posted without JavaScript: the checklist shows the answers it carried.
        answered = form.checklist or prescreen.Checklist.build(trial)
        checklist = _checklist_context(
            answered, _checklist_form(answered), opened=form.checklist is not None
        )
    context = {
        **_trial_context(trial),
        **_form_context(
            request, form, checklist["checklist"] if checklist["checklist_open"] else None
        ),
        **checklist,
    }
    return render(request, "finder/trial_detail.html", context, status=status)


@require_GET
@canonical_url
def trial_detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = _get_trial(nct_id)
    about, notices = AboutYouForm.lenient(request.GET)
    checklist = prescreen.Checklist.build(trial, about.profile())
    form = _checklist_form(checklist, initial=about.cleaned_data)
    context = _checklist_context(checklist, form, notices=notices)
    context["patient_query"] = about.query()  # related trials' links carry them on
    response = _page(request, trial, _contact_form(request, trial), checklist=context)
    if any(name in request.GET for name in PATIENT_PARAMETERS):
        # The patient's age and sex are not part of the trial's address.
        response["Link"] = (
            f'<{request.build_absolute_uri(trial.get_absolute_url())}>; rel="canonical"'
        )
    return response


@canonical_url
@sensitive_post_parameters()
def trial_checklist(request: HttpRequest, nct_id: str) -> HttpResponse:
    """The checklist answered without JavaScript: the page again, with the verdict.
    Nothing of the answers is stored or logged; the contact form carries them on."""
    trial = _get_trial(nct_id)
    if request.method != "POST":
        return redirect(reverse("trial_detail", args=[trial.nct_id]) + "#prescreen")
    form = _checklist_form(prescreen.Checklist.build(trial), request.POST)
    form.is_valid()  # the valid answers count; the others are shown with their errors
    checklist = prescreen.Checklist.build(trial, form.profile(), form.own_answers())
    contact_form = _contact_form(
        request, trial, initial={"prescreen": json.dumps(checklist.payload())}
    )
    response = _page(
        request, trial, contact_form, checklist=_checklist_context(checklist, form, opened=True)
    )
    response["Cache-Control"] = "no-store"
    return response


@canonical_url
@sensitive_post_parameters(*PERSONAL_FIELDS)
def contact_study_team(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = _get_trial(nct_id)
    if request.method != "POST" or not trial.is_open:
        return redirect(reverse("trial_detail", args=[trial.nct_id]) + "#contact")
    form = _contact_form(request, trial, data=request.POST)
    if form.is_valid() and form.is_spam:
        logger.info("contact form for %s: honeypot filled in; nothing stored", trial.nct_id)
        return render(request, "finder/contact_done.html", {"trial": trial, "spam": True})
    if form.is_valid():
        site = form.cleaned_data["site"]
        try:
            submission = contact.submit(
                trial, site, form.cleaned_data, sender=client.sender(request)
            )
        except contact.RateLimited as limited:
            form.add_error(None, str(limited))
            form.rate_limited = True
        else:
            request.session[DONE_SESSION_KEY] = [submission.request.pk, submission.created]
            done = reverse("contact_done", args=[trial.nct_id])
            return HttpResponseClientRedirect(done) if request.htmx else redirect(done)
    if request.htmx:
        context = {"trial": trial, **_form_context(request, form)}
        return render(request, "finder/_contact_form.html", context)
    return _page(request, trial, form, status=429 if form.rate_limited else 200)


@require_POST
@canonical_url
@sensitive_post_parameters(*PERSONAL_FIELDS)
def contact_check(request: HttpRequest, nct_id: str) -> HttpResponse:
    """One field of the form, checked as the patient leaves it (htmx)."""
    trial = _get_trial(nct_id)
    form = _contact_form(request, trial, data=request.POST)
    name = request.htmx.trigger_name if request.htmx else None
    if name not in form.fields or name == "leave_empty":
        return HttpResponse(status=204)
    form.is_valid()
    context = {"trial": trial, "field": form[name], "oob": True, **_form_context(request, form)}
    return render(request, "finder/_contact_form.html#field", context)


@require_GET
def contact_done(request: HttpRequest, nct_id: str) -> HttpResponse:
    request_id, created = request.session.get(DONE_SESSION_KEY) or (None, True)
    done = (
        ContactRequest.objects.select_related("trial", "site")
        .filter(pk=request_id, trial__nct_id=nct_id)
        .first()
        if request_id
        else None
    )
    if done is None:
        return redirect(reverse("trial_detail", args=[canonical_nct_id(nct_id)]) + "#contact")
    context = {
        "trial": done.trial,
        "done": done,
        "again": not created,
        "team": team_addresses(done),
        "via_coordinators": sent_via_coordinators(done),
        "reply_days": settings.CONTACT_REPLY_WORKING_DAYS,
        "retention_days": settings.CONTACT_REQUEST_RETENTION_DAYS,
        # "Tell me about other trials like this one": its condition, the patient's address.
        **signup_context(_like(done.trial), email=done.email),
        "alert_heading": _("Tell me about other trials like this one"),
    }
    response = render(request, "finder/contact_done.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _like(trial: Trial) -> Criteria:
    """The search for trials like this one: its first condition, open to enrollment."""
    return Criteria.of(condition=trial.conditions[0] if trial.conditions else trial.title)


@require_GET
@canonical_url
def trial_api(request: HttpRequest, nct_id: str) -> JsonResponse:
    trial = _get_trial(nct_id)
    data = trial_detail_json(trial, request, page=_trial_context(trial))
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
