"""Eligibility criteria split into items a patient can answer.

ClinicalTrials.gov gives a study's criteria as one Markdown text: an "Inclusion
Criteria:" list and an "Exclusion Criteria:" list as a rule, but in practice headings
come in many spellings ("INCLUSION", "Key inclusion criteria", "Other Exclusions",
"Exclusion criteria were as follows:"), sometimes at the end of another line; lists
use bullets, numbers, letters or roman numerals, nested two or three deep; some
criteria are one paragraph; some records have lists per cohort ("PATIENTS",
"CONTROLS"); the oldest records (PDQ) have no inclusion/exclusion headings at all,
only lists of requirements.

`split_criteria(text)` reads the text line by line and returns its sections, each
with the items a patient answers one by one. A nested list stays with the item that
introduces it ("at least one of the following: ..."), so that alternatives are never
answered one at a time. Headings, cohort labels and notes ("Other protocol-defined
criteria may apply") are the sections' titles, groups and notes, never items. The
trial page's criteria sections (`trials.plain.criteria_sections`) use the same headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

INCLUSION = "inclusion"
EXCLUSION = "exclusion"
OTHER = "other"

# A list marker at the start of a line: bullets (also escaped, "\-"), numbers ("1.",
# "1)", "(1)", "1-", "1.2."), letters ("a.", "(b)") and roman numerals ("iv)", "i-").
BULLETS = "*+•·○◦▪▫■□●◆◇►▶➢➤✓✔-–—"
ROMAN_NUMERALS = "i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii|xiv|xv"
MARKER = re.compile(
    rf"""^(?P<indent>[ ]*)
    (?P<marker>
        \\?[{re.escape(BULLETS)}]
      | \(?\d{{1,3}}(?:\.\d{{1,3}})*[.)]
      | \(\d{{1,3}}\)
      | \d{{1,3}}-
      | \(?(?:{ROMAN_NUMERALS})[.)-]
      | \(?[a-zA-Z][.)]
    )(?:[ ]+|$|(?<=\d[.)])(?=[A-Z]))(?P<rest>.*)$""",
    re.VERBOSE | re.IGNORECASE,
)
EMPHASIS = re.compile(r"\*\*|__|(?<![\w*\\])\*(?=\S)|(?<=[^\s\\])\*(?![\w*])")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # Markdown escapes any ASCII punctuation
ENTITIES = {"&gt;": ">", "&lt;": "<", "&amp;": "&", "&nbsp;": " "}

# Headings name a kind of criteria in a few words, with no verb of their own:
# "Inclusion Criteria:", "INCLUSION", "Key exclusion criteria", "Other Exclusions",
# "Criteria for inclusion", "Inclusion criteria were as follows:", "Radiological
# Exclusion Criteria", "Exclusion criteria determined after tissue explant".
KIND_WORD = re.compile(
    r"\b(?P<kind>non-?inclusions?|inclusions?|exclusions?|eligibility|selection)\b"
    r"(?P<criteria>\s+(?:criteria|criterion|criterias|criteras|requirements?))?",
    re.I,
)
CRITERIA_FOR = re.compile(r"^(?:\w+\s+)?criteria\s+(?:for|of)\s+(inclusion|exclusion)\b", re.I)
NOT_A_HEADING = re.compile(
    r"\b(?:apply|applies|may|see|must|will|should|listed|according|meets?|defined|protocol|"
    r"refer|based|not|was|has|have|had|did|does|if|who|which|that|than|period|exclusionary|"
    r"excluded|included|age|aged|years?|were|are|is|be|free|without|any|all|those)\b",
    re.I,
)
HEADING_TAIL = re.compile(
    r"\s*(?:include|includes|are|is|were|(?:are|were)?\s*as\s+follows|(?:are|were)?\s*listed\s+below)\s*$",
    re.I,
)
HEADING_HINT = re.compile(r"inclu|exclu|eligib|selection|criteri", re.I)
SENTENCE_WORDS = frozenset("the to a an and with in on of is are be has have".split())
QUALIFIER_AFTER = re.compile(r"^(?:for|of|in|at|prior|after|before|during|determined|\(|-|–)", re.I)
MAX_HEADING_WORDS = 9
# "... the study Exclusion Criteria:" and "Inclusion Criteria: Patients must ..." on one line.
INLINE_HEADING = re.compile(
    r"(?P<heading>(?<![\w-])(?:(?:Key|Main|Other|Additional|Partner)\s+)?"
    r"(?:Inclusion|Exclusion|INCLUSION|EXCLUSION)\s+(?:Criteria|CRITERIA|criteria)"
    r"(?:\s+(?:for|of)\s+[A-Z][\w ]{0,30}?)?\s*:)"
)
# Lead-in sentences: "Participants are excluded from the study if any of the following
# criteria apply:", "A subject is eligible ... if he/she meets all the following ...:".
LEAD_IN = re.compile(r"\b(?:following|criteria|as follows|below)\b[^:]*:\s*$", re.I)
EXCLUDING_WORDS = re.compile(
    r"\bexclu|\bnot\s+(?:be\s+)?(?:eligible|included|enrolled|allowed)|\bineligible\b|"
    r"\bcannot\s+(?:be\s+)?(?:enrolled|included|take part|participate)|\bnon-?inclusion\b",
    re.I,
)
# A list's lead-in that speaks of the criteria themselves ("To be eligible, subjects must
# meet all the following criteria:"): its lines are the section's items. One that offers
# alternatives keeps them together ("At least one of the following criteria:").
SECTION_LEAD_IN = re.compile(
    r"\b(?:criteria|eligib\w*|included|excluded|inclusion|exclusion|enrol\w*|participat\w*)\b"
    r"[^:]*:\s*$",
    re.I,
)
ALTERNATIVES = {
    INCLUSION: re.compile(r"\b(?:one|either|at\s+least|any|two|three|2|3)\b", re.I),
    EXCLUSION: re.compile(r"\b(?:all|both|each|two|three|2|3)\b", re.I),
}
# A list that lost its indentation: the lines after "...:" that read as fragments of it
# (short, or lower-case, or ending in "or"), at most a dozen, up to a line that starts
# like a criterion of its own.
FLATTENED_MAX = 12
FRAGMENT_WORDS = 8
FRAGMENT_GOES_ON = re.compile(r"(?:\b(?:or|and|and/or)|[,;])\s*,?$", re.I)
CRITERION_START = re.compile(
    r"^(?:have|has|had|be|is|are|must|subjects?|patients?|participants?|age|aged|agrees?|"
    r"able|willing|signed|written|women|men|males?|females?|no|not|history|diagnosis|"
    r"known|current|prior|previous|any|use|presence|inability|unable)\b",
    re.I,
)
# Words of an item that introduces the list under it ("including:", "one of the following").
INTRODUCES = re.compile(
    r":\s*$|\b(?:following|one of|any of|all of|either|both|including|includes?|such as|"
    r"defined|as follows|namely|e\.g|i\.e|these|below|criteria)\b",
    re.I,
)
# A marker typed into the text after the list's own one: "* • Renal failure", "* 1. Age".
STRAY_MARKER = re.compile(r"^(?:[•·▪◦○●-]\s+|\(?\d{1,2}[.)](?:\s+|(?=[A-Z]))|\(?[a-z][.)]\s+)")
INCLUDING_WORDS = re.compile(r"\binclu|\beligible\b|\bmust\s+(?:meet|have|fulfil)", re.I)
NOTE = re.compile(
    r"^(?:notes?\b|nb\b|n\.b\.|please\s+note|\(note|\[note)|"
    r"^(?:other|further|additional|more|full|complete|all\s+other)\b[^.]{0,60}"
    r"\b(?:criteria|exclusions|inclusions)\b[^.]{0,80}"
    r"\b(?:apply|applies|in\s+the\s+protocol|are\s+listed|listed|exist|see)\b",
    re.I,
)
# A line with nothing to answer: "-", "N/A", "None", "Not applicable".
EMPTY = re.compile(
    r"^[\W_]*(?:n/?a|none|nil|not\s+applicable|no\s+(?:inclusion|exclusion)\s+criteria|"
    r"not\s+specified)?[\W_]*$",
    re.I,
)
COHORT_IN_HEADING = re.compile(r"\(([^()]{2,40})\)\s*$")
# A cohort label: "PATIENTS", "Healthy volunteers:", "Part A", "Cohort 2 (dose expansion)".
LABEL_WORDS = 7
# Criteria in prose split at sentences (not after abbreviations), at "1. ... 2. ...".
SENTENCE_END = re.compile(
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bDr)(?<!\bNo)(?<!\bapprox)(?<!\bincl)(?<!\bSt)"
    r"(?<=[.;])\s+(?=[A-Z(\"“])"
)
INLINE_NUMBER = re.compile(r"(?:^|(?<=\s))(\d{1,2})[.)](?:\s+(?=\S)|(?=[A-Z]))")
INLINE_LETTER = re.compile(r"(?:^|(?<=\s))([a-z])[.)]\s+(?=[A-Z(])")


@dataclass(frozen=True)
class Item:
    """One criterion: its text, and the lines of the list it introduces, if any."""

    key: str  # "i3", "e12": its place among the study's inclusion or exclusion items
    kind: str  # INCLUSION or EXCLUSION
    text: str
    subitems: tuple[str, ...] = ()
    group: str = ""  # the cohort its section is for ("Healthy volunteers"), if the record names one

    @property
    def full_text(self) -> str:
        """The criterion on one line, sub-items included: what a rule or a coordinator reads."""
        if not self.subitems:
            return self.text
        return f"{self.text} {'; '.join(self.subitems)}"


@dataclass
class Section:
    kind: str  # INCLUSION, EXCLUSION or OTHER (text before or without the lists)
    title: str = ""  # as written, tidied: "Key inclusion criteria"; "" when the record has none
    group: str = ""
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """ClinicalTrials.gov Markdown as plain text: no escapes, emphasis or runs of spaces."""
    for entity, character in ENTITIES.items():
        text = text.replace("\\" + entity, character).replace(entity, character)
    text = EMPHASIS.sub("", text)
    text = ESCAPE.sub(r"\1", text)
    return " ".join(text.split()).strip()


def heading(line: str) -> tuple[str, str] | None:
    """(kind, title) when the line is a heading of criteria, else None."""
    if not HEADING_HINT.search(line):
        return None  # most lines: no word a heading needs
    text = clean(line).lstrip("#").strip()
    marker = MARKER.match(text)
    if marker and marker.group("rest"):
        text = marker.group("rest")  # "* Exclusion Criteria:", "A. Inclusion criteria"
    text = text.strip(" :.-–—").strip()
    text = HEADING_TAIL.sub("", text).strip(" :.-–—")
    if not text or len(text.split()) > MAX_HEADING_WORDS:
        return None
    if criteria_for := CRITERIA_FOR.match(text):
        kind = INCLUSION if criteria_for.group(1).lower() == "inclusion" else EXCLUSION
        return kind, text
    found = KIND_WORD.search(text)
    if not found or NOT_A_HEADING.search(text):
        return None
    after = text[found.end() :].strip()
    if after and not QUALIFIER_AFTER.match(after):
        return None
    before = text[: found.start()].split()
    if len(before) > 4 or len(before) > 2 and any(w.lower() in SENTENCE_WORDS for w in before):
        return None  # "Consent to the study Exclusion Criteria": a criterion, then a heading
    word = found.group("kind").lower()
    if word in {"eligibility", "selection"} and not found.group("criteria"):
        return None
    if word.startswith(("non", "exclusion")):
        return EXCLUSION, text
    if word.startswith("inclusion"):
        return INCLUSION, text
    return OTHER, text


def _style(marker: str) -> str:
    """'bullet', 'number', 'decimal' (1.2.), 'roman' or 'letter'."""
    marker = marker.lstrip("\\")
    if marker[0] in BULLETS:
        return "bullet"
    core = marker.strip("().-")
    if re.fullmatch(r"\d+(?:\.\d+)+", core):
        return "decimal"
    if core.isdigit():
        return "number"
    if re.fullmatch(ROMAN_NUMERALS, core, re.I) and core.lower() not in {"i", "v", "x"}:
        return "roman"
    return "letter"


def _is_label(text: str) -> bool:
    """A short line that ends no sentence: "PATIENTS", "Healthy volunteers:", "Part A"."""
    text = text.strip()
    return (
        bool(text)
        and len(text.split()) <= LABEL_WORDS
        and not text.endswith((".", ";", ","))
        and not NOTE.match(text)
    )


def tidy_title(title: str) -> str:
    title = " ".join(title.split()).strip(" :.-")
    if title.isupper() or title.istitle():
        title = title.lower()
    return title[:1].upper() + title[1:]


def _inline_numbered(text: str) -> tuple[str, list[str]] | None:
    """'1. Adults 2. With asthma 3. ...' (or 'c. ... d. ... e. ...'): the text before the
    first number and the parts, when the numbers or letters follow each other."""
    for pattern, least, order in ((INLINE_NUMBER, 2, int), (INLINE_LETTER, 3, ord)):
        marks = list(pattern.finditer(text))
        if len(marks) < least:
            continue
        values = [order(m.group(1)) for m in marks]
        if values != list(range(values[0], values[0] + len(marks))):
            continue
        cuts = [m.start() for m in marks] + [len(text)]
        parts = [
            pattern.sub("", text[a:b], count=1).strip()
            for a, b in zip(cuts, cuts[1:], strict=False)
        ]
        lead = text[: marks[0].start()].strip()
        return lead, [p for p in parts if p and not EMPTY.match(p)]
    return None


def _prose_items(text: str) -> list[str]:
    """Criteria written as a paragraph: split at semicolons or at sentences (the reader
    splits "1. ... 2. ..." in each)."""
    if _inline_numbered(text):
        parts = [text]
    elif text.count(";") >= 2:
        parts = text.split(";")
    else:
        parts = SENTENCE_END.split(text)
    return [p.strip() for p in parts if p.strip() and not EMPTY.match(p.strip())]


class _Reader:
    """One pass over the lines: the sections so far, the item being read, and its list."""

    def __init__(self) -> None:
        self.sections: list[Section] = [Section(OTHER)]
        self.group = ""
        self.label = ""  # the last line read, when it was a cohort label
        self.item: list[str] | None = None  # the open item's lines
        self.subitems: list[list[str]] = []
        self.item_indent = 0
        self.sub_indent = -1
        self.top_style = ""
        self.blank = False  # a blank line came since the last text
        self.paragraph: list[str] = []  # unmarked lines outside any item

    @property
    def section(self) -> Section:
        return self.sections[-1]

    def start_section(self, kind: str, title: str) -> None:
        self.finish_section()
        if self.label:
            # "PATIENTS" / "Cohort 2" just before a heading names the cohort of the lists after it.
            self.group = self.label.rstrip(":").strip()
            self.section.notes.remove(self.label)
        elif kind == INCLUSION and any(s.kind == INCLUSION for s in self.sections) and self.group:
            self.group = ""
        self.label = ""
        current = self.section
        if current.kind == kind and not current.items and not current.notes and title:
            # "Inclusion Criteria:" then "Inclusion requirements for all subjects": one section.
            current.title = tidy_title(title)
            self.top_style = ""
            return
        # "Inclusion criteria (controls)": a cohort named in the heading, for this list only.
        cohort = COHORT_IN_HEADING.search(title)
        group = self.group or (cohort.group(1).strip() if cohort else "")
        self.sections.append(Section(kind, tidy_title(title), group))
        self.top_style = ""

    def marked(self, indent: int, style: str, text: str) -> None:
        self.close_paragraph()
        if self.item is not None:
            nested = indent > self.item_indent + 1
            # "1. At least one of: a. ... b. ...": another kind of marker at the same indent.
            other_kind = style != self.top_style and (
                style in ("letter", "roman", "decimal")
                and self.top_style in ("number", "bullet")
                or clean(" ".join(self.item)).endswith(":")
            )
            if nested or (other_kind and indent >= self.item_indent):
                if self.subitems and indent > self.sub_indent + 1:
                    self.subitems[-1].append(text)  # a third level belongs to its sub-item
                else:
                    self.subitems.append([text])
                    self.sub_indent = indent
                return
            if (
                indent == self.item_indent
                and style == self.top_style == "bullet"
                and self.sub_indent <= self.item_indent
                and self._flattened_list_goes_on(text)
            ):
                self.subitems.append([text])
                self.sub_indent = indent
                return
        self.close_item()
        self.item, self.subitems, self.item_indent, self.sub_indent = [text], [], indent, -1
        if not self.top_style:
            self.top_style = style

    def _flattened_list_goes_on(self, text: str) -> bool:
        """Whether a line at the open item's level still belongs to the list the item
        introduces, when the record lost that list's indentation ("Symptoms for 3
        months:", "Pain in the pelvic area", "Urinary urgency and/or", ...)."""
        lead_in = clean(" ".join(self.item))
        if not lead_in.endswith(":") or self._lists_criteria(lead_in):
            return False
        if self.subitems and len(self.subitems) >= FLATTENED_MAX:
            return False
        previous = clean(" ".join(self.subitems[-1])) if self.subitems else ""
        if previous and not previous.endswith(":") and FRAGMENT_GOES_ON.search(previous):
            return True
        line = clean(text)
        if STRAY_MARKER.match(line) and not line.startswith(("-", "•", "·")):
            return True  # "* 1) Chronic renal insufficiency": the list's own numbers
        if line.endswith(":") or CRITERION_START.match(line):
            return False
        return line[:1].islower() or len(line.split()) <= FRAGMENT_WORDS

    def unmarked(self, indent: int, text: str) -> None:
        if self.item is not None:
            lead_in = not self.subitems and clean(" ".join(self.item)).endswith(":")
            if not self.blank or indent >= 2 or lead_in:
                (self.subitems[-1] if self.subitems else self.item).append(text)
                return
            self.close_item()
        kind = _lead_in_kind(clean(text))
        if kind and kind != self.section.kind and not self.section.items:
            if self.section.kind == OTHER or not self.section.notes:
                self.section.kind = kind  # a heading in words: "Subjects ... excluded if:"
                self.section.notes.append(clean(text))
                return
        if kind and kind != self.section.kind:
            self.start_section(kind, "")
            self.section.notes.append(clean(text))
            return
        if self.blank:
            self.close_paragraph()
        self.paragraph.append(text)

    def close_item(self) -> None:
        if self.item is None:
            return
        text = clean(" ".join(self.item))
        subitems = [clean(" ".join(s)) for s in self.subitems]
        subitems = [s for s in subitems if not EMPTY.match(s)]
        self.item, self.subitems = None, []
        stray = STRAY_MARKER.match(text)
        text = STRAY_MARKER.sub("", text)
        if EMPTY.match(text) or stray and subitems:
            # An empty bullet holding a list, or a list typed with bullets of its own
            # under a list marker ("* • Renal failure" then "  * Type 1 diabetes"): its
            # lines are items.
            for sub in ([] if EMPTY.match(text) else [text]) + subitems:
                self.add(sub)
            return
        if subitems and self._lists_criteria(text):
            self.section.notes.append(text)
            for sub in subitems:
                self.add(sub)
            return
        if NOTE.match(text) and not subitems or _lead_in_kind(text) and not subitems:
            self.section.notes.append(text)
            return
        self.add(text, tuple(subitems))

    def finish_section(self) -> None:
        self.close_item()
        self.close_paragraph()
        items = self.section.items
        if len(items) == 1 and len(items[0].subitems) >= 2 and not INTRODUCES.search(items[0].text):
            # The first criterion at the list's level and every other one indented under
            # it, as some records are converted: they are the section's items.
            only = items.pop()
            for text in (only.text, *only.subitems):
                self.add(text)

    def _lists_criteria(self, lead_in: str) -> bool:
        """Whether an item only introduces the section's criteria ("must meet all of the
        following criteria:"), rather than alternatives a patient answers together."""
        alternatives = ALTERNATIVES.get(self.section.kind)
        return bool(SECTION_LEAD_IN.search(lead_in)) and not (
            alternatives and alternatives.search(lead_in)
        )

    def close_paragraph(self) -> None:
        """Unmarked lines outside any item: a note, a cohort label, or criteria in prose."""
        if not self.paragraph:
            return
        text = clean(" ".join(self.paragraph))
        self.paragraph = []
        if EMPTY.match(text):
            return
        if NOTE.match(text) or text.endswith(":") or _is_label(text):
            self.section.notes.append(text)
            self.label = text if _is_label(text) else ""
            return
        for part in _prose_items(text):
            if found := heading(part):
                self.start_section(*found)  # "Inclusion criteria. Age 22 or older. ..."
            else:
                self.add(part)

    def add(self, text: str, subitems: tuple[str, ...] = ()) -> None:
        self.label = ""
        parts = [text]
        if not subitems and (inline := _inline_numbered(text)):
            lead, parts = inline
            if lead.endswith(":") and ALTERNATIVES[INCLUSION].search(lead):
                # "One of the following: a. ... b. ...": alternatives, answered together.
                subitems, parts = tuple(parts), [lead]
            elif lead.endswith(":"):
                self.section.notes.append(lead)
            elif lead:
                parts = [lead, *parts]
        for part in parts:
            part = part.rstrip(" ;,")  # "Pregnancy;" in a list joined by semicolons
            if not part:
                continue
            self.section.items.append(
                Item("", self.section.kind, part, subitems, self.section.group)
            )


def _lead_in_kind(text: str) -> str | None:
    """The kind a lead-in sentence announces ("... excluded if any of the following apply:")."""
    if not LEAD_IN.search(text):
        return None
    if EXCLUDING_WORDS.search(text):
        return EXCLUSION
    if INCLUDING_WORDS.search(text):
        return INCLUSION
    return None


def lines(text: str) -> list[str]:
    """The criteria's lines, a heading that shares a line with other text ("... the study
    Exclusion Criteria:", "Inclusion Criteria: Patients must ...") on a line of its own."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    result = []
    for line in text.split("\n"):
        parts = INLINE_HEADING.split(line)
        if len(parts) == 1 or heading(line):
            result.append(line)
            continue
        if parts[0].strip():
            result.append(parts[0].rstrip())
        for i in range(1, len(parts), 2):
            result.append(parts[i])
            if parts[i + 1].strip():
                result.append(parts[i + 1].strip())
    return result


def split_criteria(text: str) -> list[Section]:
    """The criteria's sections in the record's order, each with its items and notes.

    Items before any heading are notes when the record has headings (a preamble), and
    requirements (inclusion items) when it has none."""
    reader = _Reader()
    for line in lines(text):
        line = line.rstrip()
        if not line.strip():
            reader.blank = True
            if reader.item is None:
                reader.close_paragraph()
            continue
        if found := heading(line):
            reader.start_section(*found)
        elif marker := MARKER.match(line):
            rest = marker.group("rest").strip()
            if rest:
                reader.marked(len(marker.group("indent")), _style(marker.group("marker")), rest)
            elif reader.item is None:
                pass  # a lone marker: an empty item
        else:
            reader.unmarked(len(line) - len(line.lstrip()), line.strip())
        reader.blank = False
    reader.finish_section()
    return _numbered(_settled(reader.sections))


def _settled(sections: list[Section]) -> list[Section]:
    """Sections with a kind for every item: lists outside inclusion or exclusion sections
    are requirements when the record has no such sections ("Eligibility criteria", PDQ
    records), else a preamble (notes)."""
    has_lists = any(s.kind in (INCLUSION, EXCLUSION) for s in sections)
    settled = []
    for section in sections:
        if section.kind == OTHER and section.items:
            if has_lists and not section.title:
                section.notes += [i.full_text for i in section.items]
                section.items = []
            else:
                section.kind = INCLUSION
        if section.items or section.notes or section.title:
            settled.append(section)
    return settled


def _numbered(sections: list[Section]) -> list[Section]:
    counts = {INCLUSION: 0, EXCLUSION: 0}
    for section in sections:
        numbered = []
        for item in section.items:
            counts[section.kind] += 1
            key = f"{section.kind[0]}{counts[section.kind]}"
            numbered.append(Item(key, section.kind, item.text, item.subitems, section.group))
        section.items = numbered
    return sections


def items(text: str) -> list[Item]:
    """Every item of the criteria, inclusion and exclusion, in the record's order."""
    return [item for section in split_criteria(text) for item in section.items]
