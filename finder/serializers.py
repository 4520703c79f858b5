"""A trial as JSON, in one shape: the search API's results are the head of the trial API's
answer, which adds everything the trial page shows.

Codes come with their labels ({"code": "RECRUITING", "label": "Recruiting"}), ages in
words and as the record gives them, and dates at their own precision ("2019-09" for a
month) with the text the page shows.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from trials import plain
from trials.models import PartialDate, Trial
from trials.vocabularies import Phase, StudyType


def _date(value: PartialDate | None) -> dict | None:
    if value is None:
        return None
    return {"date": value.isoformat(), "text": str(value), "estimated": value.estimated}


def trial_summary(trial: Trial, request: HttpRequest) -> dict:
    """What a result card shows (the columns of Trial.objects.cards())."""
    return {
        "nct_id": trial.nct_id,
        "title": trial.title,
        "url": request.build_absolute_uri(trial.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse("api_trial", args=[trial.nct_id])),
        "status": {
            "code": trial.overall_status,
            "label": trial.get_overall_status_display(),
            "explanation": trial.status_explanation,
            "open": trial.is_open,
        },
        "phases": trial.phases,
        "phase_labels": [str(Phase.label_for(p)) for p in trial.phases],
        "study_type": trial.study_type or None,
        "conditions": trial.conditions,
        "eligibility": {
            "ages": plain.age_range(trial),
            "min_age": trial.minimum_age or None,
            "max_age": trial.maximum_age or None,
            "sex": trial.sex or None,
            "healthy_volunteers": trial.healthy_volunteers,
        },
        "countries": trial.countries,
        "cities": trial.cities[:10],
        "dates": {"last_update": _date(trial.last_update_on)},
    }


def _distance(site, near) -> dict:
    """With a place (the trial page's `near`): the site's distance from it, in its unit."""
    if near is None:
        return {}
    km = getattr(site, "km", None)
    return {"distance": None if km is None else round(near.in_unit(km), 1), "unit": near.unit}


def trial_detail(trial: Trial, request: HttpRequest, *, page: dict) -> dict:
    """Everything the trial page shows; `page` is the trial page's context (its arms,
    sites, design facts and related trials)."""
    data = trial_summary(trial, request)
    data["status"].update(
        last_known=trial.last_known_status or None, why_stopped=trial.why_stopped or None
    )
    data["eligibility"].update(
        gender_description=trial.gender_description or None,
        criteria=trial.eligibility_criteria,
        criteria_sections=[
            {"kind": s.kind, "title": s.title, "html": str(s.html)}
            for s in plain.criteria_sections(trial.eligibility_criteria)
        ],
    )
    data["dates"] = {
        "start": _date(trial.start),
        "primary_completion": _date(trial.primary_completion),
        "completion": _date(trial.completion),
        "first_posted": _date(trial.first_posted_on),
        "last_update": _date(trial.last_update_on),
        "status_verified": _date(trial.verified_on),
    }
    return {
        **data,
        "official_title": trial.official_title,
        "acronym": trial.acronym,
        "ctgov_url": trial.ctgov_url,
        "study_type_label": StudyType.label_for(trial.study_type) if trial.study_type else None,
        "keywords": trial.keywords,
        "mesh_terms": trial.mesh_terms,
        "summary": trial.brief_summary,
        "description": trial.detailed_description,
        "design": [{"question": q, "answer": a} for q, a in page["design"]],
        "arms": [
            {
                "label": a.label,
                "type": a.type or None,
                "description": a.description,
                "interventions": [i.name for i in a.treatments],
            }
            for a in page["arms"]
        ],
        "interventions": [
            {
                "type": i.type or None,
                "name": i.name,
                "other_names": i.other_names,
                "description": i.description,
                "arms": i.arm_group_labels,
            }
            for i in page["interventions"]
        ],
        "outcomes": [
            {
                "kind": o.kind,
                "measure": o.measure,
                "description": o.description,
                "time_frame": o.time_frame,
            }
            for o in page["outcomes"]
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
                **_distance(s, page.get("near")),
            }
            for s in page["sites"]
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
            for c in page["central_contacts"]
        ],
        "references": [
            {**r, "links": [url for _, url in plain.reference_links(r)]} for r in trial.references
        ],
        "see_also": trial.see_also_links,
        "identifiers": {
            "nct_id": trial.nct_id,
            "org_study_id": trial.org_study_id or None,
            "secondary": trial.secondary_ids,
        },
        "related": [trial_summary(t, request) for t in page["related"]],
        "contact_form": trial.is_open,
    }
