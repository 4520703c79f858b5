"""Our rules: which eligibility criteria a patient's profile answers, and how.

The profile is a few questions asked once for every trial (`Profile`): pregnancy or
breastfeeding, taking part in another study now, another cancer in the past 5 years,
HIV and hepatitis B or C, body-mass index; the age comes from the search. Each `Rule`
reads the one clause of a criterion that speaks of its topic, and decides only what the
patient's answer implies: "Pregnant or breastfeeding" is decided both ways; "pregnant or
planning a pregnancy" only by Yes (the plan is another matter); "not pregnant and using
contraception" only by a pregnancy; "active HIV" only by No (a kind of it); "history of
hepatitis C" only by Yes (at any time). Negations ("not pregnant" in an inclusion,
"negative pregnancy test", "HIV-negative") turn the answer over. A criterion about
someone else (a partner), a plan, examples ("contraindications such as pregnancy"), or a
requirement written in the exclusion list is left to the patient.

A decided criterion is answered Yes (it holds for the patient) or No. They are written
and tested on the real records: tests/test_prescreen.py, and
bench/bench_eligibility.py --rules prints how often each fires.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .eligibility import EXCLUSION, INCLUSION, Item

YES, NO, UNSURE = "yes", "no", "unsure"
ANSWERS = (YES, NO, UNSURE)
ANSWER_LABELS = {YES: _("Yes"), NO: _("No"), UNSURE: _("Not sure")}

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
            return reading.truth({"in range": _in_ranges(value, stated_ranges(self.topic, item))})
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


def stated_ranges(topic: str, item: Item) -> tuple[list[Bound], bool] | None:
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
