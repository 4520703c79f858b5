"""The coded values of ClinicalTrials.gov records, with the words a patient reads for them.

Each vocabulary is a `TextChoices` of the codes the API v2 uses (its OpenAPI enums),
a short label and, where a code needs one, a plain-language explanation
(`Vocabulary.explanation`). Models, the admin, templates and the API read labels
from here; nothing else spells them. Codes a record uses that a vocabulary does not
know are shown as the record gives them (`label_for`).
"""

from __future__ import annotations

from enum import nonmember

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Vocabulary(models.TextChoices):
    """TextChoices whose members may carry an explanation (`explanations`, by code)."""

    @property
    def explanation(self) -> str:
        return getattr(type(self), "explanations", {}).get(self.value, "")

    @classmethod
    def knows(cls, value: str) -> bool:
        """Whether `value` is one of the vocabulary's codes (`values` is a list built at
        each use)."""
        return value in cls._value2member_map_

    @classmethod
    def label_for(cls, value: str) -> str:
        """The label of a code in the active language, or the code in words when the
        vocabulary does not know it."""
        try:
            return str(cls(value).label)
        except ValueError:
            return (value or "").replace("_", " ").capitalize()

    @classmethod
    def explain(cls, value: str) -> str:
        """The explanation of a code in the active language, or ""."""
        try:
            return str(cls(value).explanation)
        except ValueError:
            return ""


class Status(Vocabulary):
    """A study's overall status; a site's own status takes the same codes."""

    RECRUITING = "RECRUITING", _("Recruiting")
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING", _("Not yet recruiting")
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", _("Enrolling by invitation")
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", _("Active, not recruiting")
    SUSPENDED = "SUSPENDED", _("Suspended")
    TERMINATED = "TERMINATED", _("Terminated")
    COMPLETED = "COMPLETED", _("Completed")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn")
    UNKNOWN = "UNKNOWN", _("Status not verified recently")
    AVAILABLE = "AVAILABLE", _("Available (expanded access)")
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE", _("No longer available")
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE", _("Temporarily not available")
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING", _("Approved for marketing")
    WITHHELD = "WITHHELD", _("Withheld")

    explanations = nonmember(
        {
            "RECRUITING": _("The study is looking for participants now."),
            "NOT_YET_RECRUITING": _("The study will start looking for participants soon."),
            "ENROLLING_BY_INVITATION": _("Only people invited by the study team can join."),
            "ACTIVE_NOT_RECRUITING": _(
                "The study is running but no longer taking new participants."
            ),
            "SUSPENDED": _("The study has paused; it may start again."),
            "TERMINATED": _("The study stopped early and will not start again."),
            "COMPLETED": _("The study has ended normally."),
            "WITHDRAWN": _("The study stopped before anyone joined."),
            "UNKNOWN": _(
                "The study's status has not been confirmed by its sponsor for more than two "
                "years; it may have ended."
            ),
            "AVAILABLE": _("A treatment is available outside a trial (expanded access)."),
            "NO_LONGER_AVAILABLE": _("Expanded access to this treatment has ended."),
            "TEMPORARILY_NOT_AVAILABLE": _("Expanded access is paused for now."),
            "APPROVED_FOR_MARKETING": _("The treatment has been approved and is sold."),
            "WITHHELD": _("The sponsor has withheld the details of this study."),
        }
    )


# A trial (or a site) with one of these statuses takes new participants.
OPEN_STATUSES = (Status.RECRUITING, Status.NOT_YET_RECRUITING, Status.ENROLLING_BY_INVITATION)


def opens(before: str, after: str) -> bool:
    """Whether a trial whose status changes from `before` to `after` opens to patients: it
    moves into an open status from a closed one, or starts enrolling after "not yet
    recruiting" (what e-mail alerts call "now recruiting")."""
    if after == before or after not in OPEN_STATUSES:
        return False
    return before not in OPEN_STATUSES or before == Status.NOT_YET_RECRUITING


class Phase(Vocabulary):
    EARLY_PHASE1 = "EARLY_PHASE1", _("Early phase 1")
    PHASE1 = "PHASE1", _("Phase 1")
    PHASE2 = "PHASE2", _("Phase 2")
    PHASE3 = "PHASE3", _("Phase 3")
    PHASE4 = "PHASE4", _("Phase 4")
    NA = "NA", _("Not applicable")

    explanations = nonmember(
        {
            "EARLY_PHASE1": _("A first, very small test in people of a new treatment."),
            "PHASE1": _("Tests safety and dose in a small group."),
            "PHASE2": _("Tests whether the treatment works and how safe it is."),
            "PHASE3": _("Compares the treatment with standard care in many people."),
            "PHASE4": _("Studies an approved treatment in everyday use."),
            "NA": _("Studies without drug phases, e.g. of devices or behaviour."),
        }
    )


class StudyType(Vocabulary):
    INTERVENTIONAL = "INTERVENTIONAL", _("Interventional (tests a treatment)")
    OBSERVATIONAL = "OBSERVATIONAL", _("Observational (no treatment assigned)")
    EXPANDED_ACCESS = "EXPANDED_ACCESS", _("Expanded access")

    explanations = nonmember(
        {
            "INTERVENTIONAL": _(
                "Interventional: the study decides which treatment participants get."
            ),
            "OBSERVATIONAL": _(
                "Observational: the study watches what happens; it does not decide "
                "anyone's treatment."
            ),
            "EXPANDED_ACCESS": _(
                "Expanded access: a way to get a treatment that is not yet approved, "
                "outside a trial."
            ),
        }
    )


class Sex(Vocabulary):
    ALL = "ALL", _("All sexes")
    FEMALE = "FEMALE", _("Female")
    MALE = "MALE", _("Male")

    explanations = nonmember(
        {"ALL": _("All sexes"), "FEMALE": _("Women only"), "MALE": _("Men only")}
    )


class AgeGroup(Vocabulary):
    CHILD = "CHILD", _("Child (0-17)")
    ADULT = "ADULT", _("Adult (18-64)")
    OLDER_ADULT = "OLDER_ADULT", _("Older adult (65+)")


class Allocation(Vocabulary):
    RANDOMIZED = "RANDOMIZED", _("Randomised")
    NON_RANDOMIZED = "NON_RANDOMIZED", _("Not randomised")
    NA = "NA", _("Not applicable")

    explanations = nonmember(
        {
            "RANDOMIZED": _(
                "Randomised: chance (usually a computer) decides which group each "
                "participant joins, so the groups can be compared fairly."
            ),
            "NON_RANDOMIZED": _(
                "Not randomised: the study team decides which group each participant "
                "joins, or participants choose."
            ),
        }
    )


class InterventionModel(Vocabulary):
    SINGLE_GROUP = "SINGLE_GROUP", _("Single group")
    PARALLEL = "PARALLEL", _("Parallel groups")
    CROSSOVER = "CROSSOVER", _("Crossover")
    FACTORIAL = "FACTORIAL", _("Factorial")
    SEQUENTIAL = "SEQUENTIAL", _("Sequential")

    explanations = nonmember(
        {
            "SINGLE_GROUP": _("Everyone in the study gets the same treatment."),
            "PARALLEL": _(
                "Each group gets a different treatment, side by side, for the whole study."
            ),
            "CROSSOVER": _(
                "Each participant gets each of the treatments in turn, one after the other."
            ),
            "FACTORIAL": _("Two or more treatments are tested alone and together."),
            "SEQUENTIAL": _(
                "Groups join one after another, for example to try higher doses step by step."
            ),
        }
    )


class Masking(Vocabulary):
    NONE = "NONE", _("None (open label)")
    SINGLE = "SINGLE", _("Single")
    DOUBLE = "DOUBLE", _("Double")
    TRIPLE = "TRIPLE", _("Triple")
    QUADRUPLE = "QUADRUPLE", _("Quadruple")

    explanations = nonmember(
        {"NONE": _("No one is masked (open label): everyone knows who gets which treatment.")}
    )


class WhoMasked(Vocabulary):
    PARTICIPANT = "PARTICIPANT", _("the participants")
    CARE_PROVIDER = "CARE_PROVIDER", _("the doctors and nurses giving care")
    INVESTIGATOR = "INVESTIGATOR", _("the researchers")
    OUTCOMES_ASSESSOR = "OUTCOMES_ASSESSOR", _("the people measuring the results")


class PrimaryPurpose(Vocabulary):
    TREATMENT = "TREATMENT", _("Treatment")
    PREVENTION = "PREVENTION", _("Prevention")
    DIAGNOSTIC = "DIAGNOSTIC", _("Diagnosis")
    SUPPORTIVE_CARE = "SUPPORTIVE_CARE", _("Supportive care")
    SCREENING = "SCREENING", _("Screening")
    HEALTH_SERVICES_RESEARCH = "HEALTH_SERVICES_RESEARCH", _("Health services research")
    BASIC_SCIENCE = "BASIC_SCIENCE", _("Basic science")
    DEVICE_FEASIBILITY = "DEVICE_FEASIBILITY", _("Device feasibility")
    ECT = "ECT", _("Educational, counselling or training")
    OTHER = "OTHER", _("Other")

    explanations = nonmember(
        {
            "TREATMENT": _("To treat a disease or condition."),
            "PREVENTION": _("To prevent a disease or condition."),
            "DIAGNOSTIC": _("To find better ways to diagnose a disease or condition."),
            "SUPPORTIVE_CARE": _("To improve comfort and quality of life."),
            "SCREENING": _("To find a disease or condition early."),
            "HEALTH_SERVICES_RESEARCH": _("To study how health care is delivered."),
            "BASIC_SCIENCE": _("To learn how the body or a treatment works."),
            "DEVICE_FEASIBILITY": _("To try out a new medical device in a few people."),
            "ECT": _("To test education, counselling or training."),
            "OTHER": _("Other."),
        }
    )


class ObservationalModel(Vocabulary):
    COHORT = "COHORT", _("Cohort")
    CASE_CONTROL = "CASE_CONTROL", _("Case-control")
    CASE_ONLY = "CASE_ONLY", _("Case-only")
    CASE_CROSSOVER = "CASE_CROSSOVER", _("Case-crossover")
    ECOLOGIC_OR_COMMUNITY = "ECOLOGIC_OR_COMMUNITY", _("Ecologic or community")
    FAMILY_BASED = "FAMILY_BASED", _("Family-based")
    DEFINED_POPULATION = "DEFINED_POPULATION", _("Defined population")
    NATURAL_HISTORY = "NATURAL_HISTORY", _("Natural history")
    OTHER = "OTHER", _("Other")

    explanations = nonmember(
        {
            "COHORT": _("A group of people is followed over time."),
            "CASE_CONTROL": _("People with the condition are compared with people without it."),
            "CASE_ONLY": _("Only people with the condition are studied."),
            "CASE_CROSSOVER": _("Each person is compared with themselves at different times."),
            "ECOLOGIC_OR_COMMUNITY": _("Whole communities are studied rather than single people."),
            "FAMILY_BASED": _("Families are studied together."),
            "DEFINED_POPULATION": _("A defined group of people is studied."),
            "NATURAL_HISTORY": _("The study follows how the condition develops naturally."),
        }
    )


class TimePerspective(Vocabulary):
    PROSPECTIVE = "PROSPECTIVE", _("Prospective")
    RETROSPECTIVE = "RETROSPECTIVE", _("Retrospective")
    CROSS_SECTIONAL = "CROSS_SECTIONAL", _("Cross-sectional")
    OTHER = "OTHER", _("Other")

    explanations = nonmember(
        {
            "PROSPECTIVE": _("Information is collected from now on, as the study goes."),
            "RETROSPECTIVE": _("The study looks back at information already recorded."),
            "CROSS_SECTIONAL": _("Information is collected once, at one point in time."),
        }
    )


class ArmType(Vocabulary):
    EXPERIMENTAL = "EXPERIMENTAL", _("Experimental: gets the treatment being tested")
    ACTIVE_COMPARATOR = "ACTIVE_COMPARATOR", _("Comparison: gets an existing treatment")
    PLACEBO_COMPARATOR = "PLACEBO_COMPARATOR", _("Comparison: gets a placebo (dummy treatment)")
    SHAM_COMPARATOR = "SHAM_COMPARATOR", _("Comparison: gets a sham (dummy procedure)")
    NO_INTERVENTION = "NO_INTERVENTION", _("Comparison: gets no study treatment")
    OTHER = "OTHER", _("Other")


# Arms whose participants get a dummy treatment.
DUMMY_ARMS = (ArmType.PLACEBO_COMPARATOR, ArmType.SHAM_COMPARATOR)


class InterventionType(Vocabulary):
    DRUG = "DRUG", _("Medicine")
    BIOLOGICAL = "BIOLOGICAL", _("Biological (e.g. cells, vaccine, antibody)")
    DEVICE = "DEVICE", _("Device")
    PROCEDURE = "PROCEDURE", _("Procedure or surgery")
    RADIATION = "RADIATION", _("Radiation")
    BEHAVIORAL = "BEHAVIORAL", _("Behavioural (e.g. exercise, counselling)")
    GENETIC = "GENETIC", _("Genetic")
    DIETARY_SUPPLEMENT = "DIETARY_SUPPLEMENT", _("Dietary supplement")
    COMBINATION_PRODUCT = "COMBINATION_PRODUCT", _("Combination product")
    DIAGNOSTIC_TEST = "DIAGNOSTIC_TEST", _("Diagnostic test")
    OTHER = "OTHER", _("Other")


class SponsorClass(Vocabulary):
    INDUSTRY = "INDUSTRY", _("company")
    NIH = "NIH", _("US National Institutes of Health")
    FED = "FED", _("US federal agency")
    OTHER_GOV = "OTHER_GOV", _("government body")
    NETWORK = "NETWORK", _("research network")
    INDIV = "INDIV", _("individual")
    OTHER = "OTHER", _("university, hospital or other organisation")
    AMBIG = "AMBIG", _("organisation")
    UNKNOWN = "UNKNOWN", _("organisation")


class ContactRole(Vocabulary):
    """The role of a contact, and of an overall official (a subset of the same codes)."""

    CONTACT = "CONTACT", _("Contact")
    BACKUP = "BACKUP", _("Backup contact")
    PRINCIPAL_INVESTIGATOR = "PRINCIPAL_INVESTIGATOR", _("Principal investigator")
    SUB_INVESTIGATOR = "SUB_INVESTIGATOR", _("Sub-investigator")
    STUDY_CHAIR = "STUDY_CHAIR", _("Study chair")
    STUDY_DIRECTOR = "STUDY_DIRECTOR", _("Study director")


class ResponsiblePartyType(Vocabulary):
    SPONSOR = "SPONSOR", _("The sponsor")
    PRINCIPAL_INVESTIGATOR = "PRINCIPAL_INVESTIGATOR", _("Principal investigator")
    SPONSOR_INVESTIGATOR = "SPONSOR_INVESTIGATOR", _("Sponsor-investigator")


class SecondaryIdType(Vocabulary):
    NIH = "NIH", _("US NIH grant")
    FDA = "FDA", _("US FDA")
    VA = "VA", _("US Veterans Affairs")
    CDC = "CDC", _("US CDC")
    AHRQ = "AHRQ", _("US AHRQ")
    SAMHSA = "SAMHSA", _("US SAMHSA")
    OTHER_GRANT = "OTHER_GRANT", _("Grant")
    EUDRACT_NUMBER = "EUDRACT_NUMBER", _("EudraCT number")
    CTIS = "CTIS", _("EU CT number (CTIS)")
    REGISTRY = "REGISTRY", _("Other registry")
    OTHER = "OTHER", _("Other")


class ReferenceType(Vocabulary):
    RESULT = "RESULT", _("Results of this study")
    BACKGROUND = "BACKGROUND", _("Background")
    DERIVED = "DERIVED", _("Linked by PubMed")


class OutcomeKind(Vocabulary):
    PRIMARY = "PRIMARY", pgettext_lazy("outcome", "Primary")
    SECONDARY = "SECONDARY", pgettext_lazy("outcome", "Secondary")
    OTHER = "OTHER", pgettext_lazy("outcome", "Other")

    explanations = nonmember(
        {
            "PRIMARY": _("Main questions (primary outcomes)"),
            "SECONDARY": _("Other questions (secondary outcomes)"),
            "OTHER": _("Also measured"),
        }
    )


# Posted results (resultsSection)


class OutcomeMeasureType(Vocabulary):
    PRIMARY = "PRIMARY", pgettext_lazy("outcome", "Main question (primary outcome)")
    SECONDARY = "SECONDARY", pgettext_lazy("outcome", "Other question (secondary outcome)")
    OTHER_PRE_SPECIFIED = "OTHER_PRE_SPECIFIED", _("Also measured (planned in advance)")
    POST_HOC = "POST_HOC", _("Looked at afterwards (not planned in advance)")


class MeasureParam(Vocabulary):
    """What kind of number a result is."""

    MEAN = "MEAN", _("average (mean)")
    MEDIAN = "MEDIAN", _("middle value (median)")
    LEAST_SQUARES_MEAN = "LEAST_SQUARES_MEAN", _("adjusted average (least-squares mean)")
    GEOMETRIC_MEAN = "GEOMETRIC_MEAN", _("geometric mean")
    GEOMETRIC_LEAST_SQUARES_MEAN = (
        "GEOMETRIC_LEAST_SQUARES_MEAN",
        _("adjusted geometric mean (least-squares)"),
    )
    LOG_MEAN = "LOG_MEAN", _("mean of the logarithms")
    NUMBER = "NUMBER", _("number")
    COUNT_OF_PARTICIPANTS = "COUNT_OF_PARTICIPANTS", _("number of people")
    COUNT_OF_UNITS = "COUNT_OF_UNITS", _("number counted")


class Dispersion(Vocabulary):
    """How spread out a result is. Baseline measures give the code, outcome measures
    the words ("Standard Deviation"): `code_for` reads both."""

    NA = "NA", _("not applicable")
    STANDARD_DEVIATION = "STANDARD_DEVIATION", _("standard deviation")
    STANDARD_ERROR = "STANDARD_ERROR", _("standard error")
    INTER_QUARTILE_RANGE = "INTER_QUARTILE_RANGE", _("interquartile range")
    FULL_RANGE = "FULL_RANGE", _("range")
    CONFIDENCE_80 = "CONFIDENCE_80", _("80% confidence interval")
    CONFIDENCE_90 = "CONFIDENCE_90", _("90% confidence interval")
    CONFIDENCE_95 = "CONFIDENCE_95", _("95% confidence interval")
    CONFIDENCE_975 = "CONFIDENCE_975", _("97.5% confidence interval")
    CONFIDENCE_99 = "CONFIDENCE_99", _("99% confidence interval")
    CONFIDENCE_OTHER = "CONFIDENCE_OTHER", _("confidence interval")
    GEOMETRIC_COEFFICIENT = "GEOMETRIC_COEFFICIENT", _("geometric coefficient of variation")

    @classmethod
    def code_for(cls, text: str) -> str:
        """'Standard Deviation' or 'STANDARD_DEVIATION' -> 'STANDARD_DEVIATION'; '' for NA."""
        compact = "".join(c for c in (text or "").upper() if c.isalnum())
        if compact in ("", "NA"):
            return ""
        for code in cls.values:
            if code.replace("_", "") == compact:
                return code
        if "CONFIDENCE" in compact:
            digits = "".join(c for c in compact if c.isdigit())
            code = f"CONFIDENCE_{digits}"
            return code if code in cls.values else cls.CONFIDENCE_OTHER
        words = {
            "STANDARDERROROFMEAN": cls.STANDARD_ERROR,
            "RANGE": cls.FULL_RANGE,
            "INTERQUARTILERANGE": cls.INTER_QUARTILE_RANGE,
            "GEOMETRICCOEFFICIENTOFVARIATION": cls.GEOMETRIC_COEFFICIENT,
        }
        return words.get(compact, text)


class NonInferiorityType(Vocabulary):
    """What a statistical analysis set out to show."""

    SUPERIORITY = "SUPERIORITY", _("Better than the comparison (superiority)")
    NON_INFERIORITY = "NON_INFERIORITY", _("Not worse than the comparison (non-inferiority)")
    EQUIVALENCE = "EQUIVALENCE", _("About the same as the comparison (equivalence)")
    NON_INFERIORITY_OR_EQUIVALENCE = (
        "NON_INFERIORITY_OR_EQUIVALENCE",
        _("Not worse than, or about the same as, the comparison"),
    )
    OTHER = "OTHER", _("Other")
