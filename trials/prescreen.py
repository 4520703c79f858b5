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
"healthy volunteer" of the search, and the criteria our rules recognise from a short
profile asked once for every trial (pregnancy or breastfeeding, another study now,
another cancer in the past 5 years, HIV and hepatitis B or C, body-mass index). The
patient's own answer always wins over a pre-answer.

The rules are ours, written and tested on the real records (bench/bench_eligibility.py
--rules prints how often each fires): a rule reads the clause of the criterion that
mentions its topic, and decides only what the patient's answer implies. "Pregnant or
breastfeeding" is decided both ways; "pregnant or planning a pregnancy" only by Yes;
"not pregnant and using contraception" only by a pregnancy; "active HIV" only by No;
"history of hepatitis C" only by Yes. Negations ("not pregnant", "negative pregnancy
test", "HIV-negative") turn the answer over.

For the browser, `Checklist.as_data()` gives each item's pre-answer for every value of
the profile it depends on (a table, or number ranges), so that static/js/prescreen.js
answers the same way without a copy of the rules. `payload()` / `read_payload()` carry
the answers with a contact request; `Snapshot` is what is stored with it.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import eligibility, plain
from .eligibility import EXCLUSION, INCLUSION, Item
from .models import DAYS_PER_YEAR, age_span
from .vocabularies import Sex

YES, NO, UNSURE = "yes", "no", "unsure"
ANSWERS = (YES, NO, UNSURE)
ANSWER_LABELS = {YES: _("Yes"), NO: _("No"), UNSURE: _("Not sure")}

FIT, ASK, NOT_FIT = "fit", "ask", "not_fit"
VERDICT_LABELS = {
    FIT: _("Looks like a fit so far"),
    ASK: _("Worth asking the team"),
    NOT_FIT: _("Probably not a fit"),
}
MAX_PAYLOAD = 20_000  # characters: a checklist's answers as JSON are far smaller

# The profile: the choices of each question asked once for every trial.
PREGNANCY_CHOICES = [
    ("no", _("No")),
    ("pregnant", _("I am pregnant")),
    ("breastfeeding", _("I am breastfeeding")),
    ("both", _("Both")),
    (UNSURE, _("Not sure")),
]
YES_NO_UNSURE = [(YES, _("Yes")), (NO, _("No")), (UNSURE, _("Not sure"))]
BMI_RANGE = (10, 80)


@dataclass(frozen=True)
class Profile:
    """What the patient told us about themselves; empty values are unknown."""

    age: int | None = None
    sex: str = ""  # Sex.FEMALE, Sex.MALE or ""
    healthy: bool | None = None  # True: they would join as a healthy volunteer
    pregnancy: str = ""  # "no", "pregnant", "breastfeeding", "both", "unsure" or ""
    other_study: str = ""  # YES, NO, UNSURE or "": taking part in another study now
    other_cancer: str = ""  # another cancer in the past 5 years
    hiv: str = ""
    hepatitis_b: str = ""
    hepatitis_c: str = ""
    bmi: float | None = None


# The questions (profile fields) and how an answer reads.
QUESTIONS: dict[str, Promise] = {
    "age": _("Your age"),
    "sex": _("Your sex"),
    "healthy": _("Healthy volunteer"),
    "pregnancy": _("Are you pregnant or breastfeeding?"),
    "other_study": _("Are you taking part in another research study now?"),
    "other_cancer": _(
        "Apart from the illness you are looking for a study for, have you had cancer in "
        "the past 5 years?"
    ),
    "hiv": _("HIV"),
    "hepatitis_b": _("Hepatitis B"),
    "hepatitis_c": _("Hepatitis C"),
    "bmi": _("Body-mass index (BMI)"),
}
# Why an item is pre-answered, by the profile field(s) that decided it: shown with it.
SOURCES: dict[str, Promise] = {
    "age": _("your age"),
    "sex": _("your sex"),
    "healthy": _("joining as a healthy volunteer"),
    "pregnancy": _("your answer about pregnancy and breastfeeding"),
    "other_study": _("your answer about taking part in another study"),
    "other_cancer": _("your answer about another cancer in the past 5 years"),
    "infections": _("your answers about HIV and hepatitis B and C"),
    "bmi": _("your body-mass index"),
}


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
        "favourable": str(_("Answered in your favour: %(count)s")),
        "unanswered": str(_("Not answered: %(count)s")),
    }


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _atom(value: str) -> bool | None:
    return {YES: True, NO: False}.get(value)


# Text analysis shared by the rules

CLAUSE_END = re.compile(r";|(?<=[a-z)\]])\.\s+(?=[A-Z])|\.\s*$")
OR_CLAUSE = re.compile(r",\s*or\b|;\s*or\b", re.I)
WORD = re.compile(r"[a-z][a-z'’-]*|\d+(?:[.,]\d+)?", re.I)
# Words that say nothing of their own in a criterion: who, "known", "at screening".
FILLER = frozenset(
    """
    a an the of in at on to for be being been is are am was were who whom which that
    known documented confirmed diagnosed diagnosis evidence presence present status
    patient patients subject subjects participant participants person persons people
    individual individuals those anyone any mothers mother girls lady ladies women woman
    female females volunteer volunteers candidate candidates
    adult adults case cases currently current now presently time screening enrollment
    enrolment inclusion baseline visit entry study trial excluded exclusion exclude
    criterion criteria eligible ineligible included include will must should shall
    have has had having being also either yes e g eg i ie etc this
    """.split()
)
CONJUNCTION = frozenset("and with who whose which that if when unless except but while".split())
NEGATION_WORDS = frozenset("not non no neither nor never without free negative".split())
# A negation right before a mention, with only such words between as "not currently
# pregnant", "no evidence of HIV", "negative urine pregnancy test" have.
NEGATION = re.compile(
    r"\b(?:not|non|no|neither|nor|never|without|free\s+of|negative|rule\s+out|ruled\s+out|"
    r"absence\s+of|absent)\b[\s-]*(?:(?:be|being|been|is|are|currently|presently|now|a|an|any|"
    r"known|evidence|history|presence|sign|signs|of|for|to|have|has|having|had|urine|serum|"
    r"blood|test|tests|active|or|and)[\s-]+)*$",
    re.I,
)
# A mention among examples ("contraindications such as pregnancy") is not the criterion.
EXAMPLES = re.compile(
    r"\b(?:contra-?indicat\w*|such\s+as|e\.\s?g\.?|for\s+example|including|like)\b", re.I
)
# "must not be pregnant" in an exclusion list is a requirement written in the wrong list.
REQUIREMENT = re.compile(r"\b(?:must|should|shall|need\s+to|required)\b", re.I)
NEGATIVE_AFTER = re.compile(
    r"^[\s,-]*(?:test\s+)?(?:is\s+|must\s+be\s+|should\s+be\s+|be\s+)?(?:negative|-ve)\b", re.I
)


@dataclass(frozen=True)
class Reading:
    """How a criterion speaks of one topic: which atoms, negated or not, qualified how,
    and how its clause joins the rest of the criterion."""

    atoms: tuple[str, ...]  # the things mentioned (pregnant, breastfeeding; hiv, ...)
    negated: bool
    qualifier: str  # "" (none), "narrow" (a kind of it: "active"), "broad" (at any time: "history")
    joined: str  # "" (the criterion is only this), "or" (one of several), "and" (one of all)

    def truth(self, atoms: dict[str, bool | None]) -> bool | None:
        """Whether the criterion holds for someone with these atoms, or None (unknown)."""
        values = [atoms.get(a) for a in self.atoms]
        if any(v is True for v in values):
            mentioned: bool | None = True
        elif values and all(v is False for v in values):
            mentioned = False
        else:
            mentioned = None
        qualified = {
            "": mentioned,
            "narrow": False if mentioned is False else None,
            "broad": True if mentioned is True else None,
        }.get(self.qualifier)
        statement = None if qualified is None else qualified != self.negated
        if self.joined == "or":
            return True if statement is True else None
        if self.joined == "and":
            return False if statement is False else None
        return statement


def _clauses(text: str, kind: str) -> list[tuple[str, str]]:
    """The criterion's clauses, each with how it joins the others: "or" between
    alternatives (", or"; the exclusion list's "A; B"), "and" between requirements."""
    joined_default = "or" if kind == EXCLUSION else "and"
    clauses = []
    for part in OR_CLAUSE.split(text):
        for clause in CLAUSE_END.split(part):
            if clause.strip():
                clauses.append(clause.strip())
    joined = "or" if OR_CLAUSE.search(text) else joined_default
    return [(clause, joined if len(clauses) > 1 else "") for clause in clauses]


@dataclass(frozen=True)
class Vocabulary:
    """What one topic's rule looks for in a clause."""

    mentions: dict[str, re.Pattern]  # atom -> pattern
    skip: re.Pattern | None = None  # the clause is about someone or something else
    elsewhere: re.Pattern | None = None  # phrases that are another matter (a plan, a test)
    narrow: frozenset[str] = frozenset()
    broad: frozenset[str] = frozenset()
    filler: frozenset[str] = frozenset()
    both_ways: Callable[[str], str] | None = None  # a clause's own qualifier (cancer windows)


def _read(text: str, kind: str, vocabulary: Vocabulary) -> Reading | None:
    """The reading of the one clause of `text` that mentions the topic, or None."""
    readings = []
    clauses = _clauses(text, kind)
    for clause, joined in clauses:
        reading = _read_clause(clause, kind, vocabulary)
        if reading is not None:
            if reading.joined == "" and joined:
                reading = replace(reading, joined=joined)
            readings.append(reading)
    if len(readings) != 1:
        return None  # not mentioned, or in several clauses: left to the patient
    return readings[0]


def _read_clause(clause: str, kind: str, vocabulary: Vocabulary) -> Reading | None:
    if vocabulary.skip and vocabulary.skip.search(clause) or EXAMPLES.search(clause):
        return None
    working = clause
    if vocabulary.elsewhere:
        working = vocabulary.elsewhere.sub(" ELSEWHERE ", working)
    spans = []
    for atom, pattern in vocabulary.mentions.items():
        spans += [(m.start(), m.end(), atom) for m in pattern.finditer(working)]
    if not spans:
        return None
    spans.sort()
    # Mentions next to each other ("pregnant or breastfeeding") are one group.
    groups: list[list[tuple[int, int, str]]] = [[spans[0]]]
    for span in spans[1:]:
        between = working[groups[-1][-1][1] : span[0]]
        if span[0] < groups[-1][-1][1] or re.fullmatch(
            r"[\s,/&()-]*(?:(?:or|and|and/or|nor|or\s+currently|or\s+are|or\s+is|and\s+are|"
            r"and\s+is|or\s+have|women|or\s+a)\b[\s,/()-]*)*(?:women\s+)?",
            between,
            re.I,
        ):
            groups[-1].append(span)
        else:
            groups.append([span])
    negations = set()
    for group in groups:
        before = working[max(0, group[0][0] - 40) : group[0][0]]
        after = working[group[-1][1] : group[-1][1] + 30]
        negations.add(bool(NEGATION.search(before) or NEGATIVE_AFTER.match(after)))
    if len(negations) > 1:
        return None  # "not pregnant, but breastfeeding": left to the patient
    negated = negations.pop()
    if negated and kind == EXCLUSION and REQUIREMENT.search(clause):
        return None
    atoms = tuple(dict.fromkeys(atom for group in groups for *_span, atom in group))
    # What is left once the mentions and the filler are gone says how the clause reads.
    rest = working
    for start, end, _atom_name in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    words = [w.lower() for w in WORD.findall(rest)]
    # Qualifiers count wherever they are, in a mention too ("another interventional study").
    everywhere = {w.lower() for w in WORD.findall(working)}
    narrow = bool(everywhere & vocabulary.narrow)
    broad = bool(everywhere & vocabulary.broad)
    if vocabulary.both_ways:
        own = vocabulary.both_ways(clause)
        narrow, broad = narrow or own in ("narrow", "both"), broad or own in ("broad", "both")
    if narrow and broad:
        return None  # "active HIV, or a history of it": left to the patient
    qualifier = "narrow" if narrow else "broad" if broad else ""
    content = [
        w
        for w in words
        if w not in FILLER
        and w not in NEGATION_WORDS
        and w not in vocabulary.filler
        and w not in vocabulary.narrow
        and w not in vocabulary.broad
        and w not in {"or", "and", "nor", "and/or", "positive", "seropositive"}
        and not w[0].isdigit()
    ]
    joined = _joined(content, words, rest, kind)
    if joined is None:
        return None
    return Reading(atoms, negated, qualifier, joined)


def _joined(content: list[str], words: list[str], rest: str, kind: str) -> str | None:
    """How the mention sits among the clause's other words: alone (""), one of
    alternatives ("or") or one of requirements ("and"); None when it cannot be told.
    An exclusion's "A and B" or "A with B" is either a list (any one excludes) or one
    case (both needed): it decides nothing."""
    if not content:
        return ""
    alternatives = bool(re.search(r"\bor\b|,|/|\bnor\b", rest, re.I))
    together = any(w in CONJUNCTION for w in words)
    if alternatives and not together:
        return "or"
    if together and not alternatives and kind == INCLUSION:
        return "and"
    if not alternatives and not together:
        return "and" if kind == INCLUSION else None
    return None


# The topics


WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
}
WINDOW = re.compile(
    r"(?:within|in|during|for|over)\s+(?:the\s+)?(?:past|last|previous|preceding|prior)?\s*"
    r"(?P<n>\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s*"
    r"(?:\(\d+\)\s*)?(?P<unit>years?|yrs?|months?|weeks?|days?)"
    r"|(?P<n2>\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)\s*"
    r"(?P<unit2>years?|yrs?|months?)\s+(?:prior|before|preceding)",
    re.I,
)
CANCER_EXCEPTIONS = re.compile(
    r"\b(?:except|excluding|exception|unless|apart\s+from|aside\s+from|besides|other\s+than\s+"
    r"(?:adequately|curatively|non-?melanoma|basal|squamous|in\s+situ|cervical|skin|superficial|"
    r"localized|low)|adequately|curative(?:ly)?|cured|in[\s-]+situ|basal|squamous|non-?melanoma|"
    r"low[\s-]+risk|disease[\s-]+free|no\s+evidence\s+of\s+disease|treated\s+with\s+curative)\b",
    re.I,
)
CANCER_NOW = re.compile(
    r"\b(?:active|current(?:ly)?|concurrent|concomitant|coexisting|co-existing|ongoing|"
    r"progressive|progressing|requiring|receiving|under\s+treatment|metastatic|uncontrolled|"
    r"symptomatic|synchronous)\b",
    re.I,
)
CANCER_EVER = re.compile(r"\b(?:history|prior|previous(?:ly)?|past|ever|former)\b", re.I)


def _cancer_window(clause: str) -> str:
    """How a clause about another cancer sits against "in the past 5 years": "narrow"
    (a part of it: active, the past 2 years, but for some kinds), "broad" (more: ever,
    the past 10 years), "" (the same) or "both"."""
    exceptions = bool(CANCER_EXCEPTIONS.search(clause))
    window = WINDOW.search(clause)
    if window:
        number = window.group("n") or window.group("n2")
        unit = (window.group("unit") or window.group("unit2")).lower()
        years = float(WORD_NUMBERS.get(number.lower(), 0) or number)
        if unit.startswith("month"):
            years /= 12
        elif unit.startswith(("week", "day")):
            years /= 52 if unit.startswith("week") else 365
        period = "narrow" if years < 5 else "broad" if years > 5 else ""
    elif CANCER_NOW.search(clause):
        period = "narrow"
    elif CANCER_EVER.search(clause):
        period = "broad"
    else:
        period = "broad"  # "another malignancy": at any time, as far as the record says
    if exceptions:
        return "both" if period == "broad" else "narrow"
    return period


@dataclass(frozen=True)
class Rule:
    """One topic of the profile: the criteria it recognises and how they answer."""

    topic: str  # the key of SOURCES
    fields: tuple[str, ...]  # the Profile fields it reads
    vocabulary: Vocabulary | None = None
    atoms_of: Callable[[Profile], dict[str, bool | None]] | None = None
    # Numeric topics (age, BMI): the ranges a clause states, instead of atoms.
    number: str = ""
    examples: tuple[tuple[str, Profile], ...] = ()  # answers bench and tests try

    def reading(self, item: Item) -> Reading | None:
        return _reading(self.topic, item.kind, item.full_text)

    def mentions(self, item: Item) -> bool:
        return self.reading(item) is not None

    def truth(self, item: Item, profile: Profile) -> bool | None:
        reading = self.reading(item)
        if reading is None:
            return None
        if self.number:
            value = getattr(profile, self.number)
            if value is None:
                return None
            return reading.truth({"in range": _in_ranges(value, _ranges(self.topic, item))})
        return reading.truth(self.atoms_of(profile))

    def decide(self, item: Item, profile: Profile) -> str | None:
        truth = self.truth(item, profile)
        return None if truth is None else YES if truth else NO


# Pregnancy and breastfeeding
PREGNANCY = Vocabulary(
    mentions={
        "pregnant": re.compile(r"\bpregnan(?:t|cy|cies)\b|\bgravid\w*", re.I),
        "breastfeeding": re.compile(
            r"\b(?:breast[\s-]?feed(?:ing|s)?|breast[\s-]?fed|lactating|lactation|"
            r"nursing(?!\s+(?:home|homes|care|staff|facility|facilities|student|students)))\b",
            re.I,
        ),
    },
    skip=re.compile(
        r"\b(?:partners?|spouses?|wife|wives|husbands?|fetus|foetus|fetal|foetal|neonat\w*|"
        r"infants?|babies|baby|newborns?|offspring|children\s+born|twins?|triplets?|singleton|"
        r"multiple\s+pregnanc\w*|ectopic|gestation\w*|trimester|weeks?\s+of\s+pregnancy|"
        r"pre-?eclampsia|eclampsia|pregnancy[\s-]+(?:induced|related|associated|outcomes?|"
        r"complications?|comorbidit\w*|loss|losses)|postpartum|post-partum|delivery|deliveries|"
        r"miscarriage|abortion|caesarean|cesarean|vaccinated)\b",
        re.I,
    ),
    elsewhere=re.compile(
        r"\b(?:plan\w*|intend\w*|intention\w*|wish\w*|desir\w*|want\w*|trying|try|hop\w*|expect\w*|"
        r"likely|may|might|could|possib\w*|potential\w*|capable|able|become|becoming|get|getting|"
        r"avoid\w*|prevent\w*|risk\s+of)\s+(?:\w+\s+){0,3}?(?:pregnan\w*|conceiv\w*|"
        r"breast[\s-]?feed\w*|lactat\w*)|\b(?:child[\s-]?bearing|reproductive)\s+(?:potential|age)|"
        r"contracepti\w*|birth\s+control|steril\w*|menopaus\w*|post-?menopausal|"
        r"(?<!negative\s)(?<!positive\s)(?<!negative\surine\s)(?<!negative\sserum\s)"
        r"(?<!positive\surine\s)(?<!positive\sserum\s)\b(?:(?:urine|serum|blood)\s+)?"
        r"pregnancy\s+tests?(?!\s+(?:result\s+)?(?:is\s+|must\s+be\s+|should\s+be\s+)?"
        r"(?:negative|positive))|during\s+(?:the\s+)?(?:study|trial|treatment)",
        re.I,
    ),
    narrow=frozenset(),
    broad=_words(
        """
        within previous previously prior recent recently last past months weeks history
        """
    ),
    filler=_words(
        """
        lactating test urine serum status state pregnancy positive result confirmed
        suspected possible already
        """
    ),
)


PREGNANCY_ATOMS = {
    "no": {"pregnant": False, "breastfeeding": False},
    "pregnant": {"pregnant": True, "breastfeeding": False},
    "breastfeeding": {"pregnant": False, "breastfeeding": True},
    "both": {"pregnant": True, "breastfeeding": True},
}


def _pregnancy_atoms(profile: Profile) -> dict[str, bool | None]:
    return PREGNANCY_ATOMS.get(profile.pregnancy, {})


# Taking part in another study now
STUDY = r"(?:stud(?:y|ies)|trials?|research|protocols?|investigations?)"
OTHER_STUDY = Vocabulary(
    mentions={
        "other_study": re.compile(
            r"\b(?:participat\w*|enrol(?:l)?(?:ed|ment|ling)?|involve(?:d|ment)?|take\s+part|"
            r"taking\s+part|took\s+part|included|inclusion)\s+(?:currently\s+)?(?:in|into|on)\s+"
            r"(?:(?:another|other|any\s+other|any|a|an|concurrent|simultaneous|ongoing|"
            r"a\s+concurrent|an\s+ongoing|an\s+other|some\s+other|a\s+different|other\s+ongoing)\s+)"
            rf"(?:[\w-]+\s+){{0,4}}?{STUDY}\b"
            rf"|\b(?:concurrent|simultaneous|current|ongoing|active)\s+(?:participation|enrol(?:l)?ment)"
            rf"\s+in\s+(?:\w+\s+){{0,5}}?{STUDY}\b"
            rf"|\b(?:another|other)\s+(?:[\w-]+\s+){{0,3}}?{STUDY}\s+(?:participation|enrol(?:l)?ment)",
            re.I,
        ),
    },
    skip=re.compile(
        r"\b(?:agree\w*|willing\w*|commit\w*|refrain\w*|will\s+not|not\s+to|future|completed?|completion|"
        r"parent\s+study|this\s+study|the\s+present\s+study|previous\s+participation\s+in\s+this|"
        r"same\s+study|opinion|judgement|judgment|exclusion\s+period)\b",
        re.I,
    ),
    narrow=_words(
        """
        interventional investigational experimental drug drugs device devices therapeutic
        treatment randomized randomised medication medicinal product products imp confound
        interfere interfering affect involving that could may might primary endpoint therapy
        """
    ),
    broad=_words(
        """
        within prior previous previously past last preceding before months weeks days year
        years history recent recently participated
        """
    ),
    filler=_words(
        """
        another other clinical research study studies trial trials ongoing concurrent
        concurrently simultaneous simultaneously same time active participation enrolled
        enrolment enrollment participating currently protocol
        """
    ),
)


def _yes_no(field_name: str, atom: str) -> Callable[[Profile], dict[str, bool | None]]:
    return lambda profile: {atom: _atom(getattr(profile, field_name))}


# Another cancer in the past 5 years
CANCER_WORD = r"(?:malignan(?:cy|cies|t\s+(?:disease|tumou?rs?|neoplasms?))|cancers?|neoplasms?|neoplasia|carcinomas?|tumou?rs?)"
# "Prior cancer therapy" speaks of a treatment, not of a cancer.
NOT_ABOUT_CANCER = (
    r"(?!\s+(?:therapy|therapies|treatments?|chemotherapy|surgery|surgeries|radiation|"
    r"radiotherapy|drugs?|medications?|vaccines?|screening|diagnosis|types?|stages?|"
    r"immunotherapy|agents?)|\s*\)?\s*(?:of|in)\s+the\s+)"
)
OTHER_CANCER = Vocabulary(
    mentions={
        "other_cancer": re.compile(
            r"\b(?:(?:other|another|second|secondary|prior|previous|concurrent|concomitant|"
            r"additional|synchronous|metachronous|coexisting|co-existing|other\s+active|"
            r"another\s+active|second\s+primary|other\s+primary|another\s+primary|"
            r"other\s+invasive|prior\s+invasive|previous\s+invasive|active)\s+)+"
            rf"(?:primary\s+|invasive\s+|solid\s+|active\s+)?{CANCER_WORD}{NOT_ABOUT_CANCER}"
            rf"|\bhistory\s+of\s+(?:(?:a|an|any|other|another|prior|previous|invasive|primary)\s+)*"
            rf"{CANCER_WORD}{NOT_ABOUT_CANCER}"
            rf"|\bmalignan(?:cy|cies)\s+(?:within|in\s+the\s+(?:past|last))",
            re.I,
        ),
    },
    skip=re.compile(
        r"\b(?:family|relative|relatives|mother|father|sister|brother|first[\s-]degree|"
        r"brain|cns|metasta\w+\s+to|screening\s+for)\b",
        re.I,
    ),
    narrow=frozenset(),
    broad=frozenset(),
    filler=_words(
        """
        other another second secondary prior previous previously concurrent concomitant
        additional primary invasive active history malignancy malignancies cancer cancers
        within past last years year months except excluding exception adequately treated
        curatively curative intent basal squamous cell carcinoma carcinomas skin situ cervix
        cervical non melanoma nonmelanoma non-melanoma cured localized disease free low risk
        superficial bladder breast prostate thyroid ductal dcis cin than unless solid tumor
        tumors tumour tumours neoplasm neoplasms requiring treatment therapy receiving
        ongoing diagnosed evidence recurrence synchronous metachronous progressing
        progressive metastatic uncontrolled symptomatic current currently completed surgery
        resected excised apart aside besides such as hematologic haematologic allowed
        eligible permitted included before preceding ago coexisting co-existing known ever
        former
        """
    ),
    both_ways=_cancer_window,
)

# HIV and hepatitis B or C
INFECTIONS = Vocabulary(
    mentions={
        "hiv": re.compile(
            r"\bhiv(?:[\s-]?[12])?(?:[\s-]?(?:1/2|infection|positive|positivity|seropositiv\w*))?\b"
            r"|human\s+immuno-?deficiency\s+virus|(?-i:\bAIDS\b)",
            re.I,
        ),
        "hepatitis_b": re.compile(
            r"\bhepatitis[\s-]*b\b(?:\s+virus)?|\bhbv\b|\bhbs[\s-]?ag\b|"
            r"hepatitis\s+b\s+surface\s+antigen",
            re.I,
        ),
        "hepatitis_c": re.compile(
            r"\bhepatitis[\s-]*c\b(?:\s+virus)?|\bhcv\b|(?<=hepatitis b or )c\b|"
            r"(?<=hepatitis b and )c\b|(?<=hepatitis b and/or )c\b|(?<=hepatitis b/)c\b|"
            r"(?<=hepatitis b, )c\b",
            re.I,
        ),
    },
    skip=re.compile(r"\b(?:vaccin\w*|immuni[sz]\w*|exposure|exposed|risk\s+of|at\s+risk)\b", re.I),
    narrow=_words(
        """
        active uncontrolled untreated detectable replicating replication replicative chronic
        acute requiring decompensated cirrhosis load viremia viraemia rna dna cd4 unless
        except symptomatic aids-defining opportunistic treatment therapy antiviral
        antiretroviral ongoing unstable progressive
        """
    ),
    broad=_words(
        """
        history prior previous previously past antibody antibodies anti-hcv serology
        serologic serological hbcab core ever resolved cured
        """
    ),
    filler=_words(
        """
        virus infection infections infected positive positivity seropositive seropositivity
        test tests testing result surface antigen hbsag carrier carriers known viral
        hepatitis type types human immunodeficiency syndrome acquired screening markers
        marker blood disease diseases infectious
        """
    ),
)


def _infection_atoms(profile: Profile) -> dict[str, bool | None]:
    return {
        "hiv": _atom(profile.hiv),
        "hepatitis_b": _atom(profile.hepatitis_b),
        "hepatitis_c": _atom(profile.hepatitis_c),
    }


# Numbers: age and body-mass index

NUMBER = r"(\d{1,3}(?:[.,]\d{1,2})?)"
GE = (
    r"(?:≥|>=|=>|⩾|at\s+least|greater\s+than\s+or\s+equal\s+to|more\s+than\s+or\s+equal\s+to|"
    r"not\s+less\s+than|no\s+less\s+than|minimum(?:\s+of)?|min\.?)"
)
GT = r"(?:>|greater\s+than|more\s+than|higher\s+than|above|over|exceeding|exceeds?|older\s+than)"
LE = (
    r"(?:≤|<=|=<|⩽|at\s+most|less\s+than\s+or\s+equal\s+to|up\s+to|no\s+more\s+than|"
    r"not\s+more\s+than|not\s+exceeding|maximum(?:\s+of)?|max\.?|not\s+greater\s+than)"
)
LT = r"(?:<|less\s+than|lower\s+than|below|under|younger\s+than)"
UNIT = r"(?:\s*(?:years?|yrs?|y|kg/m2|kg/m²|kg/m\^2|kg\s*/\s*m2))?"
RANGE = re.compile(rf"{NUMBER}{UNIT}\s*(?:and|to|-|–|—|~)\s*(?P<below><|≤|<=)?\s*{NUMBER}", re.I)
# "18 < age < 70": a bound written before the measure.
BOUND_BEFORE = re.compile(rf"{NUMBER}\s*(?P<op><=|≤|=<|<)\s*(?=[a-z])", re.I)
BOUND = re.compile(rf"(?P<op>{GE}|{LE}|{GT}|{LT})\s*(?:of\s+|than\s+)?{NUMBER}", re.I)
BOUND_AFTER = re.compile(
    rf"{NUMBER}{UNIT}\s*(?:of\s+age\s+|old\s+)?(?:or|and)\s+"
    r"(?P<word>older|over|above|more|greater|higher|younger|less|under|below|lower)\b"
    rf"|{NUMBER}\s*\+",
    re.I,
)
AGE_MENTION = re.compile(
    r"\b(?:ages?d?|years?\s+old|years?\s+of\s+age|yrs?\s+old|y/o|age\s+range)\b", re.I
)
BMI_MENTION = re.compile(r"\b(?:bmi|body[\s-]+mass[\s-]+index|quetelet)\b", re.I)
OTHER_UNITS = re.compile(r"\b(?:months?|weeks?|days?|hours?)\b", re.I)
# Both sexes ("male or female") say nothing; one ("women aged 50 to 74") is a requirement.
BOTH_SEXES = re.compile(
    r"\b(?:male\s+(?:or|and|and/or)\s+female|female\s+(?:or|and|and/or)\s+male|"
    r"men\s+(?:or|and)\s+women|women\s+(?:or|and)\s+men|males\s+(?:or|and)\s+females|"
    r"females\s+(?:or|and)\s+males|(?:either|any|all)\s+(?:sex|sexes|gender|genders))\b",
    re.I,
)
# Where a clause with several measures splits, so that each number stays with its own.
SEGMENT = re.compile(
    r",(?!\s*\d)|;|\bwith\b|\bwho\b|\bwhose\b|"
    r"\band\b(?!\s*(?:≤|<=|<|≥|>=|>|under|younger|below|less|lower|older|over|above|more|"
    r"greater|higher|up\s+to|at\s+most|\d))",
    re.I,
)
NUMBER_FILLER = frozenset(
    """
    age aged ages year years yr yrs y old of between from to and or than older over above
    more greater higher younger less under below lower at least most equal inclusive
    included inclusively both values range time signing sign signed consent informed
    screening enrollment enrolment inclusion randomization randomisation visit first kg
    m2 m² bmi body mass index quetelet minimum maximum min max up exceeding adults adult
    must should be is have has a an defined as calculated kg/m2 kg/m² ≥ ≤ > < the at
    obese obesity overweight underweight morbid morbidly extremely severe severely range
    m kilograms kilogram per meter metre meters metres squared square both values value
    """.split()
)


@dataclass(frozen=True)
class Bound:
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def holds(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


def _number(text: str) -> float:
    return float(text.replace(",", "."))


@lru_cache(maxsize=4096)
def _bounds(segment: str) -> tuple[list[Bound], bool] | None:
    """The bounds a segment states, and whether any one is enough ("< 18 or > 65")."""
    bounds: list[Bound] = []
    used: list[tuple[int, int]] = []

    def free(match: re.Match) -> bool:
        return not any(a <= match.start() < b or a < match.end() <= b for a, b in used)

    for match in RANGE.finditer(segment):
        low, high = _number(match.group(1)), _number(match.group(3))
        if low < high:
            bounds.append(Bound(low, high, high_open=match.group("below") == "<"))
            used.append(match.span())
    for match in BOUND_BEFORE.finditer(segment):
        if free(match):
            bounds.append(Bound(low=_number(match.group(1)), low_open=match.group("op") == "<"))
            used.append(match.span())
    for match in BOUND.finditer(segment):
        if not free(match):
            continue
        op, value = match.group("op"), _number(match.group(2))
        if re.fullmatch(GE, op, re.I):
            bounds.append(Bound(low=value))
        elif re.fullmatch(LE, op, re.I):
            bounds.append(Bound(high=value))
        elif re.fullmatch(GT, op, re.I):
            bounds.append(Bound(low=value, low_open=True))
        else:
            bounds.append(Bound(high=value, high_open=True))
        used.append(match.span())
    for match in BOUND_AFTER.finditer(segment):
        if not free(match):
            continue
        word = (match.group("word") or "older").lower()
        value = _number(match.group(1) or match.group(3))
        above = word in {"older", "over", "above", "more", "greater", "higher"}
        bounds.append(Bound(low=value) if above else Bound(high=value))
        used.append(match.span())
    if not bounds:
        return None
    # "< 18 or > 65", also written "less than 18 and older than 70": no number passes both.
    either = len(bounds) > 1 and not any(all(b.holds(v / 2) for b in bounds) for v in range(400))
    return bounds, either


def _in_ranges(value: float, stated: tuple[list[Bound], bool] | None) -> bool | None:
    if stated is None:
        return None
    bounds, either = stated
    holds = [b.holds(value) for b in bounds]
    return any(holds) if either else all(holds)


def _numeric_segment(clause: str, mention: re.Pattern, topic: str) -> tuple[str, str] | None:
    """(the segment stating the numbers, the rest of the clause), or None."""
    if not mention.search(clause):
        return None
    if topic == "age" and (OTHER_UNITS.search(clause) or BMI_MENTION.search(clause)):
        return None  # an age in months, or next to a BMI: left to the patient
    text = BOTH_SEXES.sub(" ", clause.replace("\u2212", "-"))
    segments = [s for s in SEGMENT.split(text) if s and s.strip()]
    mentioning = [s for s in segments if mention.search(s)]
    if len(mentioning) != 1:
        return None
    segment = mentioning[0]
    if _bounds(segment) is None or re.search(r"\b(?:not|no|unless|except)\b", segment, re.I):
        return None
    rest = text.replace(segment, " ", 1)
    return segment, rest


def _numeric_reading(clause: str, mention: re.Pattern, topic: str, kind: str) -> Reading | None:
    found = _numeric_segment(clause, mention, topic)
    if found is None:
        return None
    segment, rest = found
    leftover = mention.sub(" ", segment)
    for pattern in (RANGE, BOUND_BEFORE, BOUND, BOUND_AFTER):
        leftover = pattern.sub(" ", leftover)
    people = {w for w in FILLER if w not in {"women", "woman", "female", "females"}}
    words = [w.lower() for w in WORD.findall(f"{leftover} {rest}")]
    content = [
        w for w in words if w not in NUMBER_FILLER and w not in people and not w[0].isdigit()
    ]
    if content and _bounds(segment)[1]:
        return None  # "BMI < 18 or > 35 with diabetes": alternatives under conditions
    joined = _joined(content, words, rest, kind)
    if joined is None:
        return None
    return Reading(("in range",), False, "", joined)


@lru_cache(maxsize=4096)
def _numeric_clause(topic: str, kind: str, text: str) -> tuple[Reading, str] | None:
    """The reading of the one clause stating the topic's numbers, and its numbers' segment."""
    mention = AGE_MENTION if topic == "age" else BMI_MENTION
    found = []
    for clause, joined in _clauses(text, kind):
        reading = _numeric_reading(clause, mention, topic, kind)
        if reading is not None:
            if reading.joined == "" and joined:
                reading = replace(reading, joined=joined)
            found.append((reading, _numeric_segment(clause, mention, topic)[0]))
    return found[0] if len(found) == 1 else None


def _ranges(topic: str, item: Item) -> tuple[list[Bound], bool] | None:
    found = _numeric_clause(topic, item.kind, item.full_text)
    return _bounds(found[1]) if found else None


VOCABULARIES = {
    "pregnancy": PREGNANCY,
    "other_study": OTHER_STUDY,
    "other_cancer": OTHER_CANCER,
    "infections": INFECTIONS,
}


# Words without which a topic's rule has nothing to read: a criterion without any is
# passed over at once (most criteria speak of none of the topics).
HINTS = {
    "pregnancy": re.compile(r"pregnan|gravid|breast|lactat|nursing", re.I),
    "other_study": re.compile(r"stud|trial|research|protocol|investigation", re.I),
    "other_cancer": re.compile(r"malignan|cancer|neoplas|carcinom|tumou?r", re.I),
    "infections": re.compile(r"hiv|hepatitis|hbv|hcv|hbs|immuno-?deficiency|AIDS", re.I),
    "age": AGE_MENTION,
    "bmi": BMI_MENTION,
}


@lru_cache(maxsize=8192)
def _reading(topic: str, kind: str, text: str) -> Reading | None:
    if not HINTS[topic].search(text):
        return None
    if topic in ("age", "bmi"):
        found = _numeric_clause(topic, kind, text)
        return found[0] if found else None
    return _read(text, kind, VOCABULARIES[topic])


RULES: tuple[Rule, ...] = (
    Rule(
        "pregnancy",
        ("pregnancy",),
        PREGNANCY,
        _pregnancy_atoms,
        examples=tuple(
            (value, Profile(pregnancy=value)) for value in ("pregnant", "breastfeeding", "no")
        ),
    ),
    Rule(
        "other_study",
        ("other_study",),
        OTHER_STUDY,
        _yes_no("other_study", "other_study"),
        examples=((YES, Profile(other_study=YES)), (NO, Profile(other_study=NO))),
    ),
    Rule(
        "other_cancer",
        ("other_cancer",),
        OTHER_CANCER,
        _yes_no("other_cancer", "other_cancer"),
        examples=((YES, Profile(other_cancer=YES)), (NO, Profile(other_cancer=NO))),
    ),
    Rule(
        "infections",
        ("hiv", "hepatitis_b", "hepatitis_c"),
        INFECTIONS,
        _infection_atoms,
        examples=(
            ("HIV", Profile(hiv=YES, hepatitis_b=NO, hepatitis_c=NO)),
            ("hepatitis B", Profile(hiv=NO, hepatitis_b=YES, hepatitis_c=NO)),
            ("none", Profile(hiv=NO, hepatitis_b=NO, hepatitis_c=NO)),
        ),
    ),
    Rule(
        "bmi",
        ("bmi",),
        number="bmi",
        examples=tuple((str(v), Profile(bmi=v)) for v in (17.0, 24.0, 33.0, 42.0)),
    ),
    Rule(
        "age",
        ("age",),
        number="age",
        examples=tuple((str(v), Profile(age=v)) for v in (12, 40, 80)),
    ),
)
RULES_BY_TOPIC = {rule.topic: rule for rule in RULES}


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
        profile: Profile = Profile(),
        answers: dict[str, str] | None = None,
        *,
        sources: dict[str, str] | None = None,
    ) -> Checklist:
        """`answers`: the patient's own answers by item key. `sources`: answers the
        browser already took from the profile (key -> source), kept as pre-answers."""
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
                stated = _ranges(rule.topic, item)
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

    def summary(self) -> str:
        """One line: 'Probably not a fit: 1 against, 2 not sure, 14 in favour, 3 unanswered'."""
        return (
            f"{self.label}: {len(self.against)} against, {len(self.unsure)} not sure, "
            f"{self.favourable} in favour, {self.unanswered} unanswered"
        )


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
