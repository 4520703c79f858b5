"""The pre-screening checklist: a trial's criteria answered Yes / No / Not sure, and a verdict.

Every item asks one thing: is this true for you? For a criterion of the inclusion list
(`You need all of these`) the patient needs Yes; for one of the exclusion list (`You
cannot take part if any of these apply`) they need No. The verdict:

- "Probably not a fit": an inclusion criterion answered No or an exclusion answered Yes
  (naming which);
- "Worth asking the team": otherwise, some answered Not sure;
- "Looks like a fit so far": otherwise, once something is answered.

Unanswered items never count against the patient, and nothing here hides a trial from
search. When the record names cohorts ("Patients", "Healthy controls"), the patient
belongs to one of them: the verdict is the best cohort's.

Some items answer themselves from what the patient told us, and say which answer did:
the facts of the record (age limits, sex, healthy volunteers) from the age, sex and
"healthy volunteer" of the search, and the criteria our rules (trials.rules) recognise
from the profile asked once for every trial. The patient's own answer always wins over
a pre-answer.

For the browser, `Checklist.as_data()` gives each item's pre-answer for every value of
the profile it depends on (a table, or number ranges), so that static/js/prescreen.js
answers the same way without a copy of the rules. `payload()` / `read_payload()` carry
the answers with a contact request; `Snapshot` is what is stored with it.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from . import eligibility, plain
from .eligibility import EXCLUSION, INCLUSION, Item
from .models import DAYS_PER_YEAR, age_span
from .rules import (
    ANSWER_LABELS,
    ANSWERS,
    NO,
    PREGNANCY_CHOICES,
    RULES,
    RULES_BY_TOPIC,
    SOURCES,
    UNSURE,
    YES,
    Profile,
    Rule,
    stated_ranges,
)
from .vocabularies import Sex

FIT, ASK, NOT_FIT = "fit", "ask", "not_fit"
VERDICT_LABELS = {
    FIT: _("Looks like a fit so far"),
    ASK: _("Worth asking the team"),
    NOT_FIT: _("Probably not a fit"),
}
MAX_PAYLOAD = 20_000  # characters: a checklist's answers as JSON are far smaller

# What the verdict says beyond its label, and the words static/js/prescreen.js shows.
VERDICT_TEXTS = {
    "": _("Answer the questions above to see whether this trial might suit you."),
    FIT: _("Nothing you answered rules you out."),
    ASK: _("You are not sure about some criteria: the study team can go through them with you."),
    NOT_FIT: _("Some of your answers suggest that you cannot take part:"),
}


def texts() -> dict[str, object]:
    """The words the checklist's script shows, in the page's language."""
    return {
        "verdicts": {code: str(label) for code, label in VERDICT_LABELS.items()},
        "no_verdict": str(_("Your result")),
        "verdict_texts": {code: str(text) for code, text in VERDICT_TEXTS.items()},
        "answers": {code: str(label) for code, label in ANSWER_LABELS.items()},
        "sources": {key: str(label) for key, label in SOURCES.items()},
        "answered_from": str(_("Answered from %(source)s. Change it if it is wrong.")),
        "against": {
            INCLUSION: str(_("answered No")),
            EXCLUSION: str(_("answered Yes")),
        },
        "counts": str(_("%(answered)s of %(total)s questions answered.")),
        "announce": str(_("Result: %(verdict)s")),
        "result_label": str(_("Result:")),
        "preview_against": str(_("Counts against you:")),
        "preview_unsure": str(_("You are not sure:")),
        "from_source": str(_("from %(source)s")),
        "favourable": str(_("Answered in your favour: %(count)s")),
        "unanswered": str(_("Not answered: %(count)s")),
    }


# The checklist of one trial


@dataclass(frozen=True)
class Fact:
    """An item the record's structured fields state (age limits, sex, healthy volunteers)."""

    key: str  # "age", "sex", "condition"
    kind: str
    text: str
    subitems: tuple[str, ...] = ()
    group: str = ""

    @property
    def full_text(self) -> str:
        return self.text


@dataclass
class Entry:
    """An item of the checklist with its answer: the patient's own, or a pre-answer."""

    item: Item | Fact
    answer: str = ""  # YES, NO, UNSURE or "" (not answered)
    source: str = ""  # the SOURCES key of a pre-answer; "" for the patient's own answer
    suggested: str = ""  # the pre-answer the profile gives, even when overridden

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def against(self) -> bool:
        """Whether the answer rules the patient out."""
        return (self.kind == INCLUSION and self.answer == NO) or (
            self.kind == EXCLUSION and self.answer == YES
        )

    @property
    def source_label(self) -> str:
        return str(SOURCES.get(self.source, "")) if self.source else ""

    @property
    def answer_label(self) -> str:
        return str(ANSWER_LABELS.get(self.answer, ""))


@dataclass(frozen=True)
class Verdict:
    code: str  # FIT, ASK, NOT_FIT or "" (nothing answered yet)
    against: tuple[Entry, ...] = ()  # what rules the patient out (NOT_FIT)
    unsure: tuple[Entry, ...] = ()
    answered: int = 0
    total: int = 0

    @property
    def label(self) -> str:
        return str(VERDICT_LABELS.get(self.code, ""))

    @property
    def unanswered(self) -> int:
        return self.total - self.answered


def verdict(entries: list[Entry]) -> Verdict:
    """The verdict of a checklist; for cohorts, the best cohort's (items of no cohort
    count for every cohort)."""
    groups = list(dict.fromkeys(e.item.group for e in entries if e.item.group))
    if not groups:
        return _verdict(entries)
    order = {FIT: 0, ASK: 1, "": 2, NOT_FIT: 3}
    per_group = [_verdict([e for e in entries if e.item.group in ("", g)]) for g in groups]
    best = min(per_group, key=lambda v: order[v.code])
    answered = sum(1 for e in entries if e.answer)
    if best.code == NOT_FIT:
        against = tuple({id(e): e for v in per_group for e in v.against}.values())
        return replace(best, against=against, answered=answered, total=len(entries))
    return replace(best, answered=answered, total=len(entries))


def _verdict(entries: list[Entry]) -> Verdict:
    answered = sum(1 for e in entries if e.answer)
    against = tuple(e for e in entries if e.against)
    unsure = tuple(e for e in entries if e.answer == UNSURE)
    if against:
        code = NOT_FIT
    elif unsure:
        code = ASK
    elif answered:
        code = FIT
    else:
        code = ""
    return Verdict(code, against, unsure, answered, len(entries))


def age_years(trial) -> tuple[int, int] | None:
    """The whole-year ages the trial's limits admit, as the search's age filter reads
    them (someone aged A is in the span [A, A+1) years); None without limits."""
    low_days, high_days = trial.min_age_days, trial.max_age_days
    if not low_days and high_days is None:
        return None
    low = 0
    if low_days:
        low = max(0, int(low_days / DAYS_PER_YEAR) - 1)
        while age_span(low)[1] < low_days:
            low += 1
    high = 150
    if high_days is not None:
        high = int(high_days / DAYS_PER_YEAR) + 1
        while high >= 0 and age_span(high)[0] > high_days:
            high -= 1
    return low, high


def facts(trial) -> list[Fact]:
    """The items the record's structured fields give: age limits, sex, healthy volunteers."""
    found = []
    if age_years(trial) is not None:
        found.append(
            Fact(
                "age",
                INCLUSION,
                _("You are aged %(range)s.") % {"range": plain.age_range(trial).lower()},
            )
        )
    if trial.sex in (Sex.FEMALE, Sex.MALE):
        text = _("You are a woman.") if trial.sex == Sex.FEMALE else _("You are a man.")
        if trial.gender_based:
            text = _("%(sex)s (The study goes by gender identity.)") % {"sex": text}
        found.append(Fact("sex", INCLUSION, str(text)))
    if trial.healthy_volunteers is False:
        conditions = ", ".join(trial.conditions[:3])
        text = (
            _("You have the condition the study is about: %(conditions)s.")
            % {"conditions": conditions}
            if conditions
            else _("You have the condition the study is about.")
        )
        found.append(Fact("condition", INCLUSION, str(text)))
    return found


def _fact_answer(fact: Fact, trial, profile: Profile) -> str:
    if fact.key == "age" and profile.age is not None:
        low, high = age_years(trial)
        return YES if low <= profile.age <= high else NO
    if fact.key == "sex" and profile.sex in (Sex.FEMALE, Sex.MALE):
        return YES if profile.sex == trial.sex else NO
    if fact.key == "condition" and profile.healthy:
        return NO
    return ""


FACT_SOURCES = {"age": "age", "sex": "sex", "condition": "healthy"}


def suggestion(entry_item: Item | Fact, trial, profile: Profile) -> tuple[str, str]:
    """(answer, source) the profile gives an item, or ("", "")."""
    if isinstance(entry_item, Fact):
        answer = _fact_answer(entry_item, trial, profile)
        return (answer, FACT_SOURCES[entry_item.key]) if answer else ("", "")
    for rule in RULES:
        if rule.topic == "age" and _misplaced_age(entry_item, trial):
            continue
        answer = rule.decide(entry_item, profile)
        if answer:
            return answer, rule.topic
    return "", ""


def _misplaced_age(item: Item, trial) -> bool:
    """An age exclusion that would exclude most of the ages the record admits ("18 years
    or older" under Exclusion Criteria) is a requirement in the wrong list: not answered."""
    if item.kind != EXCLUSION or RULES_BY_TOPIC["age"].reading(item) is None:
        return False
    limits = age_years(trial)
    if limits is None:
        return False
    ages = range(limits[0], min(limits[1], 100) + 1)
    excluded = sum(1 for age in ages if RULES_BY_TOPIC["age"].truth(item, Profile(age=age)))
    return excluded * 2 > len(ages)


@lru_cache(maxsize=256)
def _criteria(text: str) -> tuple[tuple[Item, ...], tuple[str, ...]]:
    """The items and notes of a criteria text; a trial page shown again reads them once."""
    sections = eligibility.split_criteria(text)
    return tuple(i for s in sections for i in s.items), tuple(n for s in sections for n in s.notes)


def fingerprint(items: Iterable[Item | Fact]) -> str:
    """Changes when the trial's items change (a new version of the record)."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(f"{item.key}\x1f{item.kind}\x1f{item.full_text}\x1e".encode())
    return digest.hexdigest()[:16]


@dataclass
class Checklist:
    """A trial's checklist answered from a profile and the patient's own answers."""

    trial: object
    profile: Profile
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        trial,
        profile: Profile | None = None,
        answers: dict[str, str] | None = None,
        *,
        sources: dict[str, str] | None = None,
    ) -> Checklist:
        """`answers`: the patient's own answers by item key. `sources`: answers the
        browser already took from the profile (key -> source), kept as pre-answers."""
        profile = profile or Profile()
        answers = answers or {}
        sources = sources or {}
        items, notes = _criteria(trial.eligibility_criteria or "")
        checklist = cls(trial, profile)
        for item in [*facts(trial), *items]:
            suggested, source = suggestion(item, trial, profile)
            own = answers.get(item.key, "")
            if own in ANSWERS:
                given_source = sources.get(item.key, "")
                source = (
                    given_source
                    if given_source in SOURCES and own == suggested
                    else (given_source if given_source in SOURCES and not suggested else "")
                )
                checklist.entries.append(Entry(item, own, source, suggested))
            else:
                checklist.entries.append(Entry(item, suggested, source, suggested))
        checklist.notes = list(notes)
        return checklist

    @property
    def fingerprint(self) -> str:
        return fingerprint(e.item for e in self.entries)

    def section(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def inclusion(self) -> list[Entry]:
        return self.section(INCLUSION)

    @property
    def exclusion(self) -> list[Entry]:
        return self.section(EXCLUSION)

    @property
    def criteria_count(self) -> int:
        return sum(1 for e in self.entries if isinstance(e.item, Item))

    @property
    def verdict(self) -> Verdict:
        return verdict(self.entries)

    def payload(self) -> dict:
        """The answers a contact request carries: each answered item, and what
        pre-answered it; the server builds the verdict again from them."""
        return {
            "fingerprint": self.fingerprint,
            "answers": {e.key: e.answer for e in self.entries if e.answer},
            "sources": {e.key: e.source for e in self.entries if e.answer and e.source},
        }

    def as_data(self) -> dict:
        """What static/js/prescreen.js needs to answer and judge as this module does:
        each item's kind and cohort, and its pre-answer for every profile it depends on."""
        return {
            "nct_id": self.trial.nct_id,
            "fingerprint": self.fingerprint,
            "items": [self._item_data(e.item) for e in self.entries],
        }

    def _item_data(self, item: Item | Fact) -> dict:
        data = {"key": item.key, "kind": item.kind, "group": item.group}
        if isinstance(item, Fact):
            if item.key == "age":
                low, high = age_years(self.trial)
                data["rule"] = {
                    "source": "age",
                    "field": "age",
                    "ranges": [[low, high, False, False]],
                    "either": False,
                    "joined": "",
                }
            elif item.key == "sex":
                data["rule"] = {
                    "source": "sex",
                    "fields": ["sex"],
                    "table": {
                        s: (YES if s == self.trial.sex else NO) for s in (Sex.FEMALE, Sex.MALE)
                    },
                }
            else:
                data["rule"] = {"source": "healthy", "fields": ["healthy"], "table": {"true": NO}}
            return data
        for rule in RULES:
            reading = rule.reading(item)
            if reading is None:
                continue
            if rule.number:
                stated = stated_ranges(rule.topic, item)
                bounds, either = stated
                data["rule"] = {
                    "source": rule.topic,
                    "field": rule.number,
                    "ranges": [
                        [_finite(b.low), _finite(b.high), b.low_open, b.high_open] for b in bounds
                    ],
                    "either": either,
                    "joined": reading.joined,
                }
            else:
                table = {}
                for combination in _profiles_for(rule):
                    answer = rule.decide(item, combination)
                    if answer:
                        table["|".join(str(getattr(combination, f)) for f in rule.fields)] = answer
                if table:
                    data["rule"] = {
                        "source": rule.topic,
                        "fields": list(rule.fields),
                        "table": table,
                    }
            if "rule" in data:
                break
        return data


def _finite(value: float) -> float | None:
    return None if math.isinf(value) else value


def _profiles_for(rule: Rule) -> list[Profile]:
    choices = {
        "pregnancy": ["", *(c for c, _label in PREGNANCY_CHOICES)],
        "other_study": ["", *ANSWERS],
        "other_cancer": ["", *ANSWERS],
        "hiv": ["", *ANSWERS],
        "hepatitis_b": ["", *ANSWERS],
        "hepatitis_c": ["", *ANSWERS],
    }
    values = [choices[f] for f in rule.fields]
    return [
        Profile(**dict(zip(rule.fields, combo, strict=True)))
        for combo in itertools.product(*values)
    ]


# What a contact request carries


class PayloadError(ValueError):
    """The answers sent with a request do not fit the trial's checklist (the message says why)."""


def read_payload(trial, payload: object) -> Checklist:
    """The checklist the answers sent with a contact request make, checked against the
    trial's items; PayloadError when they are not this trial's or not answers."""
    if not isinstance(payload, dict):
        raise PayloadError("not an object")
    answers, sources = payload.get("answers"), payload.get("sources") or {}
    if not isinstance(answers, dict) or not isinstance(sources, dict):
        raise PayloadError("no answers")
    checklist = Checklist.build(trial)
    if payload.get("fingerprint") != checklist.fingerprint:
        raise PayloadError("the checklist changed")
    keys = {e.key for e in checklist.entries}
    if not set(answers) <= keys or any(a not in ANSWERS for a in answers.values()):
        raise PayloadError("unknown items or answers")
    for entry in checklist.entries:
        entry.answer = answers.get(entry.key, "")
        source = sources.get(entry.key, "")
        entry.source = source if entry.answer and source in SOURCES else ""
        entry.suggested = ""
    return checklist


@dataclass(frozen=True)
class Snapshot:
    """What is stored with a contact request and shown to its coordinator: the verdict,
    each criterion that counts against the patient or that they are not sure of, with
    its text, and how many were answered in their favour. Nothing of the profile."""

    verdict: str
    against: tuple[dict, ...]
    unsure: tuple[dict, ...]
    favourable: int
    unanswered: int
    total: int

    @classmethod
    def of(cls, checklist: Checklist) -> Snapshot:
        result = checklist.verdict
        favourable = sum(1 for e in checklist.entries if e.answer in (YES, NO) and not e.against)
        return cls(
            verdict=result.code,
            against=tuple(_shown(e) for e in checklist.entries if e.against),
            unsure=tuple(_shown(e) for e in checklist.entries if e.answer == UNSURE),
            favourable=favourable,
            unanswered=result.unanswered,
            total=result.total,
        )

    def as_json(self) -> dict:
        return {
            "verdict": self.verdict,
            "against": list(self.against),
            "unsure": list(self.unsure),
            "favourable": self.favourable,
            "unanswered": self.unanswered,
            "total": self.total,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Snapshot | None:
        if not data:
            return None
        return cls(
            verdict=data.get("verdict", ""),
            against=tuple(data.get("against", ())),
            unsure=tuple(data.get("unsure", ())),
            favourable=int(data.get("favourable", 0)),
            unanswered=int(data.get("unanswered", 0)),
            total=int(data.get("total", 0)),
        )

    @property
    def label(self) -> str:
        return str(VERDICT_LABELS.get(self.verdict, _("No answers yet")))

    @property
    def shown_against(self) -> list[dict]:
        """The criteria against the patient, each with the words of its source (templates)."""
        return [_with_source_label(c) for c in self.against]

    @property
    def shown_unsure(self) -> list[dict]:
        return [_with_source_label(c) for c in self.unsure]

    def summary(self) -> str:
        """One line: 'Probably not a fit: 1 against, 2 not sure, 14 in favour, 3 unanswered'."""
        return (
            f"{self.label}: {len(self.against)} against, {len(self.unsure)} not sure, "
            f"{self.favourable} in favour, {self.unanswered} unanswered"
        )


def _with_source_label(criterion: dict) -> dict:
    return {**criterion, "source_label": str(SOURCES.get(criterion.get("source", ""), ""))}


def _shown(entry: Entry) -> dict:
    item = entry.item
    return {
        "kind": entry.kind,
        "text": item.text,
        "subitems": list(item.subitems),
        "group": item.group,
        "answer": entry.answer,
        "source": entry.source,
    }
