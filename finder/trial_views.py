"""The trial page, its JSON twin, and the "contact the study team" form on it.

Every view takes the NCT ID as typed: `nct05631717` or one with spaces redirects to
the canonical URL, an unknown one gets the friendly 404 page. The form posts to
`contact_study_team` (post/redirect/get; with htmx a fragment or HX-Redirect) and
each field is checked on change by `contact_check`.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db.models import (
    Case,
    F,
    FloatField,
    IntegerField,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from trials.ctgov import normalize_term
from trials.models import OPEN_STATUSES, ContactRequest, Site, TextVector, Trial
from trials.tasks import sent_via_coordinators, team_addresses

from . import contact
from .forms import ContactForm
from .templatetags import trial_text
from .templatetags.trial_words import age_range
from .views import CARD_FIELDS

logger = logging.getLogger(__name__)

NCT_ID = re.compile(r"^NCT\d{1,12}$")  # as the importer accepts them
RELATED_LIMIT = 6
PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "language", "message")
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


def _trials() -> QuerySet[Trial]:
    return Trial.objects.defer(*HEAVY_FIELDS).prefetch_related(
        Prefetch("sites", queryset=Site.objects.order_by("position")),
        "arm_groups",
        "interventions",
        "outcomes",
        "central_contacts",
    )


def _get_trial(request: HttpRequest, nct_id: str, view: str) -> Trial | HttpResponse:
    """The trial, or a redirect to the canonical URL, or the friendly 404 page."""
    canonical = canonical_nct_id(nct_id)
    trial = _trials().filter(nct_id=canonical).first() if NCT_ID.match(canonical) else None
    if trial is None:
        context = {"nct_id": canonical if NCT_ID.match(canonical) else ""}
        if view == "api_trial":
            return JsonResponse({"error": "not found", "nct_id": nct_id[:40]}, status=404)
        return render(request, "404.html", context, status=404)
    if canonical != nct_id:
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse(view, args=[canonical]) + query, permanent=True)
    return trial


RELATED_CANDIDATES = 40
# Candidates come from a trial's rarest terms, together matching at most this many trials
# (the rarest one always counts, however common).
RELATED_TERM_BUDGET = 5000


def related_trials(trial: Trial) -> list[Trial]:
    """Trials of the same conditions or MeSH terms: open ones first, then the closest.

    Candidates share the trial's most specific terms (those fewest trials list): an exact
    index lookup whose size does not grow with the common terms ("Neoplasms" matches a
    fifth of all trials). The condition index, which also matches keywords and titles
    (short records name their condition only in the title), is searched only when those
    are too few. Trials sharing more terms rank first.
    """
    terms = list(dict.fromkeys(normalize_term(t) for t in trial.conditions + trial.mesh_terms))
    terms = [t for t in terms if t][:20]
    if not terms:
        return []
    query = "(" + " || ".join(["phraseto_tsquery('english', %s)"] * len(terms)) + ")"
    rank = RawSQL(f"ts_rank(condition_document, {query})", terms, output_field=FloatField())
    shared = RawSQL(
        "cardinality(ARRAY(SELECT unnest(condition_terms) INTERSECT SELECT unnest(%s::text[])))",
        [terms],
        output_field=IntegerField(),
    )
    open_first = Case(When(overall_status__in=OPEN_STATUSES, then=Value(0)), default=Value(1))
    # A bounded set of candidates from the rarest terms (the rarest one always, then more
    # while together they match at most RELATED_TERM_BUDGET trials), read in the table's
    # order up to a limit: a common condition costs no more, and the page shows the same
    # trials each time (settings turn off synchronized scans, which would start a scan
    # wherever the last one stopped).
    candidates = RawSQL(
        "WITH counted AS (SELECT t.term, coalesce(c.trial_count, 0) AS n "
        "FROM unnest(%s::text[]) AS t(term) "
        "LEFT JOIN trials_conditionterm c ON c.normalized = t.term), "
        "rarest AS MATERIALIZED (SELECT array_agg(term) AS terms FROM "
        "(SELECT term, row_number() OVER w AS k, sum(n) OVER w AS running FROM counted "
        "WINDOW w AS (ORDER BY n, term)) x WHERE k = 1 OR running <= %s), "
        "exact AS MATERIALIZED (SELECT id FROM trials_trial "
        f"WHERE condition_terms && (SELECT terms FROM rarest) LIMIT {RELATED_CANDIDATES}) "
        "SELECT id FROM exact UNION "
        f"(SELECT id FROM trials_trial WHERE condition_document @@ {query} "
        f"AND (SELECT count(DISTINCT id) FROM exact) <= {RELATED_LIMIT} "
        f"LIMIT {RELATED_CANDIDATES})",
        [terms, RELATED_TERM_BUDGET, *terms],
    )
    return list(
        Trial.objects.filter(pk__in=candidates)
        .exclude(pk=trial.pk)
        .annotate(open_first=open_first, shared=shared, rank=rank)
        .order_by(
            "open_first", "-shared", "-rank", F("last_update").desc(nulls_last=True), "nct_id"
        )
        .only(*CARD_FIELDS)[:RELATED_LIMIT]
    )


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
        client=contact.client_hash(request),
        check_url=reverse("contact_check", args=[trial.nct_id]),
        **kwargs,
    )


def _form_context(request: HttpRequest, form: ContactForm) -> dict:
    return {
        "form": form,
        "consent_who": form.consent_who(specific=bool(request.htmx)),
        "reply_days": settings.CONTACT_REPLY_WORKING_DAYS,
        "retention_days": settings.CONTACT_REQUEST_RETENTION_DAYS,
    }


def _page(request: HttpRequest, trial: Trial, form: ContactForm, status: int = 200) -> HttpResponse:
    sites = [s for s in trial.sites.all() if s.listed]
    arms = _arms(trial)
    context = {
        "trial": trial,
        "sites": sorted(sites, key=lambda s: (s.country or "~", s.city or "~", s.position)),
        "recruiting_sites": sum(s.is_recruiting for s in sites),
        "country_count": len({s.country for s in sites if s.country}),
        "arms": arms,
        "interventions": list(trial.interventions.all()),
        "outcomes": list(trial.outcomes.all()),
        "central_contacts": list(trial.central_contacts.all()),
        "design": trial_text.design_facts(trial, arms, trial.interventions.all()),
        "related": related_trials(trial),
        **_form_context(request, form),
    }
    return render(request, "finder/trial_detail.html", context, status=status)


@require_GET
def trial_detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = _get_trial(request, nct_id, "trial_detail")
    if isinstance(trial, HttpResponse):
        return trial
    return _page(request, trial, _contact_form(request, trial))


@sensitive_post_parameters(*PERSONAL_FIELDS)
def contact_study_team(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial = _get_trial(request, nct_id, "contact_study_team")
    if isinstance(trial, HttpResponse):
        return trial
    if request.method != "POST" or not trial.is_open:
        return redirect(reverse("trial_detail", args=[trial.nct_id]) + "#contact")
    form = _contact_form(request, trial, data=request.POST)
    if form.is_valid() and form.is_spam:
        logger.info("contact form for %s: honeypot filled in; nothing stored", trial.nct_id)
        return render(request, "finder/contact_done.html", {"trial": trial, "spam": True})
    if form.is_valid():
        site = form.cleaned_data["site"]
        try:
            submission = contact.submit(trial, site, form.cleaned_data, client=form.client)
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
@sensitive_post_parameters(*PERSONAL_FIELDS)
def contact_check(request: HttpRequest, nct_id: str) -> HttpResponse:
    """One field of the form, checked as the patient leaves it (htmx)."""
    trial = _get_trial(request, nct_id, "contact_check")
    if isinstance(trial, HttpResponse):
        return trial
    form = _contact_form(request, trial, data=request.POST, check_limits=False)
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
    }
    response = render(request, "finder/contact_done.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def trial_api(request: HttpRequest, nct_id: str) -> JsonResponse:
    trial = _get_trial(request, nct_id, "api_trial")
    if isinstance(trial, HttpResponse):
        return trial
    return JsonResponse(trial_json(trial, request), json_dumps_params={"ensure_ascii": False})


def _date(value) -> dict | None:
    if value is None:
        return None
    return {"date": value.isoformat(), "text": str(value), "estimated": value.estimated}


def trial_json(trial: Trial, request: HttpRequest) -> dict:
    """Everything the trial page shows, as data."""
    arms = _arms(trial)
    sites = [s for s in trial.sites.all() if s.listed]
    return {
        "nct_id": trial.nct_id,
        "title": trial.title,
        "official_title": trial.official_title,
        "acronym": trial.acronym,
        "url": request.build_absolute_uri(trial.get_absolute_url()),
        "ctgov_url": trial.ctgov_url,
        "status": {
            "code": trial.overall_status,
            "label": trial.get_overall_status_display(),
            "explanation": trial.status_explanation,
            "last_known": trial.last_known_status or None,
            "why_stopped": trial.why_stopped or None,
            "open": trial.is_open,
        },
        "phases": trial.phases,
        "phase_labels": trial.phase_labels,
        "study_type": trial.study_type or None,
        "conditions": trial.conditions,
        "keywords": trial.keywords,
        "mesh_terms": trial.mesh_terms,
        "dates": {
            name: _date(getattr(trial, name))
            for name in (
                "start",
                "primary_completion",
                "completion",
                "first_posted_on",
                "last_update_on",
                "verified_on",
            )
        },
        "eligibility": {
            "ages": age_range(trial),
            "min_age": trial.minimum_age or None,
            "max_age": trial.maximum_age or None,
            "sex": trial.sex or None,
            "gender_description": trial.gender_description or None,
            "healthy_volunteers": trial.healthy_volunteers,
            "criteria": trial.eligibility_criteria,
            "criteria_sections": [
                {"kind": s.kind, "title": s.title, "html": str(s.html)}
                for s in trial_text.criteria_sections(trial.eligibility_criteria)
            ],
        },
        "summary": trial.brief_summary,
        "description": trial.detailed_description,
        "design": [
            {"question": q, "answer": a}
            for q, a in trial_text.design_facts(trial, arms, trial.interventions.all())
        ],
        "arms": [
            {
                "label": a.label,
                "type": a.type or None,
                "description": a.description,
                "interventions": [i.name for i in a.treatments],
            }
            for a in arms
        ],
        "interventions": [
            {
                "type": i.type or None,
                "name": i.name,
                "other_names": i.other_names,
                "description": i.description,
                "arms": i.arm_group_labels,
            }
            for i in trial.interventions.all()
        ],
        "outcomes": [
            {
                "kind": o.kind,
                "measure": o.measure,
                "description": o.description,
                "time_frame": o.time_frame,
            }
            for o in trial.outcomes.all()
        ],
        "locations": [
            {
                "facility": s.facility,
                "city": s.city,
                "state": s.state,
                "zip": s.zip_code,
                "country": s.country,
                "status": s.status or None,
                "status_label": s.status_label or None,
                "contacts": s.contacts,
            }
            for s in sites
        ],
        "sponsor": {"name": trial.lead_sponsor, "class": trial.lead_sponsor_class or None},
        "collaborators": trial.collaborators,
        "responsible_party": trial.responsible_party or None,
        "officials": trial.overall_officials,
        "contacts": [
            {
                "name": c.name,
                "role": c.role or None,
                "phone": c.phone,
                "phone_ext": c.phone_ext,
                "email": c.email,
            }
            for c in trial.central_contacts.all()
        ],
        "references": [
            {**r, "links": [url for _, url in trial_text.reference_links(r)]}
            for r in trial.references
        ],
        "see_also": trial.see_also_links,
        "identifiers": {
            "nct_id": trial.nct_id,
            "org_study_id": trial.org_study_id or None,
            "secondary": trial.secondary_ids,
        },
        "related": [
            {
                "nct_id": t.nct_id,
                "title": t.title,
                "status": t.overall_status,
                "phases": t.phases,
                "url": request.build_absolute_uri(t.get_absolute_url()),
            }
            for t in related_trials(trial)
        ],
        "contact_form": trial.is_open,
    }
