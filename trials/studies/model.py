"""The ClinicalTrials.gov study data model, declared once: fields, enums and search areas.

Every field of a study record has a JSON path (`protocolSection.statusModule.
overallStatus`), a piece name (`OverallStatus`, what API v2 parameters such as
`fields`, `sort` and Essie's `AREA[...]` name it by) and a type. The outline below is
the whole model: one line per field, indented under its parent, `name[]` for a list,
then the piece name, then the type for a leaf (a line without a type is a branch).
The results section's modules are kept as branches whose content is served whole.

Types: text, markup (Markdown text), nct (an NCT ID), date (yyyy-MM-dd),
partial_date (yyyy, yyyy-MM or yyyy-MM-dd), datetime (yyyy-MM-ddTHH:mm), integer,
number, boolean, geo_point, and enum:<Type> with the values in ENUMS.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..vocabularies import Phase, Sex, Status, StudyType

OUTLINE = """
protocolSection ProtocolSection
  identificationModule IdentificationModule
    nctId NCTId nct
    nctIdAliases[] NCTIdAlias nct
    orgStudyIdInfo OrgStudyIdInfo
      id OrgStudyId text
      type OrgStudyIdType enum:OrgStudyIdType
      link OrgStudyIdLink text
    secondaryIdInfos[] SecondaryIdInfo
      id SecondaryId text
      type SecondaryIdType enum:SecondaryIdType
      domain SecondaryIdDomain text
      link SecondaryIdLink text
    briefTitle BriefTitle text
    officialTitle OfficialTitle text
    acronym Acronym text
    organization Organization
      fullName OrgFullName text
      class OrgClass enum:AgencyClass
  statusModule StatusModule
    statusVerifiedDate StatusVerifiedDate partial_date
    overallStatus OverallStatus enum:Status
    lastKnownStatus LastKnownStatus enum:Status
    delayedPosting DelayedPosting boolean
    whyStopped WhyStopped text
    expandedAccessInfo ExpandedAccessInfo
      hasExpandedAccess HasExpandedAccess boolean
      nctId ExpandedAccessNCTId nct
      statusForNctId ExpandedAccessStatusForNCTId enum:ExpandedAccessStatus
    startDateStruct StartDateStruct
      date StartDate partial_date
      type StartDateType enum:DateType
    primaryCompletionDateStruct PrimaryCompletionDateStruct
      date PrimaryCompletionDate partial_date
      type PrimaryCompletionDateType enum:DateType
    completionDateStruct CompletionDateStruct
      date CompletionDate partial_date
      type CompletionDateType enum:DateType
    studyFirstSubmitDate StudyFirstSubmitDate date
    studyFirstSubmitQcDate StudyFirstSubmitQCDate date
    studyFirstPostDateStruct StudyFirstPostDateStruct
      date StudyFirstPostDate date
      type StudyFirstPostDateType enum:DateType
    resultsWaived ResultsWaived boolean
    resultsFirstSubmitDate ResultsFirstSubmitDate date
    resultsFirstSubmitQcDate ResultsFirstSubmitQCDate date
    resultsFirstPostDateStruct ResultsFirstPostDateStruct
      date ResultsFirstPostDate date
      type ResultsFirstPostDateType enum:DateType
    dispFirstSubmitDate DispFirstSubmitDate date
    dispFirstSubmitQcDate DispFirstSubmitQCDate date
    dispFirstPostDateStruct DispFirstPostDateStruct
      date DispFirstPostDate date
      type DispFirstPostDateType enum:DateType
    lastUpdateSubmitDate LastUpdateSubmitDate date
    lastUpdatePostDateStruct LastUpdatePostDateStruct
      date LastUpdatePostDate date
      type LastUpdatePostDateType enum:DateType
  sponsorCollaboratorsModule SponsorCollaboratorsModule
    responsibleParty ResponsibleParty
      type ResponsiblePartyType enum:ResponsiblePartyType
      investigatorFullName ResponsiblePartyInvestigatorFullName text
      investigatorTitle ResponsiblePartyInvestigatorTitle text
      investigatorAffiliation ResponsiblePartyInvestigatorAffiliation text
      oldNameTitle ResponsiblePartyOldNameTitle text
      oldOrganization ResponsiblePartyOldOrganization text
    leadSponsor LeadSponsor
      name LeadSponsorName text
      class LeadSponsorClass enum:AgencyClass
    collaborators[] Collaborator
      name CollaboratorName text
      class CollaboratorClass enum:AgencyClass
  oversightModule OversightModule
    oversightHasDmc OversightHasDMC boolean
    isFdaRegulatedDrug IsFDARegulatedDrug boolean
    isFdaRegulatedDevice IsFDARegulatedDevice boolean
    isUnapprovedDevice IsUnapprovedDevice boolean
    isPpsd IsPPSD boolean
    isUsExport IsUSExport boolean
    fdaaa801Violation FDAAA801Violation boolean
  descriptionModule DescriptionModule
    briefSummary BriefSummary markup
    detailedDescription DetailedDescription markup
  conditionsModule ConditionsModule
    conditions[] Condition text
    keywords[] Keyword text
  designModule DesignModule
    studyType StudyType enum:StudyType
    nPtrsToThisExpAccNctId NPtrsToThisExpAccNCTId integer
    expandedAccessTypes ExpandedAccessTypes
      individual ExpAccTypeIndividual boolean
      intermediate ExpAccTypeIntermediate boolean
      treatment ExpAccTypeTreatment boolean
    patientRegistry PatientRegistry boolean
    targetDuration TargetDuration text
    phases[] Phase enum:Phase
    designInfo DesignInfo
      allocation DesignAllocation enum:DesignAllocation
      interventionModel DesignInterventionModel enum:InterventionalAssignment
      interventionModelDescription DesignInterventionModelDescription markup
      primaryPurpose DesignPrimaryPurpose enum:PrimaryPurpose
      observationalModel DesignObservationalModel enum:ObservationalModel
      timePerspective DesignTimePerspective enum:DesignTimePerspective
      maskingInfo DesignMaskingInfo
        masking DesignMasking enum:DesignMasking
        maskingDescription DesignMaskingDescription markup
        whoMasked[] DesignWhoMasked enum:WhoMasked
    bioSpec BioSpec
      retention BioSpecRetention enum:BioSpecRetention
      description BioSpecDescription markup
    enrollmentInfo EnrollmentInfo
      count EnrollmentCount integer
      type EnrollmentType enum:EnrollmentType
  armsInterventionsModule ArmsInterventionsModule
    armGroups[] ArmGroup
      label ArmGroupLabel text
      type ArmGroupType enum:ArmGroupType
      description ArmGroupDescription markup
      interventionNames[] ArmGroupInterventionName text
    interventions[] Intervention
      type InterventionType enum:InterventionType
      name InterventionName text
      description InterventionDescription markup
      armGroupLabels[] InterventionArmGroupLabel text
      otherNames[] InterventionOtherName text
  outcomesModule OutcomesModule
    primaryOutcomes[] PrimaryOutcome
      measure PrimaryOutcomeMeasure text
      description PrimaryOutcomeDescription markup
      timeFrame PrimaryOutcomeTimeFrame text
    secondaryOutcomes[] SecondaryOutcome
      measure SecondaryOutcomeMeasure text
      description SecondaryOutcomeDescription markup
      timeFrame SecondaryOutcomeTimeFrame text
    otherOutcomes[] OtherOutcome
      measure OtherOutcomeMeasure text
      description OtherOutcomeDescription markup
      timeFrame OtherOutcomeTimeFrame text
  eligibilityModule EligibilityModule
    eligibilityCriteria EligibilityCriteria markup
    healthyVolunteers HealthyVolunteers boolean
    sex Sex enum:Sex
    genderBased GenderBased boolean
    genderDescription GenderDescription markup
    minimumAge MinimumAge age
    maximumAge MaximumAge age
    stdAges[] StdAge enum:StandardAge
    studyPopulation StudyPopulation markup
    samplingMethod SamplingMethod enum:SamplingMethod
  contactsLocationsModule ContactsLocationsModule
    centralContacts[] CentralContact
      name CentralContactName text
      role CentralContactRole enum:ContactRole
      phone CentralContactPhone text
      phoneExt CentralContactPhoneExt text
      email CentralContactEMail text
    overallOfficials[] OverallOfficial
      name OverallOfficialName text
      affiliation OverallOfficialAffiliation text
      role OverallOfficialRole enum:OfficialRole
    locations[] Location
      facility LocationFacility text
      status LocationStatus enum:RecruitmentStatus
      city LocationCity text
      state LocationState text
      zip LocationZip text
      country LocationCountry text
      contacts[] LocationContact
        name LocationContactName text
        role LocationContactRole enum:ContactRole
        phone LocationContactPhone text
        phoneExt LocationContactPhoneExt text
        email LocationContactEMail text
      geoPoint LocationGeoPoint geo_point
  referencesModule ReferencesModule
    references[] Reference
      pmid ReferencePMID text
      type ReferenceType enum:ReferenceType
      citation ReferenceCitation text
      retractions[] Retraction
        pmid RetractionPMID text
        source RetractionSource text
    seeAlsoLinks[] SeeAlsoLink
      label SeeAlsoLinkLabel text
      url SeeAlsoLinkURL text
    availIpds[] AvailIPD
      id AvailIPDId text
      type AvailIPDType text
      url AvailIPDURL text
      comment AvailIPDComment text
  ipdSharingStatementModule IPDSharingStatementModule
    ipdSharing IPDSharing enum:IpdSharing
    description IPDSharingDescription markup
    infoTypes[] IPDSharingInfoType enum:IpdSharingInfoType
    timeFrame IPDSharingTimeFrame markup
    accessCriteria IPDSharingAccessCriteria markup
    url IPDSharingURL text
resultsSection ResultsSection
  participantFlowModule ParticipantFlowModule
  baselineCharacteristicsModule BaselineCharacteristicsModule
  outcomeMeasuresModule OutcomeMeasuresModule
  adverseEventsModule AdverseEventsModule
  moreInfoModule MoreInfoModule
annotationSection AnnotationSection
  annotationModule AnnotationModule
    unpostedAnnotation UnpostedAnnotation
      unpostedResponsibleParty UnpostedResponsibleParty text
      unpostedEvents[] UnpostedEvent
        type UnpostedEventType enum:UnpostedEventType
        date UnpostedEventDate date
        dateUnknown UnpostedEventDateUnknown boolean
    violationAnnotation ViolationAnnotation
      violationEvents[] ViolationEvent
        type ViolationEventType enum:ViolationEventType
        description ViolationEventDescription text
        creationDate ViolationEventCreationDate date
        issuedDate ViolationEventIssuedDate date
        releaseDate ViolationEventReleaseDate date
        postedDate ViolationEventPostedDate date
documentSection DocumentSection
  largeDocumentModule LargeDocumentModule
    noSap LargeDocNoSAP boolean
    largeDocs[] LargeDoc
      typeAbbrev LargeDocTypeAbbrev text
      hasProtocol LargeDocHasProtocol boolean
      hasSap LargeDocHasSAP boolean
      hasIcf LargeDocHasICF boolean
      label LargeDocLabel text
      date LargeDocDate date
      uploadDate LargeDocUploadDate datetime
      filename LargeDocFilename text
      size LargeDocSize integer
derivedSection DerivedSection
  miscInfoModule MiscInfoModule
    versionHolder VersionHolder date
    removedCountries[] RemovedCountry text
    submissionTracking SubmissionTracking
      estimatedResultsFirstSubmitDate EstimatedResultsFirstSubmitDate date
      firstMcpInfo FirstMCPInfo
        postDateStruct FirstMCPPostDateStruct
          date FirstMCPPostDate date
          type FirstMCPPostDateType enum:DateType
      submissionInfos[] SubmissionInfo
        releaseDate SubmissionReleaseDate date
        unreleaseDate SubmissionUnreleaseDate date
        unreleaseDateUnknown SubmissionUnreleaseDateUnknown boolean
        resetDate SubmissionResetDate date
        mcpReleaseN SubmissionMCPReleaseN integer
  conditionBrowseModule ConditionBrowseModule
    meshes[] ConditionMesh
      id ConditionMeshId text
      term ConditionMeshTerm text
    ancestors[] ConditionAncestor
      id ConditionAncestorId text
      term ConditionAncestorTerm text
    browseLeaves[] ConditionBrowseLeaf
      id ConditionBrowseLeafId text
      name ConditionBrowseLeafName text
      asFound ConditionBrowseLeafAsFound text
      relevance ConditionBrowseLeafRelevance enum:BrowseLeafRelevance
    browseBranches[] ConditionBrowseBranch
      abbrev ConditionBrowseBranchAbbrev text
      name ConditionBrowseBranchName text
  interventionBrowseModule InterventionBrowseModule
    meshes[] InterventionMesh
      id InterventionMeshId text
      term InterventionMeshTerm text
    ancestors[] InterventionAncestor
      id InterventionAncestorId text
      term InterventionAncestorTerm text
    browseLeaves[] InterventionBrowseLeaf
      id InterventionBrowseLeafId text
      name InterventionBrowseLeafName text
      asFound InterventionBrowseLeafAsFound text
      relevance InterventionBrowseLeafRelevance enum:BrowseLeafRelevance
    browseBranches[] InterventionBrowseBranch
      abbrev InterventionBrowseBranchAbbrev text
      name InterventionBrowseBranchName text
hasResults HasResults boolean
"""

# The values of each enum type, in the order ClinicalTrials.gov lists them.
ENUMS: dict[str, tuple[str, ...]] = {
    "Status": tuple(Status.values),
    "StudyType": tuple(StudyType.values),
    "Phase": tuple(Phase.values),
    "Sex": tuple(Sex.values),
    "StandardAge": ("CHILD", "ADULT", "OLDER_ADULT"),
    "SamplingMethod": ("PROBABILITY_SAMPLE", "NON_PROBABILITY_SAMPLE"),
    "IpdSharing": ("YES", "NO", "UNDECIDED"),
    "IpdSharingInfoType": ("STUDY_PROTOCOL", "SAP", "ICF", "CSR", "ANALYTIC_CODE"),
    "OrgStudyIdType": ("NIH", "FDA", "VA", "CDC", "AHRQ", "SAMHSA"),
    "SecondaryIdType": (
        *("NIH", "FDA", "VA", "CDC", "AHRQ", "SAMHSA", "OTHER_GRANT"),
        *("EUDRACT_NUMBER", "CTIS", "REGISTRY", "OTHER"),
    ),
    "AgencyClass": (
        *("NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER"),
        "UNKNOWN",
    ),
    "ExpandedAccessStatus": (
        *("AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE"),
        "APPROVED_FOR_MARKETING",
    ),
    "DateType": ("ACTUAL", "ESTIMATED"),
    "ResponsiblePartyType": ("SPONSOR", "PRINCIPAL_INVESTIGATOR", "SPONSOR_INVESTIGATOR"),
    "DesignAllocation": ("RANDOMIZED", "NON_RANDOMIZED", "NA"),
    "InterventionalAssignment": (
        *("SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL"),
    ),
    "PrimaryPurpose": (
        *("TREATMENT", "PREVENTION", "DIAGNOSTIC", "ECT", "SUPPORTIVE_CARE", "SCREENING"),
        *("HEALTH_SERVICES_RESEARCH", "BASIC_SCIENCE", "DEVICE_FEASIBILITY", "OTHER"),
    ),
    "ObservationalModel": (
        *("COHORT", "CASE_CONTROL", "CASE_ONLY", "CASE_CROSSOVER", "ECOLOGIC_OR_COMMUNITY"),
        *("FAMILY_BASED", "DEFINED_POPULATION", "NATURAL_HISTORY", "OTHER"),
    ),
    "DesignTimePerspective": ("RETROSPECTIVE", "PROSPECTIVE", "CROSS_SECTIONAL", "OTHER"),
    "BioSpecRetention": ("NONE_RETAINED", "SAMPLES_WITH_DNA", "SAMPLES_WITHOUT_DNA"),
    "EnrollmentType": ("ACTUAL", "ESTIMATED"),
    "ArmGroupType": (
        *("EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR"),
        *("NO_INTERVENTION", "OTHER"),
    ),
    "InterventionType": (
        *("BEHAVIORAL", "BIOLOGICAL", "COMBINATION_PRODUCT", "DEVICE", "DIAGNOSTIC_TEST"),
        *("DIETARY_SUPPLEMENT", "DRUG", "GENETIC", "PROCEDURE", "RADIATION", "OTHER"),
    ),
    "ContactRole": (
        *("STUDY_CHAIR", "STUDY_DIRECTOR", "PRINCIPAL_INVESTIGATOR", "SUB_INVESTIGATOR"),
        "CONTACT",
    ),
    "OfficialRole": (
        *("STUDY_CHAIR", "STUDY_DIRECTOR", "PRINCIPAL_INVESTIGATOR", "SUB_INVESTIGATOR"),
    ),
    "RecruitmentStatus": (
        *("ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION"),
        *("NOT_YET_RECRUITING", "RECRUITING", "SUSPENDED", "TERMINATED", "WITHDRAWN"),
        "AVAILABLE",
    ),
    "ReferenceType": ("BACKGROUND", "RESULT", "DERIVED"),
    "DesignMasking": ("NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"),
    "WhoMasked": ("PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"),
    "BrowseLeafRelevance": ("LOW", "HIGH"),
    "UnpostedEventType": ("RESET", "RELEASE", "UNRELEASE"),
    "ViolationEventType": (
        *("VIOLATION_IDENTIFIED", "CORRECTION_CONFIRMED", "PENALTY_IMPOSED"),
        "ISSUES_IN_LETTER_ADDRESSED_CONFIRMED",
    ),
}

# Values that ClinicalTrials.gov's legacy API spelled otherwise than the words of the
# value (RECRUITING -> "Recruiting" needs no entry).
LEGACY_VALUES = {
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "NA": "N/A",
    "EARLY_PHASE1": "Early Phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "OLDER_ADULT": "Older Adult",
    "ECT": "Educational/Counseling/Training",
    "OTHER_GOV": "Other U.S. Federal agency",
    "FED": "U.S. Fed",
    "INDIV": "Individual",
    "EUDRACT_NUMBER": "EudraCT Number",
    "CASE_ONLY": "Case-Only",
    "CASE_CONTROL": "Case-Control",
    "CASE_CROSSOVER": "Case-Crossover",
    "CROSS_SECTIONAL": "Cross-Sectional",
    "FAMILY_BASED": "Family-Based",
    "ECOLOGIC_OR_COMMUNITY": "Ecologic or Community",
    "NON_RANDOMIZED": "Non-Randomized",
    "SINGLE_GROUP": "Single Group Assignment",
    "PARALLEL": "Parallel Assignment",
    "CROSSOVER": "Crossover Assignment",
    "FACTORIAL": "Factorial Assignment",
    "SEQUENTIAL": "Sequential Assignment",
    "NONE": "None (Open Label)",
}


def legacy_value(value: str) -> str:
    """How the legacy API wrote an enum value: its words, capitalised."""
    return LEGACY_VALUES.get(value, value.replace("_", " ").capitalize())


LEAF_TYPES = {
    "text",
    "markup",
    "nct",
    "date",
    "partial_date",
    "datetime",
    "integer",
    "number",
    "boolean",
    "geo_point",
    "age",
    "enum",
}
DATE_TYPES = {"date", "partial_date"}
NUMBER_TYPES = {"integer", "number"}


@dataclass(frozen=True, eq=False)
class Field:
    """One field of the data model."""

    name: str  # its key in the record
    piece: str  # its piece name
    path: tuple[str, ...]  # the keys from the record's root
    type: str  # a leaf's type (see the module's docstring); "" for a branch
    enum: str = ""  # the enum type of an enum leaf
    is_list: bool = False  # holds a list (of values, or of objects for a branch)
    in_list: bool = False  # it or an ancestor is a list: a study may have many values
    children: tuple[Field, ...] = field(default=())

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def is_leaf(self) -> bool:
        return bool(self.type)

    @property
    def single_valued(self) -> bool:
        return not self.in_list

    @property
    def jsonpath(self) -> str:
        """A lax SQL/JSON path to its values (each element of a list, one by one)."""
        keys = ".".join(f'"{key}"' for key in self.path)
        return f"lax $.{keys}{'[*]' if self.is_list and self.is_leaf else ''}"

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def _parse(outline: str) -> tuple[Field, ...]:
    """The outline's fields as a tree of Field."""
    lines = [line for line in outline.splitlines() if line.strip()]

    def build(index: int, depth: int, parent: tuple[str, ...], in_list: bool):
        nodes = []
        while index < len(lines):
            indent = (len(lines[index]) - len(lines[index].lstrip())) // 2
            if indent < depth:
                break
            name, piece, *kind = lines[index].split()
            is_list = name.endswith("[]")
            name = name.removesuffix("[]")
            path = (*parent, name)
            kind_text = kind[0] if kind else ""
            enum = kind_text.partition(":")[2]
            leaf_type = "enum" if enum else kind_text
            assert not leaf_type or leaf_type in LEAF_TYPES, lines[index]
            children, index = build(index + 1, depth + 1, path, in_list or is_list)
            nodes.append(
                Field(name, piece, path, leaf_type, enum, is_list, in_list or is_list, children)
            )
        return tuple(nodes), index

    roots, _ = build(0, 0, (), False)
    return roots


ROOTS = _parse(OUTLINE)
FIELDS: tuple[Field, ...] = tuple(f for root in ROOTS for f in root.walk())
BY_PIECE = {f.piece.lower(): f for f in FIELDS}
BY_PATH = {f.dotted.lower(): f for f in FIELDS}
assert len(BY_PIECE) == len(FIELDS), "piece names are unique"


def find(name: str) -> Field | None:
    """The field a piece name (`OverallStatus`) or a path (`protocolSection.statusModule.
    overallStatus`) names, in any case; None if there is none."""
    key = name.strip().lower()
    return BY_PIECE.get(key) or BY_PATH.get(key)


@dataclass(frozen=True)
class SearchArea:
    """A search area: the fields a query parameter's words are looked for in, and how."""

    name: str
    param: str  # the API parameter whose words search it ("" when only AREA[] names it)
    pieces: tuple[str, ...]
    ui_label: str = ""

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(BY_PIECE[p.lower()] for p in self.pieces)


# The areas the query.* parameters search, with the fields each covers here.
AREAS: tuple[SearchArea, ...] = (
    SearchArea(
        "BasicSearch",
        "term",
        (
            *("NCTId", "BriefTitle", "OfficialTitle", "Acronym", "Condition", "Keyword"),
            *("ConditionMeshTerm", "ConditionAncestorTerm", "InterventionName"),
            *("InterventionOtherName", "BriefSummary"),
        ),
        "Other terms",
    ),
    SearchArea(
        "ConditionSearch",
        "cond",
        (
            *("Condition", "Keyword", "ConditionMeshTerm", "ConditionAncestorTerm"),
            *("BriefTitle", "OfficialTitle"),
        ),
        "Conditions or disease",
    ),
    SearchArea(
        "InterventionSearch",
        "intr",
        ("InterventionName", "InterventionOtherName"),
        "Intervention / treatment",
    ),
    SearchArea(
        "OutcomeSearch",
        "outc",
        (
            *("PrimaryOutcomeMeasure", "PrimaryOutcomeDescription", "SecondaryOutcomeMeasure"),
            *("SecondaryOutcomeDescription", "OtherOutcomeMeasure", "OtherOutcomeDescription"),
        ),
        "Outcome measure",
    ),
    SearchArea(
        "TitleSearch",
        "titles",
        ("BriefTitle", "OfficialTitle", "Acronym"),
        "Title / acronym",
    ),
    SearchArea(
        "LocationSearch",
        "locn",
        ("LocationFacility", "LocationCity", "LocationState", "LocationZip", "LocationCountry"),
        "Location terms",
    ),
    SearchArea(
        "SponsorSearch",
        "spons",
        ("LeadSponsorName", "CollaboratorName"),
        "Sponsor / collaborator",
    ),
    SearchArea("LeadSponsorSearch", "lead", ("LeadSponsorName",), "Lead sponsor"),
    SearchArea(
        "IdSearch",
        "id",
        ("NCTId", "NCTIdAlias", "Acronym", "OrgStudyId", "SecondaryId"),
        "Study IDs",
    ),
)
AREAS_BY_NAME = {area.name.lower(): area for area in AREAS}
AREAS_BY_PARAM = {area.param: area for area in AREAS}


@functools.cache
def enum_pieces() -> dict[str, list[str]]:
    """For each enum type, the pieces of that type."""
    found: dict[str, list[str]] = {name: [] for name in ENUMS}
    for f in FIELDS:
        if f.enum:
            found[f.enum].append(f.piece)
    return found
