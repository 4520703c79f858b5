"""The trial store: a faithful copy of ClinicalTrials.gov studies, plus what the site adds.

A Trial holds one study. The columns patients search on (status, phases, ages,
sex, countries, condition terms, full-text vectors) are denormalised onto the
trial row, and copied into the narrow TrialFacets table that search counts. Sites,
arms, interventions, outcomes and contacts are child rows; `raw` keeps the
original JSON. Rows the site owns (ContactRequest) point at trials and sites
and are never deleted by an import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import l10n
from .search import facets
from .vocabularies import (
    OPEN_STATUSES,
    AgeGroup,
    OutcomeKind,
    Phase,
    Sex,
    Status,
    StudyType,
)

DAYS_PER_YEAR = 365.25
ADULT_DAYS = int(18 * DAYS_PER_YEAR)
OLDER_ADULT_DAYS = int(65 * DAYS_PER_YEAR)


def age_span(years: int) -> tuple[int, int]:
    """The days of an age in whole years: age A is the span [A, A+1) years."""
    return int(years * DAYS_PER_YEAR), int((years + 1) * DAYS_PER_YEAR) - 1


class DatePrecision(models.TextChoices):
    DAY = "D", "Day"
    MONTH = "M", "Month"
    YEAR = "Y", "Year"


@dataclass(frozen=True)
class PartialDate:
    """A date as ClinicalTrials.gov gives it: "2017", "2017-01" or "2017-01-15"."""

    value: dt.date
    precision: str
    estimated: bool = False

    def __str__(self) -> str:
        if self.precision == DatePrecision.YEAR:
            return f"{self.value.year}"
        if self.precision == DatePrecision.MONTH:
            return l10n.month_year(self.value)
        return l10n.long_date(self.value)

    def isoformat(self) -> str:
        return self.value.strftime({"Y": "%Y", "M": "%Y-%m"}.get(self.precision, "%Y-%m-%d"))


def _milestone(label: str) -> tuple[models.Field, models.Field, models.Field]:
    """Columns for one dated milestone: its first day, its precision, whether estimated."""
    return (
        models.DateField(label, null=True, blank=True),
        models.CharField(
            f"{label} precision", max_length=1, choices=DatePrecision.choices, blank=True
        ),
        models.BooleanField(f"{label} is estimated", default=False),
    )


class TextVector(SearchVectorField):
    """A tsvector a database trigger computes from other columns: not edited, not saved."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("serialize", False)  # fixtures need not carry them either
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        return None  # the trigger writes it; a stale copy must not be sent back


class TrialQuerySet(models.QuerySet):
    def open_to_enrollment(self) -> TrialQuerySet:
        return self.filter(overall_status__in=OPEN_STATUSES)

    def for_age(self, years: int) -> TrialQuerySet:
        """Trials open to someone aged `years` at some point of that year of their life
        (a missing limit is no limit): the rule the search's age filter applies."""
        low, high = age_span(years)
        return self.filter(
            Q(min_age_days__isnull=True) | Q(min_age_days__lte=high),
            Q(max_age_days__isnull=True) | Q(max_age_days__gte=low),
        )

    def cards(self) -> TrialQuerySet:
        """Only the columns a result card shows (not the long texts or the original JSON)."""
        return self.only(*CARD_FIELDS)

    def in_order(self, ids: list[int]) -> list[Trial]:
        """The trials of `ids`, as result cards, in that order (missing ones left out)."""
        found = self.cards().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    def data_version(self) -> str:
        """Changes whenever an import writes trials: what cached search counts depend on."""
        latest = Trial.objects.aggregate(latest=models.Max("imported_at"))["latest"]
        return latest.isoformat() if latest else ""


# What a result card (finder/_trial_card.html) reads of a trial.
CARD_FIELDS = [
    "nct_id",
    "brief_title",
    "acronym",
    "overall_status",
    "phases",
    "conditions",
    "min_age_days",
    "max_age_days",
    "minimum_age",
    "maximum_age",
    "sex",
    "healthy_volunteers",
    "countries",
    "cities",
    "site_count",
    "recruiting_site_count",
    "last_update",
    "last_update_precision",
    "last_update_estimated",
    "study_type",
    "brief_summary",
    "has_results",
]


class Trial(models.Model):
    # Identification
    nct_id = models.CharField("NCT ID", max_length=16)
    brief_title = models.TextField(blank=True)
    official_title = models.TextField(blank=True)
    acronym = models.CharField(max_length=100, blank=True)
    org_study_id = models.CharField("organisation's study ID", max_length=200, blank=True)
    secondary_ids = models.JSONField(default=list, blank=True)
    organization = models.CharField(max_length=500, blank=True)

    # Status
    overall_status = models.CharField(max_length=32, choices=Status.choices)
    last_known_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    why_stopped = models.TextField(blank=True)
    status_verified, status_verified_precision, _ = _milestone("status verified")
    start_date, start_date_precision, start_date_estimated = _milestone("start date")
    (
        primary_completion_date,
        primary_completion_date_precision,
        primary_completion_date_estimated,
    ) = _milestone("primary completion date")
    completion_date, completion_date_precision, completion_date_estimated = _milestone(
        "completion date"
    )
    first_posted, first_posted_precision, first_posted_estimated = _milestone("first posted")
    last_update, last_update_precision, last_update_estimated = _milestone("last update posted")
    del _

    # Design
    study_type = models.CharField(max_length=32, choices=StudyType.choices, blank=True)
    phases = ArrayField(
        models.CharField(max_length=16, choices=Phase.choices), default=list, blank=True
    )
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    enrollment_estimated = models.BooleanField(default=False)
    allocation = models.CharField(max_length=32, blank=True)
    intervention_model = models.CharField(max_length=32, blank=True)
    intervention_model_description = models.TextField(blank=True)
    primary_purpose = models.CharField(max_length=48, blank=True)
    observational_model = models.CharField(max_length=48, blank=True)
    time_perspective = models.CharField(max_length=32, blank=True)
    masking = models.CharField(max_length=32, blank=True)
    who_masked = ArrayField(models.CharField(max_length=32), default=list, blank=True)

    # Description
    brief_summary = models.TextField(blank=True)
    detailed_description = models.TextField(blank=True)
    conditions = ArrayField(models.TextField(), default=list, blank=True)
    keywords = ArrayField(models.TextField(), default=list, blank=True)
    mesh_terms = ArrayField(models.TextField(), default=list, blank=True)
    mesh_ancestors = ArrayField(models.TextField(), default=list, blank=True)

    # Eligibility
    eligibility_criteria = models.TextField(blank=True)
    minimum_age = models.CharField("minimum age as given", max_length=40, blank=True)
    maximum_age = models.CharField("maximum age as given", max_length=40, blank=True)
    min_age_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: no lower limit."
    )
    max_age_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: no upper limit."
    )
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)
    gender_based = models.BooleanField(default=False)
    gender_description = models.TextField(blank=True)
    healthy_volunteers = models.BooleanField(null=True, blank=True)
    std_ages = ArrayField(
        models.CharField(max_length=16, choices=AgeGroup.choices), default=list, blank=True
    )

    # Sponsors and contacts
    lead_sponsor = models.CharField(max_length=500, blank=True)
    lead_sponsor_class = models.CharField(max_length=32, blank=True)
    collaborators = models.JSONField(default=list, blank=True)
    responsible_party = models.JSONField(default=dict, blank=True)
    overall_officials = models.JSONField(default=list, blank=True)
    references = models.JSONField(default=list, blank=True)
    see_also_links = models.JSONField(default=list, blank=True)

    # Denormalised for search and result cards (derived from the rows above at import)
    countries = ArrayField(models.TextField(), default=list, blank=True)
    cities = ArrayField(models.TextField(), default=list, blank=True)
    site_count = models.PositiveIntegerField(default=0)
    recruiting_site_count = models.PositiveIntegerField(default=0)
    intervention_names = ArrayField(models.TextField(), default=list, blank=True)
    condition_terms = ArrayField(
        models.TextField(),
        default=list,
        blank=True,
        help_text="Conditions, keywords, MeSH terms and ancestors, lower-cased and unaccented.",
    )
    # The three text vectors are written by the database trigger trials_trial_text_vectors
    # (migration 0002) whenever a text they are made of changes: it parses each text once
    # for all three, which generated columns cannot. Django never writes them.
    # Free text: title and conditions (A), other titles and interventions (B), summary (C).
    search_document = TextVector()
    # What the condition filter matches: like ClinicalTrials.gov's condition search,
    # conditions, keywords and MeSH terms (A), then the titles (B).
    condition_document = TextVector()
    # Relevance: the title (A) and conditions (B). Ranking reads this small vector, not
    # search_document: ranking thousands of matches must not read thousands of summaries.
    rank_document = TextVector()
    search_conditions = models.TextField(
        blank=True, editable=False, help_text="Conditions, keywords and MeSH terms as one text."
    )
    search_interventions = models.TextField(blank=True, editable=False)

    # Bookkeeping
    raw = models.JSONField("original ClinicalTrials.gov JSON")
    # Whether the study has posted results, as its record says. (The default is for the
    # copies of this column in the search tables, which are not generated.)
    has_results = models.GeneratedField(
        expression=Q(raw__has_key="resultsSection") | Q(raw__contains={"hasResults": True}),
        output_field=models.BooleanField("has posted results", default=False),
        db_persist=True,
    )
    source_hash = models.CharField(max_length=64, editable=False)
    imported_at = models.DateTimeField(auto_now=True)
    # What e-mail alerts count as news (trials.alerts): when the study first came into
    # TrialFinder, and when its status last opened (trials.vocabularies.opens). The
    # importer sets both; trials that were here before these columns date from then.
    first_imported_at = models.DateTimeField(db_default=Now(), editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TrialQuerySet.as_manager()

    # What a result card shows beside the record when the search sets it: the passage
    # the words matched, and the nearest site that counts.
    snippet = ""
    nearby = None

    class Meta:
        ordering = ["nct_id"]
        constraints = [
            models.UniqueConstraint(fields=["nct_id"], name="trial_unique_nct_id"),
            models.CheckConstraint(
                condition=Q(min_age_days__isnull=True)
                | Q(max_age_days__isnull=True)
                | Q(min_age_days__lte=models.F("max_age_days")),
                name="trial_min_age_lte_max_age",
            ),
            models.CheckConstraint(
                condition=Q(overall_status__in=Status.values), name="trial_valid_overall_status"
            ),
            models.CheckConstraint(
                condition=Q(last_known_status="") | Q(last_known_status__in=Status.values),
                name="trial_valid_last_known_status",
            ),
            models.CheckConstraint(
                condition=Q(phases__contained_by=Phase.values), name="trial_valid_phases"
            ),
            models.CheckConstraint(
                condition=Q(study_type="") | Q(study_type__in=StudyType.values),
                name="trial_valid_study_type",
            ),
            models.CheckConstraint(
                condition=Q(sex="") | Q(sex__in=Sex.values), name="trial_valid_sex"
            ),
            models.CheckConstraint(
                condition=Q(std_ages__contained_by=AgeGroup.values), name="trial_valid_std_ages"
            ),
        ]
        indexes = [
            # Free-text search: search_document @@ websearch_to_tsquery(...)
            GinIndex(fields=["search_document"], name="trial_search_document_gin"),
            # Condition filter: condition_document @@ plainto_tsquery(...)
            GinIndex(fields=["condition_document"], name="trial_condition_document_gin"),
            # Related trials on a trial's page: condition_terms && ARRAY[...]
            GinIndex(fields=["condition_terms"], name="trial_condition_terms_gin"),
            # Coordinators' admin list filtered by status
            models.Index(fields=["overall_status"], name="trial_status_idx"),
            # The data version that keys cached search counts: max(imported_at)
            models.Index(fields=["imported_at"], name="trial_imported_at_idx"),
            # E-mail alerts: the trials new or opened since a subscription's last match
            models.Index(fields=["first_imported_at"], name="trial_first_imported_idx"),
            models.Index(
                fields=["opened_at"], name="trial_opened_idx", condition=Q(opened_at__isnull=False)
            ),
            # API v2: a study by a former NCT ID (nctIdAliases ?| ARRAY['NCT...'])
            GinIndex(
                F("raw__protocolSection__identificationModule__nctIdAliases"),
                name="trial_nct_id_aliases_gin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nct_id}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("trial_detail", args=[self.nct_id])

    @property
    def title(self) -> str:
        return self.brief_title or f"Untitled study {self.nct_id}"

    @property
    def ctgov_url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"

    # Each milestone's date as ClinicalTrials.gov gives it (PartialDate).
    start = property(lambda self: self._partial("start_date"))
    primary_completion = property(lambda self: self._partial("primary_completion_date"))
    completion = property(lambda self: self._partial("completion_date"))
    first_posted_on = property(lambda self: self._partial("first_posted"))
    last_update_on = property(lambda self: self._partial("last_update"))
    verified_on = property(lambda self: self._partial("status_verified"))

    def _partial(self, name: str) -> PartialDate | None:
        value = getattr(self, name)
        if value is None:
            return None
        return PartialDate(
            value, getattr(self, f"{name}_precision"), getattr(self, f"{name}_estimated", False)
        )

    @property
    def is_open(self) -> bool:
        return self.overall_status in OPEN_STATUSES

    @property
    def status_explanation(self) -> str:
        return Status.explain(self.overall_status)

    @property
    def phase_labels(self) -> list[str]:
        return [Phase.label_for(p) for p in self.phases]


class TrialFacets(models.Model):
    """What search filters, counts and sorts on, in a narrow table of its own.

    Facet counts read many rows; reading them from trials_trial would drag every
    trial's summaries and JSON through the buffer cache. These rows hold a copy of
    Trial's columns that search reads (trials.search.facets.COLUMNS, added below),
    written by the importer with each trial.
    """

    trial = models.OneToOneField(
        Trial, on_delete=models.CASCADE, primary_key=True, related_name="facets"
    )

    class Meta:
        verbose_name_plural = "trial facets"
        indexes = [
            # The default search (open trials) and the status facet
            models.Index(fields=["overall_status"], name="facets_status_idx"),
            # Phase and country filters: phases && ARRAY[...]
            GinIndex(fields=["phases"], name="facets_phases_gin"),
            GinIndex(fields=["countries"], name="facets_countries_gin"),
            # "Recently updated" (the default order) and deep pages of it
            models.Index(
                F("last_update").desc(nulls_last=True), F("nct_id"), name="facets_updated_idx"
            ),
            # "Newest" order
            models.Index(
                F("first_posted").desc(nulls_last=True), F("nct_id"), name="facets_posted_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.nct_id


class StatusSummary(models.Model):
    """Trial counts per status, precomputed for the searches that filter on status alone.

    The default search (open trials, no other filter) must not count 600,000 rows on
    every request. `kind` "combo" rows count trials per combination of the values of
    every enumerated facet (status, phases, study type...: the columns added below);
    for each open-ended facet (countries, MeSH terms), rows of that facet's key count
    them per status and value. Rebuilt after every import (trials.search.summaries).
    """

    kind = models.CharField(max_length=16)
    value = models.TextField(blank=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Country and condition counts for the chosen statuses
            models.Index(fields=["kind", "overall_status"], name="statussummary_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}: {self.n}"


def _copy_columns(model: type[models.Model], names) -> None:
    """Give `model` a column like each of Trial's `names` (a plain one for a generated
    column): the tables search reads copy them, and a facet declared in
    trials.search.facets brings its column along."""
    for name in names:
        field = Trial._meta.get_field(name)
        model.add_to_class(name, (field.output_field if field.generated else field).clone())


_copy_columns(TrialFacets, facets.COLUMNS)
_copy_columns(
    StatusSummary,
    dict.fromkeys([facets.STATUS.column, *(f.column for f in facets.FACETS if f.enumerated)]),
)


class SearchIndex(models.Model):
    """The search bitmaps (trials.bitmaps): one stored NumPy array per row ("search:ids",
    ...) and a last row, "search", written when the build is complete.

    Rebuilt after every import with the other summaries; `version` is the data version
    the build was made from and a build id, so a server process uses it only while the
    trials are unchanged and notices every rebuild.
    """

    name = models.CharField(max_length=32, primary_key=True)
    version = models.CharField(max_length=100)
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Site(models.Model):
    """A location where the trial runs (contactsLocationsModule.locations)."""

    # No index of its own: site_unique_key_per_trial (trial, key) serves lookups by trial.
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="sites", db_index=False)
    key = models.CharField(max_length=64, help_text="Stable identity across imports.")
    position = models.PositiveIntegerField(default=0)
    facility = models.TextField(blank=True)
    status = models.CharField(max_length=32, blank=True)
    city = models.TextField(blank=True)
    state = models.TextField(blank=True)
    zip_code = models.CharField(max_length=40, blank=True)
    country = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    contacts = models.JSONField(default=list, blank=True)
    listed = models.BooleanField(
        default=True,
        help_text="False when the site left the ClinicalTrials.gov record but a contact request "
        "still refers to it.",
    )
    opened_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an import found the site newly open to enrollment in a trial already "
        "on TrialFinder (a new site, or its status opened): news for alerts near it.",
    )

    class Meta:
        ordering = ["trial", "position"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "key"], name="site_unique_key_per_trial"),
        ]
        indexes = [
            # The sites opened in an alert run's window; most sites never have a time.
            models.Index(
                fields=["opened_at"], name="site_opened_at", condition=Q(opened_at__isnull=False)
            ),
            # Sites within a distance of a place: earth_box(...) @> ll_to_earth(lat, lon)
            GistIndex(
                Func(F("latitude"), F("longitude"), function="ll_to_earth"),
                name="site_earth_gist",
                condition=Q(latitude__isnull=False, longitude__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in [self.facility, self.city, self.country] if part)

    @property
    def is_recruiting(self) -> bool:
        return self.status == Status.RECRUITING

    @property
    def status_label(self) -> str:
        return Status.label_for(self.status)


class Place(models.Model):
    """A town or a postcode the "Near" box finds, offline (trials.geo.load_places).

    One row per name a place is known by: "München" and "Munich" are two rows of one
    place (`ref`). Towns come from the trials' own sites and from GeoNames; postcodes
    from the US ZIP code list."""

    class Kind(models.TextChoices):
        TOWN = "town", "Town"
        POSTCODE = "postcode", "Postcode"

    key = models.TextField(help_text="The name or postcode, lower-cased and unaccented.")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    ref = models.CharField(max_length=40, help_text="The place's own id in its source.")
    name = models.TextField()
    region = models.TextField(blank=True)
    country = models.TextField(blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    population = models.PositiveIntegerField(default=0)
    sites = models.PositiveIntegerField(default=0, help_text="Trial sites in this town.")
    alias = models.BooleanField(
        default=False, help_text="Another name of the place (its name in another language)."
    )

    class Meta:
        indexes = [
            # Geocoding what the patient typed (key = 'paris') and suggesting places as
            # it is typed (key LIKE 'spri%')
            models.Index(
                fields=["kind", "key"],
                name="place_kind_key_idx",
                opclasses=["varchar_pattern_ops", "text_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in [self.name, self.region, self.country] if part)


class ArmGroup(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="arm_groups")
    position = models.PositiveIntegerField(default=0)
    label = models.TextField()
    type = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    intervention_names = ArrayField(models.TextField(), default=list, blank=True)

    class Meta:
        ordering = ["trial", "position"]

    def __str__(self) -> str:
        return self.label


class Intervention(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="interventions")
    position = models.PositiveIntegerField(default=0)
    type = models.CharField(max_length=40, blank=True)
    name = models.TextField()
    description = models.TextField(blank=True)
    other_names = ArrayField(models.TextField(), default=list, blank=True)
    arm_group_labels = ArrayField(models.TextField(), default=list, blank=True)

    class Meta:
        ordering = ["trial", "position"]

    def __str__(self) -> str:
        return f"{self.type.title()}: {self.name}" if self.type else self.name


class Outcome(models.Model):
    Kind = OutcomeKind

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    measure = models.TextField()
    description = models.TextField(blank=True)
    time_frame = models.TextField(blank=True)

    class Meta:
        ordering = ["trial", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OutcomeKind.values), name="outcome_valid_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.measure


class Contact(models.Model):
    """A central contact of the study (sites keep their own contacts on the site)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="central_contacts")
    position = models.PositiveIntegerField(default=0)
    name = models.TextField(blank=True)
    role = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=80, blank=True)
    phone_ext = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["trial", "position"]

    def __str__(self) -> str:
        return self.name or self.email or self.phone


class ConditionTerm(models.Model):
    """The condition vocabulary for autocomplete and spelling suggestions, with trial counts."""

    term = models.TextField()
    normalized = models.TextField(help_text="Lower-cased and unaccented, for matching.")
    trial_count = models.PositiveIntegerField(default=0)
    open_trial_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-trial_count", "term"]
        constraints = [
            models.UniqueConstraint(fields=["normalized"], name="conditionterm_unique_normalized"),
        ]
        indexes = [
            # Autocomplete and "did you mean": normalized % 'lupus nefritis'
            GinIndex(
                fields=["normalized"], name="conditionterm_trgm_gin", opclasses=["gin_trgm_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.term


class ContactRequest(models.Model):
    """A patient's request to be contacted by a study team. Owned by the site, not by imports."""

    class Status(models.TextChoices):
        NEW = "NEW", "New"
        CONTACTED = "CONTACTED", "Contacted"
        PRE_SCREENING = "PRE_SCREENING", "Pre-screening"
        SCHEDULED = "SCHEDULED", "Scheduled"
        ENROLLED = "ENROLLED", "Enrolled"
        NOT_ELIGIBLE = "NOT_ELIGIBLE", "Not eligible"
        WITHDREW = "WITHDREW", "Withdrew"

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="contact_requests")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="contact_requests"
    )
    site_name = models.TextField(blank=True, help_text="The site as the patient saw it.")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=40)
    # The language the patient asks the team to speak: an ISO 639 code from
    # trials.l10n.SPOKEN_LANGUAGES (requests sent before the list hold a name as typed).
    language = models.CharField("language to speak", max_length=60, blank=True)
    # The site's language the patient wrote in: their copy of the request is in it.
    page_language = models.CharField("site language", max_length=10, blank=True)
    message = models.TextField(blank=True)
    consent = models.BooleanField(default=False)
    # The pre-screening checklist as the patient chose to send it (trials.prescreen.Snapshot):
    # health data, kept only on a request they sent and deleted with it.
    prescreen = models.JSONField(
        "pre-screening answers",
        null=True,
        blank=True,
        help_text="Empty unless the patient ticked “Send my answers to the study team”.",
    )
    team_recipients = models.TextField(
        blank=True, help_text="Who the request was sent to, as the patient was told."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A keyed hash of the submission and its sender (never their address), to store a
    # double submission once.
    submission_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The two e-mails (trials.tasks): when each was sent; while one is being sent, since
    # when (a claim, so no lock is held while the mail server is slow); how many times
    # it was tried, and when the worker gave up.
    team_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    team_sending_since = models.DateTimeField(null=True, blank=True, editable=False)
    team_email_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    team_email_gave_up_at = models.DateTimeField(null=True, blank=True, editable=False)
    patient_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    patient_sending_since = models.DateTimeField(null=True, blank=True, editable=False)
    patient_email_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    patient_email_gave_up_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Coordinators' workflow
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_contact_requests",
    )
    first_response_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "NEW",
                        "CONTACTED",
                        "PRE_SCREENING",
                        "SCHEDULED",
                        "ENROLLED",
                        "NOT_ELIGIBLE",
                        "WITHDREW",
                    ]
                ),
                name="contactrequest_valid_status",
            ),
        ]
        indexes = [
            # Coordinator lists and the retention purge: newest first, by age
            models.Index(fields=["-created_at"], name="contactrequest_created_idx"),
            # Duplicate collapse looks back a few minutes by this
            models.Index(fields=["submission_hash"], name="contactrequest_dupe_idx"),
            # Coordinators' queue: new requests per trial
            models.Index(fields=["trial", "status"], name="contactrequest_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"Request #{self.pk} for {self.trial.nct_id}"


class ContactRequestEvent(models.Model):
    """The history of a contact request: status changes, assignments and internal notes."""

    class Kind(models.TextChoices):
        CREATED = "CREATED", "Received"
        STATUS = "STATUS", "Status changed"
        ASSIGNED = "ASSIGNED", "Assigned"
        NOTE = "NOTE", "Note"

    request = models.ForeignKey(ContactRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor or 'the site'}"


class CoordinatorAssignment(models.Model):
    """Gives a coordinator the contact requests of one trial, or of one site of a trial."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trial_assignments"
    )
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="assignments")
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        help_text="Leave empty for every site of the trial.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "trial", "site"],
                name="coordinatorassignment_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.trial.nct_id}{f' ({self.site})' if self.site else ''}"


class AuditLogEntry(models.Model):
    """Who viewed, changed or exported patients' contact requests, and who wrote a
    trial's plain-language summary, and when."""

    class Action(models.TextChoices):
        VIEW = "VIEW", "Viewed"
        CREATE = "CREATE", "Created"
        CHANGE = "CHANGE", "Changed"
        EXPORT = "EXPORT", "Exported"
        DELETE = "DELETE", "Deleted"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    # Plain ids, not foreign keys: the log outlives purged requests and deleted trials.
    contact_request_ids = ArrayField(models.BigIntegerField(), default=list)
    nct_id = models.CharField(
        "NCT ID", max_length=16, blank=True, help_text="The trial whose summary was written."
    )
    detail = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit log entries"
        indexes = [
            # Superusers read the log newest first
            models.Index(fields=["-at"], name="auditlogentry_at_idx"),
        ]

    def __str__(self) -> str:
        if self.nct_id and not self.contact_request_ids:
            return f"{self.user} {self.get_action_display().lower()} the summary of {self.nct_id}"
        return f"{self.user} {self.get_action_display().lower()} {len(self.contact_request_ids)} request(s)"


class ImportUpload(models.Model):
    """A ClinicalTrials.gov file uploaded in the admin, imported by the task worker (not
    inside the web request, which would time out and hold a server process)."""

    class State(models.TextChoices):
        QUEUED = "QUEUED", "Waiting for the worker"
        RUNNING = "RUNNING", "Importing"
        DONE = "DONE", "Imported"
        STOPPED = "STOPPED", "Stopped at a bad record; nothing was imported"
        FAILED = "FAILED", "Failed"

    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    path = models.CharField(max_length=500, help_text="The stored copy, deleted once read.")
    strict = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    problems = models.JSONField(default=list)
    problems_not_shown = models.PositiveIntegerField(default=0)
    site_changes = models.JSONField(default=list)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.state not in {self.State.QUEUED, self.State.RUNNING}


class TeamSummary(models.Model):
    """A trial's plain-language summary in the study team's own words (Markdown).

    Written in the admin by a coordinator assigned to the whole trial; shown first on
    the trial page. It lives in its own table, which no import writes, so importing
    the trial again never changes it. Each change is in the audit log.
    """

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="team_summary")
    text = models.TextField(
        "plain-language summary",
        help_text="A few short paragraphs in everyday words, for patients. Markdown: "
        "*emphasis*, **bold**, lists with - and links. Shown on the trial page as "
        "\u201cWritten by the study team\u201d, with the date of the last change.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "plain-language summary"
        verbose_name_plural = "plain-language summaries"

    def __str__(self) -> str:
        return f"Plain-language summary of {self.trial.nct_id}"


class TeamLanguages(models.Model):
    """The languages a trial's study team speaks, as its coordinators record them in the
    admin (ISO 639 codes, trials.l10n.SPOKEN_LANGUAGES). The trial page lists them, and
    the contact form says so when the patient asks for another. Its own table, which no
    import writes."""

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="team_languages")
    languages = ArrayField(
        models.CharField(max_length=10),
        default=list,
        blank=True,
        help_text="The languages someone in the study team can speak with patients.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "languages of the study team"
        verbose_name_plural = "languages of study teams"

    def __str__(self) -> str:
        return f"Languages of the study team of {self.trial.nct_id}"


class SharedList(models.Model):
    """Trials and notes a patient shared through a passcode-protected link (trials.sharing).

    The browser encrypts the list with a key derived from a passcode the server never
    receives: the server keeps bytes it cannot read, and a hash of a verifier derived from
    the same passcode, so that it releases them only to someone who knows the passcode.
    """

    link_id = models.CharField(max_length=32, editable=False)
    version = models.PositiveSmallIntegerField(default=1, help_text="Encryption scheme.")
    ciphertext = models.BinaryField(editable=False)
    iv = models.BinaryField("AES-GCM nonce", editable=False)
    salt = models.BinaryField("PBKDF2 salt", editable=False)
    iterations = models.PositiveIntegerField("PBKDF2 iterations")
    verifier_hash = models.CharField(max_length=256, editable=False)
    revoke_token_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link_id"], name="sharedlist_unique_link_id"),
            models.CheckConstraint(
                condition=Q(expires_at__lte=F("created_at") + dt.timedelta(days=90)),
                name="sharedlist_expires_within_90_days",
            ),
        ]
        indexes = [
            # The daily purge deletes the expired lists
            models.Index(fields=["expires_at"], name="sharedlist_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"Shared list until {self.expires_at:%Y-%m-%d}"


class ShareLimitEvent(models.Model):
    """What the per-address limits of sharing count: lists created and wrong passcodes,
    by a keyed hash of the client's address (never the address). Purged after a day."""

    class Kind(models.TextChoices):
        CREATED = "CREATED", "List shared"
        WRONG_PASSCODE = "WRONG", "Wrong passcode"

    client_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The limits count one client's events of one kind in the last hour or day
            models.Index(fields=["client_hash", "kind", "at"], name="sharelimitevent_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


# E-mail alerts for a search (trials.alerts)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def active(self) -> SubscriptionQuerySet:
        """Confirmed and not paused: the subscriptions alerts go to."""
        return self.confirmed().filter(paused_at__isnull=True)

    def due(self, now: dt.datetime) -> SubscriptionQuerySet:
        """The active subscriptions whose period has passed since their last alert (or
        that never had one). A run a little early still counts (ALERT_PERIOD_SLACK): a
        daily cron job must not skip a day because yesterday's run ended a minute later."""
        due = Q(last_sent_at__isnull=True)
        for frequency, period in Subscription.PERIODS.items():
            before = now - period + Subscription.PERIOD_SLACK
            due |= Q(frequency=frequency, last_sent_at__lte=before)
        return self.active().filter(due)


class Subscription(models.Model):
    """E-mail alerts for one search: the address, the search as its cleaned criteria, how often.

    An address with a condition is health data. The sign-up form creates it unconfirmed;
    nothing but the confirmation e-mail goes out until its link is followed
    (`confirmed_at`). Unsubscribing deletes it, with its tokens and sent log, at once;
    purge_alerts deletes it when still unconfirmed after the link expired, or when not
    re-confirmed for ALERT_RETENTION_DAYS.
    """

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    PERIODS = {Frequency.DAILY: dt.timedelta(days=1), Frequency.WEEKLY: dt.timedelta(days=7)}
    PERIOD_SLACK = dt.timedelta(hours=1)

    email = models.EmailField()
    query = models.TextField(
        help_text="The search as its canonical query string: for links, and to find the "
        "same search of the same address again."
    )
    criteria = models.JSONField(
        help_text="The search's cleaned criteria (Criteria.as_json): what alerts match."
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    # The site's language of the sign-up: the e-mails and their links are in it.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty until the confirmation link is followed."
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    # The changes to trials up to this time have been matched against the search.
    matched_until = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was last asked to re-confirm."
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email", "query"], name="subscription_unique_search_per_email"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["daily", "weekly"]), name="subscription_valid_frequency"
            ),
        ]
        indexes = [
            # send_alerts: the active subscriptions of a frequency by their last alert
            models.Index(
                fields=["frequency", "last_sent_at"],
                name="subscription_due_idx",
                condition=Q(confirmed_at__isnull=False, paused_at__isnull=True),
            ),
            # purge_alerts: confirmed ones by age, unconfirmed ones by age
            models.Index(fields=["confirmed_at"], name="subscription_confirmed_idx"),
            models.Index(
                fields=["created_at"],
                name="subscription_pending_idx",
                condition=Q(confirmed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Subscription #{self.pk}"  # never the address or the search

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class SubscriptionToken(models.Model):
    """A secret link to manage or leave a subscription, as the SHA-256 of its token: each
    e-mail carries a token of its own, and the database alone gives no working link."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # purge_alerts: tokens older than the retention period
            models.Index(fields=["created_at"], name="subscriptiontoken_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Token #{self.pk}"


class Alert(models.Model):
    """One alert e-mail: the trials it holds are its AlertTrial rows."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="alerts")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Alert #{self.pk}"


class AlertTrial(models.Model):
    """The sent log: a trial an alert told a subscription about, once per subscription ever.

    Ids without foreign-key constraints: an import can add millions of rows, and checking
    each at commit locked the trial row it names. Django deletes a subscription's and an
    alert's rows with them; a trial deleted in the admin leaves its rows, which name a
    trial no alert can find again.
    """

    class Reason(models.TextChoices):
        NEW = "new", _("New on TrialFinder")
        OPENED = "opened", _("Now open to enrollment")
        SITE = "site", _("A new site near the place searched")

    # No index of its own: alerttrial_once_per_subscription (subscription, trial) serves it.
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The e-mail and its "see all" page read an alert's rows by this index.
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="trials", db_constraint=False
    )
    trial = models.ForeignKey(
        Trial, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    reason = models.CharField(max_length=8, choices=Reason.choices)
    # A new site (Reason.SITE): its town and its distance from the search's place.
    site_city = models.CharField(max_length=100, blank=True)
    site_km = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "trial"], name="alerttrial_once_per_subscription"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert} → trial {self.trial_id}"
