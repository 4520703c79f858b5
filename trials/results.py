"""A study's posted results (the record's resultsSection) as plain Python objects.

`parse_results(nct_id, results, documents)` reads the five modules of a
resultsSection (participant flow, baseline, outcome measures, adverse events, more
information) into the dataclasses below. Every table is laid out by the groups the
module declares: a value is matched to its group by the group's id, never by its
position, and a group the record gives no value for gets an empty Value, which reads
"not reported". Shares (20 of 41 people, 49%) are computed here from the counts the
record gives; nothing else is computed, and the record's own numbers are shown as
written. `in_short` says the main numbers in a few sentences. `publications` and
`documents` are what a trial without posted results can still point to.

The trial page (finder/_results.html) and the JSON API (finder.serializers) read
these objects; neither reads the record's JSON itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _g

from .plain import reference_links
from .vocabularies import Dispersion, MeasureParam, NonInferiorityType, OutcomeMeasureType

NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# The last two digits of the NCT ID name the folder of a study's posted documents.
DOCUMENT_URL = "https://clinicaltrials.gov/ProvidedDocs/{folder}/{nct_id}/{filename}"
SAFE_FILENAME = re.compile(r"^[\w.-]{1,200}\.pdf$", re.I)
MOST_COMMON = 10  # other adverse events listed before the full list


def number(text: str | None) -> float | None:
    """'27,635' -> 27635.0, '.42' -> 0.42; None for '', 'NA' or anything not a number."""
    cleaned = (text or "").replace(",", "").replace(" ", "")
    return float(cleaned) if NUMBER.match(cleaned) else None


def whole(text) -> int | None:
    value = number(str(text)) if text is not None else None
    return int(value) if value is not None and value.is_integer() and value >= 0 else None


def percent_text(n: int | None, of: int | None) -> str:
    """'2%' for 4 of 206; '<1%' and '>99%' rather than a rounded 0% or 100% that is not."""
    if n is None or not of:
        return ""
    share = 100 * n / of
    if 0 < share < 1:
        return "<1%"
    if 99 < share < 100:
        return ">99%"
    return f"{round(share)}%"


# Groups


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    description: str = ""


def _groups(items: list | None) -> list[Group]:
    groups, seen = [], set()
    for item in items or []:
        gid = str(item.get("id") or "")
        if not gid or gid in seen:
            continue
        seen.add(gid)
        groups.append(Group(gid, item.get("title") or gid, item.get("description") or ""))
    return groups


def _by_group(items: list | None) -> dict[str, dict]:
    """A module's per-group entries keyed by their groupId (the first one for an id)."""
    found: dict[str, dict] = {}
    for item in items or []:
        if isinstance(item, dict) and item.get("groupId"):
            found.setdefault(str(item["groupId"]), item)
    return found


def _denoms(denoms: list | None) -> tuple[str, dict[str, int | None]]:
    """The units and per-group counts of the first denominator (people, when it is)."""
    if not denoms:
        return "", {}
    first = denoms[0] or {}
    counts = {gid: whole(c.get("value")) for gid, c in _by_group(first.get("counts")).items()}
    return first.get("units") or "", counts


# Values


@dataclass(frozen=True)
class Share:
    """n of `of` people (or events): the share is computed, never taken from the record."""

    n: int | None
    of: int | None
    events: int | None = None

    @property
    def reported(self) -> bool:
        return self.n is not None

    @property
    def percent(self) -> float | None:
        return round(100 * self.n / self.of, 1) if self.n is not None and self.of else None

    @property
    def percent_text(self) -> str:
        return percent_text(self.n, self.of)

    @property
    def text(self) -> str:
        if self.n is None:
            return _g("not reported")
        if not self.of:
            return f"{self.n:,}"
        return _g("%(n)s of %(of)s (%(percent)s)") % {
            "n": f"{self.n:,}",
            "of": f"{self.of:,}",
            "percent": self.percent_text,
        }


@dataclass(frozen=True)
class Value:
    """One group's value of a measure as the record writes it ("" when it gives none)."""

    group_id: str
    value: str = ""
    spread: str = ""
    lower: str = ""
    upper: str = ""
    comment: str = ""
    # People the value counts out of, when it counts people: its share is computed.
    of: int | None = None
    text: str = ""  # the value in words, with its unit and dispersion

    @property
    def reported(self) -> bool:
        return bool(self.value)

    @property
    def number(self) -> float | None:
        return number(self.value)

    @property
    def interval(self) -> tuple[float, float] | None:
        """The error bar around the value, when the record gives one as numbers."""
        low, high = number(self.lower), number(self.upper)
        if low is not None and high is not None:
            return low, high
        spread, value = number(self.spread), self.number
        if spread is not None and value is not None:
            return value - spread, value + spread
        return None

    @property
    def percent(self) -> float | None:
        value = self.number
        return round(100 * value / self.of, 1) if value is not None and self.of else None


@dataclass(frozen=True)
class Words:
    """The words every value of one measure shares, translated once per measure."""

    unit: str
    dispersion: str
    not_reported: str
    not_available: str
    to: str
    count: str  # "%(n)s of %(of)s %(unit)s (%(percent)s)"

    @classmethod
    def of(cls, unit: str, dispersion: str) -> Words:
        return _words(unit, dispersion, get_language())

    @classmethod
    def _make(cls, unit: str, dispersion: str) -> Words:
        people = unit.strip().lower() in {"participants", "participant"}
        return cls(
            unit=_g("people") if people else unit,
            dispersion=Dispersion.label_for(dispersion) if dispersion else "",
            not_reported=_g("not reported"),
            not_available=_g("not available"),
            to=_g("to"),
            count=_g("%(n)s of %(of)s %(unit)s (%(percent)s)"),
        )

    def shown(self, text: str) -> str:
        return self.not_available if text.strip().upper() in NOT_AVAILABLE else text


NOT_AVAILABLE = {"NA", "N/A", "NE"}


@lru_cache(maxsize=512)
def _words(unit: str, dispersion: str, language: str | None) -> Words:
    return Words._make(unit, dispersion)


def value_text(value: Value, words: Words) -> str:
    """'12.3 points (standard deviation 4.5)', '20 of 41 people (49%)', 'not reported'."""
    if not value.value:
        return words.not_reported
    if value.value.strip().upper() in NOT_AVAILABLE:
        return words.not_available
    n = value.number
    if value.of is not None and n is not None:
        share = (
            percent_text(int(n), value.of) if n.is_integer() else f"{round(100 * n / value.of)}%"
        )
        said = words.count % {
            "n": value.value,
            "of": f"{value.of:,}",
            "unit": words.unit,
            "percent": share,
        }
        text = " ".join(said.split())  # without a unit, no double space
    else:
        text = f"{value.value} {words.unit}".strip() if value.of is None else value.value
    label = words.dispersion
    if value.lower or value.upper:
        low, high = words.shown(value.lower or "?"), words.shown(value.upper or "?")
        text += f" ({label}: {low} {words.to} {high})" if label else f" ({low} {words.to} {high})"
    elif value.spread:
        spread = words.shown(value.spread)
        text += f" ({label} {spread})" if label else f" (± {spread})"
    return text


@dataclass(frozen=True)
class Row:
    """A line of a measure's table: a class and/or category title and one value per group."""

    label: str
    values: list[Value]


def _rows(classes: list | None, groups: list[Group], counts_people: bool, denoms: dict) -> list:
    rows = []
    for klass in classes or []:
        class_title = klass.get("title") or ""
        _units, class_denoms = _denoms(klass.get("denoms"))
        of = {**denoms, **{k: v for k, v in class_denoms.items() if v is not None}}
        for category in klass.get("categories") or [{}]:
            label = " · ".join(t for t in (class_title, category.get("title") or "") if t)
            found = _by_group(category.get("measurements"))
            values = []
            for group in groups:
                m = found.get(group.id, {})
                values.append(
                    Value(
                        group.id,
                        value=str(m.get("value") or "").strip(),
                        spread=str(m.get("spread") or "").strip(),
                        lower=str(m.get("lowerLimit") or "").strip(),
                        upper=str(m.get("upperLimit") or "").strip(),
                        comment=m.get("comment") or "",
                        of=of.get(group.id) if counts_people else None,
                    )
                )
            rows.append(Row(label, values))
    return rows


@dataclass
class Measure:
    """A baseline measure or an outcome: a table of values, groups as columns."""

    title: str
    description: str
    param: str  # MeasureParam code (MEAN, COUNT_OF_PARTICIPANTS...) or ""
    dispersion: str  # Dispersion code or ""
    unit: str
    population: str
    groups: list[Group]
    analysed_units: str
    analysed: list[Share]  # how many were analysed in each group (n, no share)
    rows: list[Row]
    param_label: str  # the words for `param` and `dispersion`, said once per measure
    dispersion_label: str

    @property
    def heading(self) -> str:
        """'Age, Continuous (years)'."""
        return f"{self.title} ({self.unit})" if self.unit else self.title

    @property
    def counts_people(self) -> bool:
        return self.param in (MeasureParam.COUNT_OF_PARTICIPANTS, MeasureParam.COUNT_OF_UNITS)

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)


def _measure(data: dict, groups: list[Group], module_denoms: list | None) -> dict:
    """The Measure fields of a baseline measure or an outcome measure."""
    param = data.get("paramType") or ""
    dispersion = Dispersion.code_for(data.get("dispersionType") or "")
    units, denoms = _denoms(data.get("denoms") or module_denoms)
    counts_people = param in (MeasureParam.COUNT_OF_PARTICIPANTS, MeasureParam.COUNT_OF_UNITS)
    unit = data.get("unitOfMeasure") or ""
    rows = _rows(data.get("classes"), groups, counts_people, denoms)
    words = Words.of(unit, dispersion)
    rows = [Row(r.label, [_with_text(v, words) for v in r.values]) for r in rows]
    return {
        "title": data.get("title") or _g("Untitled measure"),
        "description": data.get("description") or "",
        "param": param,
        "dispersion": dispersion,
        "unit": unit,
        "population": data.get("populationDescription") or "",
        "groups": groups,
        "analysed_units": units,
        "analysed": [Share(denoms.get(g.id), None) for g in groups],
        "rows": rows,
        "param_label": str(MeasureParam.label_for(param)) if param else "",
        "dispersion_label": words.dispersion,
    }


def _with_text(value: Value, words: Words) -> Value:
    return Value(**{**value.__dict__, "text": value_text(value, words)})


# Participant flow


MILESTONE_LABELS = {
    "STARTED": lambda: _g("Started"),
    "COMPLETED": lambda: _g("Finished"),
    "NOT COMPLETED": lambda: _g("Did not finish"),
}


@dataclass(frozen=True)
class FlowRow:
    label: str
    kind: str  # STARTED, COMPLETED, NOT COMPLETED, another milestone's title, or REASON
    counts: list[Share]  # one per group, in the groups' order
    comments: list[str]


@dataclass
class FlowPeriod:
    title: str
    milestones: list[FlowRow]
    reasons: list[FlowRow]  # why people did not finish


@dataclass
class ParticipantFlow:
    groups: list[Group]
    periods: list[FlowPeriod]
    recruitment: str
    pre_assignment: str
    units: str  # what was counted besides people ("eyes"), when the record says

    def _total(self, period: FlowPeriod | None, kind: str) -> int | None:
        row = next((r for r in period.milestones if r.kind == kind), None) if period else None
        if row is None or not row.counts or any(c.n is None for c in row.counts):
            return None
        return sum(c.n for c in row.counts)

    @property
    def started(self) -> int | None:
        return self._total(self.periods[0] if self.periods else None, "STARTED")

    @property
    def finished(self) -> int | None:
        return self._total(self.periods[-1] if self.periods else None, "COMPLETED")


def _flow_row(label: str, kind: str, items: list | None, groups: list[Group]) -> FlowRow:
    found = _by_group(items)
    counts, comments = [], []
    for group in groups:
        item = found.get(group.id, {})
        counts.append(Share(whole(item.get("numSubjects")), None))
        units = item.get("numUnits")
        comment = item.get("comment") or ""
        comments.append(" · ".join(str(p) for p in (units and f"{units}", comment) if p))
    return FlowRow(label, kind, counts, comments)


def _flow(data: dict) -> ParticipantFlow:
    groups = _groups(data.get("groups"))
    periods = []
    for period in data.get("periods") or []:
        milestones = []
        for milestone in period.get("milestones") or []:
            kind = (milestone.get("type") or "").strip()
            label = MILESTONE_LABELS.get(kind.upper(), lambda k=kind: k)()
            milestones.append(
                _flow_row(
                    label,
                    kind.upper() if kind.upper() in MILESTONE_LABELS else kind,
                    milestone.get("achievements"),
                    groups,
                )
            )
        reasons = [
            _flow_row(r.get("type") or _g("Other reason"), "REASON", r.get("reasons"), groups)
            for r in period.get("dropWithdraws") or []
        ]
        periods.append(FlowPeriod(period.get("title") or "", milestones, reasons))
    return ParticipantFlow(
        groups=groups,
        periods=periods,
        recruitment=data.get("recruitmentDetails") or "",
        pre_assignment=data.get("preAssignmentDetails") or "",
        units=data.get("typeUnitsAnalyzed") or "",
    )


# Baseline


@dataclass
class Baseline:
    groups: list[Group]
    population: str
    analysed_units: str
    analysed: list[Share]
    measures: list[Measure]
    total_group: str  # the id of the column that adds up the others ("Total"), or ""

    def _column(self) -> str:
        """The column that counts everyone: the Total, or the only group; "" for none."""
        if self.total_group:
            return self.total_group
        return self.groups[0].id if len(self.groups) == 1 else ""

    @property
    def people(self) -> int | None:
        """Everyone analysed: the Total column's count, or the groups' counts added up."""
        column = self._column()
        counts = [
            s.n
            for g, s in zip(self.groups, self.analysed, strict=True)
            if g.id == column or not column
        ]
        return sum(counts) if counts and None not in counts else None

    @property
    def age(self) -> tuple[str, str, str] | None:
        """(param, value, unit) of the average or median age of everyone, when given."""
        column = self._column()
        for measure in self.measures:
            if not measure.title.lower().startswith("age") or measure.param not in (
                MeasureParam.MEAN,
                MeasureParam.MEDIAN,
            ):
                continue
            if "year" not in measure.unit.lower() or len(measure.rows) != 1:
                continue
            value = next((v for v in measure.rows[0].values if v.group_id == column), None)
            if value and value.number is not None:
                return measure.param, value.value, measure.unit
        return None

    @property
    def sexes(self) -> tuple[int, int, int | None] | None:
        """(women, men, out of) among everyone, when a sex measure counts them: from the
        Total column, or added up over the groups."""
        column = self._column()
        for measure in self.measures:
            title = measure.title.lower()
            if not (title.startswith("sex") or title.startswith("gender")):
                continue
            if measure.param != MeasureParam.COUNT_OF_PARTICIPANTS:
                continue
            found: dict[str, int] = {}
            for row in measure.rows:
                kind = row.label.strip().lower()
                if kind in ("female", "women", "woman"):
                    kind = "female"
                elif kind in ("male", "men", "man"):
                    kind = "male"
                else:
                    continue
                counts = [whole(v.value) for v in row.values if v.group_id == column or not column]
                if not counts or None in counts:
                    break
                found[kind] = sum(counts)
            if len(found) == 2:
                return found["female"], found["male"], self.people
        return None


def _total_group(groups: list[Group], analysed: dict[str, int | None]) -> str:
    """The baseline's "Total" column: titled so, or the last of three or more that adds
    up the others."""
    for group in groups:
        if group.title.strip().lower().startswith("total"):
            return group.id
    if len(groups) >= 3:
        *others, last = groups
        counts = [analysed.get(g.id) for g in others]
        if None not in counts and analysed.get(last.id) == sum(counts):
            return last.id
    return ""


def _baseline(data: dict) -> Baseline:
    groups = _groups(data.get("groups"))
    units, analysed = _denoms(data.get("denoms"))
    measures = [
        Measure(**_measure(m, groups, data.get("denoms"))) for m in data.get("measures") or []
    ]
    return Baseline(
        groups=groups,
        population=data.get("populationDescription") or "",
        analysed_units=units,
        analysed=[Share(analysed.get(g.id), None) for g in groups],
        measures=measures,
        total_group=_total_group(groups, analysed),
    )


# Outcomes


@dataclass(frozen=True)
class Analysis:
    groups: list[Group]
    method: str
    p_value: str
    p_comment: str
    estimate_kind: str  # "Mean Difference (Net)", "Odds Ratio (OR)"...
    estimate: str
    ci_percent: str
    ci_sides: str
    ci_lower: str
    ci_upper: str
    dispersion: str
    dispersion_value: str
    non_inferiority: str
    comments: list[str]

    @property
    def dispersion_label(self) -> str:
        code = Dispersion.code_for(self.dispersion)
        return str(Dispersion.label_for(code)).capitalize() if code else ""

    @property
    def test_label(self) -> str:
        return NonInferiorityType.label_for(self.non_inferiority) if self.non_inferiority else ""

    @property
    def interval_text(self) -> str:
        if not (self.ci_lower or self.ci_upper):
            return ""
        low, high = self.ci_lower or "?", self.ci_upper or "?"
        if self.ci_percent:
            return _g("%(percent)s%% confidence interval %(low)s to %(high)s") % {
                "percent": self.ci_percent,
                "low": low,
                "high": high,
            }
        return _g("interval %(low)s to %(high)s") % {"low": low, "high": high}


def _analysis(data: dict, groups: list[Group]) -> Analysis:
    by_id = {g.id: g for g in groups}
    compared = [by_id[gid] for gid in data.get("groupIds") or [] if gid in by_id]
    comments = [
        data.get(key) or ""
        for key in (
            "groupDescription",
            "statisticalComment",
            "pValueComment",
            "estimateComment",
            "nonInferiorityComment",
            "otherAnalysisDescription",
        )
    ]
    return Analysis(
        groups=compared,
        method=data.get("statisticalMethod") or "",
        p_value=(data.get("pValue") or "").strip(),
        p_comment=data.get("pValueComment") or "",
        estimate_kind=data.get("paramType") or "",
        estimate=(data.get("paramValue") or "").strip(),
        ci_percent=(data.get("ciPctValue") or "").strip(),
        ci_sides=data.get("ciNumSides") or "",
        ci_lower=(data.get("ciLowerLimit") or "").strip(),
        ci_upper=(data.get("ciUpperLimit") or "").strip(),
        dispersion=data.get("dispersionType") or "",
        dispersion_value=(data.get("dispersionValue") or "").strip(),
        non_inferiority=data.get("nonInferiorityType") or "",
        comments=[c for c in comments if c and c != data.get("pValueComment")],
    )


@dataclass
class OutcomeResult(Measure):
    kind: str = ""  # OutcomeMeasureType code
    time_frame: str = ""
    posted: bool = True
    anticipated: str = ""  # when results not posted yet are expected
    analyses: list[Analysis] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return OutcomeMeasureType.label_for(self.kind)

    @property
    def is_primary(self) -> bool:
        return self.kind == OutcomeMeasureType.PRIMARY

    def group_values(self) -> list[tuple[Group, list[tuple[str, Value]]]]:
        """Each group with its (row label, value) pairs: the table read by group."""
        return [
            (group, [(row.label, row.values[i]) for row in self.rows])
            for i, group in enumerate(self.groups)
        ]

    @property
    def text_alternative(self) -> str:
        """Every value of the outcome in words: what its chart shows, for who cannot see it."""
        parts = []
        for group, values in self.group_values():
            said = "; ".join(f"{label}: {v.text}" if label else v.text for label, v in values)
            parts.append(f"{group.title}: {said or _g('not reported')}")
        what = self.param_label
        head = f"{self.title} ({what})" if what else self.title
        return f"{head}. " + ". ".join(parts) + "."


def _outcome(data: dict) -> OutcomeResult:
    groups = _groups(data.get("groups"))
    fields = _measure(data, groups, None)
    posted = (data.get("reportingStatus") or "POSTED") != "NOT_POSTED"
    anticipated = data.get("anticipatedPostingDate") or ""
    return OutcomeResult(
        **fields,
        kind=data.get("type") or "",
        time_frame=data.get("timeFrame") or "",
        posted=posted and bool(fields["rows"]),
        anticipated=anticipated if isinstance(anticipated, str) else "",
        analyses=[_analysis(a, groups) for a in data.get("analyses") or []],
    )


# Adverse events


@dataclass(frozen=True)
class Event:
    term: str
    organ_system: str
    notes: str
    counts: list[Share]  # people affected of people at risk, one per group

    @property
    def highest(self) -> float:
        return max((c.percent or 0 for c in self.counts), default=0)


@dataclass(frozen=True)
class OrganSystem:
    name: str
    events: list[Event]


@dataclass
class AdverseEvents:
    groups: list[Group]
    serious_totals: list[Share]
    other_totals: list[Share]
    deaths: list[Share]  # empty when the record gives no deaths
    serious: list[OrganSystem]
    other: list[OrganSystem]
    threshold: str
    time_frame: str
    description: str
    mortality_comment: str

    @property
    def other_count(self) -> int:
        return sum(len(s.events) for s in self.other)

    @property
    def most_common_other(self) -> list[Event]:
        """The other events that happened to the largest share of a group, largest first."""
        events = [e for s in self.other for e in s.events]
        return sorted(events, key=lambda e: (-e.highest, e.term.lower()))[:MOST_COMMON]

    @property
    def threshold_text(self) -> str:
        value = number(self.threshold)
        if value is None:
            return _g("The record does not say which other problems it leaves out.")
        if value == 0:
            return _g("Other (not serious) problems are all listed, however few people had them.")
        return _g(
            "Other (not serious) problems are listed when more than %(threshold)s%% of the "
            "people in a group had them."
        ) % {"threshold": self.threshold}


def _organ_systems(items: list | None, groups: list[Group]) -> list[OrganSystem]:
    systems: dict[str, list[Event]] = {}
    for item in items or []:
        found = _by_group(item.get("stats"))
        counts = []
        for group in groups:
            stat = found.get(group.id, {})
            counts.append(
                Share(
                    whole(stat.get("numAffected")),
                    whole(stat.get("numAtRisk")),
                    whole(stat.get("numEvents")),
                )
            )
        system = item.get("organSystem") or _g("Not classified")
        systems.setdefault(system, []).append(
            Event(
                item.get("term") or _g("Unnamed problem"), system, item.get("notes") or "", counts
            )
        )
    return [OrganSystem(name, events) for name, events in systems.items()]


def _adverse_events(data: dict) -> AdverseEvents:
    groups = _groups(data.get("eventGroups"))
    by_id = {str(g.get("id")): g for g in data.get("eventGroups") or [] if isinstance(g, dict)}

    def totals(kind: str) -> list[Share]:
        return [
            Share(
                whole(by_id[g.id].get(f"{kind}NumAffected")),
                whole(by_id[g.id].get(f"{kind}NumAtRisk")),
            )
            for g in groups
        ]

    deaths = totals("deaths")
    return AdverseEvents(
        groups=groups,
        serious_totals=totals("serious"),
        other_totals=totals("other"),
        deaths=deaths if any(d.reported for d in deaths) else [],
        serious=_organ_systems(data.get("seriousEvents"), groups),
        other=_organ_systems(data.get("otherEvents"), groups),
        threshold=str(data.get("frequencyThreshold") or "").strip(),
        time_frame=data.get("timeFrame") or "",
        description=data.get("description") or "",
        mortality_comment=data.get("allCauseMortalityComment") or "",
    )


# More information


@dataclass(frozen=True)
class PointOfContact:
    title: str
    organization: str
    email: str
    phone: str
    phone_ext: str


@dataclass
class Results:
    """What a study's record says it found. `posted` is False when the record has no
    resultsSection (then only `publications` and `documents` may have something)."""

    posted: bool
    flow: ParticipantFlow | None = None
    baseline: Baseline | None = None
    outcomes: list[OutcomeResult] = field(default_factory=list)
    adverse_events: AdverseEvents | None = None
    limitations: str = ""
    restrictive_agreement: bool | None = None
    contact: PointOfContact | None = None
    publications: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)

    @property
    def primary_outcomes(self) -> list[OutcomeResult]:
        return [o for o in self.outcomes if o.is_primary]

    @cached_property
    def in_short(self) -> list[str]:
        return in_short(self)


def parse_results(
    nct_id: str, results: dict | None, documents: dict | None = None, references=()
) -> Results:
    """The results of a record from its resultsSection, documentSection and references."""
    publications = [
        {**r, "links": reference_links(r)}
        for r in references or []
        if isinstance(r, dict) and r.get("type") == "RESULT"
    ]
    docs = _documents(nct_id, documents)
    if not isinstance(results, dict) or not results:
        return Results(posted=False, publications=publications, documents=docs)
    more = results.get("moreInfoModule") or {}
    contact = more.get("pointOfContact") or {}
    agreement = more.get("certainAgreement") or {}
    flow = results.get("participantFlowModule")
    baseline = results.get("baselineCharacteristicsModule")
    events = results.get("adverseEventsModule")
    return Results(
        posted=True,
        flow=_flow(flow) if flow else None,
        baseline=_baseline(baseline) if baseline else None,
        outcomes=[
            _outcome(o)
            for o in (results.get("outcomeMeasuresModule") or {}).get("outcomeMeasures") or []
            if isinstance(o, dict)
        ],
        adverse_events=_adverse_events(events) if events else None,
        limitations=(more.get("limitationsAndCaveats") or {}).get("description") or "",
        restrictive_agreement=agreement.get("restrictiveAgreement"),
        contact=PointOfContact(
            contact.get("title") or "",
            contact.get("organization") or "",
            contact.get("email") or "",
            contact.get("phone") or "",
            contact.get("phoneExt") or "",
        )
        if contact
        else None,
        publications=publications,
        documents=docs,
    )


DOCUMENT_KINDS = {
    "Prot": lambda: _g("Study protocol"),
    "SAP": lambda: _g("Statistical analysis plan"),
    "ICF": lambda: _g("Informed consent form"),
}


def _documents(nct_id: str, section: dict | None) -> list[dict]:
    """The protocol, analysis plan and consent form the study posted, with their links."""
    docs = []
    module = (section or {}).get("largeDocumentModule") or {}
    for doc in module.get("largeDocs") or []:
        filename = doc.get("filename") or ""
        if not SAFE_FILENAME.match(filename) or len(nct_id) < 2:
            continue
        kinds = [
            DOCUMENT_KINDS[k]()
            for k, flag in (("Prot", "hasProtocol"), ("SAP", "hasSap"), ("ICF", "hasIcf"))
            if doc.get(flag)
        ]
        docs.append(
            {
                "label": doc.get("label") or " and ".join(kinds) or filename,
                "kinds": kinds,
                "date": doc.get("date") or "",
                "size": whole(doc.get("size")),
                "url": DOCUMENT_URL.format(folder=nct_id[-2:], nct_id=nct_id, filename=filename),
            }
        )
    return docs


# In short


def _people(n: int) -> str:
    return ngettext("%(n)s person", "%(n)s people", n) % {"n": f"{n:,}"}


def in_short(results: Results) -> list[str]:
    """The main numbers in a few sentences, each made from the record's own numbers."""
    sentences = []
    flow = results.flow
    if flow and flow.started is not None:
        started = ngettext("%(n)s person started", "%(n)s people started", flow.started) % {
            "n": f"{flow.started:,}"
        }
        if flow.finished is not None:
            sentences.append(
                _g("%(started)s; %(finished)s finished.")
                % {"started": started, "finished": f"{flow.finished:,}"}
            )
        else:
            sentences.append(f"{started}.")
    if results.baseline:
        if who := _who_took_part(results.baseline):
            sentences.append(who)
    for outcome in results.primary_outcomes:
        if outcome.posted:
            sentences.append(_outcome_sentence(outcome))
    events = results.adverse_events
    if events and any(s.reported for s in events.serious_totals):
        parts = [
            f"{share.text} {_g('in')} {group.title}"
            if share.reported
            else f"{_g('not reported')} {_g('in')} {group.title}"
            for group, share in zip(events.groups, events.serious_totals, strict=True)
        ]
        sentences.append(_g("Serious medical problems: %(groups)s.") % {"groups": "; ".join(parts)})
    return sentences


def _who_took_part(baseline: Baseline) -> str:
    parts = []
    if baseline.people is not None:
        parts.append(_people(baseline.people))
    if age := baseline.age:
        param, value, unit = age
        words = (
            _g("average age %(age)s %(unit)s")
            if param == MeasureParam.MEAN
            else _g("median age %(age)s %(unit)s")
        )
        parts.append(words % {"age": value, "unit": unit.lower()})
    if sexes := baseline.sexes:
        women, men, of = sexes
        parts.append(_sexes_words(women, men, of or women + men))
    if not parts:
        return ""
    return _g("Who took part: %(who)s.") % {"who": ", ".join(parts)}


def _sexes_words(women: int, men: int, of: int) -> str:
    if not men:
        return _g("all women")
    if not women:
        return _g("all men")
    said_women = ngettext("%(n)s woman", "%(n)s women", women) % {"n": f"{women:,}"}
    said_men = ngettext("%(n)s man", "%(n)s men", men) % {"n": f"{men:,}"}
    return _g("%(women)s (%(women_share)s) and %(men)s (%(men_share)s)") % {
        "women": said_women,
        "women_share": percent_text(women, of),
        "men": said_men,
        "men_share": percent_text(men, of),
    }


def _outcome_sentence(outcome: OutcomeResult) -> str:
    """'Main result: Pain score, average (mean). Placebo: 4.1 points; Drug: 2.3 points.'"""
    parts = []
    for group, values in outcome.group_values():
        first = values[0][1] if values else None
        said = first.text if first else _g("not reported")
        if len(values) > 1:
            said += " " + _g("(first of %(n)s values)") % {"n": len(values)}
        parts.append(f"{group.title}: {said}")
    title = f"{outcome.title}, {outcome.param_label}" if outcome.param_label else outcome.title
    return _g("Main result: %(title)s. %(groups)s.") % {"title": title, "groups": "; ".join(parts)}
