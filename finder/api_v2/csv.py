"""format=csv: a study per row, in the columns of ClinicalTrials.gov's CSV download.

`fields` names the columns: the download's column names ("NCT Number", "Conditions")
or piece names (`LeadSponsorName`: every value of that field, joined by "|"). Lists
inside a cell are joined by "|", as the download joins them. A cell that a
spreadsheet would run as a formula (starting with =, +, - or @) gets a leading "'".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from trials.studies import model


def _get(study: dict, *path: str):
    value = study
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _values(study: dict, field: model.Field) -> list:
    """Every value of a field in a study (under lists, each element's)."""
    found = [study]
    for key in field.path:
        following = []
        for value in found:
            item = value.get(key) if isinstance(value, dict) else None
            if isinstance(item, list):
                following.extend(item)
            elif item is not None:
                following.append(item)
        found = following
    return found


def _join(values) -> str:
    return "|".join(_text(v) for v in values if v not in (None, ""))


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ", ".join(_text(v) for v in value.values() if v not in (None, ""))
    return str(value)


def _protocol(study: dict, module: str, *path: str):
    return _get(study, "protocolSection", module, *path)


def _outcomes(kind: str) -> Callable[[dict], str]:
    def cell(study: dict) -> str:
        outcomes = _protocol(study, "outcomesModule", kind) or []
        return "|".join(
            ", ".join(str(o[k]) for k in ("measure", "description", "timeFrame") if o.get(k))
            for o in outcomes
            if isinstance(o, dict)
        )

    return cell


def _design(study: dict) -> str:
    info = _protocol(study, "designModule", "designInfo") or {}
    masking = (info.get("maskingInfo") or {}).get("masking")
    parts = [
        ("Allocation", info.get("allocation")),
        ("Intervention Model", info.get("interventionModel")),
        ("Masking", masking),
        ("Primary Purpose", info.get("primaryPurpose")),
        ("Observational Model", info.get("observationalModel")),
        ("Time Perspective", info.get("timePerspective")),
    ]
    return "|".join(f"{label}: {value}" for label, value in parts if value)


def _locations(study: dict) -> str:
    locations = _protocol(study, "contactsLocationsModule", "locations") or []
    return "|".join(
        ", ".join(
            str(loc[k]) for k in ("facility", "city", "state", "zip", "country") if loc.get(k)
        )
        for loc in locations
        if isinstance(loc, dict)
    )


def _date(module_key: str) -> Callable[[dict], str]:
    return lambda s: _text(_protocol(s, "statusModule", module_key, "date") or "")


# The columns of ClinicalTrials.gov's CSV download, in its order.
COLUMNS: dict[str, Callable[[dict], str]] = {
    "NCT Number": lambda s: _protocol(s, "identificationModule", "nctId") or "",
    "Study Title": lambda s: _protocol(s, "identificationModule", "briefTitle") or "",
    "Study URL": lambda s: (
        "https://clinicaltrials.gov/study/" + (_protocol(s, "identificationModule", "nctId") or "")
    ),
    "Acronym": lambda s: _protocol(s, "identificationModule", "acronym") or "",
    "Study Status": lambda s: _protocol(s, "statusModule", "overallStatus") or "",
    "Brief Summary": lambda s: _protocol(s, "descriptionModule", "briefSummary") or "",
    "Study Results": lambda s: "YES" if s.get("hasResults") else "NO",
    "Conditions": lambda s: _join(_protocol(s, "conditionsModule", "conditions") or []),
    "Interventions": lambda s: "|".join(
        f"{i.get('type', '')}: {i.get('name', '')}"
        for i in _protocol(s, "armsInterventionsModule", "interventions") or []
        if isinstance(i, dict)
    ),
    "Primary Outcome Measures": _outcomes("primaryOutcomes"),
    "Secondary Outcome Measures": _outcomes("secondaryOutcomes"),
    "Other Outcome Measures": _outcomes("otherOutcomes"),
    "Sponsor": lambda s: _protocol(s, "sponsorCollaboratorsModule", "leadSponsor", "name") or "",
    "Collaborators": lambda s: _join(
        c.get("name")
        for c in _protocol(s, "sponsorCollaboratorsModule", "collaborators") or []
        if isinstance(c, dict)
    ),
    "Sex": lambda s: _protocol(s, "eligibilityModule", "sex") or "",
    "Age": lambda s: ", ".join(_protocol(s, "eligibilityModule", "stdAges") or []),
    "Phases": lambda s: _join(_protocol(s, "designModule", "phases") or []),
    "Enrollment": lambda s: _text(
        _protocol(s, "designModule", "enrollmentInfo", "count")
        if _protocol(s, "designModule", "enrollmentInfo", "count") is not None
        else ""
    ),
    "Funder Type": lambda s: (
        _protocol(s, "sponsorCollaboratorsModule", "leadSponsor", "class") or ""
    ),
    "Study Type": lambda s: _protocol(s, "designModule", "studyType") or "",
    "Study Design": _design,
    "Other IDs": lambda s: _join(
        [
            _protocol(s, "identificationModule", "orgStudyIdInfo", "id"),
            *(
                i.get("id")
                for i in _protocol(s, "identificationModule", "secondaryIdInfos") or []
                if isinstance(i, dict)
            ),
        ]
    ),
    "Start Date": _date("startDateStruct"),
    "Primary Completion Date": _date("primaryCompletionDateStruct"),
    "Completion Date": _date("completionDateStruct"),
    "First Posted": _date("studyFirstPostDateStruct"),
    "Results First Posted": _date("resultsFirstPostDateStruct"),
    "Last Update Posted": _date("lastUpdatePostDateStruct"),
    "Locations": _locations,
    "Study Documents": lambda s: "|".join(
        ", ".join(str(d[k]) for k in ("label", "filename") if d.get(k))
        for d in _get(s, "documentSection", "largeDocumentModule", "largeDocs") or []
        if isinstance(d, dict)
    ),
}
BY_LOWER = {name.lower(): name for name in COLUMNS}


def columns(names: list[str] | None) -> tuple[tuple[str, Callable[[dict], str]], ...]:
    """The (header, cell function) of each column asked for; all the download's columns
    when `names` is None."""
    if names is None:
        return tuple(COLUMNS.items())
    if not names:
        from .params import BadRequest

        raise BadRequest("fields is empty; name at least one column, or leave it out for all")
    found = []
    for name in names:
        if name.lower() in BY_LOWER:
            header = BY_LOWER[name.lower()]
            found.append((header, COLUMNS[header]))
            continue
        field = model.find(name)
        if field is None or not field.is_leaf:
            from .params import BadRequest

            raise BadRequest(
                f"fields: {name!r} is neither a CSV column ({', '.join(COLUMNS)}) nor a "
                "piece name of a field"
            )
        found.append((field.piece, lambda s, f=field: _join(_values(s, f))))
    return tuple(dict(found).items())


def _safe(text: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: quote it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def header(cols) -> str:
    return _line([name for name, _ in cols])


def row(study: dict, cols) -> str:
    return _line([_safe(cell(study)) for _, cell in cols])


def _line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()
