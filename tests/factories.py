"""Small builders for ClinicalTrials.gov records, imported through the real importer."""

from __future__ import annotations

import itertools

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from trials.importer import import_items
from trials.models import Trial
from trials.sources import Item

_numbers = itertools.count(1)


def study(
    nct_id: str | None = None,
    *,
    title: str = "A study of something",
    status: str = "RECRUITING",
    phases: list[str] | None = None,
    conditions: list[str] | None = None,
    keywords: list[str] | None = None,
    meshes: list[str] | None = None,
    ancestors: list[str] | None = None,
    summary: str = "A short summary.",
    criteria: str = "Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* None",
    min_age: str | None = "18 Years",
    max_age: str | None = "65 Years",
    sex: str = "ALL",
    healthy: bool = False,
    study_type: str = "INTERVENTIONAL",
    locations: list[dict] | None = None,
    central_contacts: list[dict] | None = None,
    interventions: list[dict] | None = None,
    arms: list[dict] | None = None,
    last_update: str = "2026-01-15",
    start: str = "2025-03",
    start_type: str = "ACTUAL",
    primary_completion: str | None = None,
    primary_completion_type: str = "ESTIMATED",
    enrollment: int | None = None,
    enrollment_type: str = "ESTIMATED",
    allocation: str | None = None,
    masking: str | None = None,
    who_masked: list[str] | None = None,
    references: list[dict] | None = None,
    results: dict | None = None,
    documents: list[dict] | None = None,
    has_results: bool | None = None,
) -> dict:
    nct_id = nct_id or f"NCT8{next(_numbers):07d}"
    eligibility = {"eligibilityCriteria": criteria, "sex": sex, "healthyVolunteers": healthy}
    if min_age:
        eligibility["minimumAge"] = min_age
    if max_age:
        eligibility["maximumAge"] = max_age
    record = {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id, "briefTitle": title},
            "statusModule": {
                "overallStatus": status,
                "startDateStruct": {"date": start, "type": start_type},
                "lastUpdatePostDateStruct": {"date": last_update, "type": "ACTUAL"},
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": "Test Sponsor", "class": "OTHER"}
            },
            "descriptionModule": {"briefSummary": summary},
            "conditionsModule": {
                "conditions": conditions or ["Lupus Nephritis"],
                "keywords": keywords or [],
            },
            "designModule": {
                "studyType": study_type,
                "phases": phases if phases is not None else ["PHASE2"],
            },
            "armsInterventionsModule": {
                "interventions": interventions or [],
                "armGroups": arms or [],
            },
            "eligibilityModule": eligibility,
            "contactsLocationsModule": {
                "centralContacts": central_contacts or [],
                "locations": locations
                if locations is not None
                else [
                    {
                        "facility": "Test Hospital",
                        "city": "Lyon",
                        "country": "France",
                        "status": "RECRUITING",
                    }
                ],
            },
        }
    }
    status_module = record["protocolSection"]["statusModule"]
    design = record["protocolSection"]["designModule"]
    if primary_completion:
        status_module["primaryCompletionDateStruct"] = {
            "date": primary_completion,
            "type": primary_completion_type,
        }
    if enrollment is not None:
        design["enrollmentInfo"] = {"count": enrollment, "type": enrollment_type}
    design_info = {}
    if allocation:
        design_info["allocation"] = allocation
    if masking:
        design_info["maskingInfo"] = {"masking": masking, "whoMasked": who_masked or []}
    if design_info:
        design["designInfo"] = design_info
    if references:
        record["protocolSection"]["referencesModule"] = {"references": references}
    if results is not None:
        record["resultsSection"] = results
    if documents:
        record["documentSection"] = {"largeDocumentModule": {"largeDocs": documents}}
    if has_results is not None:
        record["hasResults"] = has_results
    if meshes or ancestors:
        record["derivedSection"] = {
            "conditionBrowseModule": {
                "meshes": [{"id": f"D{i}", "term": t} for i, t in enumerate(meshes or [])],
                "ancestors": [{"id": f"A{i}", "term": t} for i, t in enumerate(ancestors or [])],
            }
        }
    return record


def make_trial(**kwargs) -> Trial:
    record = study(**kwargs)
    summary = import_items([Item("test", "1", record)])
    assert not summary.problems, summary.problems
    return Trial.objects.get(nct_id=record["protocolSection"]["identificationModule"]["nctId"])


def site(facility: str, city: str, lat: float, lon: float, status: str = "RECRUITING") -> dict:
    """A location of a record, in France, at a point."""
    return {
        "facility": facility,
        "city": city,
        "country": "France",
        "status": status,
        "geoPoint": {"lat": lat, "lon": lon},
    }


def run_queue() -> int:
    """Run every task that is due, as `manage.py db_worker` does (without its loop)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim("test-worker")
        worker.run_task(task)
        ran += 1
    return ran
