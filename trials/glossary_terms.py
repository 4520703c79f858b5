"""The glossary's terms and our own plain definitions of them (trials.glossary reads them).

Each entry: the term as the glossary lists it, its definition (one or two sentences,
written for patients), and the other ways a trial's text writes it (`also`: spellings,
abbreviations, related forms; plurals are found without listing them). An
abbreviation written in capitals (`exact=True`) is matched only as written, so "PET"
is a scan and "pet" is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    name: str
    definition: str
    also: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()  # forms matched with their capitals, as written
    # False when the name alone has an everyday meaning too ("arm", "mean"): only the
    # forms in `also` are marked then.
    match_name: bool = True


TERMS = [
    # How a study is set up
    Entry(
        _("Clinical trial"),
        _(
            "A research study in which people agree to try a treatment, test or way of care "
            "so that researchers can learn whether it is safe and whether it helps."
        ),
        ("clinical study", "clinical investigation"),
    ),
    Entry(
        _("Interventional study"),
        _(
            "A study in which the researchers decide which treatment or test each "
            "participant gets, and then compare what happens."
        ),
        ("interventional trial",),
    ),
    Entry(
        _("Observational study"),
        _(
            "A study that follows people and records what happens to them without "
            "deciding their treatment; their own doctors care for them as usual."
        ),
        ("observational trial", "non-interventional study", "registry study"),
    ),
    Entry(
        _("Expanded access"),
        _(
            "A way for a seriously ill person who cannot join a trial to get a treatment "
            "that is not yet approved, with a doctor's request and the maker's agreement."
        ),
        ("compassionate use", "compassionate access"),
    ),
    Entry(
        _("Randomised"),
        _(
            "Placed in a study group by chance, much like tossing a coin, rather than by "
            "choice. This keeps the groups alike, so differences in results can be put down "
            "to the treatment."
        ),
        (
            "randomized",
            "randomisation",
            "randomization",
            "randomly assigned",
            "randomly allocated",
            "randomly assigned to",
        ),
    ),
    Entry(
        _("Non-randomised"),
        _("Placed in a study group by the researchers or by one's own choice, not by chance."),
        ("non-randomized", "nonrandomized", "nonrandomised", "not randomized"),
    ),
    Entry(
        _("Placebo"),
        _(
            "A dummy treatment, such as a sugar pill or salt-water injection, that looks "
            "like the real one but contains no active medicine. Comparing with it shows "
            "what the real treatment adds."
        ),
    ),
    Entry(
        _("Placebo-controlled"),
        _(
            "A study in which some participants get a placebo instead of the treatment "
            "being tested, so the two can be compared."
        ),
        ("placebo controlled",),
    ),
    Entry(
        _("Sham"),
        _(
            "A fake procedure that imitates a real one (for example a device switched off) "
            "so that participants cannot tell which they had."
        ),
        ("sham procedure", "sham treatment", "sham comparator"),
    ),
    Entry(
        _("Placebo effect"),
        _(
            "Feeling better after a treatment because one expects to, even when the "
            "treatment has no active ingredient."
        ),
    ),
    Entry(
        _("Control group"),
        _(
            "The participants who do not get the treatment being tested: they get a "
            "placebo, the usual treatment or nothing, and are compared with the others."
        ),
        ("control arm", "control condition"),
    ),
    Entry(
        _("Arm"),
        _(
            "One of the groups of a study. All participants in the same arm get the same "
            "treatment or follow the same plan."
        ),
        ("study arm", "treatment arm", "placebo arm", "arm group", "experimental arm"),
        match_name=False,
    ),
    Entry(
        _("Cohort"),
        _(
            "A group of people followed together in a study, often because they share "
            "something such as a condition, a dose or the time they joined."
        ),
    ),
    Entry(
        _("Open label"),
        _("Everyone, participants and study team alike, knows which treatment each person gets."),
        ("open-label", "unblinded", "non-blinded"),
    ),
    Entry(
        _("Blinding"),
        _(
            "Keeping people in a study from knowing who gets which treatment, so that "
            "expectations cannot colour the results. Also called masking."
        ),
        ("blinded", "masking", "masked"),
    ),
    Entry(
        _("Single-blind"),
        _("Only one side, usually the participants, does not know who gets which treatment."),
        ("single blind", "single-blinded", "single blinded"),
    ),
    Entry(
        _("Double-blind"),
        _(
            "Neither the participants nor the researchers who see them know who gets "
            "which treatment until the study ends."
        ),
        ("double blind", "double-blinded", "double blinded", "double-masked", "double masked"),
    ),
    Entry(
        _("Triple-blind"),
        _(
            "The participants, the researchers and the people who analyse the results all "
            "do not know who got which treatment."
        ),
        ("triple blind", "triple-blinded"),
    ),
    Entry(
        _("Crossover"),
        _(
            "A design in which each participant gets each of the treatments in turn, "
            "often with a break between them, so everyone is compared with themselves."
        ),
        ("cross-over", "crossover design", "crossover study"),
    ),
    Entry(
        _("Parallel group"),
        _(
            "A design in which each group gets a different treatment at the same time "
            "and stays on it for the whole study."
        ),
        ("parallel-group", "parallel groups", "parallel assignment", "parallel design"),
    ),
    Entry(
        _("Single-arm study"),
        _(
            "A study in which everyone gets the same treatment and there is no group to "
            "compare with."
        ),
        ("single-arm", "single arm", "single-group", "single group assignment"),
    ),
    Entry(
        _("Factorial design"),
        _(
            "A design that tests two or more treatments at once, each alone and in "
            "combination, to learn about each one and about how they work together."
        ),
        ("factorial",),
    ),
    Entry(
        _("Multicentre"),
        _("Run at several hospitals or clinics at the same time, following the same plan."),
        ("multicenter", "multi-center", "multi-centre", "multi-site", "multisite"),
    ),
    Entry(
        _("Prospective"),
        _(
            "Collecting information from now on, as things happen, following a plan made beforehand."
        ),
        ("prospectively",),
    ),
    Entry(
        _("Retrospective"),
        _("Looking back at information that was already recorded, such as medical files."),
        ("retrospectively",),
    ),
    Entry(
        _("Cross-sectional"),
        _("Collecting information from each person once, at a single point in time."),
        ("cross sectional",),
    ),
    Entry(
        _("Case-control study"),
        _(
            "A study that compares people who have a condition with similar people who "
            "do not, to look for what might explain the difference."
        ),
        ("case control study", "case-control"),
    ),
    Entry(
        _("Longitudinal"),
        _("Following the same people over a long time, with repeated measurements."),
    ),
    Entry(
        _("Pilot study"),
        _(
            "A small first study that checks whether a larger one can work: whether "
            "people join, stay and can follow the plan."
        ),
        ("pilot trial",),
    ),
    Entry(
        _("Feasibility study"),
        _(
            "A study that checks whether something can be done in practice before testing whether it works."
        ),
        ("feasibility trial", "feasibility"),
    ),
    Entry(
        _("Dose escalation"),
        _(
            "Giving small groups of participants higher and higher doses, one group after "
            "another, while watching closely for harm, to find a safe dose."
        ),
        ("dose-escalation", "dose finding", "dose-finding", "dose ranging", "dose-ranging"),
    ),
    Entry(
        _("Maximum tolerated dose"),
        _(
            "The highest dose of a treatment that people can take without unacceptable side effects."
        ),
        ("maximum-tolerated dose",),
        ("MTD",),
    ),
    Entry(
        _("Dose-limiting toxicity"),
        _(
            "A side effect serious enough that the dose cannot be raised further, or must "
            "be lowered."
        ),
        ("dose limiting toxicity", "dose-limiting toxicities"),
        ("DLT",),
    ),
    Entry(
        _("Washout period"),
        _(
            "A time without a treatment, so that it leaves the body before the next "
            "treatment starts or before measurements are taken."
        ),
        ("washout", "wash-out", "wash-out period"),
    ),
    Entry(
        _("Run-in period"),
        _(
            "A short time at the start of a study, before the groups are formed, to check "
            "that participants are stable and can follow the plan."
        ),
        ("run-in", "lead-in period", "lead-in"),
    ),
    Entry(
        _("Follow-up"),
        _(
            "The time after treatment during which the study team keeps checking on "
            "participants' health."
        ),
        ("follow up", "followed up", "follow-up period"),
    ),
    Entry(
        _("Screening"),
        _(
            "The checks done before someone joins a study, such as questions, an "
            "examination and tests, to see whether they meet its criteria."
        ),
        ("screening visit", "screening period", "screened"),
    ),
    Entry(
        _("Baseline"),
        _(
            "The measurements taken at the start of a study, before treatment, which later "
            "results are compared with."
        ),
    ),
    Entry(
        _("Standard of care"),
        _("The treatment that doctors usually give for a condition today, as agreed by experts."),
        (
            "standard care",
            "usual care",
            "standard treatment",
            "standard therapy",
            "best supportive care",
        ),
    ),
    Entry(
        _("Active comparator"),
        _(
            "An existing treatment given to one group so that the new treatment can be "
            "compared with something known to work."
        ),
        ("active control",),
    ),
    Entry(
        _("Comparator"),
        _(
            "What the treatment under test is compared with: a placebo, another treatment or no treatment."
        ),
    ),
    Entry(
        _("Intervention"),
        _(
            "What a study gives or does to its participants: a medicine, a device, a "
            "procedure, a diet or a way of care."
        ),
    ),
    Entry(
        _("Investigational"),
        _("Still being studied and not approved for this use by regulators."),
        (
            "investigational product",
            "investigational drug",
            "investigational medicinal product",
            "study drug",
        ),
        ("IMP",),
    ),
    Entry(
        _("Off-label"),
        _(
            "Used in a way the medicine is not approved for, such as another condition or another dose."
        ),
        ("off label",),
    ),
    Entry(
        _("Protocol"),
        _(
            "The study's detailed written plan: who can join, what is done, when, and how "
            "the results are analysed."
        ),
        ("study protocol",),
    ),
    Entry(
        _("Statistical analysis plan"),
        _(
            "The document that says, before the results are in, exactly how the study's data will be analysed."
        ),
        (),
        ("SAP",),
    ),
    # People and oversight
    Entry(
        _("Sponsor"),
        _(
            "The company, university, hospital or agency that starts, manages and usually "
            "pays for a study."
        ),
    ),
    Entry(
        _("Principal investigator"),
        _("The doctor or researcher in charge of a study, or of the study at one site."),
        ("principal investigators", "lead investigator"),
        ("PI",),
    ),
    Entry(
        _("Study coordinator"),
        _(
            "The member of the study team who organises the study day to day and is often "
            "the person participants talk to."
        ),
        ("research coordinator", "clinical research coordinator"),
    ),
    Entry(
        _("Ethics committee"),
        _(
            "An independent group of doctors, scientists and lay people who must approve a "
            "study before it starts and watch over participants' rights and safety."
        ),
        ("institutional review board", "research ethics committee", "ethics board"),
        ("IRB", "IEC"),
    ),
    Entry(
        _("Data monitoring committee"),
        _(
            "Independent experts who look at a study's results while it runs and can stop "
            "it early if it causes harm or clearly works."
        ),
        (
            "data safety monitoring board",
            "data and safety monitoring board",
            "data monitoring board",
        ),
        ("DSMB", "DMC", "IDMC"),
    ),
    Entry(
        _("Informed consent"),
        _(
            "Agreeing to take part after the study team has explained its aims, risks, "
            "possible benefits and your rights, including the right to leave at any time."
        ),
        ("informed consent form", "consent form", "written consent", "written informed consent"),
        ("ICF",),
    ),
    Entry(
        _("Assent"),
        _(
            "A child's own agreement to take part, asked for in words they understand, in "
            "addition to a parent's consent."
        ),
    ),
    Entry(
        _("Enrolment"),
        _("Joining a study, or the number of people who joined or are expected to join."),
        ("enrollment", "enrolled", "enroll", "enrol"),
    ),
    Entry(
        _("Recruitment"),
        _("The time during which a study looks for and takes in participants."),
        ("recruiting", "recruited"),
    ),
    Entry(
        _("Eligibility criteria"),
        _("The rules that say who can and cannot take part in a study."),
        ("eligibility", "eligible", "ineligible"),
    ),
    Entry(
        _("Inclusion criteria"),
        _(
            "The conditions a person must meet to be able to join a study, such as age or diagnosis."
        ),
        ("inclusion criterion",),
    ),
    Entry(
        _("Exclusion criteria"),
        _(
            "The conditions that prevent a person from joining a study, often for their "
            "own safety or to keep the results clear."
        ),
        ("exclusion criterion",),
    ),
    Entry(
        _("Healthy volunteer"),
        _(
            "A person without the condition being studied who takes part, for example to "
            "test a vaccine or to be compared with patients."
        ),
        ("healthy participant", "healthy subject", "healthy control"),
    ),
    # Phases
    Entry(
        _("Early phase 1"),
        _(
            "A very small first study in people of a new medicine, at low doses for a short "
            "time, to learn how the body handles it. Also called phase 0."
        ),
        ("early phase I", "phase 0", "phase zero"),
    ),
    Entry(
        _("Phase 1"),
        _(
            "The first tests of a treatment in a small group of people, to find a safe "
            "dose and learn about side effects."
        ),
        ("phase I", "phase one", "phase 1a", "phase 1b", "phase Ia", "phase Ib"),
    ),
    Entry(
        _("Phase 2"),
        _(
            "Tests in a larger group of people with the condition, to see whether the "
            "treatment works and to learn more about its safety."
        ),
        ("phase II", "phase two", "phase 2a", "phase 2b", "phase IIa", "phase IIb"),
    ),
    Entry(
        _("Phase 3"),
        _(
            "Large tests, often in hundreds or thousands of people, comparing the treatment "
            "with the usual one or a placebo. Regulators usually need them before approval."
        ),
        ("phase III", "phase three", "phase 3a", "phase 3b", "phase IIIa", "phase IIIb"),
    ),
    Entry(
        _("Phase 4"),
        _(
            "Studies of a treatment that is already approved and in use, to learn more "
            "about its long-term benefits and risks."
        ),
        ("phase IV", "phase four", "post-marketing", "postmarketing"),
    ),
    # What a study measures and finds
    Entry(
        _("Endpoint"),
        _(
            "What a study measures to answer its question, such as a blood test, a symptom "
            "score or survival. Also called an outcome."
        ),
        ("end point", "end-point"),
    ),
    Entry(
        _("Primary outcome"),
        _("The main result a study is designed to measure; the study's size is planned around it."),
        (
            "primary endpoint",
            "primary end point",
            "primary outcome measure",
            "primary efficacy endpoint",
        ),
    ),
    Entry(
        _("Secondary outcome"),
        _("Further results a study measures besides its main one, to learn more."),
        ("secondary endpoint", "secondary end point", "secondary outcome measure"),
    ),
    Entry(
        _("Outcome measure"),
        _("A planned measurement used to judge a treatment's effect, with the time it is taken."),
        ("outcome measures",),
    ),
    Entry(
        _("Efficacy"),
        _("How well a treatment works under the controlled conditions of a study."),
        ("efficacious",),
    ),
    Entry(
        _("Effectiveness"),
        _("How well a treatment works in everyday care, outside the strict conditions of a trial."),
    ),
    Entry(
        _("Tolerability"),
        _("How well people can put up with a treatment's side effects and keep taking it."),
        ("tolerated", "well tolerated", "tolerable"),
    ),
    Entry(
        _("Pharmacokinetics"),
        _(
            "How the body takes in, spreads, breaks down and gets rid of a medicine, "
            "measured by how much of it is in the blood over time."
        ),
        ("pharmacokinetic",),
        ("PK",),
    ),
    Entry(
        _("Pharmacodynamics"),
        _("What a medicine does to the body, and how that effect changes with the dose."),
        ("pharmacodynamic",),
    ),
    Entry(
        _("Bioavailability"),
        _("How much of a dose reaches the bloodstream and so can have an effect."),
    ),
    Entry(
        _("Half-life"),
        _("The time it takes for the amount of a medicine in the body to fall by half."),
        ("half life", "elimination half-life"),
    ),
    Entry(
        _("Mean"),
        _("The average: all the values added together and divided by how many there are."),
        ("arithmetic mean", "mean change", "mean value", "mean score", "mean age"),
        match_name=False,
    ),
    Entry(
        _("Median"),
        _(
            "The middle value when all values are put in order: half are lower and half "
            "are higher. Unlike the average, a few extreme values barely move it."
        ),
    ),
    Entry(
        _("Least-squares mean"),
        _(
            "An average adjusted by a statistical model for differences between groups at "
            "the start, such as age or how severe the condition was."
        ),
        ("least squares mean", "LS mean", "least-squares means", "adjusted mean"),
    ),
    Entry(
        _("Geometric mean"),
        _(
            "A kind of average suited to values that vary over a wide range, such as "
            "antibody levels; a few very high values count less than in the usual average."
        ),
    ),
    Entry(
        _("Standard deviation"),
        _(
            "How spread out the values are around the average: a small standard deviation "
            "means most people had similar results."
        ),
        (),
    ),
    Entry(
        _("Standard error"),
        _(
            "How precise an average from a study is: how much it would likely change if the "
            "study were repeated with other people."
        ),
        ("standard error of the mean",),
        ("SEM",),
    ),
    Entry(
        _("Confidence interval"),
        _(
            "A range of values that probably contains the true result. A 95% confidence "
            "interval is wide when a study is small or results vary a lot."
        ),
        ("confidence intervals",),
        ("CI",),
    ),
    Entry(
        _("Interquartile range"),
        _(
            "The range covering the middle half of the values, leaving out the lowest and highest quarters."
        ),
        ("inter-quartile range",),
        ("IQR",),
    ),
    Entry(
        _("P-value"),
        _(
            "A number that says how likely a difference at least this large would be by "
            "chance alone if the treatments really worked the same. It does not say how big "
            "or important the difference is."
        ),
        ("p value", "p-values", "p values"),
    ),
    Entry(
        _("Statistically significant"),
        _(
            "Unlikely to be due to chance alone, by a rule set in advance (often a p-value "
            "below 0.05). It does not by itself mean the difference matters to patients."
        ),
        ("statistical significance", "significant difference", "statistically significantly"),
    ),
    Entry(
        _("Odds ratio"),
        _(
            "A comparison of how likely something is in one group against another: 1 means "
            "no difference, above 1 more likely, below 1 less likely."
        ),
        ("odds ratios",),
    ),
    Entry(
        _("Hazard ratio"),
        _(
            "A comparison of how quickly an event, such as a relapse, happens in one group "
            "against another over time: below 1 means it happens more slowly."
        ),
        ("hazard ratios",),
    ),
    Entry(
        _("Relative risk"),
        _(
            "The risk of an event in one group divided by the risk in another: 0.5 means "
            "half as likely."
        ),
        ("risk ratio",),
    ),
    Entry(
        _("Non-inferiority"),
        _(
            "What a study shows when a new treatment is found to be not worse than an "
            "existing one by more than a small, agreed amount."
        ),
        ("non-inferior", "noninferiority", "noninferior"),
    ),
    Entry(
        _("Intention to treat"),
        _(
            "Analysing every participant in the group they were assigned to, even if they "
            "stopped or switched treatment; it keeps the comparison fair."
        ),
        ("intention-to-treat", "intent-to-treat", "intent to treat"),
        ("ITT", "mITT"),
    ),
    Entry(
        _("Per protocol"),
        _("Analysing only the participants who followed the study plan closely enough."),
        ("per-protocol",),
    ),
    Entry(
        _("Participant flow"),
        _("How many people started a study, how many finished it, and why the others left."),
    ),
    Entry(
        _("Lost to follow-up"),
        _("Participants the study team could no longer reach, so their results are missing."),
        ("lost to follow up",),
    ),
    Entry(
        _("Withdrawing from a study"),
        _(
            "Leaving a study before its end, by one's own choice or the doctor's. Anyone may "
            "withdraw at any time without giving a reason."
        ),
        (
            "withdrew",
            "withdrawn from the study",
            "withdraw consent",
            "withdrew consent",
            "withdrawal of consent",
            "withdrawal by subject",
            "withdrawal by participant",
        ),
    ),
    Entry(
        _("Overall survival"),
        _("How long people live after starting treatment, whatever the cause of death."),
    ),
    Entry(
        _("Progression-free survival"),
        _("How long people live without their disease getting worse."),
        ("progression free survival",),
        ("PFS",),
    ),
    Entry(
        _("Response rate"),
        _(
            "The share of participants whose disease shrinks or improves by a set amount after treatment."
        ),
        ("overall response rate", "objective response rate"),
        ("ORR",),
    ),
    Entry(
        _("Quality of life"),
        _(
            "How a person feels about their health and daily life, usually measured with a "
            "questionnaire."
        ),
        ("health-related quality of life",),
        ("QoL", "HRQoL"),
    ),
    Entry(
        _("Patient-reported outcome"),
        _(
            "A result the participants report themselves, such as pain or tiredness, often on a questionnaire."
        ),
        ("patient reported outcome", "patient-reported outcomes"),
        ("PRO",),
    ),
    Entry(
        _("Visual analogue scale"),
        _(
            "A line, often 10 cm long, on which a person marks how strong a feeling such "
            "as pain is, from none to the worst imaginable."
        ),
        ("visual analog scale",),
        ("VAS",),
    ),
    Entry(
        _("Numeric rating scale"),
        _(
            "A scale on which a person rates a symptom with a number, often from 0 (none) to 10 (worst)."
        ),
        ("numerical rating scale",),
        ("NRS",),
    ),
    # Safety
    Entry(
        _("Adverse event"),
        _(
            "Any health problem a participant has during a study, whether or not it was "
            "caused by the treatment."
        ),
        ("adverse experience", "adverse effect", "adverse events"),
        ("AE",),
    ),
    Entry(
        _("Serious adverse event"),
        _(
            "A health problem during a study that leads to death, is life-threatening, "
            "needs a hospital stay, causes lasting disability or a birth defect."
        ),
        ("serious adverse events",),
        ("SAE",),
    ),
    Entry(
        _("Side effect"),
        _("An unwanted effect of a treatment, besides the one it is given for."),
        ("side-effect",),
    ),
    Entry(
        _("Toxicity"),
        _("Harm a treatment does to the body, often graded from mild (1) to life-threatening (4)."),
        ("toxic",),
    ),
    Entry(
        _("Organ system"),
        _(
            "A group of body parts that work together, such as the digestive or nervous "
            "system. Results list medical problems by organ system."
        ),
        ("system organ class", "body system"),
    ),
    Entry(
        _("Contraindication"),
        _("A reason not to give a treatment to someone, because it could harm them."),
        ("contraindicated",),
    ),
    Entry(
        _("Contraception"),
        _(
            "Birth control. Many studies ask participants to avoid pregnancy because the "
            "treatment might harm an unborn baby."
        ),
        ("contraceptive", "birth control"),
    ),
    # Ways to give a treatment
    Entry(
        _("Dose"),
        _("The amount of a medicine taken at one time."),
        ("dosage", "dosing"),
    ),
    Entry(
        _("Intravenous"),
        _("Given into a vein, through a needle or a thin tube, often as a drip."),
        ("intravenously",),
    ),
    Entry(
        _("Subcutaneous"),
        _("Given as an injection just under the skin."),
        ("subcutaneously",),
    ),
    Entry(
        _("Intramuscular"),
        _("Given as an injection into a muscle."),
        ("intramuscularly",),
    ),
    Entry(
        _("Topical"),
        _("Put on the skin or another surface of the body, as a cream, gel or drops."),
        ("topically",),
    ),
    Entry(
        _("Infusion"),
        _("Giving a liquid medicine slowly into a vein over minutes or hours."),
        ("infused",),
    ),
    # Kinds of treatment
    Entry(
        _("Chemotherapy"),
        _(
            "Medicines that kill fast-growing cells, such as cancer cells, or stop them from dividing."
        ),
    ),
    Entry(
        _("Radiotherapy"),
        _("Treatment with high-energy rays aimed at a tumour to destroy its cells."),
        ("radiation therapy", "radiation treatment"),
    ),
    Entry(
        _("Immunotherapy"),
        _("Treatment that helps the body's own immune system fight a disease such as cancer."),
    ),
    Entry(
        _("Monoclonal antibody"),
        _(
            "A laboratory-made protein that sticks to one precise target in the body, for "
            "example on cancer cells or in the immune system."
        ),
        ("monoclonal antibodies",),
        ("mAb",),
    ),
    Entry(
        _("Antibody"),
        _("A protein the immune system makes to recognise and fight germs and other invaders."),
        ("antibodies",),
    ),
    Entry(
        _("Biologic"),
        _(
            "A medicine made from living cells, such as an antibody or a vaccine, rather than by chemistry."
        ),
        ("biological therapy", "biologic therapy", "biologics"),
    ),
    Entry(
        _("Biosimilar"),
        _(
            "A biologic medicine that is highly similar to one already approved and works the same way."
        ),
    ),
    Entry(
        _("Vaccine"),
        _("A product that trains the immune system to recognise and fight a particular disease."),
        ("vaccination", "vaccinated"),
    ),
    Entry(
        _("Stem cells"),
        _(
            "Cells that can renew themselves and turn into other kinds of cells; some are "
            "used to repair tissue or to calm the immune system."
        ),
        ("stem cell", "mesenchymal stem cells", "mesenchymal stromal cells"),
        ("MSC", "MSCs"),
    ),
    Entry(
        _("Gene therapy"),
        _("Treatment that adds, replaces or changes genes in a person's cells to treat a disease."),
    ),
    Entry(
        _("Immunosuppressant"),
        _(
            "A medicine that calms the immune system, used after a transplant or in "
            "diseases where the immune system attacks the body."
        ),
        ("immunosuppressive", "immunosuppression", "immunosuppressive therapy"),
    ),
    Entry(
        _("Corticosteroid"),
        _(
            "A medicine like a hormone the body makes, used to reduce inflammation and calm "
            "the immune system; prednisone is one."
        ),
        ("corticosteroids", "glucocorticoid", "steroid", "steroids"),
    ),
    Entry(
        _("Anticoagulant"),
        _("A medicine that makes blood clot more slowly; often called a blood thinner."),
        ("anticoagulation", "blood thinner"),
    ),
    Entry(
        _("Adjuvant therapy"),
        _(
            "Extra treatment after the main one, such as surgery, to lower the chance that a disease returns."
        ),
        ("adjuvant",),
    ),
    Entry(
        _("Neoadjuvant therapy"),
        _(
            "Treatment given before the main one, such as surgery, for example to shrink a tumour first."
        ),
        ("neoadjuvant",),
    ),
    Entry(
        _("Palliative care"),
        _(
            "Care that eases symptoms and improves comfort and quality of life, whatever the stage of an illness."
        ),
        ("palliative",),
    ),
    Entry(
        _("Dialysis"),
        _(
            "A treatment that cleans the blood with a machine or through the belly when the kidneys cannot."
        ),
        ("haemodialysis", "hemodialysis", "peritoneal dialysis"),
    ),
    Entry(
        _("Transplant"),
        _("Moving an organ, tissue or cells from one person (or place in the body) to another."),
        ("transplantation", "transplanted"),
    ),
    Entry(
        _("Allogeneic"),
        _("Coming from another person, such as a donor."),
    ),
    Entry(
        _("Autologous"),
        _("Coming from the patient's own body."),
    ),
    # Tests and measurements
    Entry(
        _("Biopsy"),
        _(
            "Taking a small piece of tissue from the body so that it can be looked at under a microscope."
        ),
        ("biopsies", "biopsied"),
    ),
    Entry(
        _("Biomarker"),
        _(
            "Something that can be measured in the body, such as a protein in the blood, "
            "that shows how a disease is going or how a treatment acts."
        ),
    ),
    Entry(
        _("ECOG performance status"),
        _(
            "A score from 0 to 5 of how well a person manages daily life: 0 means fully "
            "active and 4 means in bed or a chair all day. Studies often ask for 0 to 2."
        ),
        (
            "ECOG performance score",
            "ECOG score",
            "Eastern Cooperative Oncology Group performance status",
        ),
        ("ECOG", "ECOG PS"),
    ),
    Entry(
        _("Karnofsky performance status"),
        _(
            "A score from 0 to 100 of how well a person can carry out daily activities and "
            "look after themselves: 100 means no signs of disease."
        ),
        ("Karnofsky score", "Karnofsky"),
        ("KPS",),
    ),
    Entry(
        _("eGFR"),
        _(
            "Estimated glomerular filtration rate: a number, worked out from a blood test, "
            "of how well the kidneys filter blood. Lower means weaker kidneys."
        ),
        ("estimated glomerular filtration rate", "glomerular filtration rate"),
        ("eGFR", "GFR"),
    ),
    Entry(
        _("Creatinine"),
        _(
            "A waste product in the blood, filtered out by the kidneys; a high level can mean the kidneys work less well."
        ),
        ("serum creatinine", "creatinine clearance"),
    ),
    Entry(
        _("Proteinuria"),
        _("Protein in the urine, which can be a sign of kidney damage."),
    ),
    Entry(
        _("BMI"),
        _(
            "Body mass index: weight in kilograms divided by the square of height in metres. "
            "It gives a rough idea of whether a weight is healthy for one's height."
        ),
        ("body mass index",),
        ("BMI",),
    ),
    Entry(
        _("HbA1c"),
        _("A blood test showing the average blood sugar level over the last two to three months."),
        (
            "glycated haemoglobin",
            "glycated hemoglobin",
            "glycosylated hemoglobin",
            "haemoglobin A1c",
            "hemoglobin A1c",
        ),
        ("HbA1c", "A1C", "A1c"),
    ),
    Entry(
        _("Haemoglobin"),
        _("The protein in red blood cells that carries oxygen; a low level is called anaemia."),
        ("hemoglobin",),
        ("Hb", "Hgb"),
    ),
    Entry(
        _("Platelets"),
        _("Tiny blood cells that help blood to clot and stop bleeding."),
        ("platelet count", "platelet"),
    ),
    Entry(
        _("Neutrophils"),
        _("White blood cells that fight infection; too few make infections more likely."),
        ("neutrophil count", "absolute neutrophil count", "neutrophil"),
        ("ANC",),
    ),
    Entry(
        _("Liver enzymes"),
        _(
            "Proteins measured in a blood test (such as ALT and AST) whose high levels can "
            "show that the liver is inflamed or damaged."
        ),
        (
            "alanine aminotransferase",
            "aspartate aminotransferase",
            "transaminases",
            "liver function tests",
        ),
        ("ALT", "AST", "SGPT", "SGOT"),
    ),
    Entry(
        _("Bilirubin"),
        _(
            "A yellow substance made when red blood cells break down; a high level can mean liver problems."
        ),
        ("total bilirubin",),
    ),
    Entry(
        _("Upper limit of normal"),
        _(
            "The highest value of a lab test that is usual in healthy people. A criterion "
            "such as \u201c2 × ULN\u201d means twice that value."
        ),
        ("upper limit of the normal range",),
        ("ULN",),
    ),
    Entry(
        _("MRI"),
        _(
            "Magnetic resonance imaging: a scan that uses a strong magnet and radio waves to make detailed pictures of the inside of the body."
        ),
        ("magnetic resonance imaging",),
        ("MRI", "MRIs"),
    ),
    Entry(
        _("CT scan"),
        _(
            "Computed tomography: a scan that takes many X-ray pictures to build detailed images of the body."
        ),
        ("computed tomography", "CAT scan"),
        ("CT",),
    ),
    Entry(
        _("PET scan"),
        _(
            "Positron emission tomography: a scan that uses a small amount of a radioactive tracer to show how active tissues are."
        ),
        ("positron emission tomography",),
        ("PET", "PET-CT"),
    ),
    Entry(
        _("ECG"),
        _("Electrocardiogram: a quick, painless recording of the heart's electrical activity."),
        ("electrocardiogram", "electrocardiography"),
        ("ECG", "EKG"),
    ),
    Entry(
        _("Ultrasound"),
        _("A scan that uses sound waves to make pictures of organs or of a baby in the womb."),
        ("ultrasonography", "sonography"),
    ),
    # Conditions and the course of a disease
    Entry(
        _("Chronic"),
        _("Lasting a long time or coming back again and again."),
    ),
    Entry(
        _("Acute"),
        _("Starting suddenly and usually lasting a short time."),
    ),
    Entry(
        _("Diagnosis"),
        _("Finding out which disease or condition a person has."),
        ("diagnosed",),
    ),
    Entry(
        _("Prognosis"),
        _("The likely course and outcome of a disease."),
    ),
    Entry(
        _("Comorbidity"),
        _("Another disease or condition a person has at the same time as the one being studied."),
        ("comorbidities", "comorbid"),
    ),
    Entry(
        _("Remission"),
        _("A time when the signs of a disease lessen or disappear. It can be partial or complete."),
        ("complete remission", "partial remission", "in remission"),
    ),
    Entry(
        _("Relapse"),
        _("The return of a disease, or of its signs, after a time of improvement."),
        ("relapsed", "relapsing", "recurrence", "recurrent"),
    ),
    Entry(
        _("Refractory"),
        _("Not responding, or no longer responding, to treatment."),
    ),
    Entry(
        _("Progression"),
        _("A disease getting worse or spreading."),
        ("disease progression", "progressive disease"),
    ),
    Entry(
        _("Tumour"),
        _("A lump formed by cells growing more than they should. It can be benign or malignant."),
        ("tumor", "tumours", "tumors"),
    ),
    Entry(
        _("Benign"),
        _("Not cancer: it does not spread to other parts of the body."),
    ),
    Entry(
        _("Malignant"),
        _("Cancerous: able to grow into nearby tissue and spread to other parts of the body."),
        ("malignancy", "malignancies"),
    ),
    Entry(
        _("Metastatic"),
        _("A cancer that has spread from where it started to other parts of the body."),
        ("metastasis", "metastases", "metastasised", "metastasized"),
    ),
    Entry(
        _("Carcinoma"),
        _(
            "A cancer that starts in the cells lining the skin or the organs, the most common kind of cancer."
        ),
        ("carcinomas",),
    ),
    Entry(
        _("Lymphoma"),
        _("A cancer of the lymphocytes, white blood cells found in the lymph nodes and elsewhere."),
        ("lymphomas",),
    ),
    Entry(
        _("Leukaemia"),
        _("A cancer of the cells that make blood, in the bone marrow."),
        ("leukemia", "leukaemias", "leukemias"),
    ),
    Entry(
        _("Autoimmune disease"),
        _(
            "A disease in which the immune system attacks the body's own healthy tissue, as in lupus."
        ),
        ("autoimmune", "autoimmunity"),
    ),
    Entry(
        _("Inflammation"),
        _(
            "The body's response to injury or infection, with redness, swelling, heat or pain; it can also harm tissue when it lasts."
        ),
        ("inflammatory",),
    ),
    Entry(
        _("Hypertension"),
        _("High blood pressure."),
        ("high blood pressure",),
    ),
    Entry(
        _("Anaemia"),
        _(
            "Too few healthy red blood cells or too little haemoglobin, which can cause tiredness and shortness of breath."
        ),
        ("anemia",),
    ),
    Entry(
        _("Oedema"),
        _("Swelling caused by fluid building up in the body's tissues, often in the legs."),
        ("edema",),
    ),
    Entry(
        _("Renal"),
        _("To do with the kidneys."),
        ("renal function", "renal impairment", "renal insufficiency"),
    ),
    Entry(
        _("Hepatic"),
        _("To do with the liver."),
        ("hepatic function", "hepatic impairment"),
    ),
    Entry(
        _("Cardiovascular"),
        _("To do with the heart and blood vessels."),
    ),
    Entry(
        _("Neuropathy"),
        _(
            "Damage to the nerves, which can cause numbness, tingling, pain or weakness, often in the hands and feet."
        ),
        ("peripheral neuropathy",),
    ),
    Entry(
        _("Hepatitis"),
        _("Inflammation of the liver, often caused by a virus such as hepatitis B or C."),
        ("hepatitis B", "hepatitis C"),
        ("HBV", "HCV"),
    ),
    Entry(
        _("HIV"),
        _(
            "Human immunodeficiency virus: a virus that weakens the immune system and can be controlled with daily medicine."
        ),
        ("human immunodeficiency virus",),
        ("HIV",),
    ),
    Entry(
        _("Lupus nephritis"),
        _(
            "Kidney inflammation caused by lupus, an autoimmune disease; it can lead to kidney damage if not treated."
        ),
    ),
    Entry(
        _("Systemic lupus erythematosus"),
        _(
            "The most common form of lupus: an autoimmune disease that can affect the skin, joints, kidneys and other organs."
        ),
        ("lupus",),
        ("SLE",),
    ),
    # Regulators and registries
    Entry(
        _("Regulatory approval"),
        _(
            "Permission from an authority such as the US FDA or the European Medicines Agency to sell a treatment for a use."
        ),
        ("approved by the FDA", "marketing authorisation", "marketing authorization"),
    ),
    Entry(
        _("FDA"),
        _(
            "The US Food and Drug Administration, the American authority that approves medicines and devices."
        ),
        ("Food and Drug Administration",),
        ("FDA",),
    ),
    Entry(
        _("Good clinical practice"),
        _(
            "The international rules for running trials ethically and reliably, protecting participants and the quality of the data."
        ),
        (),
        ("GCP",),
    ),
    Entry(
        _("NCT number"),
        _("The identity number ClinicalTrials.gov gives each study, such as NCT01234567."),
        ("NCT ID",),
    ),
    Entry(
        _("Sample size"),
        _("The number of participants a study needs to answer its question reliably."),
    ),
    Entry(
        _("Statistical power"),
        _(
            "The chance that a study will detect a real difference between treatments if there is one."
        ),
        ("powered",),
    ),
]
