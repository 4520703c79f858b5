#!/usr/bin/env python3
"""Generate synthetic ClinicalTrials.gov study records (API v2 JSON) for benchmarks.

TrialFinder's importer, search and listing code has to be measured on far more
studies than the few thousand real records kept under ../shared/data/ctgov/, and
those real records must not be copied into the project.  This script writes any
number of *synthetic* studies shaped like the real API v2 objects (the format of
``GET /api/v2/studies``): the same modules, keys, enums, date formats, Markdown
eligibility text and ``derivedSection.conditionBrowseModule`` MeSH terms, with
distributions (status mix, phases, study types, ages, location counts, text
lengths, ...) measured once on the 2,394 real records and hard-coded below.
No real record text is embedded: titles and descriptions are pseudo-English
built from small word lists, with condition and drug names in them so that
full-text search sees a realistic vocabulary.

Usage::

    python bench/generate_studies.py --count 100000 --seed 42 --out /tmp/synth.jsonl.gz
    python bench/generate_studies.py --count 10 --out - | head -1 | python -m json.tool
    python bench/generate_studies.py --count 5000 --start-id 91000000 --out part2.jsonl

Output is JSON Lines (one study object per line), gzip-compressed when --out
ends in ``.gz`` (``--out -`` writes to stdout).  NCT ids are
``NCT<start-id + i>`` with a default start of 90000000, a range no real study
uses, so synthetic rows never collide with real ones.

Guarantees:

* Deterministic: the same --seed and --count give byte-identical output
  (gzip headers carry no file name or time stamp).
* Record i depends only on (seed, i): the first 10,000 records of a
  600,000-record run equal a 10,000-record run, so benchmark sets of several
  sizes are prefixes of one another.
* Streaming: records are generated and written one at a time, so memory use
  does not grow with --count.
* Standard library only (Python 3.11).

Not modelled (present in some real records): resultsSection and
documentSection, derivedSection.interventionBrowseModule and the
conditionBrowseModule browseLeaves, trimmed records with missing modules, and
the condition mix of the real sample (a quarter of it is erectile dysfunction,
so MALE-only studies are 27% there and ~9% here).

Speed: records are written directly as JSON text from pre-escaped fragments
and start-up pools (sentences, paragraphs, outcome lists, arm groups, sites)
instead of dicts passed to json.dumps, which on real records manages about
7,000 per second.  Measured on one core: about 14,000 records/s to a plain
file or stdout (mean record 9.5 KB, so ~135 MB/s of JSON), after ~0.5 s of
start-up and with ~100 MB of pools in memory.  gzip output is bounded by zlib:
it runs in a second thread, giving about 10,000 records/s at the default
--gzip-level 1 and 6,000 at level 6 (files ~30% smaller).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import math
import os
import queue
import random
import re
import sys
import threading
import time
from bisect import bisect_right
from itertools import accumulate
from json.encoder import encode_basestring  # C implementation, keeps non-ASCII as is

DEFAULT_START_ID = 90_000_000
POOL_SEED = 20240917  # fixed: vocabulary pools are the same for every --seed
REFERENCE_DATE = datetime.date(2025, 1, 15)  # "today" of the synthetic snapshot
VERSION_HOLDER = "2025-01-14"

# ---------------------------------------------------------------------------
# Distribution tables.  Counts are from the 2,394 real records unless noted.
# ---------------------------------------------------------------------------

OVERALL_STATUS = [
    ("COMPLETED", 809),
    ("NOT_YET_RECRUITING", 634),
    ("RECRUITING", 585),
    ("UNKNOWN", 160),
    ("ACTIVE_NOT_RECRUITING", 84),
    ("TERMINATED", 57),
    ("WITHDRAWN", 33),
    ("ENROLLING_BY_INVITATION", 21),
    ("SUSPENDED", 6),
    ("WITHHELD", 2),
    ("AVAILABLE", 1),
]
STUDY_TYPE = [("INTERVENTIONAL", 1856), ("OBSERVATIONAL", 536)]
INTERVENTIONAL_PHASES = [
    (("NA",), 1033),
    (("PHASE3",), 195),
    (("PHASE2",), 194),
    (("PHASE4",), 157),
    (("PHASE1",), 148),
    (("PHASE1", "PHASE2"), 77),
    (("PHASE2", "PHASE3"), 33),
    (("EARLY_PHASE1",), 18),
    ((), 1),
]
LAST_KNOWN_STATUS = [
    ("RECRUITING", 99),
    ("NOT_YET_RECRUITING", 34),
    ("ACTIVE_NOT_RECRUITING", 23),
    ("ENROLLING_BY_INVITATION", 5),
]
WHY_STOPPED_SHARE = {"TERMINATED": 0.84, "WITHDRAWN": 0.88, "SUSPENDED": 0.83}

# Share of studies with no location at all, by status (real: 384 of 2,394).
NO_LOCATION_SHARE = {
    "NOT_YET_RECRUITING": 0.437,
    "COMPLETED": 0.093,
    "UNKNOWN": 0.10,
    "WITHDRAWN": 0.15,
    "TERMINATED": 0.053,
    "SUSPENDED": 0.33,
    "RECRUITING": 0.002,
    "AVAILABLE": 1.0,
}
# Number of locations when there is at least one: exact counts up to 10, then
# buckets (lo, hi) sampled log-uniformly.  Long tail: max 315 in the real data.
LOCATION_COUNT = [
    (1, 1532),
    (2, 129),
    (3, 45),
    (4, 35),
    (5, 25),
    (6, 22),
    (7, 17),
    (8, 17),
    (9, 9),
    (10, 9),
    ((11, 20), 58),
    ((21, 50), 72),
    ((51, 100), 26),
    ((101, 200), 10),
    ((201, 320), 4),
]
SITE_STATUS_RECRUITING = [
    ("RECRUITING", 1789),
    ("NOT_YET_RECRUITING", 982),
    ("WITHDRAWN", 32),
    ("ACTIVE_NOT_RECRUITING", 19),
    ("COMPLETED", 7),
]
CENTRAL_CONTACTS = {  # status -> [(count, weight)]
    "RECRUITING": [(0, 40), (1, 294), (2, 251)],
    "NOT_YET_RECRUITING": [(0, 64), (1, 286), (2, 284)],
    "UNKNOWN": [(0, 38), (1, 60), (2, 62)],
    "ENROLLING_BY_INVITATION": [(0, 12), (1, 5), (2, 4)],
    "AVAILABLE": [(1, 1)],
}
OVERALL_OFFICIALS = [(0, 732), (1, 1499), (2, 106), (3, 30), (4, 10), (6, 5)]

LEAD_CLASS_BIG = [("INDUSTRY", 103), ("OTHER", 11), ("NETWORK", 2)]  # >= 20 sites
LEAD_CLASS_SMALL = [
    ("OTHER", 1599),
    ("INDUSTRY", 586),
    ("OTHER_GOV", 60),
    ("FED", 11),
    ("NETWORK", 10),
    ("NIH", 8),
    ("INDIV", 4),
]
COLLABORATOR_COUNT = [
    (0, 1697),
    (1, 470),
    (2, 126),
    (3, 41),
    (4, 20),
    (5, 10),
    (6, 4),
    (7, 7),
    (9, 7),
]
COLLABORATOR_CLASS = [
    ("OTHER", 45),
    ("INDUSTRY", 22),
    ("UNKNOWN", 17),
    ("NIH", 10),
    ("OTHER_GOV", 5),
    ("FED", 1),
    ("NETWORK", 1),
]
RESPONSIBLE_PARTY = [
    ("SPONSOR", 1319),
    ("PRINCIPAL_INVESTIGATOR", 842),
    ("SPONSOR_INVESTIGATOR", 108),
    (None, 125),
]

CONDITION_COUNT = [(1, 1450), (2, 481), (3, 242), (4, 97), (5, 56), (6, 26), (7, 13), (8, 7)]
KEYWORD_COUNT = [
    (0, 1006),
    (1, 212),
    (2, 185),
    (3, 312),
    (4, 268),
    (5, 162),
    (6, 82),
    (7, 56),
    (8, 27),
    (9, 18),
    (10, 30),
    (11, 16),
    (12, 5),
]
UNMAPPED_SHARE = 0.098  # studies whose conditions have no MeSH match
NO_DERIVED_SHARE = 0.022  # records saved without derivedSection (52 of 2,394)
OLD_MESH_ID_SHARE = 0.23  # older snapshots write "D003027" instead of "D000003027"

ARMS_INTERVENTIONAL = [(1, 600), (2, 1134), (3, 229), (4, 88), (5, 23), (6, 17), (8, 6)]
ARMS_OBSERVATIONAL = [(0, 256), (1, 120), (2, 105), (3, 35), (4, 16)]
PRIMARY_OUTCOMES = [
    (0, 22),
    (1, 1466),
    (2, 397),
    (3, 196),
    (4, 94),
    (5, 66),
    (6, 41),
    (7, 23),
    (8, 18),
    (9, 13),
    (10, 8),
    (11, 15),
    (12, 7),
    (14, 7),
    (15, 5),
]
SECONDARY_OUTCOMES = [
    (0, 597),
    (1, 397),
    (2, 252),
    (3, 217),
    (4, 171),
    (5, 141),
    (6, 122),
    (7, 103),
    (8, 66),
    (9, 67),
    (10, 39),
    (11, 32),
    (12, 37),
    (13, 23),
    (14, 18),
    (15, 17),
    (16, 16),
    (18, 9),
    (20, 7),
    (24, 4),
    (28, 5),
]
OTHER_OUTCOMES = [
    (0, 2190),
    (1, 66),
    (2, 32),
    (3, 23),
    (4, 17),
    (5, 11),
    (6, 11),
    (8, 5),
    (10, 4),
    (12, 4),
]
REFERENCE_SHARE = 0.236
REFERENCE_COUNT = [
    (1, 162),
    (2, 69),
    (3, 76),
    (4, 45),
    (5, 32),
    (6, 17),
    (7, 21),
    (8, 18),
    (9, 13),
    (10, 15),
    (12, 25),
    (15, 20),
    (20, 20),
    (25, 15),
    (40, 6),
    (70, 3),
]
REFERENCE_TYPE = [("BACKGROUND", 60), ("DERIVED", 25), ("RESULT", 15)]

ALLOCATION_MODEL = [
    (("RANDOMIZED", "PARALLEL"), 1011),
    (("NA", "SINGLE_GROUP"), 447),
    (("RANDOMIZED", "CROSSOVER"), 147),
    (("NON_RANDOMIZED", "PARALLEL"), 99),
    (("NON_RANDOMIZED", "SINGLE_GROUP"), 45),
    (("NON_RANDOMIZED", "SEQUENTIAL"), 29),
    (("RANDOMIZED", "SINGLE_GROUP"), 28),
    (("RANDOMIZED", "SEQUENTIAL"), 14),
    (("RANDOMIZED", "FACTORIAL"), 12),
    (("NA", "SEQUENTIAL"), 12),
    (("NON_RANDOMIZED", "CROSSOVER"), 8),
]
PRIMARY_PURPOSE = [
    ("TREATMENT", 1321),
    ("PREVENTION", 113),
    ("OTHER", 103),
    ("SUPPORTIVE_CARE", 102),
    ("BASIC_SCIENCE", 70),
    ("DIAGNOSTIC", 67),
    ("HEALTH_SERVICES_RESEARCH", 40),
    ("DEVICE_FEASIBILITY", 16),
    ("SCREENING", 12),
]
MASKING = [
    (("NONE", ()), 981),
    (("DOUBLE", ("PARTICIPANT", "INVESTIGATOR")), 168),
    (("QUADRUPLE", ("PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR")), 151),
    (("SINGLE", ("PARTICIPANT",)), 147),
    (("SINGLE", ("OUTCOMES_ASSESSOR",)), 117),
    (("TRIPLE", ("PARTICIPANT", "INVESTIGATOR", "OUTCOMES_ASSESSOR")), 60),
    (("DOUBLE", ("PARTICIPANT", "OUTCOMES_ASSESSOR")), 57),
    (("TRIPLE", ("PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR")), 42),
    (("DOUBLE", ()), 38),
    (("SINGLE", ("INVESTIGATOR",)), 32),
    (("DOUBLE", ("PARTICIPANT", "CARE_PROVIDER")), 19),
    (("TRIPLE", ("PARTICIPANT", "CARE_PROVIDER", "OUTCOMES_ASSESSOR")), 17),
    (("DOUBLE", ("INVESTIGATOR", "OUTCOMES_ASSESSOR")), 14),
]
OBSERVATIONAL_MODEL = [
    ("COHORT", 302),
    ("CASE_CONTROL", 75),
    ("CASE_ONLY", 61),
    ("OTHER", 57),
    ("CASE_CROSSOVER", 15),
    ("ECOLOGIC_OR_COMMUNITY", 5),
    ("FAMILY_BASED", 5),
]
TIME_PERSPECTIVE = [
    ("PROSPECTIVE", 353),
    ("CROSS_SECTIONAL", 78),
    ("RETROSPECTIVE", 70),
    ("OTHER", 27),
]
IPD_SHARING = [(None, 952), ("NO", 1025), ("YES", 232), ("UNDECIDED", 185)]

SEX_DEFAULT = [("ALL", 1629), ("MALE", 60), ("FEMALE", 119)]  # MALE share lowered: see report
HEALTHY_VOLUNTEERS = {
    "INTERVENTIONAL": [(False, 1425), (True, 427)],
    "OBSERVATIONAL": [(False, 325), (True, 140), (None, 67)],
}

# Minimum age (None = no lower limit) and the share with no maximum age for
# each minimum-age band; the maximum is then drawn from the band's table.
MINIMUM_AGE = [
    ("18 Years", 1453),
    (None, 111),
    ("40 Years", 114),
    ("20 Years", 112),
    ("19 Years", 59),
    ("21 Years", 58),
    ("30 Years", 47),
    ("22 Years", 40),
    ("50 Years", 35),
    ("45 Years", 30),
    ("25 Years", 29),
    ("65 Years", 25),
    ("12 Years", 24),
    ("35 Years", 22),
    ("60 Years", 22),
    ("16 Years", 17),
    ("1 Year", 17),
    ("6 Years", 16),
    ("4 Years", 15),
    ("3 Years", 14),
    ("14 Years", 12),
    ("2 Years", 12),
    ("15 Years", 12),
    ("8 Years", 10),
    ("13 Years", 9),
    ("5 Years", 7),
    ("0 Years", 7),
    ("10 Years", 6),
    ("1 Month", 5),
    ("1 Day", 5),
    ("17 Years", 4),
    ("9 Years", 4),
    ("55 Years", 3),
    ("6 Months", 3),
    ("7 Years", 3),
    ("30 Days", 2),
    ("18 Months", 2),
    ("12 Months", 2),
    ("70 Years", 2),
    ("28 Days", 2),
    ("11 Years", 2),
    ("2 Weeks", 1),
]
CHILD_MINIMUM_AGE = [
    ("2 Years", 12),
    ("6 Years", 16),
    ("12 Years", 24),
    ("1 Month", 5),
    ("28 Days", 2),
    ("6 Months", 3),
    ("4 Years", 15),
    ("0 Years", 7),
]
NO_MAXIMUM_SHARE = {
    "none": 0.82,
    "infant": 0.13,
    "child": 0.11,
    "teen": 0.24,
    "18": 0.47,
    "adult": 0.24,
    "older": 0.31,
}
MAXIMUM_AGE_ADULT = [
    ("65 Years", 225),
    ("70 Years", 175),
    ("75 Years", 163),
    ("80 Years", 147),
    ("60 Years", 92),
    ("45 Years", 52),
    ("50 Years", 49),
    ("85 Years", 47),
    ("64 Years", 39),
    ("55 Years", 39),
    ("90 Years", 38),
    ("40 Years", 38),
    ("99 Years", 28),
    ("100 Years", 25),
    ("30 Years", 17),
    ("35 Years", 15),
    ("25 Years", 13),
    ("69 Years", 12),
    ("120 Years", 7),
    ("59 Years", 7),
    ("89 Years", 7),
    ("49 Years", 7),
    ("79 Years", 6),
    ("39 Years", 5),
    ("74 Years", 4),
]
MAXIMUM_AGE_CHILD = [
    ("18 Years", 28),
    ("17 Years", 16),
    ("12 Years", 11),
    ("21 Years", 8),
    ("10 Years", 6),
    ("25 Years", 6),
    ("24 Years", 5),
    ("16 Years", 4),
    ("14 Years", 4),
    ("7 Years", 4),
    ("6 Years", 4),
    ("11 Years", 3),
    ("8 Years", 3),
    ("24 Months", 3),
    ("26 Years", 4),
    ("65 Years", 5),
    ("75 Years", 9),
    ("70 Years", 9),
    ("99 Years", 5),
    ("30 Years", 5),
    ("6 Months", 2),
    ("12 Months", 2),
    ("28 Days", 1),
]

# Quantile tables (cumulative share, value); values between points are interpolated.
BRIEF_SUMMARY_CHARS = [
    (0, 60),
    (0.01, 78),
    (0.05, 122),
    (0.1, 151),
    (0.25, 224),
    (0.5, 402),
    (0.75, 785),
    (0.9, 1399),
    (0.95, 1849),
    (0.99, 2520),
    (1, 4968),
]
DETAILED_DESCRIPTION_SHARE = 0.664
DETAILED_DESCRIPTION_CHARS = [
    (0, 79),
    (0.05, 225),
    (0.1, 336),
    (0.25, 644),
    (0.5, 1225),
    (0.75, 2338),
    (0.9, 4103),
    (0.95, 6080),
    (0.99, 11258),
    (1, 20000),
]
ELIGIBILITY_CHARS = [
    (0, 60),
    (0.01, 91),
    (0.1, 277),
    (0.25, 472),
    (0.5, 868),
    (0.75, 1821),
    (0.9, 3481),
    (0.99, 7678),
    (1, 12398),
]
ENROLLMENT = [
    (0, 1),
    (0.05, 10),
    (0.1, 18),
    (0.25, 32),
    (0.5, 70),
    (0.75, 200),
    (0.9, 500),
    (0.95, 1000),
    (0.99, 8000),
    (1, 200000),
]
STUDY_DURATION_DAYS = [
    (0, 30),
    (0.1, 180),
    (0.25, 365),
    (0.5, 730),
    (0.75, 1300),
    (0.9, 2000),
    (0.99, 3650),
    (1, 5500),
]
# Days between first submission and the reference date, by status.
SUBMITTED_DAYS_AGO = {
    "COMPLETED": [(0, 120), (0.1, 700), (0.5, 2900), (0.9, 5500), (1, 9000)],
    "RECRUITING": [(0, 2), (0.5, 200), (0.9, 1100), (1, 5000)],
    "ENROLLING_BY_INVITATION": [(0, 2), (0.5, 250), (0.9, 1100), (1, 2500)],
    "NOT_YET_RECRUITING": [(0, 1), (0.5, 110), (0.9, 330), (1, 900)],
    "ACTIVE_NOT_RECRUITING": [(0, 60), (0.5, 700), (0.9, 2500), (1, 6000)],
    "UNKNOWN": [(0, 900), (0.5, 2400), (0.9, 4500), (1, 7000)],
    "TERMINATED": [(0, 300), (0.5, 3500), (0.9, 6000), (1, 7000)],
    "WITHDRAWN": [(0, 100), (0.5, 2400), (0.9, 4500), (1, 6500)],
    "SUSPENDED": [(0, 200), (0.5, 2500), (0.9, 4000), (1, 6000)],
    "AVAILABLE": [(0, 30), (0.5, 700), (1, 3000)],
}

# ---------------------------------------------------------------------------
# Vocabulary: conditions and MeSH
# ---------------------------------------------------------------------------

# weight | category | flags | names as entered by sponsors (;) | MeSH id | MeSH term | ancestor ids
# flags: M male only, F mostly female, K often paediatric, R rare disease.
# Weights follow the real condition frequencies, flattened so one urology
# corpus in the sample does not dominate.
CONDITIONS = """
40|uro|M|Erectile Dysfunction;Impotence;Male Erectile Disorder|7172|Erectile Dysfunction|5832 91662 91642 12735 52801 20018 1523
22|metab||Diabetes Mellitus;Diabetes|3920|Diabetes Mellitus|44882 8659 4700
20|metab||Type 2 Diabetes;Diabetes Mellitus, Type 2;Type 2 Diabetes Mellitus|3924|Diabetes Mellitus, Type 2|3920 44882 8659 4700
12|metab|K|Type 1 Diabetes;Diabetes Mellitus, Type 1|3922|Diabetes Mellitus, Type 1|3920 44882 8659 4700 1327 7154
14|neuro|R|Cluster Headache|3027|Cluster Headache|51303 51270 20773 1927 2493 9422
14|msk||Disc Herniation;Herniated Disc;Lumbar Disc Herniation|7405|Intervertebral Disc Displacement|6547 20763 13122 1847 9140
12|onc||Leukemia|7938|Leukemia|9370 9369
12|msk||Degenerative Disc Disease;Disc Degeneration|55959|Intervertebral Disc Degeneration|13122 1847 9140
14|onc|M|Prostate Cancer;Prostatic Neoplasms;Metastatic Castration-resistant Prostate Cancer|11471|Prostatic Neoplasms|5834 14565 9371 9369 5832 91662 91642 11469 52801
8|onc|KR|Acute Lymphoblastic Leukemia;B-cell Acute Lymphoblastic Leukemia|54198|Precursor Cell Lymphoblastic Leukemia-Lymphoma|7945 7938 9370 9369 8232 8206 7160 7154
12|psych||Depression;Depressive Symptoms|3863|Depression|1526
9|psych||Major Depressive Disorder;Treatment Resistant Depression|3865|Depressive Disorder, Major|19964 1523
12|onc||Lung Cancer;Lung Neoplasms|8175|Lung Neoplasms|12142 13899 9371 9369 8171 12140
10|onc||Non-Small Cell Lung Cancer;NSCLC;Metastatic Non-small Cell Lung Cancer|2289|Carcinoma, Non-Small-Cell Lung|2283 1984 8175 12142 13899 9371 9369 8171 12140
8|onc|R|Acute Myeloid Leukemia;AML|15470|Leukemia, Myeloid, Acute|7951 7938 9370 9369
10|neuro||Migraine;Chronic Migraine;Episodic Migraine|8881|Migraine Disorders|51270 20773 1927 2493 9422
14|onc|F|Breast Cancer;Breast Neoplasms;HER2-positive Breast Cancer;Triple Negative Breast Cancer|1943|Breast Neoplasms|9371 9369 1941 12871
8|msk||Lumbar Spinal Stenosis;Spinal Stenosis|13130|Spinal Stenosis|13122 1847 9140
9|resp|K|Asthma;Severe Asthma;Bronchial Asthma|1249|Asthma|1982 12140 8173 8171 12130 6969 6967 7154
10|pain||Low Back Pain;Chronic Low Back Pain|17116|Low Back Pain|1416 10146 9461
6|pain||Back Pain|1416|Back Pain|10146 9461
12|metab||Obesity;Severe Obesity|9765|Obesity|50177 44343 9748 1835
14|cardio||Hypertension;Arterial Hypertension;Essential Hypertension|6973|Hypertension|14652 2318
8|psych||Substance Use Disorders;Substance Use|19966|Substance-Related Disorders|64419 1523
8|neuro||Parkinson Disease;Parkinson's Disease|10300|Parkinson Disease|20734 1480 1927 2493 9422 9069 80874 19636
8|onc||Lymphoma|8223|Lymphoma|9370 9369 8232 8206 7160 7154
10|neuro||Stroke;Acute Stroke|20521|Stroke|2561 1927 2493 9422 14652 2318
8|psych||Schizophrenia|12559|Schizophrenia|19967 1523
6|neuro||Spinal Cord Injury;Spinal Cord Injuries|13119|Spinal Cord Injuries|2493 9422 13118 20196 14947
7|neuro||Insomnia;Chronic Insomnia|7319|Sleep Initiation and Maintenance Disorders|20919 20920 12893 9422 1523
10|infect||COVID-19;SARS-CoV-2 Infection|86382|COVID-19|11024 11014 12141 7239 14777 18352 3333 30341 12327 8171 12140
9|cardio||Coronary Artery Disease;Coronary Heart Disease|3324|Coronary Artery Disease|3327 17202 6331 2318 1161 1157 14652
8|pain||Chronic Pain|59350|Chronic Pain|10146 9461
10|cardio||Heart Failure;Heart Failure With Reduced Ejection Fraction;Congestive Heart Failure|6333|Heart Failure|6331 2318
6|onc||Hematologic Malignancies;Hematological Malignancies|19337|Hematologic Neoplasms|9369 9371 6402
7|psych||Post Traumatic Stress Disorder;PTSD|13313|Stress Disorders, Post-Traumatic|40921 68099 1523
6|obgyn|KF|Preterm Birth;Premature Birth|47928|Premature Birth|7752 7744 11248 5261 91642
7|psych||Anxiety Disorders;Generalized Anxiety Disorder|1008|Anxiety Disorders|1523
6|psych||Nicotine Dependence;Smoking Cessation;Tobacco Use Disorder|14029|Tobacco Use Disorder|19966 64419 1523
8|pain||Postoperative Pain;Pain, Postoperative|10149|Pain, Postoperative|11183 10335 10146 9461
6|psych||Opioid Use Disorder;Opioid Dependence|9293|Opioid-Related Disorders|79524 19966 64419 1523
6|neuro||Mild Cognitive Impairment;Cognitive Impairment|60825|Cognitive Dysfunction|3072 19965 1523
5|neuro|K|Cerebral Palsy|2547|Cerebral Palsy|9422 1925 1927 2493
8|msk||Knee Osteoarthritis;Osteoarthritis, Knee|20370|Osteoarthritis, Knee|10003 1168 7592 9140 12216
5|psych|K|Autism Spectrum Disorder|67877|Autism Spectrum Disorder|2659 65886 1523
8|neuro||Alzheimer Disease;Alzheimer's Disease|544|Alzheimer Disease|3704 1927 2493 9422 24801 19636 19965 1523
5|onc|R|Chronic Lymphocytic Leukemia;CLL|15451|Leukemia, Lymphocytic, Chronic, B-Cell|7945 7938 9370 9369 8232 8206 7160 7154 15448 2908 20969 10335
6|onc|R|Multiple Myeloma;Relapsed Refractory Multiple Myeloma|9101|Multiple Myeloma|54219 9370 9369 20141 14652 2318 10265 1796 6402 6474 8232 7160 7154
9|onc||Colorectal Cancer;Metastatic Colorectal Cancer|15179|Colorectal Neoplasms|7414 5770 4067 9371 9369 4066 5767 3108 7410 12002
5|onc||Head and Neck Cancer|6258|Head and Neck Neoplasms|9371 9369
4|onc||Squamous Cell Carcinoma|2294|Carcinoma, Squamous Cell|2277 9375 9370 9369 18307
4|neuro||Traumatic Brain Injury;Brain Injuries|1930|Brain Injuries|1927 2493 9422 6259 20196 14947
4|onc|R|Small Cell Lung Cancer|55752|Small Cell Lung Carcinoma|2283 1984 8175 12142 13899 9371 9369 8171 12140
5|general||Critical Illness;Critically Ill Patients|16638|Critical Illness|20969 10335
4|uro||Overactive Bladder|53201|Urinary Bladder, Overactive|1745 14570 52776 5261 91642 52801 59411 20924
7|cardio||Atrial Fibrillation|1281|Atrial Fibrillation|1145 6331 2318 10335
5|renal||Acute Kidney Injury|58186|Acute Kidney Injury|51437 7674 14570 52776 5261 91642 52801
6|msk|F|Osteoporosis;Postmenopausal Osteoporosis|10024|Osteoporosis|1851 1847 9140 8659
4|pain||Neck Pain|19547|Neck Pain|10146 9461
6|onc|R|Pancreatic Cancer;Pancreatic Ductal Adenocarcinoma|10190|Pancreatic Neoplasms|4067 9371 9369 4701 4066 10182 4700
7|infect||HIV Infections;HIV|15658|HIV Infections|86982 3141 7239 15229 12749 16180 12192 12327 14777 91662 91642 7153 7154
4|neuro||Diabetic Peripheral Neuropathy;Diabetic Neuropathy|3929|Diabetic Neuropathies|10523 9468 9422 48909 3920 4700
4|onc||Bladder Cancer;Urothelial Carcinoma|1749|Urinary Bladder Neoplasms|14571 14565 9371 9369 52776 5261 91642 1745 14570 52801
4|uro|F|Stress Urinary Incontinence|14550|Urinary Incontinence, Stress|14549 14555 14570 52776 5261 91642 52801 59411 20924
5|onc||Gastric Cancer|13274|Stomach Neoplasms|5770 4067 9371 9369 4066 5767 13272
5|onc|F|Ovarian Cancer|10051|Ovarian Neoplasms|4701 9371 9369 10049 291 5831 52776 5261 91642 5833 14565 91662 4700 6058
5|renal||End Stage Renal Disease;Kidney Failure, Chronic|7676|Kidney Failure, Chronic|7674 14570 52776 5261 91642 52801 51436 51437 2908 20969 10335
3|ent||Tinnitus|14012|Tinnitus|6311 4427 10038 12678 9461 9422
4|msk||Hip Osteoarthritis|15207|Osteoarthritis, Hip|10003 1168 7592 9140 12216
5|onc||Melanoma;Metastatic Melanoma|8545|Melanoma|18358 17599 9373 9370 9369 9380 18326 12878 9371 12871
4|obgyn|F|Preeclampsia;Pre-Eclampsia|11225|Pre-Eclampsia|46110 11248 5261 91642
3|neuro|R|Huntington Disease|6816|Huntington Disease|1480 1927 2493 9422 3704 2819 20820 9069 20271 19636 30342 3072 19965 1523
3|infect||Long COVID;Post-COVID-19 Condition|94024|Post-Acute COVID-19 Syndrome|86382 11024 11014 12141 7239 14777 18352 3333 30341 12327 8171 12140 94025 2908 20969 10335
3|heme|KR|Sickle Cell Disease;Sickle Cell Anemia|755|Anemia, Sickle Cell|745 743 740 6402 6453 30342
4|psych|K|ADHD;Attention Deficit Hyperactivity Disorder|1289|Attention Deficit Disorder with Hyperactivity|19958 65886 1523
3|eye||Cataract|2386|Cataract|7905 5128
3|renal||Kidney Stones;Nephrolithiasis|7669|Kidney Calculi|53040 7674 14570 52776 5261 91642 52878 14545 52801 2137 20763
3|heme|R|Hemophilia A|6467|Hemophilia A|25861 1778 6402 20147 6474 30342
2|infect|K|RSV Infection;Respiratory Syncytial Virus Infections|18357|Respiratory Syncytial Virus Infections|14777 7239 18186 18184 18701 12327
2|infect||Malaria|8288|Malaria|11528 10272 7239 96724 79426
3|psych||Bipolar Disorder|1714|Bipolar Disorder|68105 19964 1523
3|eye||Glaucoma;Open-Angle Glaucoma|5901|Glaucoma|9798 5128
4|cardio||Angina Pectoris;Stable Angina|787|Angina Pectoris|17202 6331 2318 14652 2637 10146 9461
3|dental||Periodontitis;Chronic Periodontitis|10518|Periodontitis|10510 9059 9057
4|immune|R|Systemic Lupus Erythematosus;SLE|8180|Lupus Erythematosus, Systemic|1327 7154 3240
4|renal|R|Lupus Nephritis|8181|Lupus Nephritis|5921 9393 7674 14570 52776 5261 91642 52801 8180 3240 1327 7154
6|immune||Rheumatoid Arthritis|1172|Arthritis, Rheumatoid|1168 7592 9140 12216 3240 1327 7154
6|neuro||Multiple Sclerosis;Relapsing Multiple Sclerosis|9103|Multiple Sclerosis|20278 20274 9422 1327 7154
4|gi||Crohn Disease;Crohn's Disease|3424|Crohn Disease|15212 5759 5767 4066 7410
4|gi||Ulcerative Colitis|3093|Colitis, Ulcerative|3092 3108 7410 5767 4066 15212 5759
3|infect||Hepatitis C;Chronic Hepatitis C|6526|Hepatitis C|6525 14777 7239 8107 4066 12327
3|infect||Hepatitis B;Chronic Hepatitis B|6509|Hepatitis B|6525 14777 7239 6516 4266 8107 4066
6|resp||COPD;Chronic Obstructive Pulmonary Disease|29424|Pulmonary Disease, Chronic Obstructive|8173 8171 12140 2908 20969 10335
5|derm|K|Atopic Dermatitis;Eczema|3876|Dermatitis, Atopic|3872 12871 17443 12873 30342 6969 6967 7154
5|neuro|K|Epilepsy;Drug Resistant Epilepsy|4827|Epilepsy|1927 2493 9422
3|onc|R|Glioblastoma;Glioblastoma Multiforme|5909|Glioblastoma|1254 5910 18302 17599 9373 9370 9369 9375 9380
5|cardio||Myocardial Infarction;Acute Myocardial Infarction|9203|Myocardial Infarction|17202 6331 2318 14652 7238 7511 10335 9336
3|infect||Influenza|7251|Influenza, Human|9976 12327 14777 7239 12141 12140
3|infect||Tuberculosis;Pulmonary Tuberculosis|14376|Tuberculosis|9164 193 16908 1424 1423 7239
4|infect||Sepsis;Septic Shock|18805|Sepsis|7239 18746 7249 10335
5|renal||Chronic Kidney Disease;CKD|51436|Renal Insufficiency, Chronic|51437 7674 14570 52776 5261 91642 52801 2908 20969 10335
4|gi||NAFLD;Nonalcoholic Fatty Liver Disease;MASLD|65626|Non-alcoholic Fatty Liver Disease|5234 8107 4066
3|gi||Liver Cirrhosis;Cirrhosis|8103|Liver Cirrhosis|5355 10335 8107 4066
4|cardio||Hypercholesterolemia|6937|Hypercholesterolemia|6949 50171 52439 8659
3|onc||Thyroid Cancer|13964|Thyroid Neoplasms|4701 9371 9369 6258 13959 4700
4|onc||Hepatocellular Carcinoma;HCC|6528|Carcinoma, Hepatocellular|230 2277 9375 9370 9369 8113 4067 9371 8107 4066
2|resp|KR|Cystic Fibrosis|3550|Cystic Fibrosis|10182 4066 8171 12140 30342 7232
3|eye||Age-related Macular Degeneration;Neovascular AMD|8268|Macular Degeneration|12162 12164 5128
4|derm||Psoriasis;Plaque Psoriasis|11565|Psoriasis|17444 12871
3|pain|F|Fibromyalgia|5356|Fibromyalgia|9209 9135 9140 12216 9422 9468
3|obgyn|F|Endometriosis|4715|Endometriosis|5831 52776 5261 91642 91662
3|obgyn|F|Polycystic Ovary Syndrome;PCOS|11085|Polycystic Ovary Syndrome|10048 3560 9369 10049 291 5831 52776 5261 91642 6058 4700 91662
3|obgyn|F|Gestational Diabetes|16640|Diabetes, Gestational|3920 44882 8659 4700 11248 5261 91642
3|psych||Alcohol Use Disorder;Alcoholism|437|Alcoholism|19973 19966 64419 1523
4|resp||Obstructive Sleep Apnea;OSA|20181|Sleep Apnea, Obstructive|12891 1049 12120 12140 20919 20920 12893 9422 1523
4|neuro||Dementia|3704|Dementia|1927 2493 9422 19965 1523
2|neuro|R|Amyotrophic Lateral Sclerosis;ALS|690|Amyotrophic Lateral Sclerosis|16472 19636 9422 13118 2493 9468
4|onc||Non-Hodgkin Lymphoma;Diffuse Large B-cell Lymphoma|8228|Lymphoma, Non-Hodgkin|8223 9370 9369 8232 8206 7160 7154
2|onc|KR|Hodgkin Lymphoma|6689|Hodgkin Disease|8223 9370 9369 8232 8206 7160 7154
3|onc||Rectal Cancer|12004|Rectal Neoplasms|15179 7414 5770 4067 9371 9369 4066 5767 7410 12002
3|onc|R|Esophageal Cancer|4938|Esophageal Neoplasms|5770 4067 9371 9369 4066 4935 5767 6258
3|onc|F|Cervical Cancer|2583|Uterine Cervical Neoplasms|14594 5833 14565 9371 9369 14591 5831 52776 5261 91642 2577 91662
3|onc|R|Soft Tissue Sarcoma;Sarcoma|12509|Sarcoma|18204 9370 9369
2|cardio||Deep Vein Thrombosis|20246|Venous Thrombosis|13927 16769 14652 2318
3|cardio||Pulmonary Embolism|11655|Pulmonary Embolism|4617 16769 14652 2318 8171 12140
3|cardio||Peripheral Arterial Disease|58729|Peripheral Arterial Disease|50197 1161 1157 14652 2318 16491
2|cardio|R|Pulmonary Arterial Hypertension|6976|Hypertension, Pulmonary|6973 14652 2318 8171 12140
3|gi||Irritable Bowel Syndrome;IBS|43183|Irritable Bowel Syndrome|3109 3108 7410 5767 4066
3|gi||Gastroesophageal Reflux Disease;GERD|5764|Gastroesophageal Reflux|15154 3680 4935 5767 4066
2|gi|K|Celiac Disease|2446|Celiac Disease|8286 7410 5767 4066 8659 1327 7154
2|gi||Acute Pancreatitis;Pancreatitis|10195|Pancreatitis|10182 4066
3|pain||Neuropathic Pain;Neuralgia|9437|Neuralgia|10523 9468 9422 10146 9461
2|msk||Carpal Tunnel Syndrome|2349|Carpal Tunnel Syndrome|20423 20422 10523 9468 9422 9408 12090 13180 14947 9784
3|msk||Rotator Cuff Tear;Rotator Cuff Injuries|70636|Rotator Cuff Injuries|13708 70599 14947 12421
3|msk||Hip Fracture|6620|Hip Fractures|5264 50723 14947 25981 7869
2|msk|K|Adolescent Idiopathic Scoliosis;Scoliosis|12600|Scoliosis|13121 13122 1847 9140
3|general||Sarcopenia|55948|Sarcopenia|9133 20879 9461 9422 1284 20763
2|general||Frailty|73496|Frailty|10335
4|infect||Pneumonia;Community-acquired Pneumonia|11014|Pneumonia|8171 12140 12141 7239
3|infect|F|Urinary Tract Infection;Recurrent Urinary Tract Infection|14552|Urinary Tract Infections|7239 14570 52776 5261 91642 52801
2|derm||Acne Vulgaris;Acne|152|Acne Vulgaris|17486 12871 12625
2|derm||Vitiligo|14820|Vitiligo|17496 10859 12871
2|derm|R|Hidradenitis Suppurativa|17497|Hidradenitis Suppurativa|13543 12871 17192 12874 1424 1423 7239 13492
2|derm||Chronic Spontaneous Urticaria;Urticaria|14581|Urticaria|17445 12871 6969 6967 7154
2|resp||Allergic Rhinitis|65631|Rhinitis, Allergic|12220 9668 12140 10038 12130 6969 6967 7154
2|immune|K|Peanut Allergy;Food Allergy|5512|Food Hypersensitivity|6969 6967 7154
2|psych|F|Anorexia Nervosa|856|Anorexia Nervosa|1068 1523
2|psych||Obsessive-Compulsive Disorder;OCD|9771|Obsessive-Compulsive Disorder|1008 1523
3|eye||Dry Eye Disease;Dry Eye|15352|Dry Eye Syndromes|7766 5128
3|eye||Diabetic Retinopathy;Diabetic Macular Edema|3930|Diabetic Retinopathy|12164 5128 3925 14652 2318 48909 3920 4700
2|ent||Hearing Loss;Sensorineural Hearing Loss|34381|Hearing Loss|6311 4427 10038 12678 9461 9422
2|heme|KR|Beta-Thalassemia|13789|Thalassemia|745 743 740 6402 6453 30342
3|heme|F|Iron Deficiency Anemia|18798|Anemia, Iron-Deficiency|740 740 6402 19189 8659
3|metab||Vitamin D Deficiency|14808|Vitamin D Deficiency|1361 3677 44342 9748
3|metab|K|Malnutrition|44342|Malnutrition|9748
2|msk||Gout|6073|Gout|1168 7592 9140 12216 8659
2|immune|F|Sjogren's Syndrome|12859|Sjogren's Syndrome|14987 12466 9059 9057 15352 7766 5128 1172 1168 7592 9140 12216 3240 1327 7154
2|immune|R|Ankylosing Spondylitis;Axial Spondyloarthritis|13167|Spondylitis, Ankylosing|25242 13166 13122 1847 9140 844 7592 12216
2|metab|F|Hypothyroidism|7037|Hypothyroidism|13959 4700
2|neuro|R|Myasthenia Gravis;Generalized Myasthenia Gravis|9157|Myasthenia Gravis|20511 9468 9422 1327 7154
2|neuro|KMR|Duchenne Muscular Dystrophy|20388|Muscular Dystrophy, Duchenne|9136 20966 9135 9140 9468 9422 40181 30342
2|neuro|KR|Spinal Muscular Atrophy|9134|Muscular Atrophy, Spinal|13118 2493 9422 16472 19636 9468 30342
3|neuro||Delirium;Postoperative Delirium|3693|Delirium|3221 19954 9461 9422 19965 1523
3|general||Postoperative Nausea and Vomiting;PONV|20250|Postoperative Nausea and Vomiting|11183 10335 12817
2|gi||Chronic Constipation;Constipation|3248|Constipation|12817
3|metab||Insulin Resistance|7333|Insulin Resistance|6946 44882 8659
3|metab||Prediabetes;Pre-diabetes|11236|Prediabetic State|3920 44882 8659 4700
3|onc||Oral Mucositis|52016|Mucositis|5759 5767 4066 13280 9059 9057
2|dental||Dental Caries|3731|Dental Caries|17001 14076 9057
2|dental||Edentulous Mouth;Tooth Loss|9066|Mouth, Edentulous|9059 9057 14076
5|uro|M|Benign Prostatic Hyperplasia;BPH|11470|Prostatic Hyperplasia|11469 5832 91662 91642 52801 6965 10335
4|uro||Urinary Incontinence|14549|Urinary Incontinence|14555 14570 52776 5261 91642 52801 59411 20924
3|uro|M|Premature Ejaculation|61686|Premature Ejaculation|12735 20018 1523 5832 91662 91642 52801
3|uro|M|Hypogonadism;Male Hypogonadism|7006|Hypogonadism|6058 4700
3|uro||Lower Urinary Tract Symptoms;LUTS|59411|Lower Urinary Tract Symptoms|20924
2|obgyn|F|Infertility;Female Infertility|7246|Infertility|91662 91642
3|cardio||Cardiovascular Diseases|2318|Cardiovascular Diseases|
2|cardio||Aortic Stenosis;Aortic Valve Stenosis|1024|Aortic Valve Stenosis|6349 6331 2318 14694
2|onc||Solid Tumor;Advanced Solid Tumors|9369|Neoplasms|
2|onc||Kidney Cancer;Renal Cell Carcinoma|2292|Carcinoma, Renal Cell|230 2277 9375 9370 9369 7680 14571 14565 9371 7674 14570 52776 5261 91642 52801
2|onc|F|Endometrial Cancer|16889|Endometrial Neoplasms|14594 5833 14565 9371 9369 14591 5831 52776 5261 91642 91662
3|pain||Knee Pain;Chronic Knee Pain|18771|Arthralgia|7592 9140 10146 9461
3|general||Wounds and Injuries;Trauma|14947|Wounds and Injuries|
"""

# MeSH id | term, for every ancestor referenced above.
MESH_ANCESTORS = """
193|Actinomycetales Infections
230|Adenocarcinoma
291|Adnexal Diseases
740|Anemia
740|Anemia, Hypochromic
743|Anemia, Hemolytic
745|Anemia, Hemolytic, Congenital
844|Ankylosis
1008|Anxiety Disorders
1049|Apnea
1068|Feeding and Eating Disorders
1145|Arrhythmias, Cardiac
1157|Arterial Occlusive Diseases
1161|Arteriosclerosis
1168|Arthritis
1172|Arthritis, Rheumatoid
1254|Astrocytoma
1284|Atrophy
1327|Autoimmune Diseases
1361|Avitaminosis
1416|Back Pain
1423|Bacterial Infections and Mycoses
1424|Bacterial Infections
1480|Basal Ganglia Diseases
1523|Mental Disorders
1526|Behavioral Symptoms
1745|Urinary Bladder Diseases
1778|Blood Coagulation Disorders
1796|Blood Protein Disorders
1835|Body Weight
1847|Bone Diseases
1851|Bone Diseases, Metabolic
1925|Brain Damage, Chronic
1927|Brain Diseases
1941|Breast Diseases
1982|Bronchial Diseases
1984|Bronchial Neoplasms
2137|Calculi
2277|Carcinoma
2283|Carcinoma, Bronchogenic
2318|Cardiovascular Diseases
2493|Central Nervous System Diseases
2561|Cerebrovascular Disorders
2577|Uterine Cervical Diseases
2637|Chest Pain
2659|Child Development Disorders, Pervasive
2819|Chorea
2908|Chronic Disease
3072|Cognition Disorders
3092|Colitis
3108|Colonic Diseases
3109|Colonic Diseases, Functional
3141|Communicable Diseases
3221|Confusion
3240|Connective Tissue Diseases
3327|Coronary Disease
3333|Coronaviridae Infections
3560|Cysts
3677|Deficiency Diseases
3680|Deglutition Disorders
3704|Dementia
3872|Dermatitis
3920|Diabetes Mellitus
3925|Diabetic Angiopathies
4066|Digestive System Diseases
4067|Digestive System Neoplasms
4266|DNA Virus Infections
4427|Ear Diseases
4617|Embolism
4700|Endocrine System Diseases
4701|Endocrine Gland Neoplasms
4935|Esophageal Diseases
5128|Eye Diseases
5234|Fatty Liver
5261|Female Urogenital Diseases and Pregnancy Complications
5264|Femoral Fractures
5355|Fibrosis
5759|Gastroenteritis
5767|Gastrointestinal Diseases
5770|Gastrointestinal Neoplasms
5831|Genital Diseases, Female
5832|Genital Diseases, Male
5833|Genital Neoplasms, Female
5834|Genital Neoplasms, Male
5910|Glioma
5921|Glomerulonephritis
6058|Gonadal Disorders
6258|Head and Neck Neoplasms
6259|Craniocerebral Trauma
6311|Hearing Disorders
6331|Heart Diseases
6349|Heart Valve Diseases
6402|Hematologic Diseases
6453|Hemoglobinopathies
6474|Hemorrhagic Disorders
6516|Hepadnaviridae Infections
6525|Hepatitis, Viral, Human
6547|Hernia
6946|Hyperinsulinism
6949|Hyperlipidemias
6965|Hyperplasia
6967|Hypersensitivity
6969|Hypersensitivity, Immediate
6973|Hypertension
7153|Immunologic Deficiency Syndromes
7154|Immune System Diseases
7160|Immunoproliferative Disorders
7232|Infant, Newborn, Diseases
7238|Infarction
7239|Infections
7249|Inflammation
7410|Intestinal Diseases
7414|Intestinal Neoplasms
7511|Ischemia
7592|Joint Diseases
7674|Kidney Diseases
7680|Kidney Neoplasms
7744|Obstetric Labor Complications
7752|Obstetric Labor, Premature
7766|Lacrimal Apparatus Diseases
7869|Leg Injuries
7905|Lens Diseases
7938|Leukemia
7945|Leukemia, Lymphoid
7951|Leukemia, Myeloid
8107|Liver Diseases
8113|Liver Neoplasms
8171|Lung Diseases
8173|Lung Diseases, Obstructive
8175|Lung Neoplasms
8180|Lupus Erythematosus, Systemic
8206|Lymphatic Diseases
8223|Lymphoma
8232|Lymphoproliferative Disorders
8286|Malabsorption Syndromes
8659|Metabolic Diseases
9057|Stomatognathic Diseases
9059|Mouth Diseases
9069|Movement Disorders
9133|Muscular Atrophy
9135|Muscular Diseases
9136|Muscular Dystrophies
9140|Musculoskeletal Diseases
9164|Mycobacterium Infections
9209|Myofascial Pain Syndromes
9336|Necrosis
9369|Neoplasms
9370|Neoplasms by Histologic Type
9371|Neoplasms by Site
9373|Neoplasms, Germ Cell and Embryonal
9375|Neoplasms, Glandular and Epithelial
9380|Neoplasms, Nerve Tissue
9393|Nephritis
9408|Nerve Compression Syndromes
9422|Nervous System Diseases
9461|Neurologic Manifestations
9468|Neuromuscular Diseases
9668|Nose Diseases
9748|Nutrition Disorders
9784|Occupational Diseases
9798|Ocular Hypertension
9976|Orthomyxoviridae Infections
10003|Osteoarthritis
10038|Otorhinolaryngologic Diseases
10048|Ovarian Cysts
10049|Ovarian Diseases
10146|Pain
10182|Pancreatic Diseases
10265|Paraproteinemias
10272|Parasitic Diseases
10335|Pathologic Processes
10510|Periodontal Diseases
10523|Peripheral Nervous System Diseases
10859|Pigmentation Disorders
11014|Pneumonia
11024|Pneumonia, Viral
11183|Postoperative Complications
11248|Pregnancy Complications
11469|Prostatic Diseases
11528|Protozoan Infections
12002|Rectal Diseases
12090|Cumulative Trauma Disorders
12120|Respiration Disorders
12130|Respiratory Hypersensitivity
12140|Respiratory Tract Diseases
12141|Respiratory Tract Infections
12142|Respiratory Tract Neoplasms
12162|Retinal Degeneration
12164|Retinal Diseases
12192|Retroviridae Infections
12216|Rheumatic Diseases
12220|Rhinitis
12327|RNA Virus Infections
12421|Rupture
12466|Salivary Gland Diseases
12625|Sebaceous Gland Diseases
12678|Sensation Disorders
12735|Sexual Dysfunction, Physiological
12749|Sexually Transmitted Diseases
12817|Signs and Symptoms, Digestive
12871|Skin Diseases
12873|Skin Diseases, Genetic
12874|Skin Diseases, Infectious
12878|Skin Neoplasms
12891|Sleep Apnea Syndromes
12893|Sleep Wake Disorders
13118|Spinal Cord Diseases
13121|Spinal Curvatures
13122|Spinal Diseases
13166|Spondylitis
13180|Sprains and Strains
13272|Stomach Diseases
13280|Stomatitis
13492|Suppuration
13543|Sweat Gland Diseases
13708|Tendon Injuries
13899|Thoracic Neoplasms
13927|Thrombosis
13959|Thyroid Diseases
14076|Tooth Diseases
14545|Urinary Calculi
14549|Urinary Incontinence
14555|Urination Disorders
14565|Urogenital Neoplasms
14570|Urologic Diseases
14571|Urologic Neoplasms
14591|Uterine Diseases
14594|Uterine Neoplasms
14652|Vascular Diseases
14694|Ventricular Outflow Obstruction
14777|Virus Diseases
14947|Wounds and Injuries
14987|Xerostomia
15154|Esophageal Motility Disorders
15179|Colorectal Neoplasms
15212|Inflammatory Bowel Diseases
15229|Sexually Transmitted Diseases, Viral
15352|Dry Eye Syndromes
15448|Leukemia, B-Cell
16180|Lentivirus Infections
16472|Motor Neuron Disease
16491|Peripheral Vascular Diseases
16769|Embolism and Thrombosis
16908|Gram-Positive Bacterial Infections
17001|Tooth Demineralization
17192|Skin Diseases, Bacterial
17202|Myocardial Ischemia
17443|Skin Diseases, Eczematous
17444|Skin Diseases, Papulosquamous
17445|Skin Diseases, Vascular
17486|Acneiform Eruptions
17496|Hypopigmentation
17599|Neuroectodermal Tumors
18184|Paramyxoviridae Infections
18186|Pneumovirus Infections
18204|Neoplasms, Connective and Soft Tissue
18302|Neoplasms, Neuroepithelial
18307|Neoplasms, Squamous Cell
18326|Nevi and Melanomas
18352|Coronavirus Infections
18358|Neuroendocrine Tumors
18701|Mononegavirales Infections
18746|Systemic Inflammatory Response Syndrome
19189|Iron Metabolism Disorders
19636|Neurodegenerative Diseases
19954|Neurobehavioral Manifestations
19958|Attention Deficit and Disruptive Behavior Disorders
19964|Mood Disorders
19965|Neurocognitive Disorders
19966|Substance-Related Disorders
19967|Schizophrenia Spectrum and Other Psychotic Disorders
19973|Alcohol-Related Disorders
20018|Sexual Dysfunctions, Psychological
20141|Hemostatic Disorders
20147|Coagulation Protein Disorders
20196|Trauma, Nervous System
20271|Heredodegenerative Disorders, Nervous System
20274|Autoimmune Diseases of the Nervous System
20278|Demyelinating Autoimmune Diseases, CNS
20422|Mononeuropathies
20423|Median Neuropathy
20511|Neuromuscular Junction Diseases
20734|Parkinsonian Disorders
20763|Pathological Conditions, Anatomical
20773|Headache Disorders
20820|Dyskinesias
20879|Neuromuscular Manifestations
20919|Sleep Disorders, Intrinsic
20920|Dyssomnias
20924|Urological Manifestations
20966|Muscular Disorders, Atrophic
20969|Disease Attributes
24801|Tauopathies
25242|Spondylarthropathies
25861|Blood Coagulation Disorders, Inherited
25981|Hip Injuries
30341|Nidovirales Infections
30342|Genetic Diseases, Inborn
40181|Genetic Diseases, X-Linked
40921|Stress Disorders, Traumatic
44342|Malnutrition
44343|Overnutrition
44882|Glucose Metabolism Disorders
46110|Hypertension, Pregnancy-Induced
48909|Diabetes Complications
50171|Dyslipidemias
50177|Overweight
50197|Atherosclerosis
50723|Fractures, Bone
51270|Headache Disorders, Primary
51303|Trigeminal Autonomic Cephalalgias
51436|Renal Insufficiency, Chronic
51437|Renal Insufficiency
52439|Lipid Metabolism Disorders
52776|Female Urogenital Diseases
52801|Male Urogenital Diseases
52878|Urolithiasis
53040|Nephrolithiasis
54219|Neoplasms, Plasma Cell
59411|Lower Urinary Tract Symptoms
64419|Chemically-Induced Disorders
65886|Neurodevelopmental Disorders
68099|Trauma and Stressor Related Disorders
68105|Bipolar and Related Disorders
70599|Shoulder Injuries
79426|Vector Borne Diseases
79524|Narcotic-Related Disorders
80874|Synucleinopathies
86382|COVID-19
86982|Blood-Borne Infections
91642|Urogenital Diseases
91662|Genital Diseases
94025|Post-Infectious Disorders
96724|Mosquito-Borne Diseases
"""

# Conditions with no MeSH match (their studies get no conditionBrowseModule terms).
UNMAPPED_CONDITIONS = [
    "Healthy",
    "Healthy Volunteers",
    "Anesthesia",
    "Surgery",
    "Quality of Life",
    "Physical Activity",
    "Aging",
    "Pregnancy",
    "Nutrition",
    "Stress",
    "Rehabilitation",
    "Bioequivalence",
    "Pharmacokinetics",
    "Digital Health",
    "Vaccination",
    "Cesarean Section",
    "Total Knee Arthroplasty",
    "Cardiac Surgery",
    "Colonoscopy",
    "Intubation",
    "Hand Hygiene",
    "Caregiver Burden",
    "Medication Adherence",
    "Breastfeeding",
    "Sedentary Behavior",
    "Mindfulness",
    "Telemedicine",
    "Dental Implant",
    "Orthodontic Treatment",
    "Laparoscopic Surgery",
    "Spinal Anesthesia",
    "Nerve Block",
    "Blood Pressure",
    "Gut Microbiome",
    "Sleep Quality",
    "Cognitive Function",
    "Muscle Strength",
    "Body Composition",
    "Radical Prostatectomy",
    "Spine Surgery",
]

# Top MeSH tree terms -> browse branch (abbrev, name).
BRANCHES = {
    "Infections": ("BC01", "Infections"),
    "Virus Diseases": ("BC01", "Infections"),
    "Bacterial Infections and Mycoses": ("BC01", "Infections"),
    "Neoplasms": ("BC04", "Neoplasms"),
    "Musculoskeletal Diseases": ("BC05", "Musculoskeletal Diseases"),
    "Digestive System Diseases": ("BC06", "Digestive System Diseases"),
    "Stomatognathic Diseases": ("BC07", "Mouth and Tooth Diseases"),
    "Respiratory Tract Diseases": ("BC08", "Respiratory Tract (Lung and Bronchial) Diseases"),
    "Otorhinolaryngologic Diseases": ("BC09", "Ear, Nose, and Throat Diseases"),
    "Nervous System Diseases": ("BC10", "Nervous System Diseases"),
    "Eye Diseases": ("BC11", "Eye Diseases"),
    "Cardiovascular Diseases": ("BC14", "Heart and Blood Diseases"),
    "Hematologic Diseases": ("BC15", "Blood and Lymph Conditions"),
    "Lymphatic Diseases": ("BC15", "Blood and Lymph Conditions"),
    "Genetic Diseases, Inborn": ("BC16", "Diseases and Abnormalities at or Before Birth"),
    "Infant, Newborn, Diseases": ("BC16", "Diseases and Abnormalities at or Before Birth"),
    "Skin Diseases": ("BC17", "Skin and Connective Tissue Diseases"),
    "Connective Tissue Diseases": ("BC17", "Skin and Connective Tissue Diseases"),
    "Metabolic Diseases": ("BC18", "Nutritional and Metabolic Diseases"),
    "Nutrition Disorders": ("BC18", "Nutritional and Metabolic Diseases"),
    "Endocrine System Diseases": ("BC19", "Gland and Hormone Related Diseases"),
    "Immune System Diseases": ("BC20", "Immune System Diseases"),
    "Pathologic Processes": ("BC23", "Symptoms and General Pathology"),
    "Pathological Conditions, Anatomical": ("BC23", "Symptoms and General Pathology"),
    "Neurologic Manifestations": ("BC23", "Symptoms and General Pathology"),
    "Signs and Symptoms, Digestive": ("BC23", "Symptoms and General Pathology"),
    "Body Weight": ("BC23", "Symptoms and General Pathology"),
    "Occupational Diseases": ("BC24", "Occupational Diseases"),
    "Chemically-Induced Disorders": ("BC25", "Substance Related Disorders"),
    "Wounds and Injuries": ("BC26", "Wounds and Injuries"),
    "Urogenital Diseases": ("BXS", "Urinary Tract, Sexual Organs, and Pregnancy Conditions"),
    "Mental Disorders": ("BXM", "Behaviors and Mental Disorders"),
    "Behavioral Symptoms": ("BXM", "Behaviors and Mental Disorders"),
}

# ---------------------------------------------------------------------------
# Vocabulary: interventions
# ---------------------------------------------------------------------------

DRUGS = {
    "onc": "Pembrolizumab, Nivolumab, Atezolizumab, Durvalumab, Carboplatin, Cisplatin, "
    "Paclitaxel, Docetaxel, Gemcitabine, Capecitabine, Oxaliplatin, Bevacizumab, "
    "Trastuzumab, Olaparib, Osimertinib, Venetoclax, Ibrutinib, Lenalidomide, "
    "Daratumumab, Azacitidine, Cytarabine, Enzalutamide, Abiraterone, Blinatumomab, "
    "Pemetrexed, Irinotecan, Cabozantinib, Sotorasib",
    "cardio": "Apixaban, Rivaroxaban, Atorvastatin, Rosuvastatin, Sacubitril/Valsartan, "
    "Empagliflozin, Dapagliflozin, Metoprolol, Amlodipine, Colchicine, Ticagrelor, "
    "Clopidogrel, Evolocumab, Inclisiran, Spironolactone, Bisoprolol, Candesartan, "
    "Aspirin, Ezetimibe",
    "metab": "Metformin, Semaglutide, Tirzepatide, Liraglutide, Insulin Glargine, Sitagliptin, "
    "Pioglitazone, Dulaglutide, Empagliflozin, Cholecalciferol, Orlistat, "
    "Insulin Aspart",
    "neuro": "Erenumab, Galcanezumab, Fremanezumab, Sumatriptan, Levetiracetam, Gabapentin, "
    "Pregabalin, Ocrelizumab, Levodopa, Botulinum Toxin Type A, Lecanemab, Donepezil, "
    "Memantine, Oxygen, Verapamil, Lamotrigine, Natalizumab, Nusinersen",
    "psych": "Sertraline, Escitalopram, Ketamine, Esketamine, Aripiprazole, Quetiapine, "
    "Lithium, Buprenorphine, Naltrexone, Psilocybin, Varenicline, Methylphenidate, "
    "Zolpidem, Brexpiprazole, Vortioxetine, Melatonin, Bupropion",
    "uro": "Tadalafil, Sildenafil, Vardenafil, Avanafil, Mirabegron, Solifenacin, Tamsulosin, "
    "Dapoxetine, Testosterone Undecanoate, Alprostadil, Finasteride, Dutasteride",
    "msk": "Ibuprofen, Celecoxib, Naproxen, Dexamethasone, Methylprednisolone, "
    "Tranexamic Acid, Hyaluronic Acid, Platelet-Rich Plasma, Denosumab, "
    "Zoledronic Acid, Teriparatide, Triamcinolone, Diclofenac, Etoricoxib",
    "pain": "Bupivacaine, Ropivacaine, Lidocaine, Ketorolac, Acetaminophen, Morphine, "
    "Fentanyl, Dexmedetomidine, Pregabalin, Duloxetine, Tapentadol, Capsaicin, "
    "Liposomal Bupivacaine",
    "infect": "Remdesivir, Nirmatrelvir/Ritonavir, Oseltamivir, Dolutegravir, Bictegravir, "
    "Ceftriaxone, Azithromycin, Doxycycline, Vancomycin, Rifampicin, Nitazoxanide, "
    "Sofosbuvir/Velpatasvir, Tenofovir Alafenamide, Artemether-Lumefantrine, "
    "Cefazolin",
    "resp": "Budesonide, Formoterol, Tiotropium, Dupilumab, Mepolizumab, Benralizumab, "
    "Fluticasone, Salbutamol, Tezepelumab, Azithromycin, Ivacaftor, Montelukast, "
    "Roflumilast",
    "immune": "Adalimumab, Ustekinumab, Secukinumab, Upadacitinib, Tofacitinib, Methotrexate, "
    "Hydroxychloroquine, Belimumab, Voclosporin, Mycophenolate Mofetil, Rituximab, "
    "Anifrolumab, Baricitinib, Efgartigimod, Omalizumab",
    "gi": "Vedolizumab, Infliximab, Pantoprazole, Omeprazole, Ondansetron, Linaclotide, "
    "Rifaximin, Obeticholic Acid, Resmetirom, Mesalamine, Prucalopride, "
    "Polyethylene Glycol",
    "renal": "Finerenone, Dapagliflozin, Voclosporin, Roxadustat, Patiromer, Tacrolimus, "
    "Sodium Bicarbonate, Cinacalcet, Ferric Citrate",
    "derm": "Dupilumab, Tralokinumab, Abrocitinib, Ruxolitinib Cream, Apremilast, "
    "Isotretinoin, Bimekizumab, Secukinumab, Crisaborole, Tacrolimus Ointment",
    "eye": "Aflibercept, Ranibizumab, Faricimab, Latanoprost, Timolol, "
    "Cyclosporine Ophthalmic, Atropine, Lifitegrast, Bevacizumab",
    "heme": "Emicizumab, Ferric Carboxymaltose, Hydroxyurea, Luspatercept, Crizanlizumab, "
    "Voxelotor, Iron Sucrose, Eltrombopag",
    "obgyn": "Progesterone, Letrozole, Aspirin, Oxytocin, Misoprostol, Dienogest, Relugolix, "
    "Myo-inositol, Magnesium Sulfate, Clomiphene Citrate, Elagolix",
    "dental": "Chlorhexidine, Fluoride Varnish, Articaine, Ibuprofen, Amoxicillin, "
    "Silver Diamine Fluoride",
    "ent": "Betahistine, Dexamethasone Intratympanic, Prednisolone, Gentamicin, Mometasone",
    "general": "Dexmedetomidine, Propofol, Sevoflurane, Vitamin D3, Omega-3 Fatty Acids, "
    "Ondansetron, Dexamethasone, Ketamine, Tranexamic Acid, Melatonin, Midazolam, "
    "Probiotic",
}

NON_DRUG_INTERVENTIONS = {
    "DEVICE": [
        "{brand} Neurostimulation System",
        "{brand} Wearable Sensor",
        "{brand} Smartphone Application",
        "{brand} Continuous Glucose Monitor",
        "{brand} Vacuum Erection Device",
        "{brand} Shockwave Therapy System",
        "{brand} Spinal Cord Stimulator",
        "{brand} Insulin Pump",
        "{brand} Compression Garment",
        "{brand} Hearing Aid",
        "{brand} Intraocular Lens",
        "{brand} Knee Brace",
        "{brand} Virtual Reality Headset",
        "{brand} Transcranial Magnetic Stimulation",
        "{brand} Drug-Eluting Stent",
        "{brand} Interbody Cage",
        "{brand} Digital Therapeutic",
        "{brand} CPAP Device",
    ],
    "BEHAVIORAL": [
        "Cognitive Behavioral Therapy",
        "Mindfulness-Based Stress Reduction",
        "Structured Exercise Program",
        "Motivational Interviewing",
        "Health Coaching",
        "Psychoeducation",
        "Pelvic Floor Muscle Training",
        "Sleep Hygiene Education",
        "Dietary Counseling",
        "Peer Support Program",
        "Text Message Reminders",
        "Acceptance and Commitment Therapy",
        "Yoga",
        "Tai Chi",
        "Smoking Cessation Counseling",
        "Home-Based Walking Program",
    ],
    "PROCEDURE": [
        "Lumbar Microdiscectomy",
        "Radical Prostatectomy",
        "Laparoscopic Surgery",
        "Ultrasound-Guided Nerve Block",
        "Percutaneous Coronary Intervention",
        "Epidural Steroid Injection",
        "Physiotherapy",
        "Acupuncture",
        "Transcatheter Valve Implantation",
        "Bariatric Surgery",
        "Spinal Fusion",
        "Dry Needling",
        "Radiofrequency Ablation",
        "Robotic-Assisted Surgery",
    ],
    "DIAGNOSTIC_TEST": [
        "Magnetic Resonance Imaging",
        "PET-CT Imaging",
        "Liquid Biopsy",
        "Genetic Testing",
        "Point-of-Care Ultrasound",
        "Blood Sampling",
        "Polysomnography",
        "Cardiopulmonary Exercise Testing",
        "Biomarker Panel",
    ],
    "DIETARY_SUPPLEMENT": [
        "Vitamin D3",
        "Omega-3 Fatty Acids",
        "Probiotic Supplement",
        "Whey Protein",
        "Magnesium Citrate",
        "Curcumin",
        "L-Arginine",
        "Zinc Sulfate",
        "Creatine Monohydrate",
        "Oral Nutritional Supplement",
    ],
    "RADIATION": [
        "Stereotactic Body Radiation Therapy",
        "Intensity-Modulated Radiation Therapy",
        "Proton Beam Therapy",
        "Low-Intensity Shockwave Therapy",
        "Brachytherapy",
        "Hypofractionated Radiotherapy",
    ],
    "BIOLOGICAL": [
        "Autologous CAR T Cells",
        "Mesenchymal Stem Cells",
        "mRNA Vaccine",
        "Convalescent Plasma",
        "Recombinant Vaccine",
        "Autologous Platelet-Rich Plasma",
        "Fecal Microbiota Transplantation",
        "Monoclonal Antibody Infusion",
    ],
    "GENETIC": ["AAV Gene Therapy", "Gene Expression Profiling", "CRISPR-Edited Autologous Cells"],
    "COMBINATION_PRODUCT": [
        "Drug-Coated Balloon",
        "Antibiotic-Loaded Bone Cement",
        "Prefilled Autoinjector",
    ],
    "OTHER": [
        "Questionnaire",
        "Educational Video",
        "Observation",
        "Telephone Follow-up",
        "Data Collection",
        "Quality of Life Assessment",
        "Survey",
        "Nutritional Counseling",
        "Supervised Exercise Session",
        "Blood Draw",
    ],
}
BRANDS = (
    "Nova Axi Vero Medi Cura Vita Lumi Orto Neuro Cardi Puls Sana Flex Opti Zen Aero "
    "Sensi Thera Klar Bio"
).split()
BRAND_ENDS = "x on ra ix lia ca line tek sys med go wave fit".split()
# Intervention type mix for drug-phase trials vs. phase NA trials (real shares).
INTERVENTION_TYPE_DRUG_PHASE = [
    ("DRUG", 78),
    ("BIOLOGICAL", 12),
    ("DIETARY_SUPPLEMENT", 4),
    ("COMBINATION_PRODUCT", 2),
    ("RADIATION", 2),
    ("GENETIC", 1),
    ("OTHER", 1),
]
INTERVENTION_TYPE_NA = [
    ("DEVICE", 393),
    ("OTHER", 300),
    ("BEHAVIORAL", 177),
    ("PROCEDURE", 159),
    ("DIAGNOSTIC_TEST", 86),
    ("DIETARY_SUPPLEMENT", 35),
    ("DRUG", 60),
    ("BIOLOGICAL", 20),
    ("RADIATION", 13),
    ("COMBINATION_PRODUCT", 10),
]
INTERVENTION_TYPE_OBS = [
    (None, 55),
    ("OTHER", 25),
    ("DIAGNOSTIC_TEST", 8),
    ("PROCEDURE", 5),
    ("DRUG", 5),
    ("DEVICE", 2),
]
INTERVENTION_TYPE_LABEL = {
    "DRUG": "Drug",
    "DEVICE": "Device",
    "BIOLOGICAL": "Biological",
    "PROCEDURE": "Procedure",
    "RADIATION": "Radiation",
    "BEHAVIORAL": "Behavioral",
    "GENETIC": "Genetic",
    "DIETARY_SUPPLEMENT": "Dietary Supplement",
    "COMBINATION_PRODUCT": "Combination Product",
    "DIAGNOSTIC_TEST": "Diagnostic Test",
    "OTHER": "Other",
}
# Arm type patterns (experimental arm first), by number of arms.
ARM_PATTERNS_2 = [
    (("EXPERIMENTAL", "ACTIVE_COMPARATOR"), 325),
    (("EXPERIMENTAL", "PLACEBO_COMPARATOR"), 212),
    (("EXPERIMENTAL", "NO_INTERVENTION"), 148),
    (("ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR"), 89),
    (("EXPERIMENTAL", "SHAM_COMPARATOR"), 60),
    (("EXPERIMENTAL", "OTHER"), 37),
    (("ACTIVE_COMPARATOR", "SHAM_COMPARATOR"), 29),
    (("ACTIVE_COMPARATOR", "NO_INTERVENTION"), 23),
    (("EXPERIMENTAL", "EXPERIMENTAL"), 120),
]
ARM_PATTERNS_1 = [("EXPERIMENTAL", 633), ("ACTIVE_COMPARATOR", 105), ("OTHER", 81)]

# ---------------------------------------------------------------------------
# Vocabulary: geography.  Country | home weight (share of studies based there)
# | site weight (share of all sites) | phone code | postal pattern | style,
# then its cities: city | state | lat | lon | postal prefix.  Coordinates are
# city centroids, as in the real geoPoint values.
# ---------------------------------------------------------------------------

COUNTRIES = """
United States|654|3380|1|#####|us
 New York|New York|40.71427|-74.00597|100
 Los Angeles|California|34.05223|-118.24368|900
 Chicago|Illinois|41.85003|-87.65005|606
 Houston|Texas|29.76328|-95.36327|770
 Philadelphia|Pennsylvania|39.95233|-75.16379|191
 Boston|Massachusetts|42.35843|-71.05977|021
 Baltimore|Maryland|39.29038|-76.61219|212
 Rochester|Minnesota|44.02163|-92.4699|559
 Cleveland|Ohio|41.4995|-81.69541|441
 Nashville|Tennessee|36.16589|-86.78444|372
 Pittsburgh|Pennsylvania|40.44062|-79.99589|152
 Seattle|Washington|47.60621|-122.33207|981
 San Francisco|California|37.77493|-122.41942|941
 San Diego|California|32.71571|-117.16472|921
 Stanford|California|37.42411|-122.16608|943
 Atlanta|Georgia|33.749|-84.38798|303
 Miami|Florida|25.77427|-80.19366|331
 Tampa|Florida|27.94752|-82.45843|336
 Orlando|Florida|28.53834|-81.37924|328
 Jacksonville|Florida|30.33218|-81.65565|322
 Dallas|Texas|32.78306|-96.80667|752
 San Antonio|Texas|29.42412|-98.49363|782
 Austin|Texas|30.26715|-97.74306|787
 Phoenix|Arizona|33.44838|-112.07404|850
 Aurora|Colorado|39.72943|-104.83192|800
 Salt Lake City|Utah|40.76078|-111.89105|841
 Minneapolis|Minnesota|44.97997|-93.26384|554
 Saint Louis|Missouri|38.62727|-90.19789|631
 Kansas City|Missouri|39.09973|-94.57857|641
 Ann Arbor|Michigan|42.27756|-83.74088|481
 Detroit|Michigan|42.33143|-83.04575|482
 Indianapolis|Indiana|39.76838|-86.15804|462
 Columbus|Ohio|39.96118|-82.99879|432
 Cincinnati|Ohio|39.12711|-84.51439|452
 Chapel Hill|North Carolina|35.9132|-79.05584|275
 Durham|North Carolina|35.99403|-78.89862|277
 Charlotte|North Carolina|35.22709|-80.84313|282
 Birmingham|Alabama|33.52066|-86.80249|352
 New Orleans|Louisiana|29.95465|-90.07507|701
 Portland|Oregon|45.52345|-122.67621|972
 Sacramento|California|38.58157|-121.4944|958
 Iowa City|Iowa|41.66113|-91.53017|522
 Madison|Wisconsin|43.07305|-89.40123|537
 Milwaukee|Wisconsin|43.0389|-87.90647|532
 Omaha|Nebraska|41.25626|-95.94043|681
 Oklahoma City|Oklahoma|35.46756|-97.51643|731
 Albuquerque|New Mexico|35.08449|-106.65114|871
 Las Vegas|Nevada|36.17497|-115.13722|891
 Charleston|South Carolina|32.77657|-79.93092|294
 Richmond|Virginia|37.55376|-77.46026|232
 Washington|District of Columbia|38.89511|-77.03637|200
 New Haven|Connecticut|41.30815|-72.92816|065
 Providence|Rhode Island|41.82399|-71.41283|029
 Buffalo|New York|42.88645|-78.87837|142
 Hershey|Pennsylvania|40.28592|-76.65025|170
 Little Rock|Arkansas|34.74648|-92.28959|722
 Honolulu|Hawaii|21.30694|-157.85833|968
 Lexington|Kentucky|37.98869|-84.47772|405
 Louisville|Kentucky|38.25424|-85.75941|402
China|219|883|86|######|zh
 Beijing|Beijing|39.9075|116.39723|100
 Shanghai|Shanghai|31.22222|121.45806|200
 Guangzhou|Guangdong|23.11667|113.25|510
 Chengdu|Sichuan|30.66667|104.06667|610
 Wuhan|Hubei|30.58333|114.26667|430
 Hangzhou|Zhejiang|30.29365|120.16142|310
 Nanjing|Jiangsu|32.06167|118.77778|210
 Xi'an|Shaanxi|34.25833|108.92861|710
 Changsha|Hunan|28.19874|112.97087|410
 Tianjin|Tianjin|39.14222|117.17667|300
 Chongqing|Chongqing|29.56278|106.55278|400
 Shenyang|Liaoning|41.79222|123.43278|110
 Zhengzhou|Henan|34.75778|113.64861|450
 Jinan|Shandong|36.66833|116.99722|250
 Harbin|Heilongjiang|45.75|126.65|150
France|103|574|33|#####|fr
 Paris||48.85341|2.3488|750
 Lyon||45.74846|4.84671|690
 Marseille||43.29695|5.38107|130
 Toulouse||43.60426|1.44367|310
 Lille||50.63297|3.05858|590
 Bordeaux||44.84044|-0.5805|330
 Nantes||47.21725|-1.55336|440
 Strasbourg||48.58392|7.74553|670
 Montpellier||43.61093|3.87635|340
 Rennes||48.11198|-1.67429|350
 Nice||43.70313|7.26608|060
 Grenoble||45.16667|5.71667|380
Japan|43|519|81|###-####|ja
 Tokyo||35.6895|139.69171|113
 Osaka||34.69374|135.50218|565
 Nagoya||35.18147|136.90641|466
 Fukuoka||33.60639|130.41806|812
 Sapporo||43.06417|141.34694|060
 Yokohama||35.44778|139.6425|236
 Kyoto||35.02107|135.75385|606
 Kobe||34.6913|135.183|650
 Sendai||38.26667|140.86667|980
 Chiba||35.6|140.11667|260
 Hiroshima||34.4|132.45|734
Germany|38|500|49|#####|de
 Berlin||52.52437|13.41053|10
 München||48.13743|11.57549|81
 Hamburg||53.57532|10.01534|20
 Heidelberg||49.40768|8.69079|69
 Frankfurt am Main||50.11552|8.68417|60
 Köln||50.93333|6.95|50
 Dresden||51.05089|13.73832|01
 Leipzig||51.33962|12.37129|04
 Hannover||52.37052|9.73322|30
 Freiburg||47.9959|7.85222|79
 Mainz||49.98419|8.2791|55
 Tübingen||48.52266|9.05222|72
 Essen||51.45657|7.01228|45
Turkey|88|190|90|#####|tr
 Istanbul||41.01384|28.94966|34
 Ankara||39.91987|32.85427|06
 Izmir||38.41273|27.13838|35
 Konya||37.87135|32.48464|42
 Bursa||40.19559|29.06013|16
 Antalya||36.90812|30.69556|07
 Kayseri||38.73222|35.48528|38
 Erzurum||39.90861|41.27694|25
 Malatya||38.35018|38.30991|44
 Samsun||41.27976|36.3361|55
 Elazığ||38.67431|39.22321|23
Egypt|83|86|20||eg
 Cairo||30.06263|31.24967|
 Alexandria||31.20176|29.91582|
 Assiut||27.18096|31.18368|
 Mansoura||31.03637|31.38069|
 Tanta||30.78847|31.00192|
 Zagazig||30.58768|31.502|
 Sohag||26.55695|31.69478|
 Minya||28.10988|30.7503|
 Beni Suef||29.07441|31.09785|
 Giza||30.00808|31.21093|
 Banha||30.45906|31.17858|
Korea, Republic of|59|162|82|#####|ko
 Seoul||37.566|126.9784|03
 Busan||35.10168|129.03004|49
 Incheon||37.45646|126.70515|22
 Daegu||35.87028|128.59111|41
 Gwangju||35.15472|126.91556|61
 Daejeon||36.32139|127.41972|35
 Suwon||37.29111|127.00889|16
 Seongnam-si||37.43861|127.13778|13
 Goyang-si||37.65639|126.835|10
Italy|58|337|39|#####|it
 Roma||41.89193|12.51133|001
 Milano||45.46427|9.18951|201
 Napoli||40.85216|14.26811|801
 Torino||45.07049|7.68682|101
 Bologna||44.49381|11.33875|401
 Firenze||43.77925|11.24626|501
 Padova||45.40797|11.88586|351
 Genova||44.40478|8.93386|161
 Pisa||43.70853|10.4036|561
 Verona||45.43419|10.99779|371
 Bari||41.12066|16.86982|701
 Palermo||38.13205|13.33561|901
Pakistan|50|52|92|#####|en
 Karachi|Sindh|24.8608|67.0104|74
 Lahore|Punjab|31.558|74.35071|54
 Islamabad|Islamabad Capital Territory|33.72148|73.04329|44
 Rawalpindi|Punjab|33.59733|73.0479|46
 Peshawar|Khyber Pakhtunkhwa|34.008|71.57849|25
 Multan|Punjab|30.19679|71.47824|60
Denmark|47|78|45|####|dk
 Copenhagen||55.67594|12.56553|2100
 Aarhus||56.15674|10.21076|8200
 Odense||55.39594|10.38831|5000
 Aalborg||57.048|9.9187|9000
 Herlev||55.72366|12.43998|2730
 Hvidovre||55.65719|12.47364|2650
Canada|44|291|1|@#@ #@#|en
 Toronto|Ontario|43.70011|-79.4163|M5G
 Montreal|Quebec|45.50884|-73.58781|H3T
 Vancouver|British Columbia|49.24966|-123.11934|V5Z
 Calgary|Alberta|51.05011|-114.08529|T2N
 Edmonton|Alberta|53.55014|-113.46871|T6G
 Ottawa|Ontario|45.41117|-75.69812|K1H
 Hamilton|Ontario|43.23341|-79.94964|L8N
 Winnipeg|Manitoba|49.8844|-97.14704|R3E
 Halifax|Nova Scotia|44.64533|-63.57239|B3H
 London|Ontario|42.98339|-81.23304|N6A
Spain|39|398|34|#####|es
 Madrid||40.4165|-3.70256|280
 Barcelona||41.38879|2.15899|080
 Valencia||39.46975|-0.37739|460
 Sevilla||37.38283|-5.97317|410
 Málaga||36.72016|-4.42034|290
 Bilbao||43.26271|-2.92528|480
 Pamplona||42.81687|-1.64323|310
 Salamanca||40.96882|-5.66388|370
 Santander||43.46472|-3.80444|390
 A Coruña||43.37135|-8.396|150
 Zaragoza||41.65606|-0.87734|500
United Kingdom|38|292|44|@@# #@@|uk
 London||51.50853|-0.12574|SW
 Manchester||53.48095|-2.23743|M1
 Birmingham||52.48142|-1.89983|B1
 Oxford||51.75222|-1.25596|OX
 Cambridge||52.2|0.11667|CB
 Leeds||53.79648|-1.54785|LS
 Glasgow||55.86515|-4.25763|G1
 Edinburgh||55.95206|-3.19648|EH
 Newcastle upon Tyne||54.97328|-1.61396|NE
 Bristol||51.45523|-2.59665|BS
 Nottingham||52.9536|-1.15047|NG
 Southampton||50.90395|-1.40428|SO
 Liverpool||53.41058|-2.97794|L7
 Sheffield||53.38297|-1.4659|S1
Brazil|35|147|55|#####-###|pt
 São Paulo|São Paulo|-23.5475|-46.63611|04
 Rio de Janeiro|Rio de Janeiro|-22.90642|-43.18223|22
 Porto Alegre|Rio Grande do Sul|-30.03306|-51.23|90
 Belo Horizonte|Minas Gerais|-19.92083|-43.93778|30
 Curitiba|Paraná|-25.42778|-49.27306|80
 Salvador|Bahia|-12.97111|-38.51083|40
 Recife|Pernambuco|-8.05389|-34.88111|50
 Fortaleza|Ceará|-3.71722|-38.54306|60
 Campinas|São Paulo|-22.90556|-47.06083|13
 Goiânia|Goiás|-16.67861|-49.25389|74
Netherlands|33|158|31|#### @@|nl
 Amsterdam||52.37403|4.88969|1105
 Rotterdam||51.9225|4.47917|3015
 Utrecht||52.09083|5.12222|3584
 Leiden||52.15833|4.49306|2333
 Nijmegen||51.8425|5.85278|6525
 Groningen||53.21917|6.56667|9713
 Maastricht||50.84833|5.68889|6229
 Eindhoven||51.44083|5.47778|5623
Belgium|30|92|32|####|nl
 Brussels||50.85045|4.34878|1000
 Leuven||50.87959|4.70093|3000
 Gent||51.05|3.71667|9000
 Antwerpen||51.21989|4.40346|2000
 Liège||50.63373|5.56749|4000
 Edegem||51.15662|4.44504|2650
Israel|30|109|972|#######|en
 Tel Aviv||32.08088|34.78057|64
 Jerusalem||31.76904|35.21633|91
 Haifa||32.81841|34.9885|31
 Petah Tikva||32.08707|34.88747|49
 Ramat Gan||32.08227|34.81065|52
 Be'er Sheva||31.25181|34.7913|84
Russian Federation|30|186|7|######|ru
 Moscow||55.75222|37.61556|1
 Saint Petersburg||59.93863|30.31413|19
 Novosibirsk||55.0415|82.9346|630
 Kazan||55.78874|49.12214|420
 Yekaterinburg||56.8519|60.6122|620
 Tomsk||56.49771|84.97437|634
 Yaroslavl||57.62987|39.87368|150
 Smolensk||54.7818|32.0401|214
Taiwan|29|89|886|###|zh
 Taipei||25.04776|121.53185|1
 Taichung||24.1469|120.6839|4
 Kaohsiung||22.61626|120.31333|8
 Tainan||22.99083|120.21333|7
 Taoyuan||24.99368|121.29696|3
 New Taipei||25.06199|121.45703|2
Australia|24|153|61|####|en
 Sydney|New South Wales|-33.86785|151.20732|2000
 Melbourne|Victoria|-37.814|144.96332|3000
 Brisbane|Queensland|-27.46794|153.02809|4000
 Perth|Western Australia|-31.95224|115.8614|6000
 Adelaide|South Australia|-34.92866|138.59863|5000
 Camperdown|New South Wales|-33.88965|151.17642|2050
 Clayton|Victoria|-37.91667|145.11667|3168
 Hobart|Tasmania|-42.87936|147.32941|7000
India|19|76|91|######|en
 New Delhi|Delhi|28.63576|77.22445|110
 Mumbai|Maharashtra|19.07283|72.88261|400
 Bengaluru|Karnataka|12.97194|77.59369|560
 Chennai|Tamil Nadu|13.08784|80.27847|600
 Hyderabad|Telangana|17.38405|78.45636|500
 Kolkata|West Bengal|22.56263|88.36304|700
 Pune|Maharashtra|18.51957|73.85535|411
 Lucknow|Uttar Pradesh|26.83928|80.92313|226
 Chandigarh|Chandigarh|30.73629|76.7884|160
 Vellore|Tamil Nadu|12.9184|79.13255|632
Switzerland|19|71|41|####|de
 Zürich||47.36667|8.55|8091
 Bern||46.94809|7.44744|3010
 Basel||47.55839|7.57327|4031
 Geneva||46.20222|6.14569|1205
 Lausanne||46.516|6.63282|1011
 St. Gallen||47.42391|9.37477|9007
Norway|16|43|47|####|dk
 Oslo||59.91273|10.74609|0424
 Bergen||60.39299|5.32415|5021
 Trondheim||63.43049|10.39506|7030
 Tromsø||69.6489|18.95508|9038
 Stavanger||58.97005|5.73332|4011
Poland|13|173|48|##-###|pl
 Warszawa||52.22977|21.01178|0
 Kraków||50.06143|19.93658|3
 Łódź||51.75|19.46667|9
 Wrocław||51.1|17.03333|5
 Poznań||52.40692|16.92993|6
 Gdańsk||54.35205|18.64637|8
 Lublin||51.25|22.56667|2
 Katowice||50.25841|19.02754|4
Greece|13|73|30|### ##|en
 Athens||37.98376|23.72784|1
 Thessaloniki||40.64361|22.93086|5
 Heraklion||35.32787|25.14341|7
 Patras||38.24444|21.73444|2
 Larissa||39.63689|22.41761|4
 Ioannina||39.66486|20.85189|4
Mexico|12|119|52|#####|es
 Ciudad de México|Ciudad de México|19.42847|-99.12766|0
 Guadalajara|Jalisco|20.66682|-103.39182|44
 Monterrey|Nuevo León|25.67507|-100.31847|64
 Puebla|Puebla|19.03793|-98.20346|72
 Chihuahua|Chihuahua|28.63528|-106.08889|31
 Mérida|Yucatán|20.97537|-89.61696|97
Iran, Islamic Republic of|12|20|98||en
 Tehran||35.69439|51.42151|
 Shiraz||29.61031|52.53113|
 Mashhad||36.29807|59.60567|
 Isfahan||32.65246|51.67462|
 Tabriz||38.08|46.2919|
Sweden|8|71|46|### ##|dk
 Stockholm||59.32938|18.06871|1
 Göteborg||57.70716|11.96679|4
 Uppsala||59.85882|17.63889|75
 Lund||55.70584|13.19321|22
 Linköping||58.41086|15.62157|58
 Umeå||63.82842|20.25972|90
Hong Kong|8|18|852||en
 Hong Kong||22.27832|114.17469|
 Shatin||22.38333|114.18333|
Finland|5|72|358|#####|dk
 Helsinki||60.16952|24.93545|00
 Tampere||61.49911|23.78712|33
 Turku||60.45148|22.26869|20
 Oulu||65.01236|25.46816|90
 Kuopio||62.89238|27.67703|70
Argentina|5|62|54|####|es
 Buenos Aires|Buenos Aires|-34.61315|-58.37723|1
 Córdoba|Córdoba|-31.4135|-64.18105|5
 Rosario|Santa Fe|-32.94682|-60.63932|2
 Mendoza|Mendoza|-32.89084|-68.82717|5
 La Plata|Buenos Aires|-34.92145|-57.95453|1
Hungary|4|59|36|####|en
 Budapest||47.49835|19.04045|1
 Debrecen||47.53333|21.63333|40
 Szeged||46.253|20.14824|67
 Pécs||46.0833|18.23333|76
Czechia|4|58|420|### ##|en
 Praha||50.08804|14.42076|1
 Brno||49.19522|16.60796|6
 Olomouc||49.59552|17.25175|77
 Ostrava||49.83465|18.28204|70
 Hradec Králové||50.20923|15.83277|50
Bulgaria|2|56|359|####|en
 Sofia||42.69751|23.32415|1
 Plovdiv||42.15|24.75|4
 Varna||43.21667|27.91667|9
 Pleven||43.41667|24.61667|58
Malaysia|4|55|60|#####|en
 Kuala Lumpur|Wilayah Persekutuan Kuala Lumpur|3.1412|101.68653|5
 George Town|Penang|5.41123|100.33543|10
 Johor Bahru|Johor|1.4655|103.7578|80
 Kuching|Sarawak|1.55|110.33333|93
South Africa|3|46|27|####|en
 Johannesburg|Gauteng|-26.20227|28.04363|2
 Cape Town|Western Cape|-33.92584|18.42322|7
 Durban|KwaZulu-Natal|-29.8579|31.0292|4
 Pretoria|Gauteng|-25.74486|28.18783|0
Portugal|3|39|351|####-###|pt
 Lisboa||38.71667|-9.13333|1
 Porto||41.14961|-8.61099|4
 Coimbra||40.20564|-8.41955|3
 Braga||41.55032|-8.42005|47
Colombia|3|37|57|######|es
 Bogotá|Distrito Capital de Bogotá|4.60971|-74.08175|11
 Medellín|Antioquia|6.25184|-75.56359|05
 Cali|Valle del Cauca|3.43722|-76.5225|76
Romania|2|34|40|######|en
 Bucharest||44.43225|26.10626|0
 Cluj-Napoca||46.76667|23.6|400
 Iași||47.16667|27.6|700
 Timișoara||45.75372|21.22571|300
Austria|3|29|43|####|de
 Wien||48.20849|16.37208|1
 Graz||47.06667|15.45|80
 Innsbruck||47.26266|11.39454|60
 Salzburg||47.79941|13.04399|50
Thailand|3|23|66|#####|en
 Bangkok||13.75398|100.50144|10
 Chiang Mai||18.79038|98.98468|50
 Khon Kaen||16.44671|102.833|40
Singapore|3|22|65|######|en
 Singapore||1.28967|103.85007|1
Saudi Arabia|4|10|966|#####|en
 Riyadh||24.68773|46.72185|1
 Jeddah||21.54238|39.19797|2
 Dammam||26.43442|50.10326|3
Chile|2|19|56|#######|es
 Santiago|Región Metropolitana de Santiago|-33.45694|-70.64827|8
 Temuco|Araucanía|-38.73965|-72.59842|4
Georgia|1|19|995|####|en
 Tbilisi||41.69411|44.83368|01
 Batumi||41.64228|41.63392|60
Ireland|3|15|353||en
 Dublin||53.33306|-6.24889|
 Cork||51.89797|-8.47061|
 Galway||53.27194|-9.04889|
New Zealand|2|12|64|####|en
 Auckland||-36.84853|174.76349|10
 Christchurch||-43.53333|172.63333|80
 Wellington||-41.28664|174.77557|60
Ukraine|1|14|380|#####|ru
 Kyiv||50.45466|30.5238|0
 Kharkiv||49.98081|36.25272|61
 Lviv||49.83826|24.02324|79
"""

# Facility name templates per country style; {city} {state} {name} {saint} {n}.
FACILITY_STYLES = {
    "us": [
        "{city} Medical Center",
        "University of {state} Medical Center",
        "{name} Memorial Hospital",
        "{name} Clinical Research, LLC",
        "{city} Clinical Research Center",
        "{saint} Hospital",
        "{city} Cancer Institute",
        "{name} Medical Group",
        "{city} VA Medical Center",
        "Children's Hospital of {city}",
        "{state} University Health",
        "{city} Research Associates",
        "{name} Health System",
        "{city} Urology Specialists",
        "{name} Clinic",
    ],
    "en": [
        "{city} University Hospital",
        "{city} General Hospital",
        "{name} Hospital",
        "{city} Clinical Research Centre",
        "Royal {city} Hospital",
        "{city} Medical Centre",
        "{name} Institute",
        "University of {city}",
        "{saint} Hospital",
        "{city} Children's Hospital",
    ],
    "uk": [
        "{city} University Hospitals NHS Foundation Trust",
        "Royal {city} Infirmary",
        "{saint} Hospital",
        "{city} General Hospital",
        "University of {city}",
        "{name} Research Centre",
        "{city} Clinical Research Facility",
    ],
    "fr": [
        "Hôpital {saint}",
        "CHU de {city}",
        "Centre Hospitalier de {city}",
        "Institut {name}",
        "Hôpital Privé de {city}",
        "Clinique {saint}",
        "Centre de Lutte Contre le Cancer de {city}",
    ],
    "de": [
        "Universitätsklinikum {city}",
        "Klinikum {city}",
        "Praxis Dr. {name}",
        "Studienzentrum {city}",
        "Krankenhaus {saint}",
        "{name} Klinik",
        "Universitätsspital {city}",
    ],
    "es": [
        "Hospital Universitario {saint}",
        "Hospital Clínico de {city}",
        "Hospital General Universitario de {city}",
        "Clínica {name}",
        "Instituto {name}",
        "Hospital {saint}",
    ],
    "it": [
        "Ospedale {saint}",
        "Azienda Ospedaliero-Universitaria di {city}",
        "Policlinico di {city}",
        "Istituto Clinico {name}",
        "Fondazione IRCCS {name}",
        "Università degli Studi di {city}",
    ],
    "zh": [
        "{city} People's Hospital",
        "The First Affiliated Hospital of {city} Medical University",
        "{city} Cancer Hospital",
        "{city} Children's Hospital",
        "{city} Hospital of Traditional Chinese Medicine",
        "The Second Hospital of {city}",
        "{city} University Hospital",
    ],
    "ja": [
        "{city} University Hospital",
        "{city} City Hospital",
        "{city} Medical Center",
        "{name} Clinic",
        "National Hospital Organization {city} Medical Center",
    ],
    "tr": [
        "{city} University Faculty of Medicine",
        "{city} City Hospital",
        "{city} Training and Research Hospital",
        "{name} University Hospital",
    ],
    "eg": [
        "{city} University Hospitals",
        "{city} University",
        "{city} General Hospital",
        "Faculty of Medicine, {city} University",
        "{city} Specialized Hospital",
    ],
    "ko": [
        "{city} National University Hospital",
        "{name} Medical Center",
        "{city} St. Mary's Hospital",
        "{name} University Hospital",
    ],
    "pt": [
        "Hospital das Clínicas de {city}",
        "Hospital {saint}",
        "Instituto {name}",
        "Universidade Federal de {city}",
        "Centro Hospitalar de {city}",
    ],
    "nl": [
        "{city} University Medical Center",
        "Ziekenhuis {name}",
        "{name} Ziekenhuis",
        "Medisch Centrum {city}",
        "UZ {city}",
    ],
    "ru": [
        "{city} State Medical University",
        "City Clinical Hospital No. {n}",
        "{city} Regional Clinical Hospital",
        "Research Institute of {city}",
    ],
    "dk": ["{city} University Hospital", "{city} Hospital", "{name} Clinic", "{city} Sygehus"],
    "pl": [
        "Szpital Kliniczny w {city}",
        "Centrum Medyczne {name}",
        "Uniwersytecki Szpital {city}",
        "NZOZ {name}",
    ],
}
SAINTS = [
    "Saint Joseph",
    "Saint Mary",
    "Sacred Heart",
    "San Raffaele",
    "Santa Maria",
    "Saint-Louis",
    "Sant'Andrea",
    "Saint Luke",
    "La Paz",
    "Saint-Antoine",
    "San Carlos",
    "Santa Lucia",
    "Saint Elisabeth",
    "Saint Vincent",
    "Mercy",
    "Good Samaritan",
    "Saint Anne",
    "Virgen del Rocío",
]

FIRST_NAMES = (
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Susan Richard "
    "Jessica Thomas Sarah Daniel Karen Matthew Nancy Anthony Lisa Mark Betty Paul Sandra Steven "
    "Ashley Andrew Emily Wei Li Jing Ming Hiroshi Yuki Kenji Aiko Mehmet Ayse Ahmed Fatma Mohamed "
    "Sara Omar Nour Ji-hoon Min-jung Seo-yeon Pierre Marie Jean Sophie Luc Camille Hans Anna Klaus "
    "Julia Stefan Lena Giuseppe Francesca Marco Giulia Javier Lucia Carlos Elena Alejandro Marta "
    "Ravi Priya Arjun Ananya Olga Ivan Natalia Dmitri Lars Ingrid Mikkel Freja Pieter Eva Jan Ana "
    "Joao Beatriz Rafael Fernanda Yosef Noa Ali Zeynep Hassan Aisha"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis "
    "Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell "
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Sato Suzuki Takahashi Tanaka Watanabe Yilmaz "
    "Kaya Demir Sahin Celik Hassan Ibrahim Mahmoud Ali Abdelrahman Kim Park Choi Jung Kang Dubois "
    "Moreau Laurent Bernard Lefebvre Muller Schmidt Schneider Fischer Weber Rossi Russo Ferrari "
    "Esposito Bianchi Fernandez Gonzalez Sanchez Perez Romero Sharma Patel Singh Gupta Kumar Ivanov "
    "Smirnov Kuznetsov Jensen Nielsen Hansen Andersen de Vries Jansen Bakker Visser Silva Santos "
    "Oliveira Souza Cohen Levi Mizrahi Novak Kowalski Nowak Papadopoulos Horvath Popescu Khan Ahmad"
).split()
DEGREES = ["MD", "MD, PhD", "PhD", "MD", "RN", "MSc", "PharmD", "MD", "DO", "MBBS"]

NIH_SPONSORS = [
    "National Cancer Institute (NCI)",
    "National Heart, Lung, and Blood Institute (NHLBI)",
    "National Institute of Mental Health (NIMH)",
    "National Institute on Drug Abuse (NIDA)",
    "National Institute of Diabetes and Digestive and Kidney Diseases (NIDDK)",
    "National Institute of Allergy and Infectious Diseases (NIAID)",
    "National Institute on Aging (NIA)",
    "National Institute of Neurological Disorders and Stroke (NINDS)",
    "Eunice Kennedy Shriver National Institute of Child Health and Human Development (NICHD)",
    "National Institute of Arthritis and Musculoskeletal and Skin Diseases (NIAMS)",
]
FED_SPONSORS = [
    "VA Office of Research and Development",
    "U.S. Army Medical Research and Development Command",
    "Centers for Disease Control and Prevention",
    "Food and Drug Administration (FDA)",
    "Agency for Healthcare Research and Quality (AHRQ)",
]
NETWORK_SPONSORS = [
    "Children's Oncology Group",
    "ECOG-ACRIN Cancer Research Group",
    "Alliance for Clinical Trials in Oncology",
    "NRG Oncology",
    "SWOG Cancer Research Network",
    "European Organisation for Research and Treatment of Cancer - EORTC",
    "Canadian Cancer Trials Group",
    "PEDSnet Research Consortium",
]
OTHER_GOV_SPONSORS = [
    "Ministry of Health, {country}",
    "National Institute of Health, {country}",
    "{country} Medical Research Council",
    "Public Health Agency of {country}",
]
COMPANY_HEADS = (
    "Nov Ast Bri Gal Ver Zen Cel Ampl Lum Ori Pal Syn Vir Cor Hel Tor Aur Bel Cyn Dar "
    "Eli Fer Gen Ion Kar Lex Mer Nex Ody Pyx Quan Rhe Sol Tal Ul Vex Xen Yor Zym"
).split()
COMPANY_TAILS = "ara ex ion ica ova ema ix ant yne era orix umab etics ova is ence".split()
COMPANY_KINDS = [
    "Pharmaceuticals",
    "Therapeutics",
    "Biosciences",
    "Medical",
    "Pharma AG",
    "Biotech",
    "Inc.",
    "Health",
    "Life Sciences",
    "Oncology",
    "Neuroscience",
    "Medical Devices",
    "Pharma Co., Ltd.",
    "S.A.",
    "GmbH",
]

WHY_STOPPED = [
    "Sponsor decision",
    "Slow accrual",
    "Low enrollment",
    "Funding not obtained",
    "Study was not initiated",
    "PI left the institution",
    "Business reasons",
    "Recruitment difficulties during the COVID-19 pandemic",
    "Drug supply issues",
    "Sponsor decision not related to safety",
    "Futility at interim analysis",
    "Lack of eligible participants",
    "The study was replaced by a larger multicenter trial",
    "Insufficient funding",
    "Regulatory requirements changed",
    "Strategic portfolio decision",
    "Company decision to discontinue the development program",
    "Safety concerns in a related study",
    "Investigator decision",
    "Contract with the site could not be finalized",
    "No participants enrolled",
    "Study halted prematurely, enrollment goals not met",
]
JOURNALS = [
    "N Engl J Med",
    "Lancet",
    "JAMA",
    "BMJ",
    "J Urol",
    "J Sex Med",
    "Spine (Phila Pa 1976)",
    "Diabetes Care",
    "Cephalalgia",
    "Blood",
    "J Clin Oncol",
    "Ann Intern Med",
    "Pain",
    "Am J Psychiatry",
    "Circulation",
    "Eur Heart J",
    "Neurology",
    "Lancet Oncol",
    "PLoS One",
    "BMC Med",
    "Trials",
    "Clin Infect Dis",
    "Gastroenterology",
    "Eur Urol",
    "J Am Acad Dermatol",
    "Ophthalmology",
    "Pediatrics",
    "Anesthesiology",
    "Thorax",
]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

GENERIC_KEYWORDS = [
    "quality of life",
    "randomized controlled trial",
    "biomarkers",
    "telemedicine",
    "exercise",
    "inflammation",
    "children",
    "safety",
    "pharmacokinetics",
    "efficacy",
    "elderly",
    "rehabilitation",
    "machine learning",
    "real-world evidence",
    "adherence",
    "prevention",
    "pain",
    "surgery",
    "anesthesia",
    "cost-effectiveness",
    "mobile health",
    "digital therapeutic",
    "immunotherapy",
    "chemotherapy",
    "radiotherapy",
    "minimally invasive",
    "outcomes",
    "patient-reported outcomes",
    "nutrition",
    "physical activity",
    "sleep",
    "depression",
    "anxiety",
    "cognition",
    "imaging",
    "MRI",
    "ultrasound",
    "genetics",
    "microbiome",
    "vaccine",
    "primary care",
    "nursing",
    "education",
    "self-management",
    "frailty",
]

# ---------------------------------------------------------------------------
# Vocabulary: pseudo-English text.  Templates are filled once at start-up
# (from POOL_SEED) into pools of sentences; {C} {C2} (conditions), {D} {D2}
# (interventions), {P} {PT} (population, lower/title case) and {PH} (phase
# wording) stay as placeholders and are filled per record.
# ---------------------------------------------------------------------------

SLOTS = {
    "outcome": [
        "pain intensity",
        "quality of life",
        "functional capacity",
        "symptom burden",
        "glycemic control",
        "blood pressure",
        "disease progression",
        "overall survival",
        "progression-free survival",
        "hospital readmission",
        "time to recovery",
        "physical function",
        "depressive symptoms",
        "sleep quality",
        "treatment adherence",
        "inflammatory markers",
        "cognitive performance",
        "exercise capacity",
        "patient satisfaction",
        "length of hospital stay",
        "erectile function",
        "urinary symptoms",
        "lung function",
        "HbA1c",
        "body weight",
        "bone mineral density",
        "viral load",
        "relapse rate",
        "opioid consumption",
        "wound healing",
        "fatigue",
        "anxiety",
        "all-cause mortality",
        "postoperative complications",
        "response rate",
        "headache frequency",
        "disability",
        "walking distance",
        "muscle strength",
    ],
    "tool": [
        "the Visual Analog Scale (VAS)",
        "the Numeric Rating Scale (NRS)",
        "the SF-36 questionnaire",
        "the EQ-5D-5L",
        "the International Index of Erectile Function (IIEF-5)",
        "the Oswestry Disability Index (ODI)",
        "the Beck Depression Inventory",
        "the PHQ-9",
        "the Hamilton Anxiety Rating Scale",
        "the GAD-7",
        "the Pittsburgh Sleep Quality Index",
        "the Montreal Cognitive Assessment (MoCA)",
        "the 6-minute walk test",
        "spirometry",
        "magnetic resonance imaging",
        "ultrasound",
        "computed tomography",
        "RECIST version 1.1",
        "the WOMAC index",
        "the Mini-Mental State Examination",
        "the International Prostate Symptom Score (IPSS)",
        "continuous glucose monitoring",
        "standard laboratory tests",
        "a validated questionnaire",
        "the Brief Pain Inventory",
        "the Functional Independence Measure",
        "the Clinical Global Impression scale",
        "PROMIS short forms",
        "a daily diary",
    ],
    "duration": [
        "4 weeks",
        "6 weeks",
        "8 weeks",
        "12 weeks",
        "16 weeks",
        "24 weeks",
        "26 weeks",
        "48 weeks",
        "52 weeks",
        "3 months",
        "6 months",
        "12 months",
        "18 months",
        "2 years",
        "3 years",
        "5 years",
        "28 days",
        "14 days",
        "7 days",
        "90 days",
        "10 days",
    ],
    "n": [
        "20",
        "24",
        "30",
        "36",
        "40",
        "48",
        "50",
        "60",
        "64",
        "72",
        "80",
        "90",
        "100",
        "120",
        "150",
        "180",
        "200",
        "240",
        "300",
        "360",
        "400",
        "500",
        "600",
        "800",
        "1000",
        "1200",
    ],
    "setting": [
        "primary care",
        "the emergency department",
        "the intensive care unit",
        "outpatient clinics",
        "tertiary referral centers",
        "community hospitals",
        "rural health centers",
        "specialized clinics",
        "academic medical centers",
        "home-based care",
        "nursing homes",
        "rehabilitation units",
        "day surgery units",
    ],
    "method": [
        "randomized",
        "double-blind",
        "placebo-controlled",
        "open-label",
        "single-arm",
        "multicenter",
        "prospective",
        "crossover",
        "pilot",
        "non-inferiority",
        "parallel-group",
        "single-center",
        "dose-escalation",
        "pragmatic",
        "cluster-randomized",
    ],
    "verb": [
        "evaluate",
        "assess",
        "determine",
        "compare",
        "investigate",
        "explore",
        "examine",
        "characterize",
        "measure",
        "estimate",
    ],
    "aspect": [
        "efficacy",
        "safety",
        "tolerability",
        "effectiveness",
        "feasibility",
        "acceptability",
        "pharmacokinetics",
        "immunogenicity",
        "cost-effectiveness",
        "efficacy and safety",
        "safety and tolerability",
    ],
    "mechanism": [
        "inflammation",
        "oxidative stress",
        "endothelial dysfunction",
        "insulin resistance",
        "neuroinflammation",
        "immune activation",
        "tumor angiogenesis",
        "central sensitization",
        "muscle atrophy",
        "mitochondrial dysfunction",
        "gut microbiota composition",
        "platelet aggregation",
        "smooth muscle relaxation",
        "cortical excitability",
        "bone remodeling",
        "autonomic dysfunction",
        "tissue fibrosis",
        "neuroplasticity",
    ],
    "biomarker": [
        "C-reactive protein",
        "interleukin-6",
        "tumor necrosis factor alpha",
        "circulating tumor DNA",
        "HbA1c",
        "troponin",
        "NT-proBNP",
        "serum testosterone",
        "vitamin D levels",
        "cortisol",
        "brain-derived neurotrophic factor",
        "fasting glucose",
        "LDL cholesterol",
        "estimated glomerular filtration rate",
        "prostate-specific antigen",
        "ferritin",
        "D-dimer",
        "procalcitonin",
        "lactate",
    ],
    "procedure": [
        "surgery",
        "laparoscopic surgery",
        "radical prostatectomy",
        "lumbar discectomy",
        "spinal fusion",
        "total knee arthroplasty",
        "hip replacement",
        "cardiac surgery",
        "percutaneous coronary intervention",
        "colonoscopy",
        "cesarean section",
        "bariatric surgery",
        "kidney transplantation",
        "stem cell transplantation",
        "tonsillectomy",
        "cataract surgery",
        "dental implant placement",
        "mastectomy",
    ],
    "timepoint": [
        "baseline",
        "week 4",
        "week 8",
        "week 12",
        "week 24",
        "month 3",
        "month 6",
        "month 12",
        "the end of treatment",
        "the final follow-up visit",
        "day 28",
        "hospital discharge",
    ],
    "stat": [
        "a mixed-effects model for repeated measures",
        "analysis of covariance",
        "logistic regression",
        "Cox proportional hazards regression",
        "the Kaplan-Meier method",
        "the intention-to-treat principle",
        "a per-protocol analysis",
        "multiple imputation",
        "Bayesian hierarchical modeling",
        "the Wilcoxon signed-rank test",
        "generalized estimating equations",
    ],
    "harm": [
        "adverse events",
        "serious adverse events",
        "treatment-emergent adverse events",
        "dose-limiting toxicities",
        "infusion-related reactions",
        "laboratory abnormalities",
        "discontinuations due to adverse events",
    ],
    "popdesc": [
        "newly diagnosed",
        "previously treated",
        "treatment-naive",
        "hospitalized",
        "ambulatory",
        "high-risk",
        "symptomatic",
        "stable",
        "moderate to severe",
        "mild to moderate",
        "refractory",
        "recurrent",
        "early-stage",
        "advanced",
    ],
    "freq": [
        "once daily",
        "twice daily",
        "three times daily",
        "once weekly",
        "every 2 weeks",
        "every 3 weeks",
        "every 4 weeks",
        "once monthly",
        "as needed",
        "before meals",
        "at bedtime",
    ],
    "route": [
        "orally",
        "intravenously",
        "subcutaneously",
        "intramuscularly",
        "topically",
        "by inhalation",
        "intranasally",
        "transdermally",
    ],
    "dose": [
        "5 mg",
        "10 mg",
        "20 mg",
        "25 mg",
        "40 mg",
        "50 mg",
        "100 mg",
        "150 mg",
        "200 mg",
        "300 mg",
        "400 mg",
        "500 mg",
        "1 g",
        "2 mg/kg",
        "10 mg/kg",
        "0.5 mg",
        "1 mg",
        "2.5 mg",
    ],
    "disease": [
        "myocardial infarction",
        "stroke",
        "seizures",
        "major depressive disorder",
        "a bleeding disorder",
        "active infection",
        "malignancy",
        "uncontrolled diabetes",
        "heart failure",
        "liver cirrhosis",
        "chronic kidney disease",
        "psychosis",
        "autoimmune disease",
        "pulmonary embolism",
        "alcohol or drug abuse",
    ],
    "drugclass": [
        "anticoagulants",
        "systemic corticosteroids",
        "immunosuppressive agents",
        "phosphodiesterase type 5 inhibitors",
        "opioids",
        "antidepressants",
        "antipsychotic medication",
        "nitrates",
        "monoamine oxidase inhibitors",
        "biologic therapy",
        "hormone replacement therapy",
        "investigational drugs",
    ],
    "k": ["2", "3", "4", "5", "10", "12", "14", "16", "20", "21", "24", "30"],
    "lab": [
        "hemoglobin",
        "platelet count",
        "serum creatinine",
        "ALT or AST",
        "total bilirubin",
        "absolute neutrophil count",
        "serum potassium",
        "INR",
    ],
    "sign": [
        "≥",
        "≥",
        "≤",
        "\\<",
        "\\>",
        "at least",
        "more than",
        "less than",
        "below",
        "above",
        "greater than",
        "under",
        "over",
        "at most",
        "exceeding",
    ],
    "consent": ["written informed consent", "informed consent", "assent and parental consent"],
    "team": ["the investigators", "the study team", "researchers", "the research team"],
}

SUMMARY_TEMPLATES = [
    "The purpose of this study is to {verb} the {aspect} of {D} in {P} with {C}.",
    "This {method} study will {verb} whether {D} improves {outcome} in {P} with {C}.",
    "{C} is a common condition that substantially affects {outcome} and {outcome}.",
    "Current treatment options for {C} are limited, and many {P} continue to experience poor {outcome}.",
    "Participants will be randomly assigned to receive {D} or {D2} for {duration}.",
    "The primary endpoint is the change in {outcome} from {timepoint} to {timepoint}, measured with {tool}.",
    "Secondary objectives include {outcome}, {outcome}, and the incidence of {harm}.",
    "Approximately {n} {P} will be enrolled at {setting}.",
    "The investigators hypothesize that {D} will reduce {outcome} compared with {D2}.",
    "This study also aims to identify predictors of {outcome} among {P} with {C}.",
    "{D} acts by reducing {mechanism}, which is thought to contribute to {C}.",
    "Researchers want to learn if {D} is safe and how well it works in {P} with {C}.",
    "In this {method} trial, {P} with {popdesc} {C} will receive {D} {freq} for {duration}.",
    "Data on {outcome} will be collected using {tool}.",
    "The study will describe the natural course of {C} and its impact on {outcome}.",
    "{PT} undergoing {procedure} frequently develop {C}, which delays recovery.",
    "Blood samples will be collected to measure {biomarker} and {biomarker}.",
    "The main question it aims to answer is whether {D} lowers {outcome} in {P} with {C}.",
    "Participants will be asked to attend clinic visits every {duration} and complete {tool}.",
    "This is a {method}, {method} study of {D} in {P} with {C}.",
    "The goal of this study is to learn about {outcome} in {P} with {C}.",
    "{C2} is frequently present in {P} with {C} and may influence {outcome}.",
    "If effective, {D} could offer a simple and low-cost option for {P} with {C}.",
    "The study will compare {D} with {D2} in terms of {outcome} and {outcome}.",
    "Researchers will compare {outcome} between {P} who receive {D} and those who receive {D2}.",
    "Safety will be monitored throughout the study by recording {harm}.",
    "No previous trial has examined {D} in {popdesc} {C}.",
    "The results will inform the design of a larger {method} trial.",
    "{PT} with {C} often report reduced {outcome} despite standard treatment.",
    "The study drug is given {route} at a dose of {dose} {freq}.",
]

DESCRIPTION_TEMPLATES = SUMMARY_TEMPLATES + [
    "Eligible {P} will be randomized in a 1:1 ratio using a computer-generated sequence with "
    "permuted blocks stratified by site.",
    "Allocation will be concealed using sealed opaque envelopes prepared by an independent statistician.",
    "The sample size of {n} participants provides 80% power to detect a clinically relevant "
    "difference in {outcome} at a two-sided alpha of 0.05, allowing for 15% attrition.",
    "The primary analysis will follow {stat}, with {stat} as a sensitivity analysis.",
    "Follow-up visits are scheduled at {timepoint}, {timepoint} and {timepoint}.",
    "An independent data and safety monitoring board will review unblinded safety data every {duration}.",
    "All {harm} will be recorded and graded according to CTCAE version 5.0.",
    "Adherence will be assessed by pill counts and a structured interview at each visit.",
    "{D} will be administered {route} at {dose} {freq}, while the control group receives {D2}.",
    "Previous studies suggest that {D} modulates {mechanism} and {mechanism}.",
    "In preclinical models, {D} reduced {mechanism} and improved {outcome}.",
    "Secondary endpoints include {outcome}, {biomarker} concentration and {outcome}.",
    "Data will be entered into a secure electronic case report form hosted by {team}.",
    "Missing data will be handled using {stat}.",
    "Exploratory analyses will examine whether baseline {biomarker} predicts response to {D}.",
    "The trial was approved by the institutional review board and is conducted in accordance "
    "with the Declaration of Helsinki.",
    "{PT} will be screened within {duration} before the first dose of study treatment.",
    "Study medication will be dispensed by the hospital pharmacy in identical packaging.",
    "Outcome assessors will be blinded to group allocation.",
    "During the run-in period, all participants receive {D2} for {duration}.",
    "Treatment will continue until disease progression, unacceptable toxicity or withdrawal of consent.",
    "Quality of life will be assessed with {tool} and {tool}.",
    "A subgroup of {n} participants will undergo {tool} at {timepoint} and {timepoint}.",
    "Participants may withdraw from the study at any time without affecting their usual care.",
    "Health economic data, including resource use and costs, will be collected for a cost-utility analysis.",
    "Patients with {C} treated at {setting} between 2015 and 2023 will be identified from medical records.",
    "Demographic data, comorbidities, medications and laboratory values will be extracted.",
    "The association between {biomarker} and {outcome} will be analyzed using {stat}.",
    "The intervention consists of {k} sessions delivered over {duration} by trained staff.",
    "Dose escalation follows a standard 3+3 design with cohorts of {k} participants.",
]

INCLUSION_TEMPLATES = [
    "Diagnosis of {C} confirmed by {tool}",
    "Documented history of {C} for at least {duration} before screening",
    "Able to provide {consent}",
    "Willing and able to comply with scheduled visits, treatment plan, and laboratory tests",
    "Body mass index between 18.5 and 35 kg/m2",
    "Body mass index {sign} 30 kg/m2",
    "HbA1c {sign} 7.0% at screening",
    "Eastern Cooperative Oncology Group (ECOG) performance status of 0 or 1",
    "Adequate organ function, including {lab} within normal limits",
    "Women of childbearing potential must have a negative pregnancy test at screening",
    "Stable dose of {drugclass} for at least {duration} before enrollment",
    "Score of {k} or higher on {tool}",
    "Scheduled for elective {procedure}",
    "In a stable relationship and willing to attempt sexual activity at least {k} times per month",
    "Ability to read and understand the local language",
    "Access to a smartphone with an internet connection",
    "Symptoms of {C} for at least {duration}",
    "{popdesc} {C} according to current clinical guidelines",
    "Measurable disease per RECIST version 1.1",
    "Life expectancy of at least {duration}",
    "Failure of at least one prior line of therapy for {C}",
    "Persistent pain of {k} or more on a 0-10 numeric rating scale",
    "Agree to use effective contraception during the study and for {duration} after the last dose",
    "Resident in the study area for at least {duration}",
    "Estimated glomerular filtration rate {sign} 45 mL/min/1.73 m2",
    "American Society of Anesthesiologists (ASA) physical status I-III",
    "Hospitalized with {C} within the previous {k} days",
    "Currently receiving treatment for {C} at {setting}",
    "Systolic blood pressure {sign} 140 mmHg",
    "Has a caregiver who can accompany the participant to study visits",
]

EXCLUSION_TEMPLATES = [
    "Known hypersensitivity to {D} or any of its excipients",
    "Pregnant or breastfeeding women",
    "History of {disease} within the past {duration}",
    "Participation in another interventional clinical trial within 30 days before screening",
    "Severe hepatic impairment (Child-Pugh class C)",
    "Estimated glomerular filtration rate {sign} 30 mL/min/1.73 m2",
    "Uncontrolled hypertension (systolic blood pressure \\> 160 mmHg or diastolic \\> 100 mmHg)",
    "Active malignancy requiring treatment within the past {duration}",
    "Current use of {drugclass}",
    "Any condition that, in the opinion of the investigator, would interfere with study participation",
    "History of alcohol or substance abuse within the past 12 months",
    "Known HIV, hepatitis B, or hepatitis C infection",
    "Cognitive impairment preventing {consent}",
    "Previous {procedure}",
    "{lab} outside the normal range at screening",
    "Unstable cardiovascular disease, including {disease}",
    "Treatment with {D2} within the past {duration}",
    "Contraindication to {tool}",
    "Planned surgery during the study period",
    "Severe psychiatric illness, including {disease}",
    "Prior treatment with {D}",
    "QTc interval {sign} 470 ms",
    "Inability to attend follow-up visits",
    "Body weight less than 40 kg",
    "Employees of the sponsor or the investigator's site",
    "Presence of a pacemaker or other implanted electronic device",
    "Allergy to local anesthetics",
    "Chronic use of {drugclass} for more than {duration}",
]

MEASURE_TEMPLATES = [
    "Change From Baseline in {OutT} at {TimeT}",
    "Percentage of Participants With {HarmT}",
    "Number of Participants With {HarmT}",
    "{OutT} Measured by {ToolT}",
    "Overall Survival (OS)",
    "Progression-Free Survival (PFS)",
    "Objective Response Rate (ORR)",
    "Time to First Relapse",
    "Maximum Plasma Concentration (Cmax) of {D}",
    "Area Under the Concentration-Time Curve (AUC) of {D}",
    "Incidence of {C}",
    "Proportion of Participants Achieving Remission",
    "Change in {BioT}",
    "Recruitment Rate",
    "Adherence to {D}",
    "{OutT}",
    "{OutT} Score",
    "Mean Change in {OutT}",
    "Time to {OutT} Improvement",
    "Rate of {HarmT}",
    "Number of Monthly {C} Attacks",
    "Patient Global Impression of Change",
    "Duration of Hospital Stay",
    "Composite of Death or Hospitalization",
    "Serum {BioT} Level",
    "Success Rate of {D}",
    "Feasibility: Proportion of Eligible Patients Enrolled",
    "Intraoperative Blood Loss",
    "Opioid Consumption in the First 24 Hours",
    "Complete Response Rate",
]
MEASURE_DESCRIPTIONS = [
    "{OutC} will be assessed using {tool}. Scores range from 0 to {k}0, with higher scores indicating better outcomes.",
    "{OutC} will be measured with {tool} at each study visit.",
    "Defined as the time from randomization to the first documented event or death from any cause.",
    "{HarmC} will be graded according to CTCAE version 5.0.",
    "The proportion of participants with a clinically meaningful improvement in {outcome}.",
    "Measured in a central laboratory using a validated assay.",
    "Participants rate their {outcome} on a scale from 0 (none) to 10 (worst imaginable).",
    "Calculated as the number of participants who complete the intervention divided by the number enrolled.",
    "Assessed by a blinded evaluator using {tool}.",
    "{BioC} concentration in blood samples collected before and after treatment.",
    "Recorded by participants in a daily electronic diary.",
    "A composite of all-cause death, hospitalization and emergency department visits.",
]
TIME_FRAMES = [
    "Baseline and {duration}",
    "Up to {duration}",
    "{duration}",
    "From baseline to {timepoint}",
    "Day 1 to day {k}",
    "{duration} after surgery",
    "Through study completion, an average of 1 year",
    "Up to approximately {k} years",
    "Baseline, week 4 and week 12",
    "Pre-dose and up to 24 hours post-dose",
    "Intraoperative",
    "24 hours postoperatively",
    "At {timepoint}",
    "Baseline, {duration}",
    "Every 3 months for up to 2 years",
    "From enrollment to the end of treatment at {duration}",
]
ARM_DESCRIPTIONS = [
    "Participants receive {D} {dose} {route} {freq} for {duration}.",
    "{D} administered {route} {freq}.",
    "Participants in this group receive {D} in addition to standard care.",
    "Participants will receive {D} for {duration}, followed by a {duration} follow-up period.",
    "{PT} with {C} randomized to {D}.",
    "Standard treatment according to local guidelines.",
]
PLACEBO_ARM_DESCRIPTIONS = [
    "Participants receive a matching placebo {freq} for {duration}.",
    "Placebo administered {route} {freq}, identical in appearance to the active drug.",
    "Sham procedure performed with the device switched off.",
]
CONTROL_ARM_DESCRIPTIONS = [
    "Participants continue usual care without additional intervention.",
    "Standard care according to local practice.",
    "No intervention; participants are followed up at the same time points.",
    "Participants receive {D2} as the active comparator.",
]
GROUP_DESCRIPTIONS = [
    "{PT} with {C} followed at {setting}.",
    "{PT} without {C} matched for age and sex.",
    "{PT} with {popdesc} {C}.",
    "{PT} treated with {D} as part of routine care.",
]
INTERVENTION_DESCRIPTIONS = [
    "{D} {dose} given {route} {freq} for {duration}.",
    "{D} will be administered according to the approved label.",
    "The intervention consists of {k} sessions over {duration}.",
    "Matching placebo with identical appearance.",
    "{D} applied as described in the study protocol.",
    "Standard dosing of {D} as prescribed by the treating physician.",
    "Delivered by trained staff at {setting}.",
]
STUDY_POPULATION = [
    "{PT} with {C} treated at {setting}.",
    "Consecutive {P} with {C} seen at the participating centers.",
    "{PT} diagnosed with {C} between 2018 and 2024.",
    "{PT} scheduled for {procedure} at the study hospital.",
]
BRIEF_TITLES = {
    "drug": [
        "A Study of {D} in {PT} With {C}",
        "Efficacy and Safety of {D} in {PT} With {C}",
        "{D} Versus {D2} in {C}",
        "{D} for the Treatment of {C}",
        "{PH} Study of {D} in {C}",
        "Safety and Pharmacokinetics of {D} in {PT} With {C}",
        "Effect of {D} on {OutT} in {PT} With {C}",
        "{D} in {PopT} {C}",
        "Study to Evaluate {D} in {PT} With {C}",
        "{D} Plus {D2} for {C}",
        "A Trial of {D} to Reduce {OutT} in {C}",
    ],
    "other": [
        "{D} for {C}",
        "Effect of {D} on {OutT} in {PT} With {C}",
        "{D} Versus {D2} in {PT} With {C}",
        "Feasibility of {D} for {PT} With {C}",
        "Evaluation of {D} After {ProcT}",
        "A Randomized Trial of {D} in {C}",
        "Effectiveness of {D} in Reducing {OutT} in {C}",
        "{D} and {OutT} in {PT} With {C}",
        "Impact of {D} on {OutT} After {ProcT}",
    ],
    "obs": [
        "{C} Registry",
        "Natural History of {C}",
        "{OutT} in {PT} With {C}",
        "Biomarkers of {C}",
        "Prevalence of {C} Among {PT}",
        "Real-World Outcomes of {D} in {C}",
        "Long-term Follow-up of {PT} With {C}",
        "Risk Factors for {C} After {ProcT}",
        "Observational Study of {C} in {PT}",
        "{BioT} and {OutT} in {C}",
    ],
}
OFFICIAL_TITLES = {
    "drug": [
        "A {PH}, {Design} Study to {VerbT} the {AspT} of {D} in {PT} With {C}",
        "A {Design} Trial of {D} Versus {D2} in {PT} With {PopT} {C}",
        "{PH} {Design} Study of {D} in {PT} With {C}",
        "A Multicenter, {Design} Study Evaluating {D} for {OutT} in {C}",
    ],
    "other": [
        "A {Design} Trial of {D} for {OutT} in {PT} With {C}",
        "Effect of {D} on {OutT} and {OutT} in {PT} With {C}: A {Design} Trial",
        "{D} Compared With {D2} in {PT} With {C}: A {Design} Study",
        "Evaluation of {D} in {PT} Undergoing {ProcT}: A {Design} Trial",
    ],
    "obs": [
        "A Prospective, Multicenter Cohort Study of {OutT} in {PT} With {C}",
        "{OutT} and {BioT} in {PT} With {C}: A {ObsT} Study",
        "Retrospective Analysis of {OutT} in {PT} With {C} Treated at {SetT}",
        "A {ObsT} Study of {C} in {PT}",
    ],
}
TITLE_SLOTS = {
    "OutT": [
        "Pain",
        "Quality of Life",
        "Functional Outcomes",
        "Glycemic Control",
        "Blood Pressure",
        "Erectile Function",
        "Cognitive Function",
        "Sleep Quality",
        "Fatigue",
        "Mortality",
        "Recovery",
        "Disability",
        "Muscle Strength",
        "Depressive Symptoms",
        "Lung Function",
        "Postoperative Pain",
        "Inflammation",
        "Exercise Capacity",
        "Hospital Readmissions",
    ],
    "TimeT": ["Week 12", "Week 24", "Week 52", "Month 6", "Day 28", "Month 3", "Week 8"],
    "HarmT": [
        "Treatment-Emergent Adverse Events",
        "Serious Adverse Events",
        "Dose-Limiting Toxicities",
        "Postoperative Complications",
        "Infusion-Related Reactions",
    ],
    "ToolT": ["VAS", "IIEF-5", "SF-36", "EQ-5D-5L", "PHQ-9", "ODI", "MoCA", "WOMAC", "IPSS", "NRS"],
    "BioT": [
        "C-Reactive Protein",
        "Interleukin-6",
        "HbA1c",
        "Testosterone",
        "Vitamin D",
        "Circulating Tumor DNA",
        "NT-proBNP",
        "Cortisol",
    ],
    "PopT": [
        "Newly Diagnosed",
        "Previously Treated",
        "Moderate to Severe",
        "Refractory",
        "Advanced",
        "Early-Stage",
        "Recurrent",
    ],
    "ProcT": [
        "Surgery",
        "Radical Prostatectomy",
        "Lumbar Discectomy",
        "Spinal Fusion",
        "Total Knee Arthroplasty",
        "Cardiac Surgery",
        "Cesarean Section",
        "Colonoscopy",
    ],
    "Design": [
        "Randomized, Double-Blind, Placebo-Controlled",
        "Randomized, Open-Label",
        "Randomized, Controlled",
        "Single-Arm, Open-Label",
        "Randomized, Crossover",
        "Non-Randomized, Controlled",
        "Pilot Randomized Controlled",
    ],
    "VerbT": ["Evaluate", "Assess", "Compare", "Investigate", "Determine"],
    "AspT": ["Efficacy and Safety", "Safety and Tolerability", "Pharmacokinetics", "Effectiveness"],
    "ObsT": ["Prospective", "Cross-Sectional", "Retrospective", "Case-Control", "Longitudinal"],
    "SetT": ["a Tertiary Center", "Community Hospitals", "a University Hospital", "Primary Care"],
}
CITATION_TEMPLATES = [
    "{Auth}. {Sent} {Jour}. {Y} {Mon};{V}({I}):{PG}. doi: 10.{DOI}.",
    "{Auth}. {Sent} {Jour}. {Y};{V}:{PG}.",
]

# ---------------------------------------------------------------------------
# Sampling helpers
# ---------------------------------------------------------------------------


def esc(text):
    """JSON-escape a string, without the surrounding quotes, with "%" doubled.

    The placeholder-bearing part of every record is finished with one
    ``text % values`` pass that fills the %(C)s-style placeholders, so all other
    "%" signs must be doubled.  (Vocabulary used only in the unformatted tail of a
    record - locations, people, citations, MeSH terms - is checked at start-up
    to contain no "%" at all, so doubling cannot show there.)
    """
    return encode_basestring(text)[1:-1].replace("%", "%%")


PLACEHOLDERS = ("C2", "C", "D2", "D", "PT", "PH", "P")


def holders(text):
    """Turn the template placeholders {C} {D} ... into %(C)s-style ones."""
    for name in PLACEHOLDERS:
        text = text.replace("{" + name + "}", "%(" + name + ")s")
    return text


def table(pairs):
    """A weighted chooser for [(value, weight), ...]: call it with rng.random."""
    values = [value for value, _ in pairs]
    cumulative = list(accumulate(weight for _, weight in pairs))
    total = cumulative[-1]

    def pick(rnd):
        return values[bisect_right(cumulative, rnd() * total)]

    return pick


def quantiles(points, log=False):
    """Quantile table [(share, value), ...] for qsample(); log interpolates log-values."""
    return ([q for q, _ in points], [math.log(v) if log else v for _, v in points], log)


def qsample(u, qtable):
    """Inverse-CDF sample: the value at cumulative share u (0 <= u < 1)."""
    shares, values, log = qtable
    i = bisect_right(shares, u)
    if i >= len(shares):
        x = values[-1]
    else:
        q0, q1 = shares[i - 1], shares[i]
        x = values[i - 1] + (values[i] - values[i - 1]) * (u - q0) / (q1 - q0)
    return math.exp(x) if log else x


def jlist(fragments):
    """JSON array text from already-encoded fragments."""
    return "[" + ",".join(fragments) + "]"


def jstrings(escaped):
    """JSON array of strings from already-escaped texts."""
    return '["' + '","'.join(escaped) + '"]' if escaped else "[]"


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

BASE_ORDINAL = datetime.date(1980, 1, 1).toordinal()
DAY_TEXT = [
    datetime.date.fromordinal(BASE_ORDINAL + k).isoformat()
    for k in range(datetime.date(2045, 12, 31).toordinal() - BASE_ORDINAL)
]
TODAY = REFERENCE_DATE.toordinal()
ORDINAL_2017 = datetime.date(2017, 1, 1).toordinal()
ORDINAL_1995 = datetime.date(1995, 1, 1).toordinal()


def day(ordinal):
    """ISO date text of an ordinal day."""
    return DAY_TEXT[ordinal - BASE_ORDINAL]


def date_struct(ordinal, actual, rnd, with_type=True):
    """A "...DateStruct" object with the real mix of month and day precision."""
    text = day(ordinal)
    if ordinal < ORDINAL_2017:
        text = text[:7]  # older records: month precision
    elif not actual and rnd() < 0.35:
        text = text[:7]
    if not with_type:
        return f'{{"date":"{text}"}}'
    return f'{{"date":"{text}","type":"{"ACTUAL" if actual else "ESTIMATED"}"}}'


def post_struct(ordinal):
    """Posting-date struct: ESTIMATED before 2017 (old convention) or in the future."""
    kind = "ACTUAL" if ORDINAL_2017 <= ordinal <= TODAY else "ESTIMATED"
    return f'{{"date":"{day(ordinal)}","type":"{kind}"}}'


# ---------------------------------------------------------------------------
# Vocabulary parsing (start-up only)
# ---------------------------------------------------------------------------


class Condition:
    """One condition of the built-in vocabulary with its MeSH data."""

    __slots__ = (
        "names",
        "category",
        "flags",
        "mesh_id",
        "mesh_new",
        "mesh_old",
        "ancestor_ids",
        "branches",
        "browse_new",
        "browse_old",
    )

    def __init__(self, names, category, flags, mesh_id, term, ancestor_ids):
        self.names = tuple(esc(n) for n in names)
        self.category = category
        self.flags = flags
        self.mesh_id = mesh_id
        self.mesh_new = f'{{"id":"D{mesh_id:09d}","term":"{esc(term)}"}}'
        self.mesh_old = f'{{"id":"D{mesh_id:06d}","term":"{esc(term)}"}}'
        self.ancestor_ids = ancestor_ids
        self.branches = ()


def parse_mesh_terms():
    terms = {}
    for line in MESH_ANCESTORS.strip().splitlines():
        mesh_id, term = line.split("|")
        terms[int(mesh_id)] = term
    return terms


def parse_conditions(mesh_terms):
    """Conditions, their weights, and their browse branches."""
    conditions, weights = [], []
    for line in CONDITIONS.strip().splitlines():
        weight, category, flags, names, mesh_id, term, ancestors = line.split("|")
        ancestor_ids = tuple(int(a) for a in ancestors.split())
        condition = Condition(names.split(";"), category, flags, int(mesh_id), term, ancestor_ids)
        mesh_terms.setdefault(int(mesh_id), term)
        tops = [
            BRANCHES[t] for t in [term] + [mesh_terms[a] for a in ancestor_ids] if t in BRANCHES
        ]
        if "R" in flags:
            tops.append(("Rare", "Rare Diseases"))
        condition.branches = tuple(dict.fromkeys(tops))
        conditions.append(condition)
        weights.append(int(weight))
    return conditions, weights


def parse_countries():
    """[(name, home weight, site weight, phone code, postal pattern, style, cities)]."""
    countries = []
    for line in COUNTRIES.strip("\n").splitlines():
        if not line.startswith(" "):
            name, home, site, phone, postal, style = line.split("|")
            countries.append((name, int(home), int(site), phone, postal, style, []))
        else:
            city, state, lat, lon, prefix = line.strip().split("|")
            countries[-1][6].append((city, state, lat, lon, prefix))
    return countries


def split_drugs(text):
    return [name.strip() for name in text.split(",")]


# ---------------------------------------------------------------------------
# Start-up pools: everything expensive is done once, from POOL_SEED
# ---------------------------------------------------------------------------

SLOT_RE = re.compile(r"\{(\w+)\}")


def fill(template, rng, slots):
    """Fill {slot}s from slot lists; unknown names (record placeholders) stay."""
    return SLOT_RE.sub(
        lambda m: rng.choice(slots[m.group(1)]) if m.group(1) in slots else m.group(0), template
    )


def sentence_pool(rng, templates, size, slots=SLOTS):
    return [holders(esc(fill(rng.choice(templates), rng, slots))) for _ in range(size)]


def block_pool(rng, sentences, size, low, high, separator):
    """Pre-joined runs of low..high pooled sentences (paragraphs, bullet blocks)."""
    return [separator.join(rng.choices(sentences, k=rng.randint(low, high))) for _ in range(size)]


def capitalize_first(text):
    return text[0].upper() + text[1:] if text and text[0] != "{" else text


def outcome_pool(rng, size):
    """Complete outcome objects; about 87% carry a description (as in the data)."""
    slots = dict(SLOTS)
    slots.update(TITLE_SLOTS)
    slots["OutC"] = [capitalize_first(o) for o in SLOTS["outcome"]]
    slots["HarmC"] = [capitalize_first(h) for h in SLOTS["harm"]]
    slots["BioC"] = [capitalize_first(b) for b in SLOTS["biomarker"]]
    pool = []
    for _ in range(size):
        measure = holders(esc(fill(rng.choice(MEASURE_TEMPLATES), rng, slots)))
        frame = esc(fill(rng.choice(TIME_FRAMES), rng, slots))
        if rng.random() < 0.87:
            text = holders(esc(fill(rng.choice(MEASURE_DESCRIPTIONS), rng, slots)))
            pool.append(f'{{"measure":"{measure}","description":"{text}","timeFrame":"{frame}"}}')
        else:
            pool.append(f'{{"measure":"{measure}","timeFrame":"{frame}"}}')
    return pool


def title_pool(rng, templates, size):
    return [holders(esc(fill(rng.choice(templates), rng, TITLE_SLOTS))) for _ in range(size)]


def person_pool(rng, size):
    """(escaped display name, escaped e-mail, 4 digits) for contacts and officials."""
    people = []
    for _ in range(size):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        degree = rng.choice(DEGREES) if rng.random() < 0.7 else ""
        name = f"{first} {last}" + (f", {degree}" if degree else "")
        domain = rng.choice(("example.org", "example.com", "example.net"))
        email = f"{first}.{last}".lower().replace(" ", "") + "@" + domain
        people.append(
            (esc(name), esc(email), f"{rng.randrange(10000):04d}", esc(f"{last}, {first}"))
        )
    return people


def company_pool(rng, size):
    names = set()
    while len(names) < size:
        names.add(
            f"{rng.choice(COMPANY_HEADS)}{rng.choice(COMPANY_TAILS)} {rng.choice(COMPANY_KINDS)}"
        )
    names = sorted(names)
    rng.shuffle(names)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(size)]
    return table([(esc(n), w) for n, w in zip(names, weights, strict=True)])


def postal_code(rng, pattern, prefix):
    chars = []
    for ch in pattern[len(prefix) :]:
        if ch == "#":
            chars.append(str(rng.randrange(10)))
        elif ch == "@":
            chars.append(chr(65 + rng.randrange(26)))
        else:
            chars.append(ch)
    return prefix + "".join(chars)


def facility_name(rng, style, city, state):
    template = rng.choice(FACILITY_STYLES[style])
    return template.format(
        city=city,
        state=state or city,
        name=rng.choice(LAST_NAMES),
        saint=rng.choice(SAINTS),
        n=rng.randrange(1, 80),
    )


def site_pool(rng, country, per_city):
    """Pre-encoded sites of one country: (facility, "city..country" text, geoPoint text)."""
    name, _, _, _, pattern, style, cities = country
    sites = []
    for city, state, lat, lon, prefix in cities:
        seen = set()
        for _ in range(per_city):
            facility = facility_name(rng, style, city, state)
            if facility in seen:
                continue
            seen.add(facility)
            parts = [f'"city":"{esc(city)}"']
            if state:
                parts.append(f'"state":"{esc(state)}"')
            if pattern and (name == "United States" or rng.random() < 0.85):
                parts.append(f'"zip":"{esc(postal_code(rng, pattern, prefix))}"')
            parts.append(f'"country":"{esc(name)}"')
            no_facility = rng.random() < 0.04
            sites.append(
                (
                    None if no_facility else esc(facility),
                    ",".join(parts),
                    f'"geoPoint":{{"lat":{lat},"lon":{lon}}}',
                )
            )
    return sites


class Pools:
    """All start-up vocabulary, pre-escaped for direct JSON output."""

    def __init__(self):
        rng = random.Random(POOL_SEED)
        mesh_terms = parse_mesh_terms()
        self.conditions, weights = parse_conditions(mesh_terms)
        self.condition_table = table(list(zip(self.conditions, weights, strict=True)))
        self.by_category = {}
        for condition, weight in zip(self.conditions, weights, strict=True):
            self.by_category.setdefault(condition.category, []).append((condition, weight))
        self.by_category = {k: table(v) for k, v in self.by_category.items()}
        self.ancestor_new = {
            i: f'{{"id":"D{i:09d}","term":"{esc(t)}"}}' for i, t in mesh_terms.items()
        }
        self.ancestor_old = {
            i: f'{{"id":"D{i:06d}","term":"{esc(t)}"}}' for i, t in mesh_terms.items()
        }
        for condition in self.conditions:
            single_browse_blocks(condition, self.ancestor_new, self.ancestor_old)
        self.unmapped = [esc(c) for c in UNMAPPED_CONDITIONS]
        self.drugs = {k: [esc(d) for d in split_drugs(v)] for k, v in DRUGS.items()}
        self.non_drug = {
            k: [
                esc(fill(n, rng, {"brand": [b + e for b in BRANDS for e in BRAND_ENDS]}))
                for n in names
                for _ in range(3)
            ]
            for k, names in NON_DRUG_INTERVENTIONS.items()
        }
        self.summary = sentence_pool(rng, SUMMARY_TEMPLATES, 4000)
        self.description = sentence_pool(rng, DESCRIPTION_TEMPLATES, 8000)
        self.inclusion = sentence_pool(rng, INCLUSION_TEMPLATES, 3000)
        self.exclusion = sentence_pool(rng, EXCLUSION_TEMPLATES, 3000)
        self.paragraphs = block_pool(rng, self.description, 6000, 3, 6, " ")
        self.summary_len = average_length(self.summary) + 12
        self.description_len = average_length(self.description) + 12
        self.paragraph_len = average_length(self.paragraphs) + 50
        self.bullet_len = average_length(self.inclusion + self.exclusion) + 6
        self.outcomes = outcome_pool(rng, 8000)
        self.arm_text = sentence_pool(rng, ARM_DESCRIPTIONS, 600)
        self.placebo_text = sentence_pool(rng, PLACEBO_ARM_DESCRIPTIONS, 200)
        self.control_text = sentence_pool(rng, CONTROL_ARM_DESCRIPTIONS, 200)
        self.group_text = sentence_pool(rng, GROUP_DESCRIPTIONS, 300)
        self.intervention_text = sentence_pool(rng, INTERVENTION_DESCRIPTIONS, 600)
        self.population_text = sentence_pool(rng, STUDY_POPULATION, 300)
        self.model_text = sentence_pool(rng, DESCRIPTION_TEMPLATES[30:], 300)
        self.brief_titles = {k: title_pool(rng, v, 1500) for k, v in BRIEF_TITLES.items()}
        self.official_titles = {k: title_pool(rng, v, 1500) for k, v in OFFICIAL_TITLES.items()}
        self.why_stopped = [esc(w) for w in WHY_STOPPED]
        self.keywords = [esc(k) for k in GENERIC_KEYWORDS]
        self.people = person_pool(rng, 4000)
        self.companies = company_pool(rng, 400)
        self.citations = citation_pool(rng, 3000)
        self.org_ids = [org_study_id(rng.random) for _ in range(20000)]
        self.acronyms = [make_acronym(rng.random) for _ in range(5000)]
        self.keyword_sets = [tuple(rng.sample(self.keywords, 12)) for _ in range(2000)]
        self.outcome_modules = [outcomes_text(rng, self) for _ in range(12000)]
        self.arms = arms_pool(rng, self, 300)
        self.design_infos = {
            (single, placebo): [design_info(rng.random, self, single, placebo) for _ in range(400)]
            for single in (True, False)
            for placebo in (True, False)
        }
        self.reference_modules = [references_text(rng, self) for _ in range(3000)]
        self.eligibility_tails = [eligibility_tail(rng, self) for _ in range(10000)]
        self.build_geography(rng)
        check_no_percent(self)

    def build_geography(self, rng):
        countries = parse_countries()
        self.countries = countries
        self.country_names = [esc(c[0]) for c in countries]
        self.phone = [c[3] for c in countries]
        self.home_table = table([(i, c[1]) for i, c in enumerate(countries)])
        self.site_table = table([(i, c[2]) for i, c in enumerate(countries)])
        self.sites = [site_pool(rng, c, 14 if c[0] == "United States" else 10) for c in countries]
        self.plain_sites = [[site_text(site) for site in sites] for sites in self.sites]
        self.status_sites = [
            [site_text(site, T_SITE_STATUS(rng.random)) for site in sites for _ in range(3)]
            for sites in self.sites
        ]
        self.contact_sites = [
            [
                site_text(
                    site, T_SITE_STATUS(rng.random), contact(rng.choice(self.people), self.phone[i])
                )
                for site in sites
                for _ in range(3)
            ]
            for i, sites in enumerate(self.sites)
        ]
        self.institutions = [[f for f, _, _ in sites if f] for sites in self.sites]
        self.central = [
            {n: [central_contacts(rng, self.people, phone, n) for _ in range(100)] for n in (1, 2)}
            for phone in self.phone
        ]


def central_contacts(rng, people, phone, n):
    """A centralContacts list of n people (start-up pool per country)."""
    return '"centralContacts":' + jlist([contact(rng.choice(people), phone) for _ in range(n)])


def site_text(site, status=None, contact_text=None):
    """Location object text: facility, status, city..country, contacts, geoPoint."""
    facility, place, geo = site
    text = f'{{"facility":"{facility}",' if facility else "{"
    if status:
        text += f'"status":"{status}",'
    text += place
    if contact_text:
        text += ',"contacts":[' + contact_text + "]"
    return text + "," + geo + "}"


def check_no_percent(pools):
    """Texts of the record tail are not "%"-formatted: they must not contain "%"."""
    texts = [
        *pools.citations,
        *pools.ancestor_new.values(),
        *NIH_SPONSORS,
        *FED_SPONSORS,
        *NETWORK_SPONSORS,
        *OTHER_GOV_SPONSORS,
        *COMPANY_HEADS,
        *COMPANY_TAILS,
        *COMPANY_KINDS,
    ]
    texts += [field for person in pools.people for field in person]
    texts += [site for sites in pools.contact_sites for site in sites]
    texts += [site for sites in pools.plain_sites for site in sites]
    if any("%" in text for text in texts):
        raise ValueError("a location/people/citation/MeSH vocabulary entry contains '%'")


def average_length(pool):
    return sum(len(s) for s in pool) / len(pool)


def citation_pool(rng, size):
    """Synthetic reference citations (authors, a sentence, journal, volume, pages)."""
    pool = []
    for _ in range(size):
        authors = ", ".join(
            f"{rng.choice(LAST_NAMES)} {chr(65 + rng.randrange(26))}"
            f"{chr(65 + rng.randrange(26)) if rng.random() < 0.5 else ''}"
            for _ in range(rng.randrange(1, 7))
        )
        sentence = fill(rng.choice(SUMMARY_TEMPLATES[:20]), rng, SLOTS)
        sentence = sentence.replace("{C}", rng.choice(["the disease", "this condition"]))
        for holder, word in (
            ("{C2}", "comorbidity"),
            ("{D}", "treatment"),
            ("{D2}", "placebo"),
            ("{P}", "patients"),
            ("{PT}", "Patients"),
        ):
            sentence = sentence.replace(holder, word)
        first_page = rng.randrange(1, 3000)
        fields = {
            "Auth": authors,
            "Sent": sentence,
            "Jour": rng.choice(JOURNALS),
            "Y": str(rng.randrange(1995, 2025)),
            "Mon": rng.choice(MONTHS),
            "V": str(rng.randrange(1, 400)),
            "I": str(rng.randrange(1, 13)),
            "PG": f"{first_page}-{first_page + rng.randrange(3, 15)}",
            "DOI": f"{rng.randrange(1000, 9999)}/{rng.randrange(10**6, 10**7)}",
        }
        template = rng.choice(CITATION_TEMPLATES)
        pool.append(esc(fill(template, rng, {k: [v] for k, v in fields.items()})))
    return pool


# Tables built once.
T_STATUS = table(OVERALL_STATUS)
T_STUDY_TYPE = table(STUDY_TYPE)
T_PHASES = table(INTERVENTIONAL_PHASES)
T_LAST_KNOWN = table(LAST_KNOWN_STATUS)
T_LOCATIONS = table(LOCATION_COUNT)
T_SITE_STATUS = table(SITE_STATUS_RECRUITING)
T_CENTRAL = {k: table(v) for k, v in CENTRAL_CONTACTS.items()}
T_OFFICIALS = table(OVERALL_OFFICIALS)
T_LEAD_BIG = table(LEAD_CLASS_BIG)
T_LEAD_SMALL = table(LEAD_CLASS_SMALL)
T_COLLAB_COUNT = table(COLLABORATOR_COUNT)
T_COLLAB_CLASS = table(COLLABORATOR_CLASS)
T_RESPONSIBLE = table(RESPONSIBLE_PARTY)
T_CONDITIONS = table(CONDITION_COUNT)
T_KEYWORDS = table(KEYWORD_COUNT)
T_ARMS_INT = table(ARMS_INTERVENTIONAL)
T_ARMS_OBS = table(ARMS_OBSERVATIONAL)
T_PRIMARY = table(PRIMARY_OUTCOMES)
T_SECONDARY = table(SECONDARY_OUTCOMES)
T_OTHER = table(OTHER_OUTCOMES)
T_REFERENCES = table(REFERENCE_COUNT)
T_REFERENCE_TYPE = table(REFERENCE_TYPE)
T_ALLOCATION = table([(am, w) for am, w in ALLOCATION_MODEL if am[1] != "SINGLE_GROUP"])
T_PURPOSE = table(PRIMARY_PURPOSE)
T_MASKING = table(MASKING)
T_MASKING_BLIND = table([(m, w) for m, w in MASKING if m[0] in ("DOUBLE", "TRIPLE", "QUADRUPLE")])
T_OBS_MODEL = table(OBSERVATIONAL_MODEL)
T_TIME_PERSPECTIVE = table(TIME_PERSPECTIVE)
T_IPD = table(IPD_SHARING)
T_SEX = table(SEX_DEFAULT)
T_HEALTHY = {k: table(v) for k, v in HEALTHY_VOLUNTEERS.items()}
T_MIN_AGE = table(MINIMUM_AGE)
T_MIN_AGE_CHILD = table(CHILD_MINIMUM_AGE)
T_MAX_ADULT = table(MAXIMUM_AGE_ADULT)
T_MAX_CHILD = table(MAXIMUM_AGE_CHILD)
T_INT_DRUG = table(INTERVENTION_TYPE_DRUG_PHASE)
T_INT_NA = table(INTERVENTION_TYPE_NA)
T_INT_OBS = table(INTERVENTION_TYPE_OBS)
T_ARMS_1 = table(ARM_PATTERNS_1)
T_ARMS_2 = table(ARM_PATTERNS_2)
Q_SUMMARY = quantiles(BRIEF_SUMMARY_CHARS)
Q_DETAILED = quantiles(DETAILED_DESCRIPTION_CHARS)
Q_ELIGIBILITY = quantiles(ELIGIBILITY_CHARS)
Q_ENROLLMENT = quantiles(ENROLLMENT, log=True)
Q_DURATION = quantiles(STUDY_DURATION_DAYS)
Q_SUBMITTED = {k: quantiles(v) for k, v in SUBMITTED_DAYS_AGO.items()}

PHASES_JSON = {phases: jstrings(phases) for phases, _ in INTERVENTIONAL_PHASES}
UNIT_YEARS = {
    "Year": 1.0,
    "Years": 1.0,
    "Month": 1 / 12,
    "Months": 1 / 12,
    "Week": 1 / 52,
    "Weeks": 1 / 52,
    "Day": 1 / 365,
    "Days": 1 / 365,
}
DRUG_PHASES = {"PHASE1", "PHASE2", "PHASE3", "PHASE4", "EARLY_PHASE1"}
PHASE_WORDS = {
    ("NA",): "A",
    ("PHASE1",): "Phase 1",
    ("PHASE2",): "Phase 2",
    ("PHASE3",): "Phase 3",
    ("PHASE4",): "Phase 4",
    ("EARLY_PHASE1",): "Early Phase 1",
    ("PHASE1", "PHASE2"): "Phase 1/2",
    ("PHASE2", "PHASE3"): "Phase 2/3",
    (): "A",
}


def age_years(text):
    """'6 Months' -> 0.5; None -> None."""
    if text is None:
        return None
    number, unit = text.split()
    return int(number) * UNIT_YEARS[unit]


AGE_YEARS = {
    text: age_years(text)
    for table_ in (MINIMUM_AGE, CHILD_MINIMUM_AGE, MAXIMUM_AGE_ADULT, MAXIMUM_AGE_CHILD)
    for text, _ in table_
}


# ---------------------------------------------------------------------------
# Per-record plan
# ---------------------------------------------------------------------------


class Study:
    """Decisions shared by several modules of one synthetic record."""

    __slots__ = (
        "nct",
        "status",
        "study_type",
        "phases",
        "conditions",
        "mapped",
        "category",
        "sex",
        "min_age",
        "max_age",
        "min_years",
        "max_years",
        "n_locations",
        "home",
        "lead_class",
        "lead_name",
        "drug",
        "drug2",
        "itype",
        "population",
        "acronym",
        "dates",
        "old_mesh",
        "chosen",
    )


def plan_conditions(s, rnd, rng, pools):
    """Pick 1-8 conditions (same therapeutic area most of the time)."""
    count = T_CONDITIONS(rnd)
    if rnd() < UNMAPPED_SHARE:
        s.mapped = False
        s.conditions = rng.sample(pools.unmapped, min(count, 3))
        s.category = "general"
        return []
    s.mapped = True
    first = pools.condition_table(rnd)
    chosen = [first]
    area = pools.by_category[first.category]
    for _ in range(count - 1):
        other = (area if rnd() < 0.7 else pools.condition_table)(rnd)
        if other not in chosen:
            chosen.append(other)
    s.category = first.category
    s.conditions = [c.names[int(rnd() * len(c.names))] for c in chosen]
    return chosen


def plan_ages(s, rnd, child_bias):
    """minimumAge/maximumAge with the real joint distribution."""
    minimum = (T_MIN_AGE_CHILD if child_bias and rnd() < 0.5 else T_MIN_AGE)(rnd)
    low = AGE_YEARS[minimum]
    if low is None:
        band = "none"
    elif low < 1:
        band = "infant"
    elif low < 12:
        band = "child"
    elif low < 18:
        band = "teen"
    elif low == 18:
        band = "18"
    elif low < 40:
        band = "adult"
    else:
        band = "older"
    maximum, high = None, None
    if rnd() >= NO_MAXIMUM_SHARE[band]:
        source = T_MAX_CHILD if band in ("infant", "child", "teen") else T_MAX_ADULT
        for _ in range(8):
            candidate = source(rnd)
            if AGE_YEARS[candidate] > (low or 0):
                maximum, high = candidate, AGE_YEARS[candidate]
                break
    s.min_age, s.max_age, s.min_years, s.max_years = minimum, maximum, low, high


@functools.cache
def std_ages(low, high):
    low = low or 0
    ages = []
    if low < 18:
        ages.append("CHILD")
    if low < 65 and (high is None or high >= 18):
        ages.append("ADULT")
    if high is None or high >= 65:
        ages.append("OLDER_ADULT")
    return ages


def plan_population(s, rnd):
    """Wording for {P}/{PT} consistent with ages and sex."""
    if s.max_years is not None and s.max_years < 2:
        words = ("infants", "Infants")
    elif s.max_years is not None and s.max_years < 18:
        words = ("children", "Children")
    elif s.sex == "MALE":
        words = ("men", "Men")
    elif s.sex == "FEMALE":
        words = ("women", "Women")
    elif s.min_years is not None and s.min_years >= 60:
        words = ("older adults", "Older Adults")
    else:
        words = (
            ("patients", "Patients"),
            ("adults", "Adults"),
            ("participants", "Participants"),
            ("patients", "Patients"),
        )[int(rnd() * 4)]
    s.population = words


def plan_sex(s, rnd, flags):
    if "M" in flags:
        s.sex = "MALE" if rnd() < 0.95 else "ALL"
    elif "F" in flags:
        s.sex = "FEMALE" if rnd() < 0.85 else "ALL"
    else:
        s.sex = T_SEX(rnd)


def plan_locations(s, rnd):
    if rnd() < NO_LOCATION_SHARE.get(s.status, 0.0):
        s.n_locations = 0
        return
    n = T_LOCATIONS(rnd)
    if isinstance(n, tuple):
        lo, hi = n
        n = int(lo * math.exp(rnd() * math.log((hi + 1) / lo)))
    s.n_locations = n


def plan_interventions(s, rnd, rng, pools):
    """Main intervention type and the names behind {D} and {D2}."""
    drugs = pools.drugs.get(s.category, pools.drugs["general"])
    if s.study_type == "OBSERVATIONAL":
        itype = T_INT_OBS(rnd)
    elif s.study_type == "EXPANDED_ACCESS" or DRUG_PHASES.intersection(s.phases):
        itype = T_INT_DRUG(rnd)
    else:
        itype = T_INT_NA(rnd)
    if itype in (None, "DRUG") or (itype == "BIOLOGICAL" and rnd() < 0.5):
        drug = drugs[int(rnd() * len(drugs))]
    else:
        names = pools.non_drug[itype]
        drug = names[int(rnd() * len(names))]
    second = drugs[int(rnd() * len(drugs))]
    if second == drug:
        second = "Standard of Care"
    s.itype, s.drug, s.drug2 = itype, drug, second


def plan_dates(s, rnd):
    """Submission, start, completion and update days consistent with the status."""
    status = s.status
    submitted = TODAY - int(qsample(rnd(), Q_SUBMITTED.get(status, Q_SUBMITTED["RECRUITING"])))
    submitted = max(submitted, ORDINAL_1995)
    qc = submitted + int(rnd() * rnd() * 40)
    posted = qc + 1 + int(rnd() * 6)
    duration = int(qsample(rnd(), Q_DURATION))
    extra = 0 if rnd() < 0.5 else int(rnd() * 400)
    start = pc = done = None
    start_actual = pc_actual = done_actual = False
    if status == "NOT_YET_RECRUITING":
        start = max(posted, TODAY) + 15 + int(rnd() * 365)
        pc = start + duration
        done = pc + extra
    elif status in ("RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING", "SUSPENDED"):
        start = min(submitted + int((rnd() - 0.7) * 500), TODAY - 7)
        start_actual = True
        pc = start + duration
        if status != "ACTIVE_NOT_RECRUITING":
            pc = max(pc, TODAY + 30 + int(rnd() * 700))
        pc_actual = pc <= TODAY
        done = max(pc + extra, TODAY + 30 + int(rnd() * 500))
    elif status in ("COMPLETED", "TERMINATED"):
        start = submitted + int((rnd() - 0.6) * 500)
        done = start + (duration if status == "COMPLETED" else duration // 2)
        if done > TODAY - 30:
            done = TODAY - 30 - int(rnd() * 365)
            start = min(start, done - 30 - int(rnd() * 365))
        pc = done - (0 if rnd() < 0.6 else int(rnd() * 180))
        start_actual = pc_actual = done_actual = True
    elif status == "WITHDRAWN":
        start = submitted + int(rnd() * 300)
        pc = start + duration
        done = pc + extra
    elif status == "UNKNOWN":
        start = submitted + int((rnd() - 0.5) * 300)
        start_actual = rnd() < 0.8
        pc = start + duration
        done = pc + extra
    s.dates = (
        submitted,
        qc,
        posted,
        start,
        start_actual,
        pc,
        pc_actual,
        done,
        done_actual,
        last_update(status, submitted, posted, done, rnd),
    )


def last_update(status, submitted, posted, done, rnd):
    if status in ("COMPLETED", "TERMINATED"):
        update = min(TODAY - 1, done + int(rnd() * 700))
    elif status == "WITHDRAWN":
        update = min(TODAY - 1, submitted + int(rnd() * 1500))
    elif status == "UNKNOWN":
        limit = TODAY - 730
        update = posted + int(rnd() * (limit - posted)) if limit > posted else posted
    else:
        update = TODAY - int(rnd() * 400)
    return max(update, posted)


def plan_sponsor(s, rnd, pools):
    s.lead_class = (T_LEAD_BIG if s.n_locations >= 20 else T_LEAD_SMALL)(rnd)
    s.lead_name = sponsor_name(s.lead_class, s.home, rnd, pools)


def sponsor_name(klass, home, rnd, pools):
    """An escaped sponsor name for an agency class."""
    if klass == "INDUSTRY":
        return pools.companies(rnd)
    if klass in ("OTHER", "UNKNOWN"):
        names = pools.institutions[home]
        return names[int(rnd() * len(names))]
    if klass == "NIH":
        return esc(NIH_SPONSORS[int(rnd() * len(NIH_SPONSORS))])
    if klass == "FED":
        return esc(FED_SPONSORS[int(rnd() * len(FED_SPONSORS))])
    if klass == "NETWORK":
        return esc(NETWORK_SPONSORS[int(rnd() * len(NETWORK_SPONSORS))])
    if klass == "OTHER_GOV":
        template = OTHER_GOV_SPONSORS[int(rnd() * len(OTHER_GOV_SPONSORS))]
        return esc(template.format(country=pools.countries[home][0]))
    return pools.people[int(rnd() * len(pools.people))][3]  # INDIV


def plan(rng, nct, pools):
    """Draw every cross-module decision of one record."""
    rnd = rng.random
    s = Study()
    s.nct = nct
    s.status = T_STATUS(rnd)
    if s.status == "AVAILABLE":
        s.study_type, s.phases = "EXPANDED_ACCESS", ()
    else:
        s.study_type = T_STUDY_TYPE(rnd)
        s.phases = T_PHASES(rnd) if s.study_type == "INTERVENTIONAL" else ()
    chosen = plan_conditions(s, rnd, rng, pools)
    s.old_mesh = rnd() < OLD_MESH_ID_SHARE
    flags = chosen[0].flags if chosen else ""
    s.chosen = chosen
    plan_sex(s, rnd, flags)
    plan_ages(s, rnd, "K" in flags)
    plan_population(s, rnd)
    plan_locations(s, rnd)
    s.home = pools.home_table(rnd)
    plan_sponsor(s, rnd, pools)
    plan_interventions(s, rnd, rng, pools)
    plan_dates(s, rnd)
    s.acronym = pools.acronyms[int(rnd() * len(pools.acronyms))] if rnd() < 0.28 else None
    return s


def make_acronym(rnd):
    letters = "ABCDEFGHIJKLMNOPRSTUVW"
    n = 3 + int(rnd() * 5)
    word = "".join(letters[int(rnd() * len(letters))] for _ in range(n))
    return word + ("-" + str(1 + int(rnd() * 4)) if rnd() < 0.15 else "")


# ---------------------------------------------------------------------------
# Module writers: each returns the JSON text of one module ("name":{...})
# ---------------------------------------------------------------------------


def identification_module(s, rnd, pools):
    kind = (
        "obs"
        if s.study_type == "OBSERVATIONAL"
        else ("drug" if s.itype in ("DRUG", "BIOLOGICAL") else "other")
    )
    brief = pools.brief_titles[kind]
    official = pools.official_titles[kind]
    ids = pools.org_ids
    parts = [f'"nctId":"{s.nct}"', f'"orgStudyIdInfo":{{"id":"{ids[int(rnd() * len(ids))]}"}}']
    if rnd() < 0.145:
        parts.append(secondary_ids(rnd))
    parts.append(f'"organization":{{"fullName":"{s.lead_name}","class":"{s.lead_class}"}}')
    parts.append(f'"briefTitle":"{brief[int(rnd() * len(brief))]}"')
    if rnd() < 0.993:
        parts.append(f'"officialTitle":"{official[int(rnd() * len(official))]}"')
    if s.acronym:
        parts.append(f'"acronym":"{s.acronym}"')
    return '"identificationModule":{' + ",".join(parts) + "}"


def org_study_id(rnd):
    style = int(rnd() * 6)
    number = int(rnd() * 100000)
    if style == 0:
        return f"{2000 + int(rnd() * 25)}-{number:05d}"
    if style == 1:
        return f"IRB{number:08d}"
    if style == 2:
        return f"{''.join('ABCDEFGHKLMNPRSTVXZ'[int(rnd() * 19)] for _ in range(3))}-{number % 1000:03d}"
    if style == 3:
        return f"H-{number}"
    if style == 4:
        return f"{number % 10000:04d}/{2010 + int(rnd() * 15)}"
    return f"CT-{2015 + int(rnd() * 10)}-{number % 1000:03d}"


def secondary_ids(rnd):
    if rnd() < 0.5:
        grant = (
            f"R{int(rnd() * 3) + 1}{int(rnd() * 9)}{'HL DK CA MH DA AG NS AI'.split()[int(rnd() * 8)]}"
            f"{int(rnd() * 900000) + 100000}"
        )
        return (
            f'"secondaryIdInfos":[{{"id":"{grant}","type":"NIH",'
            f'"link":"https://reporter.nih.gov/quickSearch/{grant}"}}]'
        )
    year = 2010 + int(rnd() * 15)
    return (
        f'"secondaryIdInfos":[{{"id":"{year}-{int(rnd() * 999999):06d}-{int(rnd() * 99):02d}",'
        f'"type":"EUDRACT_NUMBER"}}]'
    )


def status_module(s, rnd, pools):
    (submitted, qc, posted, start, start_actual, pc, pc_actual, done, done_actual, update) = s.dates
    status = s.status
    parts = [f'"statusVerifiedDate":"{day(update)[:7]}"', f'"overallStatus":"{status}"']
    if status == "UNKNOWN":
        parts.append(f'"lastKnownStatus":"{T_LAST_KNOWN(rnd)}"')
    if status in WHY_STOPPED_SHARE and rnd() < WHY_STOPPED_SHARE[status]:
        reasons = pools.why_stopped
        parts.append(f'"whyStopped":"{reasons[int(rnd() * len(reasons))]}"')
    parts.append('"expandedAccessInfo":{"hasExpandedAccess":false}')
    if start is not None:
        old_start = start < ORDINAL_2017
        parts.append('"startDateStruct":' + date_struct(start, start_actual, rnd, not old_start))
        parts.append('"primaryCompletionDateStruct":' + date_struct(pc, pc_actual, rnd))
        parts.append('"completionDateStruct":' + date_struct(done, done_actual, rnd))
    update_posted = update + 1 + int(rnd() * 5)
    parts.append(
        f'"studyFirstSubmitDate":"{day(submitted)}","studyFirstSubmitQcDate":"{day(qc)}",'
        f'"studyFirstPostDateStruct":{post_struct(posted)},'
        f'"lastUpdateSubmitDate":"{day(update)}",'
        f'"lastUpdatePostDateStruct":{post_struct(update_posted)}'
    )
    return '"statusModule":{' + ",".join(parts) + "}"


def sponsor_module(s, rnd, pools):
    party = T_RESPONSIBLE(rnd)
    parts = []
    if party == "SPONSOR":
        parts.append('"responsibleParty":{"type":"SPONSOR"}')
    elif party:
        person = pools.people[int(rnd() * len(pools.people))]
        title = (
            "Professor",
            "Principal Investigator",
            "Assistant Professor",
            "Associate Professor",
            "Clinical Professor",
            "Consultant",
        )[int(rnd() * 6)]
        parts.append(
            f'"responsibleParty":{{"type":"{party}","investigatorFullName":"{person[0]}",'
            f'"investigatorTitle":"{title}","investigatorAffiliation":"{s.lead_name}"}}'
        )
    parts.append(f'"leadSponsor":{{"name":"{s.lead_name}","class":"{s.lead_class}"}}')
    n = T_COLLAB_COUNT(rnd)
    if n:
        collaborators = []
        for _ in range(n):
            klass = T_COLLAB_CLASS(rnd)
            home = s.home if rnd() < 0.7 else pools.site_table(rnd)
            collaborators.append(
                f'{{"name":"{sponsor_name(klass, home, rnd, pools)}","class":"{klass}"}}'
            )
        parts.append('"collaborators":' + jlist(collaborators))
    return '"sponsorCollaboratorsModule":{' + ",".join(parts) + "}"


def oversight_module(s, rnd):
    if rnd() < 0.045:
        return None
    dmc = "true" if rnd() < 0.3 else "false"
    if rnd() < 0.17:
        return f'"oversightModule":{{"oversightHasDmc":{dmc}}}'
    drug = "true" if s.itype in ("DRUG", "BIOLOGICAL") and s.home == 0 and rnd() < 0.6 else "false"
    device = "true" if s.itype == "DEVICE" and s.home == 0 and rnd() < 0.6 else "false"
    return (
        f'"oversightModule":{{"oversightHasDmc":{dmc},"isFdaRegulatedDrug":{drug},'
        f'"isFdaRegulatedDevice":{device}}}'
    )


def text_block(rng, rnd, pool, average, qtable):
    """Pseudo-English text of a length drawn from a real length distribution."""
    target = qsample(rnd(), qtable)
    return " ".join(rng.choices(pool, k=max(1, round(target / average))))


def detailed_description(rng, rnd, pools):
    """Paragraphs separated by blank lines, as in the real detailedDescription."""
    target = qsample(rnd(), Q_DETAILED)
    if target < pools.paragraph_len:
        return " ".join(
            rng.choices(pools.description, k=max(1, round(target / pools.description_len)))
        )
    k = max(1, round(target / pools.paragraph_len))
    return "\\n\\n".join(rng.choices(pools.paragraphs, k=k))


def description_module(s, rng, rnd, pools):
    summary = text_block(rng, rnd, pools.summary, pools.summary_len, Q_SUMMARY)
    if rnd() < DETAILED_DESCRIPTION_SHARE:
        detail = detailed_description(rng, rnd, pools)
        return (
            f'"descriptionModule":{{"briefSummary":"{summary}","detailedDescription":"{detail}"}}'
        )
    return f'"descriptionModule":{{"briefSummary":"{summary}"}}'


def conditions_module(s, rnd, pools, chosen):
    """conditions, and keywords drawn from synonyms, the intervention and generic terms."""
    conditions = s.conditions
    n = T_KEYWORDS(rnd)
    if not n:
        return '"conditionsModule":{"conditions":' + jstrings(conditions) + "}"
    generic = pools.keyword_sets[int(rnd() * len(pools.keyword_sets))]
    candidates = (chosen[0].names if chosen else ()) + (s.drug,) + generic
    keywords = [k for k in candidates if k not in conditions][:n]
    return (
        '"conditionsModule":{"conditions":'
        + jstrings(conditions)
        + ',"keywords":'
        + jstrings(keywords)
        + "}"
    )


def enrollment(s, rnd):
    if s.status == "WITHDRAWN":
        return '"enrollmentInfo":{"count":0,"type":"ACTUAL"}'
    count = int(qsample(rnd(), Q_ENROLLMENT))
    if s.study_type == "OBSERVATIONAL":
        count = count * 2 + 10
    actual = (
        s.status in ("COMPLETED", "TERMINATED")
        or (s.status == "ACTIVE_NOT_RECRUITING" and rnd() < 0.5)
        or (s.status == "UNKNOWN" and rnd() < 0.05)
    )
    return f'"enrollmentInfo":{{"count":{count},"type":"{"ACTUAL" if actual else "ESTIMATED"}"}}'


def design_info(rnd, pools, single, has_placebo):
    """designInfo of an interventional study (start-up pool)."""
    if single:
        allocation, model = (
            ("NA", "SINGLE_GROUP") if rnd() < 0.9 else ("NON_RANDOMIZED", "SINGLE_GROUP")
        )
        masking, who = ("NONE", ()) if rnd() < 0.85 else T_MASKING(rnd)
    else:
        allocation, model = T_ALLOCATION(rnd)
        masking, who = (T_MASKING_BLIND if has_placebo else T_MASKING)(rnd)
    info = [f'"allocation":"{allocation}"', f'"interventionModel":"{model}"']
    if rnd() < 0.25:
        text = pools.model_text[int(rnd() * len(pools.model_text))]
        info.append(f'"interventionModelDescription":"{text}"')
    info.append(f'"primaryPurpose":"{T_PURPOSE(rnd)}"')
    mask = f'"masking":"{masking}"' + (',"whoMasked":' + jstrings(who) if who else "")
    info.append('"maskingInfo":{' + mask + "}")
    return '"designInfo":{' + ",".join(info) + "}"


def design_module(s, rnd, pools, n_arms, has_placebo):
    if s.study_type == "EXPANDED_ACCESS":
        return '"designModule":{"studyType":"EXPANDED_ACCESS","expandedAccessTypes":{"individual":true}}'
    if s.study_type == "OBSERVATIONAL":
        return observational_design(s, rnd)
    infos = pools.design_infos[n_arms <= 1, has_placebo and n_arms > 1]
    info = infos[int(rnd() * len(infos))]
    phases = f'"phases":{PHASES_JSON[s.phases]},' if s.phases else ""
    return f'"designModule":{{"studyType":"INTERVENTIONAL",{phases}{info},{enrollment(s, rnd)}}}'


def observational_design(s, rnd):
    parts = ['"studyType":"OBSERVATIONAL"']
    if rnd() < 0.9:
        parts.append(f'"patientRegistry":{"true" if rnd() < 0.12 else "false"}')
    if rnd() < 0.15:
        parts.append(f'"targetDuration":"{(1, 3, 6, 12, 24, 36)[int(rnd() * 6)]} Months"')
    parts.append(
        f'"designInfo":{{"observationalModel":"{T_OBS_MODEL(rnd)}",'
        f'"timePerspective":"{T_TIME_PERSPECTIVE(rnd)}"}}'
    )
    if rnd() < 0.15:
        parts.append(
            '"bioSpec":{"retention":"SAMPLES_WITHOUT_DNA","description":"Blood and urine samples"}'
        )
    parts.append(enrollment(s, rnd))
    return '"designModule":{' + ",".join(parts) + "}"


ARM_LABEL_STYLES = (
    ("%(D)s", "%(D2)s", "Placebo", "Control", "Sham", "Standard of Care"),
    (
        "%(D)s Group",
        "%(D2)s Group",
        "Placebo Group",
        "Control Group",
        "Sham Group",
        "Usual Care Group",
    ),
    (
        "Arm A: %(D)s",
        "Arm B: %(D2)s",
        "Arm B: Placebo",
        "Arm B: Control",
        "Arm B: Sham",
        "Arm B: Usual Care",
    ),
    (
        "Intervention",
        "Active Comparator",
        "Placebo",
        "No Intervention",
        "Sham Comparator",
        "Standard Care",
    ),
)


DOSE_LABELS = (
    "Low Dose",
    "Medium Dose",
    "High Dose",
    "Dose Level 4",
    "Dose Level 5",
    "Dose Level 6",
    "Dose Level 7",
    "Dose Level 8",
)


def arm_plan(rnd, itype, comparator):
    """[(label, arm type, intervention name or None, intervention type)] of an interventional study."""
    n = T_ARMS_INT(rnd)
    if n == 1:
        types = (T_ARMS_1(rnd),)
    elif n == 2:
        types = T_ARMS_2(rnd)
    else:
        tail = ("PLACEBO_COMPARATOR", "ACTIVE_COMPARATOR", "NO_INTERVENTION")[int(rnd() * 3)]
        types = ("EXPERIMENTAL",) * (n - 1) + (tail,)
    style = ARM_LABEL_STYLES[int(rnd() * len(ARM_LABEL_STYLES))]
    experimental = sum(1 for t in types if t == "EXPERIMENTAL")
    arms = []
    for k, arm_type in enumerate(types):
        label, name, kind = arm_entry(arm_type, k, style, itype, comparator)
        if arm_type == "EXPERIMENTAL" and experimental > 1:
            if itype in ("DRUG", "BIOLOGICAL"):
                label = f"{label}: {DOSE_LABELS[k]}"
            else:
                label = f"{label} - Cohort {k + 1}"
        arms.append((label, arm_type, name, kind))
    return arms


def arm_entry(arm_type, k, style, itype, comparator):
    """Label, intervention name and intervention type of one arm."""
    if arm_type == "EXPERIMENTAL" or (arm_type == "ACTIVE_COMPARATOR" and k == 0):
        return style[0], "%(D)s", itype
    if arm_type == "ACTIVE_COMPARATOR":
        return style[1], "%(D2)s", comparator
    if arm_type == "PLACEBO_COMPARATOR":
        kind = "DRUG" if itype in ("DRUG", "BIOLOGICAL", "DIETARY_SUPPLEMENT") else "OTHER"
        return style[2], "Placebo", kind
    if arm_type == "SHAM_COMPARATOR":
        return style[4], "Sham Procedure", itype if itype in ("DEVICE", "PROCEDURE") else "OTHER"
    if arm_type == "NO_INTERVENTION":
        return style[3], None, None
    return style[5], "Standard of Care", "OTHER"


def interventional_arms(rng, itype, comparator, pools):
    """(armsInterventionsModule text, number of arms, has placebo/sham arm) - start-up pool.

    Intervention names are placeholders (%(D)s, %(D2)s), so the text depends
    only on the intervention type and can be pooled.
    """
    rnd = rng.random
    arms = arm_plan(rnd, itype, comparator)
    groups, interventions = [], {}
    for label, arm_type, name, kind in arms:
        groups.append(arm_group(label, arm_type, name, kind, rnd, pools))
        if name:
            interventions.setdefault((kind, name), []).append(label)
    entries = [
        intervention_entry(kind, name, labels, rnd, pools)
        for (kind, name), labels in interventions.items()
    ]
    parts = ['"armGroups":' + jlist(groups)]
    if entries:
        parts.append('"interventions":' + jlist(entries))
    has_placebo = any(a[1] in ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR") for a in arms)
    return '"armsInterventionsModule":{' + ",".join(parts) + "}", len(arms), has_placebo


def arms_pool(rng, pools, size):
    """Pre-rendered arm modules per (study type, intervention type[, comparator type])."""
    pool = {}
    for itype in INTERVENTION_TYPE_LABEL:
        for comparator in ("DRUG", "OTHER"):
            pool["INTERVENTIONAL", itype, comparator] = [
                interventional_arms(rng, itype, comparator, pools) for _ in range(size)
            ]
    for itype in [None, *INTERVENTION_TYPE_LABEL]:
        pool["OBSERVATIONAL", itype, None] = [
            (observational_groups(rng.random, itype, pools), 0, False) for _ in range(size)
        ]
    return pool


def arms_module(s, rnd, pools):
    """armsInterventionsModule text, number of arms and whether one is a placebo/sham arm."""
    if s.study_type == "EXPANDED_ACCESS":
        return (
            '"armsInterventionsModule":{"interventions":[{"type":"DRUG","name":"%(D)s"}]}',
            0,
            False,
        )
    if s.study_type == "OBSERVATIONAL":
        key = "OBSERVATIONAL", s.itype, None
    else:
        key = "INTERVENTIONAL", s.itype, "OTHER" if s.drug2 == "Standard of Care" else "DRUG"
    variants = pools.arms[key]
    return variants[int(rnd() * len(variants))]


def arm_group(label, arm_type, name, kind, rnd, pools):
    if arm_type in ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR"):
        pool = pools.placebo_text
    elif arm_type in ("NO_INTERVENTION", "OTHER") or name == "%(D2)s":
        pool = pools.control_text
    else:
        pool = pools.arm_text
    text = pool[int(rnd() * len(pool))]
    group = f'{{"label":"{label}","type":"{arm_type}","description":"{text}"'
    if name:
        group += f',"interventionNames":["{INTERVENTION_TYPE_LABEL[kind]}: {name}"]'
    return group + "}"


def intervention_entry(kind, name, labels, rnd, pools):
    text = pools.intervention_text[int(rnd() * len(pools.intervention_text))]
    entry = f'{{"type":"{kind}","name":"{name}","description":"{text}","armGroupLabels":{jstrings(labels)}'
    if name == "%(D)s" and rnd() < 0.23:
        code = "".join("ABCDEFGHJKLMNPRSTVXYZ"[int(rnd() * 21)] for _ in range(3))
        entry += f',"otherNames":["{code}-{int(rnd() * 9000) + 100}"]'
    return entry + "}"


def observational_groups(rnd, itype, pools):
    """Groups/cohorts of an observational study (no arm type), with its exposure if any."""
    n = T_ARMS_OBS(rnd)
    labels = ("%(C)s", "Healthy Controls", "Cohort 2", "Cohort 3", "Cohort 4")[:n]
    name = itype
    groups = []
    for k, label in enumerate(labels):
        text = pools.group_text[int(rnd() * len(pools.group_text))]
        group = f'{{"label":"{label}","description":"{text}"'
        if name and k == 0:
            group += f',"interventionNames":["{INTERVENTION_TYPE_LABEL[itype]}: %(D)s"]'
        groups.append(group + "}")
    parts = []
    if groups:
        parts.append('"armGroups":' + jlist(groups))
    if name:
        text = pools.intervention_text[int(rnd() * len(pools.intervention_text))]
        linked = f',"armGroupLabels":["{labels[0]}"]' if groups else ""
        parts.append(
            f'"interventions":[{{"type":"{itype}","name":"%(D)s","description":"{text}"{linked}}}]'
        )
    if not parts:
        return None
    return '"armsInterventionsModule":{' + ",".join(parts) + "}"


def outcomes_text(rng, pools):
    """One outcomesModule (start-up pool); None when no primary outcome."""
    rnd = rng.random
    primary = T_PRIMARY(rnd)
    if primary == 0:
        return None
    parts = ['"primaryOutcomes":' + jlist(rng.choices(pools.outcomes, k=primary))]
    secondary = T_SECONDARY(rnd)
    if secondary:
        parts.append('"secondaryOutcomes":' + jlist(rng.choices(pools.outcomes, k=secondary)))
    other = T_OTHER(rnd)
    if other:
        parts.append('"otherOutcomes":' + jlist(rng.choices(pools.outcomes, k=other)))
    return '"outcomesModule":{' + ",".join(parts) + "}"


def outcomes_module(s, rnd, pools):
    if s.study_type == "EXPANDED_ACCESS":
        return None
    modules = pools.outcome_modules
    return modules[int(rnd() * len(modules))]


@functools.cache
def std_ages_json(low, high):
    return '"stdAges":' + jstrings(std_ages(low, high))


@functools.cache
def age_bullet(minimum, maximum, sex):
    """First inclusion bullet, consistent with minimumAge/maximumAge and sex."""
    low = minimum.lower() if minimum else None
    high = maximum.lower() if maximum else None
    who = {"MALE": "Male participants", "FEMALE": "Female participants"}.get(sex, "Participants")
    if low and high:
        return f"{who} aged {low} to {high}"
    if low:
        return f"{who} aged {low} or older"
    if high:
        return f"{who} up to {high} of age"
    return f"{who} of any age"


def eligibility_tail(rng, pools):
    """(prefix, rest) of one criteria text: the record puts its age bullet in between.

    Markdown as in the data: 'Inclusion Criteria:\\n\\n* ...\\n\\nExclusion Criteria:\\n\\n* ...',
    sometimes numbered, sometimes a plain list without headings.
    """
    rnd = rng.random
    total = max(2, round(qsample(rnd(), Q_ELIGIBILITY) / pools.bullet_len))
    n_in = max(1, int(total * (0.35 + rnd() * 0.3)))
    inclusion = rng.choices(pools.inclusion, k=n_in - 1)
    exclusion = rng.choices(pools.exclusion, k=max(1, total - n_in))
    style = rnd()
    if style < 0.88:
        rest = "".join("\\n* " + b for b in inclusion)
        return "Inclusion Criteria:\\n\\n* ", (
            rest + "\\n\\nExclusion Criteria:\\n\\n* " + "\\n* ".join(exclusion)
        )
    if style < 0.96:
        rest = "".join(f"\\n{k}. {b}" for k, b in enumerate(inclusion, 2))
        return "Inclusion Criteria:\\n\\n1. ", (
            rest + "\\n\\nExclusion Criteria:\\n\\n" + numbered(exclusion)
        )
    return "* ", "".join("\\n* " + b for b in inclusion + exclusion)


def numbered(items):
    return "\\n".join(f"{k}. {item}" for k, item in enumerate(items, 1))


def eligibility_module(s, rng, rnd, pools):
    tails = pools.eligibility_tails
    prefix, rest = tails[int(rnd() * len(tails))]
    parts = [f'"eligibilityCriteria":"{prefix}{age_bullet(s.min_age, s.max_age, s.sex)}{rest}"']
    healthy = (T_HEALTHY.get(s.study_type, T_HEALTHY["INTERVENTIONAL"]))(rnd)
    if healthy is not None:
        parts.append(f'"healthyVolunteers":{"true" if healthy else "false"}')
    parts.append(f'"sex":"{s.sex}"')
    if s.min_age:
        parts.append(f'"minimumAge":"{s.min_age}"')
    if s.max_age:
        parts.append(f'"maximumAge":"{s.max_age}"')
    parts.append(std_ages_json(s.min_years, s.max_years))
    if s.study_type == "OBSERVATIONAL":
        text = pools.population_text[int(rnd() * len(pools.population_text))]
        sampling = "PROBABILITY_SAMPLE" if rnd() < 0.3 else "NON_PROBABILITY_SAMPLE"
        parts.append(f'"studyPopulation":"{text}","samplingMethod":"{sampling}"')
    return '"eligibilityModule":{' + ",".join(parts) + "}"


def contact(person, phone_code, role="CONTACT"):
    name, email, digits, _ = person
    return (
        f'{{"name":"{name}","role":"{role}","phone":"+{phone_code} 555 {digits}",'
        f'"email":"{email}"}}'
    )


def contacts_module(s, rnd, rng, pools):
    parts = []
    people = pools.people
    n_central = T_CENTRAL[s.status](rnd) if s.status in T_CENTRAL else 0
    if n_central:
        variants = pools.central[s.home][n_central]
        parts.append(variants[int(rnd() * len(variants))])
    n_officials = T_OFFICIALS(rnd)
    if n_officials:
        role = (
            "STUDY_DIRECTOR"
            if s.lead_class == "INDUSTRY"
            else ("PRINCIPAL_INVESTIGATOR" if rnd() < 0.9 else "STUDY_CHAIR")
        )
        parts.append(
            '"overallOfficials":'
            + jlist(
                [
                    f'{{"name":"{people[int(rnd() * len(people))][0]}","affiliation":"{s.lead_name}",'
                    f'"role":"{role}"}}'
                    for _ in range(n_officials)
                ]
            )
        )
    if s.n_locations:
        parts.append('"locations":' + jlist(locations(s, rnd, rng, pools)))
    if not parts:
        return None
    return '"contactsLocationsModule":{' + ",".join(parts) + "}"


def location_countries(s, rnd, pools):
    """Country index of every site: one country mostly, several for large trials."""
    n = s.n_locations
    share = 0.0 if n <= 2 else 0.1 if n <= 5 else 0.45 if n <= 20 else 0.85
    if rnd() >= share:
        return None
    k = min(2 + int(rnd() * min(30, n / 4)), n)
    countries = [s.home] + [pools.site_table(rnd) for _ in range(k - 1)]
    return [s.home if rnd() < 0.3 else countries[int(rnd() * k)] for _ in range(n)]


def locations(s, rnd, rng, pools):
    """Location objects; recruiting studies carry per-site status and often contacts."""
    n = s.n_locations
    if s.status == "RECRUITING" or (s.status == "UNKNOWN" and rnd() < 0.5):
        variants = pools.contact_sites if n <= 30 and rnd() < 0.7 else pools.status_sites
    else:
        variants = pools.plain_sites
    countries = location_countries(s, rnd, pools)
    if countries is None:
        out = rng.choices(variants[s.home], k=n)
    else:
        out = []
        for country in countries:
            sites = variants[country]
            out.append(sites[int(rnd() * len(sites))])
    site_name = industry_site_name(s, rnd)
    if site_name:
        out = [rename_site(f, site_name.replace("{n}", f"{k + 1:03d}")) for k, f in enumerate(out)]
    elif s.lead_class == "OTHER" and n <= 3 and rnd() < 0.6:
        out[0] = rename_site(out[0], s.lead_name)  # single-centre study at the sponsor
    return out


def rename_site(fragment, facility):
    """Replace (or add) the facility of a pre-encoded location object."""
    if fragment.startswith('{"facility":"'):
        return '{"facility":"' + facility + fragment[fragment.index('",', 13) :]
    return '{"facility":"' + facility + '",' + fragment[1:]


def industry_site_name(s, rnd):
    if s.lead_class != "INDUSTRY" or rnd() >= 0.3:
        return None
    return (
        "Research Site",
        "Investigational Site Number {n}",
        "Local Institution - {n}",
        f"{s.lead_name} Investigative Site",
    )[int(rnd() * 4)]


def references_text(rng, pools):
    """One referencesModule (start-up pool)."""
    rnd = rng.random
    refs = []
    for citation in rng.choices(pools.citations, k=T_REFERENCES(rnd)):
        pmid = 10_000_000 + int(rnd() * 29_000_000)
        refs.append(f'{{"pmid":"{pmid}","type":"{T_REFERENCE_TYPE(rnd)}","citation":"{citation}"}}')
    return '"referencesModule":{"references":' + jlist(refs) + "}"


def references_module(rnd, pools):
    if rnd() >= REFERENCE_SHARE:
        return None
    modules = pools.reference_modules
    return modules[int(rnd() * len(modules))]


def ipd_module(rnd):
    sharing = T_IPD(rnd)
    if sharing is None:
        return None
    if sharing == "YES":
        return (
            '"ipdSharingStatementModule":{"ipdSharing":"YES","description":"De-identified '
            'individual participant data will be shared on reasonable request.",'
            '"infoTypes":["STUDY_PROTOCOL","SAP"],"timeFrame":"Starting 6 months after publication",'
            '"accessCriteria":"Requests are reviewed by the steering committee."}'
        )
    return f'"ipdSharingStatementModule":{{"ipdSharing":"{sharing}"}}'


def derived_section(s, rnd, pools, chosen):
    """derivedSection with MeSH meshes/ancestors consistent with the conditions."""
    if rnd() < NO_DERIVED_SHARE:
        return ""
    misc = f'"miscInfoModule":{{"versionHolder":"{VERSION_HOLDER}"}}'
    if len(chosen) == 1:
        block = chosen[0].browse_old if s.old_mesh else chosen[0].browse_new
        return f',"derivedSection":{{{misc},"conditionBrowseModule":{block}}}'
    if not chosen:
        browse = (
            "{}" if rnd() < 0.7 else '{"browseBranches":[{"abbrev":"All","name":"All Conditions"}]}'
        )
        return f',"derivedSection":{{{misc},"conditionBrowseModule":{browse}}}'
    own = {c.mesh_id for c in chosen}
    seen, ancestors, branches = set(own), [], {}
    for c in chosen:
        for a in c.ancestor_ids:
            if a not in seen:
                seen.add(a)
                ancestors.append(a)
        for b in c.branches:
            branches[b] = None
    if s.old_mesh:
        meshes = [c.mesh_old for c in chosen]
        anc = [pools.ancestor_old[a] for a in ancestors]
    else:
        meshes = [c.mesh_new for c in chosen]
        anc = [pools.ancestor_new[a] for a in ancestors]
    branch_text = [f'{{"abbrev":"{a}","name":"{n}"}}' for a, n in branches]
    branch_text.append('{"abbrev":"All","name":"All Conditions"}')
    block = browse_block(meshes, anc, branch_text)
    return f',"derivedSection":{{{misc},"conditionBrowseModule":{block}}}'


def browse_block(meshes, ancestors, branches):
    return (
        f'{{"meshes":{jlist(meshes)},"ancestors":{jlist(ancestors)},'
        f'"browseBranches":{jlist(branches)}}}'
    )


def single_browse_blocks(condition, ancestor_new, ancestor_old):
    """Pre-encoded conditionBrowseModule (new and old id style) of one condition."""
    ids = [a for a in condition.ancestor_ids if a != condition.mesh_id]
    branches = [f'{{"abbrev":"{a}","name":"{n}"}}' for a, n in condition.branches]
    branches.append('{"abbrev":"All","name":"All Conditions"}')
    condition.browse_new = browse_block(
        [condition.mesh_new], [ancestor_new[a] for a in ids], branches
    )
    condition.browse_old = browse_block(
        [condition.mesh_old], [ancestor_old[a] for a in ids], branches
    )


# ---------------------------------------------------------------------------
# Record assembly
# ---------------------------------------------------------------------------


def withheld_record(s, rnd):
    """WITHHELD studies are published with redacted titles and sponsor only."""
    submitted = TODAY - int(rnd() * 400)
    posted = submitted + 1 + int(rnd() * 6)
    title = "[Trial of device that is not approved or cleared by the U.S. FDA]"
    return (
        '{"protocolSection":{"identificationModule":{'
        f'"nctId":"{s.nct}","orgStudyIdInfo":{{"id":"{org_study_id(rnd)}"}},'
        f'"organization":{{"fullName":"[Redacted]"}},"briefTitle":"{title}","officialTitle":"{title}"}},'
        '"statusModule":{"overallStatus":"WITHHELD","delayedPosting":true,'
        '"expandedAccessInfo":{"hasExpandedAccess":false},'
        f'"studyFirstSubmitDate":"{day(submitted)}","studyFirstSubmitQcDate":"{day(submitted)}",'
        f'"studyFirstPostDateStruct":{post_struct(posted)},"lastUpdateSubmitDate":"{day(submitted)}",'
        f'"lastUpdatePostDateStruct":{post_struct(posted)}}},'
        '"sponsorCollaboratorsModule":{"responsibleParty":{"oldNameTitle":"[Redacted]",'
        '"oldOrganization":"[Redacted]"},"leadSponsor":{"name":"[Redacted]"}}},'
        f'"derivedSection":{{"miscInfoModule":{{"versionHolder":"{VERSION_HOLDER}"}}}},'
        '"hasResults":false}'
    )


def substitute(text, s):
    """Fill the per-record %(C)s-style placeholders left in pooled text (one pass)."""
    conditions = s.conditions
    return text % {
        "C": conditions[0],
        "C2": conditions[1] if len(conditions) > 1 else "related conditions",
        "D": s.drug,
        "D2": s.drug2,
        "P": s.population[0],
        "PT": s.population[1],
        "PH": PHASE_WORDS.get(s.phases, "A"),
    }


def make_record(rng, nct, pools):
    """One synthetic study as a JSON text (no trailing newline)."""
    rnd = rng.random
    s = plan(rng, nct, pools)
    if s.status == "WITHHELD":
        return withheld_record(s, rnd)
    chosen = s.chosen
    arms_text, n_arms, has_placebo = arms_module(s, rnd, pools)
    # Modules that contain %(C)s-style placeholders, in protocolSection order ...
    head = [
        '{"protocolSection":{' + identification_module(s, rnd, pools),
        status_module(s, rnd, pools),
        sponsor_module(s, rnd, pools),
        oversight_module(s, rnd),
        description_module(s, rng, rnd, pools),
        conditions_module(s, rnd, pools, chosen),
        design_module(s, rnd, pools, n_arms, has_placebo),
        arms_text,
        outcomes_module(s, rnd, pools),
        eligibility_module(s, rng, rnd, pools),
    ]
    # ... and the ones without (locations are the bulk of large records).
    tail = [
        contacts_module(s, rnd, rng, pools),
        references_module(rnd, pools),
        ipd_module(rnd),
    ]
    text = substitute(",".join([m for m in head if m]), s)
    tail = [m for m in tail if m]
    closing = "}" + derived_section(s, rnd, pools, chosen) + ',"hasResults":false}'
    if tail:
        return "".join((text, ",", ",".join(tail), closing))
    return text + closing


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


class BackgroundGzip:
    """gzip writer that compresses in a second thread (zlib releases the GIL).

    Records are batched into ~256 KB chunks; the bounded queue keeps memory
    constant.  Chunking is deterministic, and the gzip header carries no file
    name or time stamp, so the output is byte-identical from run to run.
    """

    CHUNK = 1 << 18

    def __init__(self, raw, level):
        self.gzip = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=level, mtime=0)
        self.queue = queue.Queue(maxsize=16)
        self.error = None
        self.parts, self.size = [], 0
        self.thread = threading.Thread(target=self._compress, name="gzip-writer", daemon=True)
        self.thread.start()

    def write(self, data):
        self.parts.append(data)
        self.size += len(data)
        if self.size >= self.CHUNK:
            self._put(b"".join(self.parts))
            self.parts, self.size = [], 0

    def close(self):
        if self.parts:
            self._put(b"".join(self.parts))
            self.parts = []
        self._put(None)
        self.thread.join()
        if self.error:
            raise self.error
        self.gzip.close()

    def _put(self, item):
        while True:
            if self.error:
                raise self.error
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _compress(self):
        try:
            while (chunk := self.queue.get()) is not None:
                self.gzip.write(chunk)
        except BaseException as exc:  # reported to the producer by _put()/close()
            self.error = exc


def open_output(path, level, compress=False):
    """Binary stream for --out (stdout for "-"), gzip-compressed when it ends in .gz."""
    if path == "-":
        return sys.stdout.buffer, None
    raw = open(path, "wb", buffering=1 << 20)
    if compress or path.endswith(".gz"):
        return BackgroundGzip(raw, level), raw
    return raw, None


def generate(count, seed, start_id, out, level=1, progress=False, compress=False):
    """Write `count` records; record i is seeded from (seed, i) alone.

    Returns (seconds spent building the vocabulary pools, seconds generating).
    """
    started = time.perf_counter()
    pools = Pools()
    ready = time.perf_counter()
    stream, raw = open_output(out, level, compress)
    write = stream.write
    rng = random.Random()
    base = seed << 40
    try:
        for i in range(count):
            rng.seed(base + i)
            write((make_record(rng, f"NCT{start_id + i:08d}", pools) + "\n").encode())
            if progress and i and i % 100_000 == 0:
                rate = i / (time.perf_counter() - ready)
                print(f"{i:,} records, {rate:,.0f}/s", file=sys.stderr)
    finally:
        if stream is sys.stdout.buffer:
            stream.flush()
        else:
            stream.close()
        if raw:
            raw.close()
    return ready - started, time.perf_counter() - ready


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="number of studies (default 1000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed, >= 0 (default 42)")
    parser.add_argument("--out", default="-", help="output path; .gz compresses; - is stdout")
    parser.add_argument(
        "--start-id",
        type=int,
        default=DEFAULT_START_ID,
        help=f"NCT number of record 0 (default {DEFAULT_START_ID})",
    )
    parser.add_argument(
        "--gzip-level",
        type=int,
        default=1,
        choices=range(1, 10),
        metavar="1-9",
        help="gzip level for .gz output (default 1: fast; 6 is ~30%% smaller but about 3x slower)",
    )
    parser.add_argument(
        "--gzip",
        action="store_true",
        help="gzip the output even if --out does not end in .gz (e.g. a .tmp file)",
    )
    parser.add_argument("--progress", action="store_true", help="report progress on stderr")
    args = parser.parse_args(argv)
    if args.count < 0 or args.seed < 0:
        parser.error("--count and --seed must be >= 0")
    if args.start_id < 0 or args.start_id + args.count > 100_000_000:
        parser.error("NCT ids have 8 digits: --start-id + --count must stay below 100000000")
    if args.count >= 1 << 40:
        parser.error("--count too large")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        setup, elapsed = generate(
            args.count,
            args.seed,
            args.start_id,
            args.out,
            args.gzip_level,
            args.progress,
            args.gzip,
        )
    except BrokenPipeError:  # e.g. "--out - | head": stop quietly, like other filters
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    if args.progress or args.out != "-":
        rate = args.count / elapsed if elapsed else 0.0
        print(
            f"wrote {args.count:,} studies to {args.out} in {setup + elapsed:.1f}s "
            f"({setup:.1f}s start-up, then {rate:,.0f} studies/s)",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
