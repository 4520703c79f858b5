"""Turn one ClinicalTrials.gov API v2 study object into the values our models store.

`parse_study(obj)` validates the record and returns a StudyRecord: the Trial's
field values and its child rows, ready to write. It raises RecordError, with a
message a person can act on, for anything we cannot store faithfully.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import orjson

from .models import ADULT_DAYS, DAYS_PER_YEAR, OLDER_ADULT_DAYS, DatePrecision
from .vocabularies import AgeGroup, Phase, Sex, Status, StudyType

NCT_ID_RE = re.compile(r"^NCT\d{1,12}$")
AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
DAYS_PER_UNIT = {
    "year": DAYS_PER_YEAR,
    "month": DAYS_PER_YEAR / 12,
    "week": 7,
    "day": 1,
    "hour": 1 / 24,
    "minute": 1 / 1440,
}
# Enum values as tuples, computed once: the importer checks every record against them.
STATUSES, PHASES, STUDY_TYPES, SEXES = (tuple(e.values) for e in (Status, Phase, StudyType, Sex))
OUTCOME_KINDS = (
    ("primaryOutcomes", "PRIMARY"),
    ("secondaryOutcomes", "SECONDARY"),
    ("otherOutcomes", "OTHER"),
)


# Control characters other than tab and newlines: PostgreSQL refuses NUL in text, and
# the others only come from typing or pasting by mistake.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def one_line(value: str) -> str:
    """Text as one line: control characters dropped, white space folded."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value).split())


class RecordError(ValueError):
    """A study record that cannot be stored; the message says why."""

    def __init__(self, message: str, nct_id: str | None = None):
        super().__init__(message)
        self.nct_id = nct_id


@dataclass
class StudyRecord:
    nct_id: str
    fields: dict[str, Any]
    raw_json: str = ""
    sites: list[dict[str, Any]] = field(default_factory=list)
    arm_groups: list[dict[str, Any]] = field(default_factory=list)
    interventions: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)


# What normalize_term drops: control characters but tab and newline (PostgreSQL text cannot hold NUL).
_DROP_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n")


@functools.lru_cache(maxsize=8192)  # bounded: imports must run in flat memory
def normalize_term(text: str) -> str:
    """Lower-case, strip accents and fold white space: how condition terms are matched."""
    if text.isascii():  # most terms: no accents to strip, and casefold() is lower()
        return " ".join(text.translate(_DROP_CONTROL).lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    # Drop accents, and control characters (PostgreSQL text cannot hold NUL).
    stripped = "".join(
        c for c in decomposed if not unicodedata.combining(c) and (c >= " " or c in "\t\n")
    )
    return " ".join(stripped.casefold().split())


def age_in_days(text: str | None) -> int | None:
    """'18 Years' -> 6574; None, '' and 'N/A' mean no limit (None)."""
    if text is None or text.strip().upper() in {"", "N/A", "NA", "NONE"}:
        return None
    match = AGE_RE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an age like '18 Years' or '6 Months'")
    return int(float(match.group(1)) * DAYS_PER_UNIT[match.group(2).lower()])


def age_groups(min_days: int | None, max_days: int | None) -> list[str]:
    """The standard age groups (child 0-17, adult 18-64, older adult 65+) an age range overlaps."""
    low = 0 if min_days is None else min_days
    high = float("inf") if max_days is None else max_days
    groups = []
    if low < ADULT_DAYS:
        groups.append(AgeGroup.CHILD.value)
    if low < OLDER_ADULT_DAYS and high >= ADULT_DAYS:
        groups.append(AgeGroup.ADULT.value)
    if high >= OLDER_ADULT_DAYS:
        groups.append(AgeGroup.OLDER_ADULT.value)
    return groups


def parse_partial_date(text: str | None) -> tuple[dt.date | None, str]:
    """'2017-01' -> (2017-01-01, 'M'): the first day and the precision given."""
    if not text:
        return None, ""
    parts = text.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            return dt.date(numbers[0], 1, 1), DatePrecision.YEAR
        if len(numbers) == 2:
            return dt.date(numbers[0], numbers[1], 1), DatePrecision.MONTH
        if len(numbers) == 3:
            return dt.date(*numbers), DatePrecision.DAY
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date like 2017, 2017-01 or 2017-01-15")


def dump_json(obj: Any) -> bytes:
    """Compact UTF-8 JSON, as json.dumps(ensure_ascii=False, separators=(",", ":")) writes it,
    only faster (the importer writes every study and hashes it)."""
    try:
        return orjson.dumps(obj)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


# Small typed accessors: a record with a wrong type is rejected with the path named.


def _dict(obj: Any, path: str) -> dict:
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        raise RecordError(f"{path} should be an object, not {type(obj).__name__}")
    return obj


def _list(obj: Any, path: str) -> list:
    if obj is None:
        return []
    if not isinstance(obj, list):
        raise RecordError(f"{path} should be a list, not {type(obj).__name__}")
    return obj


def _str(obj: Any, path: str) -> str:
    if obj is None:
        return ""
    if type(obj) is not str:
        if isinstance(obj, bool) or not isinstance(obj, (int, float)):
            raise RecordError(f"{path} should be text, not {type(obj).__name__}")
        obj = str(obj)
    return obj.replace("\x00", "") if "\x00" in obj else obj


def _strs(obj: Any, path: str) -> list[str]:
    found = []
    for i, item in enumerate(_list(obj, path)):
        # Most items are clean text: only the others pay for a path to report.
        text = item if type(item) is str and "\x00" not in item else _str(item, f"{path}[{i}]")
        if text:
            found.append(text)
    return found


def _texts(obj: Any, path: str, keys: tuple[str, ...]) -> dict[str, str]:
    """An object whose named fields must be text (pages print them); others are kept."""
    obj = _dict(obj, path)
    return {**obj, **{k: _str(obj[k], f"{path}.{k}") for k in keys if k in obj}}


def _bool(obj: Any, path: str) -> bool | None:
    if obj is None:
        return None
    if not isinstance(obj, bool):
        raise RecordError(f"{path} should be true or false, not {obj!r}")
    return obj


def _int(obj: Any, path: str) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, bool) or not isinstance(obj, int) or obj < 0:
        raise RecordError(f"{path} should be a whole number, not {obj!r}")
    return obj


def _float(obj: Any, path: str) -> float | None:
    if obj is None:
        return None
    if isinstance(obj, bool) or not isinstance(obj, (int, float)):
        raise RecordError(f"{path} should be a number, not {obj!r}")
    return float(obj)


def _enum(value: str, allowed: tuple[str, ...], path: str) -> str:
    if value and value not in allowed:
        raise RecordError(f"{path} is {value!r}, not one of {', '.join(allowed)}")
    return value


def _milestone(module: dict, key: str, prefix: str, path: str) -> dict[str, Any]:
    struct = _dict(module.get(key), f"{path}.{key}")
    try:
        value, precision = parse_partial_date(_str(struct.get("date"), f"{path}.{key}.date"))
    except ValueError as exc:
        raise RecordError(f"{path}.{key}.date: {exc}") from None
    return {
        prefix: value,
        f"{prefix}_precision": precision,
        f"{prefix}_estimated": struct.get("type") == "ESTIMATED",
    }


def parse_study(obj: Any) -> StudyRecord:
    """Validate one API v2 study object and return what to store for it."""
    if not isinstance(obj, dict):
        raise RecordError(f"a study should be a JSON object, not {type(obj).__name__}")
    protocol = _dict(obj.get("protocolSection"), "protocolSection")
    ident = _dict(protocol.get("identificationModule"), "identificationModule")
    nct_id = _str(ident.get("nctId"), "identificationModule.nctId").strip().upper()
    if not nct_id:
        raise RecordError("the record has no identificationModule.nctId")
    if not NCT_ID_RE.match(nct_id):
        raise RecordError(f"{nct_id!r} is not an NCT ID like NCT01234567")
    try:
        return _parse(obj, protocol, ident, nct_id)
    except RecordError as exc:
        exc.nct_id = nct_id
        raise


def _parse(obj: dict, protocol: dict, ident: dict, nct_id: str) -> StudyRecord:
    if "statusModule" not in protocol:
        raise RecordError("the record has no statusModule, so its status is unknown")
    status = _dict(protocol["statusModule"], "statusModule")
    overall_status = _str(status.get("overallStatus"), "statusModule.overallStatus")
    if not overall_status:
        raise RecordError("statusModule.overallStatus is missing")
    _enum(overall_status, STATUSES, "statusModule.overallStatus")
    last_known = _enum(
        _str(status.get("lastKnownStatus"), "statusModule.lastKnownStatus"),
        STATUSES,
        "statusModule.lastKnownStatus",
    )
    # A few records (and one seed page) give no brief title; pages fall back to the NCT ID.
    brief_title = _str(ident.get("briefTitle"), "identificationModule.briefTitle") or _str(
        ident.get("officialTitle"), "identificationModule.officialTitle"
    )

    sponsors = _dict(protocol.get("sponsorCollaboratorsModule"), "sponsorCollaboratorsModule")
    lead = _dict(sponsors.get("leadSponsor"), "sponsorCollaboratorsModule.leadSponsor")
    description = _dict(protocol.get("descriptionModule"), "descriptionModule")
    conditions_module = _dict(protocol.get("conditionsModule"), "conditionsModule")
    design = _dict(protocol.get("designModule"), "designModule")
    design_info = _dict(design.get("designInfo"), "designModule.designInfo")
    masking = _dict(design_info.get("maskingInfo"), "designModule.designInfo.maskingInfo")
    enrollment = _dict(design.get("enrollmentInfo"), "designModule.enrollmentInfo")
    eligibility = _dict(protocol.get("eligibilityModule"), "eligibilityModule")
    contacts_module = _dict(protocol.get("contactsLocationsModule"), "contactsLocationsModule")
    references = _dict(protocol.get("referencesModule"), "referencesModule")
    derived = _dict(obj.get("derivedSection"), "derivedSection")
    browse = _dict(derived.get("conditionBrowseModule"), "derivedSection.conditionBrowseModule")

    phases = _strs(design.get("phases"), "designModule.phases")
    for phase in phases:
        _enum(phase, PHASES, "designModule.phases")
    study_type = _enum(
        _str(design.get("studyType"), "designModule.studyType"),
        STUDY_TYPES,
        "designModule.studyType",
    )
    sex = _enum(
        _str(eligibility.get("sex"), "eligibilityModule.sex"), SEXES, "eligibilityModule.sex"
    )
    minimum_age = _str(eligibility.get("minimumAge"), "eligibilityModule.minimumAge")
    maximum_age = _str(eligibility.get("maximumAge"), "eligibilityModule.maximumAge")
    try:
        min_days, max_days = age_in_days(minimum_age), age_in_days(maximum_age)
    except ValueError as exc:
        raise RecordError(f"eligibilityModule: {exc}") from None
    if min_days is not None and max_days is not None and min_days > max_days:
        raise RecordError(f"minimum age {minimum_age!r} is above maximum age {maximum_age!r}")

    conditions = _strs(conditions_module.get("conditions"), "conditionsModule.conditions")
    keywords = _strs(conditions_module.get("keywords"), "conditionsModule.keywords")
    mesh_terms = [
        _str(_dict(m, "conditionBrowseModule.meshes[]").get("term"), "meshes[].term")
        for m in _list(browse.get("meshes"), "conditionBrowseModule.meshes")
    ]
    mesh_ancestors = [
        _str(_dict(m, "conditionBrowseModule.ancestors[]").get("term"), "ancestors[].term")
        for m in _list(browse.get("ancestors"), "conditionBrowseModule.ancestors")
    ]
    mesh_terms, mesh_ancestors = [t for t in mesh_terms if t], [t for t in mesh_ancestors if t]

    record = StudyRecord(nct_id=nct_id, fields={})
    record.sites = _sites(contacts_module)
    record.arm_groups, record.interventions = _arms_and_interventions(protocol)
    record.outcomes = _outcomes(protocol)
    record.contacts = _central_contacts(contacts_module)

    countries = sorted({s["country"] for s in record.sites if s["country"]})
    cities = list(dict.fromkeys(s["city"] for s in record.sites if s["city"]))
    condition_words = conditions + keywords + mesh_terms + mesh_ancestors
    intervention_words = [
        text for i in record.interventions for text in [i["name"], *i["other_names"]]
    ]

    f = record.fields
    f.update(
        nct_id=nct_id,
        brief_title=brief_title,
        official_title=_str(ident.get("officialTitle"), "identificationModule.officialTitle"),
        acronym=_str(ident.get("acronym"), "identificationModule.acronym")[:100],
        org_study_id=_str(
            _dict(ident.get("orgStudyIdInfo"), "orgStudyIdInfo").get("id"), "orgStudyIdInfo.id"
        )[:200],
        secondary_ids=[
            _texts(s, "secondaryIdInfos[]", ("id", "type", "domain", "link"))
            for s in _list(ident.get("secondaryIdInfos"), "identificationModule.secondaryIdInfos")
        ],
        organization=_str(
            _dict(ident.get("organization"), "organization").get("fullName"),
            "organization.fullName",
        )[:500],
        overall_status=overall_status,
        last_known_status=last_known,
        why_stopped=_str(status.get("whyStopped"), "statusModule.whyStopped"),
        study_type=study_type,
        phases=phases,
        enrollment=_int(enrollment.get("count"), "enrollmentInfo.count"),
        enrollment_estimated=enrollment.get("type") == "ESTIMATED",
        allocation=_str(design_info.get("allocation"), "designInfo.allocation")[:32],
        intervention_model=_str(
            design_info.get("interventionModel"), "designInfo.interventionModel"
        )[:32],
        intervention_model_description=_str(
            design_info.get("interventionModelDescription"),
            "designInfo.interventionModelDescription",
        ),
        primary_purpose=_str(design_info.get("primaryPurpose"), "designInfo.primaryPurpose")[:48],
        observational_model=_str(
            design_info.get("observationalModel"), "designInfo.observationalModel"
        )[:48],
        time_perspective=_str(design_info.get("timePerspective"), "designInfo.timePerspective")[
            :32
        ],
        masking=_str(masking.get("masking"), "maskingInfo.masking")[:32],
        who_masked=_strs(masking.get("whoMasked"), "maskingInfo.whoMasked"),
        brief_summary=_str(description.get("briefSummary"), "descriptionModule.briefSummary"),
        detailed_description=_str(
            description.get("detailedDescription"), "descriptionModule.detailedDescription"
        ),
        conditions=conditions,
        keywords=keywords,
        mesh_terms=mesh_terms,
        mesh_ancestors=mesh_ancestors,
        eligibility_criteria=_str(
            eligibility.get("eligibilityCriteria"), "eligibilityModule.eligibilityCriteria"
        ),
        minimum_age=minimum_age[:40],
        maximum_age=maximum_age[:40],
        min_age_days=min_days,
        max_age_days=max_days,
        sex=sex,
        gender_based=bool(_bool(eligibility.get("genderBased"), "eligibilityModule.genderBased")),
        gender_description=_str(
            eligibility.get("genderDescription"), "eligibilityModule.genderDescription"
        ),
        healthy_volunteers=_bool(
            eligibility.get("healthyVolunteers"), "eligibilityModule.healthyVolunteers"
        ),
        std_ages=age_groups(min_days, max_days),
        lead_sponsor=_str(lead.get("name"), "leadSponsor.name")[:500],
        lead_sponsor_class=_str(lead.get("class"), "leadSponsor.class")[:32],
        collaborators=[
            _texts(c, "collaborators[]", ("name", "class"))
            for c in _list(
                sponsors.get("collaborators"), "sponsorCollaboratorsModule.collaborators"
            )
        ],
        responsible_party=_texts(
            sponsors.get("responsibleParty"),
            "responsibleParty",
            (
                "type",
                "investigatorFullName",
                "investigatorTitle",
                "investigatorAffiliation",
                "oldNameTitle",
                "oldOrganization",
            ),
        ),
        overall_officials=[
            _texts(o, "overallOfficials[]", ("name", "affiliation", "role"))
            for o in _list(contacts_module.get("overallOfficials"), "overallOfficials")
        ],
        references=[
            _texts(r, "references[]", ("pmid", "type", "citation"))
            for r in _list(references.get("references"), "references")
        ],
        see_also_links=[
            _texts(r, "seeAlsoLinks[]", ("label", "url"))
            for r in _list(references.get("seeAlsoLinks"), "seeAlsoLinks")
        ],
        countries=countries,
        cities=cities,
        site_count=len(record.sites),
        recruiting_site_count=sum(1 for s in record.sites if s["status"] == Status.RECRUITING),
        intervention_names=[i["name"] for i in record.interventions],
        condition_terms=list(dict.fromkeys(normalize_term(t) for t in condition_words)),
        search_conditions=normalize_term(" ; ".join(condition_words)),
        search_interventions=" ; ".join(intervention_words),
        raw=obj,
    )
    raw_json = dump_json(obj)
    record.raw_json = raw_json.decode()
    f["source_hash"] = hashlib.sha256(raw_json).hexdigest()
    verified_value, verified_precision = _verified_date(status)
    f.update(status_verified=verified_value, status_verified_precision=verified_precision)
    for key, prefix in (
        ("startDateStruct", "start_date"),
        ("primaryCompletionDateStruct", "primary_completion_date"),
        ("completionDateStruct", "completion_date"),
        ("studyFirstPostDateStruct", "first_posted"),
        ("lastUpdatePostDateStruct", "last_update"),
    ):
        f.update(_milestone(status, key, prefix, "statusModule"))
    return record


def _verified_date(status: dict) -> tuple[dt.date | None, str]:
    try:
        return parse_partial_date(_str(status.get("statusVerifiedDate"), "statusVerifiedDate"))
    except ValueError as exc:
        raise RecordError(f"statusModule.statusVerifiedDate: {exc}") from None


def site_key(site: dict[str, Any]) -> str:
    """A site's identity across imports: where it is, not its position in the list."""
    parts = [site["facility"], site["city"], site["state"], site["zip_code"], site["country"]]
    return hashlib.sha256("\x1f".join(normalize_term(p) for p in parts).encode()).hexdigest()[:32]


def _sites(module: dict) -> list[dict[str, Any]]:
    sites, seen = [], {}
    for i, loc in enumerate(_list(module.get("locations"), "contactsLocationsModule.locations")):
        path = f"locations[{i}]"
        loc = _dict(loc, path)
        geo = _dict(loc.get("geoPoint"), f"{path}.geoPoint")
        site = {
            "position": i,
            "facility": _str(loc.get("facility"), f"{path}.facility"),
            "status": _str(loc.get("status"), f"{path}.status")[:32],
            "city": _str(loc.get("city"), f"{path}.city"),
            "state": _str(loc.get("state"), f"{path}.state"),
            "zip_code": _str(loc.get("zip"), f"{path}.zip")[:40],
            "country": _str(loc.get("country"), f"{path}.country"),
            "latitude": _float(geo.get("lat"), f"{path}.geoPoint.lat"),
            "longitude": _float(geo.get("lon"), f"{path}.geoPoint.lon"),
            "contacts": [
                _contact(c, f"{path}.contacts[]") for c in _list(loc.get("contacts"), path)
            ],
            "listed": True,
        }
        key = site_key(site)
        # The same site listed twice gets a distinct key rather than colliding.
        seen[key] = seen.get(key, 0) + 1
        site["key"] = key if seen[key] == 1 else f"{key[:28]}-{seen[key]}"
        sites.append(site)
    return sites


def _contact(obj: Any, path: str) -> dict[str, str]:
    obj = _dict(obj, path)
    return {
        "name": _str(obj.get("name"), f"{path}.name"),
        "role": _str(obj.get("role"), f"{path}.role")[:40],
        "phone": _str(obj.get("phone"), f"{path}.phone")[:80],
        "phone_ext": _str(obj.get("phoneExt"), f"{path}.phoneExt")[:40],
        "email": _str(obj.get("email"), f"{path}.email")[:254],
    }


def _central_contacts(module: dict) -> list[dict[str, Any]]:
    return [
        {"position": i, **_contact(c, f"centralContacts[{i}]")}
        for i, c in enumerate(_list(module.get("centralContacts"), "centralContacts"))
    ]


def _arms_and_interventions(protocol: dict) -> tuple[list[dict], list[dict]]:
    module = _dict(protocol.get("armsInterventionsModule"), "armsInterventionsModule")
    arms = []
    for i, arm in enumerate(_list(module.get("armGroups"), "armGroups")):
        arm = _dict(arm, f"armGroups[{i}]")
        arms.append(
            {
                "position": i,
                "label": _str(arm.get("label"), f"armGroups[{i}].label"),
                "type": _str(arm.get("type"), f"armGroups[{i}].type")[:40],
                "description": _str(arm.get("description"), f"armGroups[{i}].description"),
                "intervention_names": _strs(
                    arm.get("interventionNames"), f"armGroups[{i}].interventionNames"
                ),
            }
        )
    interventions = []
    for i, item in enumerate(_list(module.get("interventions"), "interventions")):
        item = _dict(item, f"interventions[{i}]")
        interventions.append(
            {
                "position": i,
                "type": _str(item.get("type"), f"interventions[{i}].type")[:40],
                "name": _str(item.get("name"), f"interventions[{i}].name"),
                "description": _str(item.get("description"), f"interventions[{i}].description"),
                "other_names": _strs(item.get("otherNames"), f"interventions[{i}].otherNames"),
                "arm_group_labels": _strs(
                    item.get("armGroupLabels"), f"interventions[{i}].armGroupLabels"
                ),
            }
        )
    return arms, interventions


def _outcomes(protocol: dict) -> list[dict[str, Any]]:
    module = _dict(protocol.get("outcomesModule"), "outcomesModule")
    outcomes = []
    for key, kind in OUTCOME_KINDS:
        for i, item in enumerate(_list(module.get(key), key)):
            item = _dict(item, f"{key}[{i}]")
            outcomes.append(
                {
                    "position": len(outcomes),
                    "kind": kind,
                    "measure": _str(item.get("measure"), f"{key}[{i}].measure"),
                    "description": _str(item.get("description"), f"{key}[{i}].description"),
                    "time_frame": _str(item.get("timeFrame"), f"{key}[{i}].timeFrame"),
                }
            )
    return outcomes
