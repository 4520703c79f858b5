"""A trial as JSON, in one shape: the search API's results are the head of the trial API's
answer, which adds everything the trial page shows.

Codes come with their labels ({"code": "RECRUITING", "label": "Recruiting"}), ages in
words and as the record gives them, and dates at their own precision ("2019-09" for a
month) with the text the page shows. Posted results (`results_json`) have the shape
docs/api.md describes.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from trials import plain
from trials.models import PartialDate, Trial
from trials.results import (
    AdverseEvents,
    Baseline,
    Group,
    Measure,
    OrganSystem,
    OutcomeResult,
    ParticipantFlow,
    Results,
    Share,
)
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
        "has_results": trial.has_results,
    }


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
    team = page["team_summary"]
    return {
        **data,
        "team_summary": {
            "text": team.text,
            "html": plain.render_markdown(team.text),
            "updated": team.updated_at.isoformat(),
        }
        if team
        else None,
        "at_a_glance": [
            {"key": line.key, "label": line.label, "text": line.text} for line in page["glance"]
        ],
        "reading_level": {
            "grade": page["reading"].grade,
            "for_researchers": page["reading"].for_researchers,
            "words": page["reading"].words,
            "sentences": page["reading"].sentences,
        },
        "results": results_json(page["results"]),
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


# Posted results: one shape, described in docs/api.md


def _groups(groups: list[Group]) -> list[dict]:
    return [{"id": g.id, "title": g.title, "description": g.description} for g in groups]


def _share(group: Group, share: Share) -> dict:
    return {
        "group": group.id,
        "n": share.n,
        "of": share.of,
        "percent": share.percent,
        "events": share.events,
    }


def _shares(groups: list[Group], shares: list[Share]) -> list[dict]:
    return [_share(g, s) for g, s in zip(groups, shares, strict=True)]


def _measure(measure: Measure) -> dict:
    return {
        "title": measure.title,
        "description": measure.description,
        "population": measure.population,
        "param": measure.param or None,
        "param_label": measure.param_label or None,
        "dispersion": measure.dispersion or None,
        "dispersion_label": measure.dispersion_label or None,
        "unit": measure.unit,
        "analysed_units": measure.analysed_units,
        "analysed": [
            {"group": g.id, "n": a.n} for g, a in zip(measure.groups, measure.analysed, strict=True)
        ],
        "rows": [
            {
                "label": row.label,
                "values": [
                    {
                        "group": v.group_id,
                        "value": v.value or None,
                        "spread": v.spread or None,
                        "lower": v.lower or None,
                        "upper": v.upper or None,
                        "comment": v.comment or None,
                        "of": v.of,
                        "percent": v.percent,
                        "text": v.text,
                    }
                    for v in row.values
                ],
            }
            for row in measure.rows
        ],
    }


def _flow(flow: ParticipantFlow) -> dict:
    def rows(items) -> list[dict]:
        return [
            {
                "label": row.label,
                "kind": row.kind,
                "counts": [
                    {"group": g.id, "n": c.n, "comment": note or None}
                    for g, c, note in zip(flow.groups, row.counts, row.comments, strict=True)
                ],
            }
            for row in items
        ]

    return {
        "groups": _groups(flow.groups),
        "recruitment": flow.recruitment,
        "pre_assignment": flow.pre_assignment,
        "units": flow.units or None,
        "started": flow.started,
        "finished": flow.finished,
        "periods": [
            {"title": p.title, "milestones": rows(p.milestones), "reasons": rows(p.reasons)}
            for p in flow.periods
        ],
    }


def _baseline(baseline: Baseline) -> dict:
    return {
        "groups": _groups(baseline.groups),
        "total_group": baseline.total_group or None,
        "population": baseline.population,
        "analysed": [
            {"group": g.id, "n": a.n}
            for g, a in zip(baseline.groups, baseline.analysed, strict=True)
        ],
        "measures": [_measure(m) for m in baseline.measures],
    }


def _outcome(outcome: OutcomeResult) -> dict:
    return {
        "kind": outcome.kind,
        "kind_label": outcome.kind_label,
        **_measure(outcome),
        "groups": _groups(outcome.groups),
        "time_frame": outcome.time_frame,
        "posted": outcome.posted,
        "anticipated": outcome.anticipated or None,
        "analyses": [
            {
                "groups": [g.id for g in a.groups],
                "method": a.method,
                "p_value": a.p_value or None,
                "p_value_comment": a.p_comment or None,
                "estimate_kind": a.estimate_kind or None,
                "estimate": a.estimate or None,
                "ci_percent": a.ci_percent or None,
                "ci_sides": a.ci_sides or None,
                "ci_lower": a.ci_lower or None,
                "ci_upper": a.ci_upper or None,
                "dispersion": a.dispersion or None,
                "dispersion_value": a.dispersion_value or None,
                "test": a.non_inferiority or None,
                "comments": a.comments,
            }
            for a in outcome.analyses
        ],
        "text_alternative": outcome.text_alternative,
    }


def _organ_systems(groups: list[Group], systems: list[OrganSystem]) -> list[dict]:
    return [
        {
            "organ_system": system.name,
            "events": [
                {"term": e.term, "notes": e.notes or None, "counts": _shares(groups, e.counts)}
                for e in system.events
            ],
        }
        for system in systems
    ]


def _adverse_events(events: AdverseEvents) -> dict:
    groups = events.groups
    return {
        "groups": _groups(groups),
        "time_frame": events.time_frame or None,
        "threshold": events.threshold or None,
        "threshold_text": events.threshold_text,
        "description": events.description,
        "mortality_comment": events.mortality_comment or None,
        "totals": {
            "serious": _shares(groups, events.serious_totals),
            "other": _shares(groups, events.other_totals),
            "deaths": _shares(groups, events.deaths) if events.deaths else None,
        },
        "serious": _organ_systems(groups, events.serious),
        "other": _organ_systems(groups, events.other),
    }


def results_json(results: Results) -> dict:
    """A trial's posted results (trials.results.Results) as JSON."""
    contact = results.contact
    return {
        "posted": results.posted,
        "in_short": results.in_short if results.posted else [],
        "participant_flow": _flow(results.flow) if results.flow else None,
        "baseline": _baseline(results.baseline) if results.baseline else None,
        "outcomes": [_outcome(o) for o in results.outcomes],
        "adverse_events": _adverse_events(results.adverse_events)
        if results.adverse_events
        else None,
        "limitations": results.limitations or None,
        "restrictive_agreement": results.restrictive_agreement,
        "point_of_contact": {
            "title": contact.title,
            "organization": contact.organization,
            "email": contact.email,
            "phone": contact.phone,
            "phone_ext": contact.phone_ext,
        }
        if contact
        else None,
        "publications": [
            {
                "citation": p.get("citation") or "",
                "pmid": p.get("pmid") or None,
                "links": [url for _label, url in p["links"]],
            }
            for p in results.publications
        ],
        "documents": results.documents,
    }
