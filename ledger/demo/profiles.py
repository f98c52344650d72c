"""The demo's data tables: which state each educator falls in, each state's licenses,
issuers and districts, renewal goals, the license stories told once, the activities
drawn, and the void stories told."""

from __future__ import annotations

from dataclasses import dataclass

# Which state each educator index falls in: 6 TN, 6 UT, 4 KY, 4 MA, 2 LA and 2 MO in every 24, so
# that asking for more educators never changes the ones already made.
STATE_PATTERN = ("TN", "UT", "KY", "MA", "TN", "UT", "KY", "TN", "UT", "MA",
                 "TN", "UT", "KY", "TN", "UT", "MA", "KY", "TN", "UT", "MA", "LA", "MO", "LA", "MO")

# North Carolina and Arkansas educators come after the others, one of each in every 20
# asked for (12 in 240), so that adding them changed none of the educators made before.
NEWCOMER_PATTERN = ("NC", "AR")
NEWCOMERS_PER = 20

# Renewal goals, cycled through each state's educators (offset per state).
GOALS = ("complete", "on_track", "behind", "lapsed", "renewed",
         "complete", "on_track", "lapsed", "behind", "complete")
GOAL_OFFSET = {"TN": 0, "UT": 3, "MA": 6, "KY": 1, "LA": 2, "MO": 4, "NC": 6, "AR": 2}

# The share of the other educators whose license history holds the cycle before the
# goal's, complete and renewed (every "renewed" goal has one); the rest hold a first
# license. Each renewal goes through the licenses service, the demo's dearest step.
EARLIER_CYCLE_SHARE = 0.35

# License stories told once, by (state, the educator's ordinal in that state): see
# stories.py.
STORIES = {
    ("TN", 2): "in_grace",          # the cycle ended weeks ago short: in its grace days today
    ("TN", 8): "completed_in_grace",  # the cycle before was completed in its grace days, then renewed
    ("KY", 3): "extended",          # a cycle extended one year at the superintendent's request
    ("NC", 0): "nc_old_rule",       # complete under the rule before 2024-06-30, renewed, NB credits banked
    ("NC", 1): "nc_boundary",       # the cycle ending 2024-06-30 itself, under the new rule
    ("NC", 2): "nc_one_course",     # 8 of 8 credits, but one course cannot feed both minimums
    ("AR", 0): "ar_reinstated",     # a school year short: lapsed; a year later reinstated
    ("AR", 1): "ar_renewed",        # every school year met, renewed
}


@dataclass(frozen=True)
class StateProfile:
    anchor: tuple[int, int] | None  # month, day a cycle starts; None: per educator
    licenses: tuple[tuple[str, int, float], ...]  # (type, cycle years, weight)
    issuers: dict[str, int]  # issuer code -> weight when drawing a micro-credential
    mc_share: float  # chance that a draw is a micro-credential rather than an activity
    district: str | None = None
    district_share: float = 0.0
    license_number: tuple[int, int, int, int] = (100000, 900000, 7919, 48271)  # base, span, step, shift


STATES = {
    "TN": StateProfile(
        anchor=(9, 1),
        licenses=(("professional", 6, 0.75), ("practitioner", 3, 0.25)),
        issuers={"DP": 4, "BB": 3, "NEA": 3},
        mc_share=0.7,
        license_number=(100000, 900000, 7919, 48271),
    ),
    "UT": StateProfile(
        anchor=(7, 1),
        licenses=(("professional", 5, 1.0),),
        issuers={"DP": 4, "BB": 3, "NEA": 2, "JUAB": 2},
        mc_share=0.75,
        district="JUAB", district_share=0.8,
        license_number=(1000000, 9000000, 104729, 311),
    ),
    "MA": StateProfile(
        anchor=None,
        licenses=(("professional", 5, 1.0),),
        issuers={"DP": 3, "BB": 3, "NEA": 3},
        mc_share=0.35,
        license_number=(400000, 500000, 6007, 1234),
    ),
    "KY": StateProfile(
        anchor=(7, 1),
        licenses=(("rank3", 5, 1.0),),
        issuers={"KEDC": 4, "KVEC": 2, "DP": 2, "BB": 1, "NEA": 1},
        mc_share=0.8,
        district="FAYETTE", district_share=1.0,
        license_number=(100000, 900000, 7901, 999),
    ),
    "LA": StateProfile(
        anchor=(7, 1),
        licenses=(("level2", 5, 1.0),),
        issuers={"DP": 3, "BB": 3, "NEA": 2},
        mc_share=0.6,
        license_number=(2000000, 800000, 6133, 777),
    ),
    "MO": StateProfile(
        anchor=(7, 1),
        licenses=(("initial_administrator", 4, 1.0),),
        issuers={"DP": 3, "BB": 3, "NEA": 2},
        mc_share=0.7,
        license_number=(500000, 400000, 5011, 4321),
    ),
    "NC": StateProfile(
        anchor=(7, 1),
        licenses=(("continuing", 5, 1.0),),
        issuers={"DP": 3, "BB": 3, "NEA": 3},
        mc_share=0.5,
        license_number=(1000000, 900000, 7349, 2718),
    ),
    "AR": StateProfile(
        anchor=(7, 1),
        licenses=(("standard", 5, 1.0),),
        issuers={"DP": 3, "BB": 3, "NEA": 2},
        mc_share=0.4,
        license_number=(300000, 600000, 6421, 1618),
    ),
}

# Credentials never drawn at random: a district's own role-card core, the KEDC capstone
# and National Board certification (and its renewal) are given deliberately.
NOT_RANDOM_PREFIXES = ("JUAB-TLM-", "KEDC-CAP-", "NBPTS-", "LA-MT-", "LA-CL-", "MO-AL-")

# Activities: (title, tags, possible clock hours, states or None for all). "{year}" is the
# year the activity took place. Besides its topics an activity bears its kind (workshop,
# conference, course, institute, plc, mentoring, service), which puts it in an area of
# learning where a state has them (Utah's R277-302-7 areas); a required training bears none.
ACTIVITIES = (
    ("Workshop: Classroom Management Essentials", ("pedagogy", "workshop"), (3, 4, 6), None),
    ("Workshop: Differentiating Instruction in Mixed-Ability Classrooms", ("pedagogy", "workshop"), (3, 6), None),
    ("Workshop: Supporting Students with IEPs in General Education", ("disabilities", "workshop"), (3, 6, 8), None),
    ("Workshop: Co-Teaching for Inclusive Classrooms", ("disabilities", "pedagogy", "workshop"), (6, 7.5), None),
    ("Workshop: Structured Literacy and the Science of Reading", ("literacy", "workshop"), (6, 12), None),
    ("Summer Literacy Institute {year}", ("literacy", "content", "institute"), (15, 18, 24, 30), None),
    ("Workshop: Sheltered Instruction for English Learners", ("sei", "workshop"), (6, 10, 15), None),
    ("Workshop: Using Assessment Data to Plan Instruction", ("assessment", "workshop"), (3, 4.5, 6), None),
    ("Workshop: Trauma-Informed Practices", ("culture", "workshop"), (3, 6), None),
    ("Youth Mental Health First Aid", ("culture", "workshop"), (8,), None),
    ("Suicide prevention and child abuse reporting training ({year})", (), (2,), None),
    ("Grade-level professional learning community, {year}", ("collaboration", "plc"), (8, 10, 12, 16), None),
    ("Mentoring a student teacher", ("leadership", "collaboration", "mentoring"), (10, 15, 20), None),
    ("Conference: NCTM Annual Meeting {year}", ("content", "math", "conference"), (12, 15, 18), None),
    ("Conference: ISTE Live {year}", ("technology", "conference"), (12, 16, 20), None),
    ("Conference: NSTA National Conference on Science Education {year}", ("content", "conference"), (12, 15), None),
    ("Conference: Learning Forward Annual Conference {year}", ("leadership", "collaboration", "conference"),
     (12, 15), None),
    ("Conference: CEC Convention and Expo {year}", ("disabilities", "conference"), (12, 15), None),
    ("Conference: TESOL International Convention {year}", ("sei", "conference"), (12, 15), None),
    ("Graduate course: Teaching Mathematics for Understanding (3 credits)", ("content", "math", "course"), (45,), None),
    ("Graduate course: Assessment and Evaluation of Learning (3 credits)", ("assessment", "pedagogy", "course"),
     (45,), None),
    ("Tennessee Early Literacy Training: Foundational Skills", ("literacy", "workshop"), (30,), ("TN",)),
    ("Tennessee Educator Summer Conference {year}", ("content", "pedagogy", "conference"), (6, 12), ("TN",)),
    ("Continuing education: Reading Intervention for Struggling Readers (CEUs)", ("literacy", "course"),
     (10, 15, 20, 30), ("TN",)),
    ("Utah Core Academy {year}", ("content", "pedagogy", "institute"), (18, 24, 30), ("UT",)),
    ("Utah LETRS cohort, units 1-4", ("literacy", "course"), (20, 24), ("UT",)),
    ("USBE course: Elementary Mathematics Endorsement, block {year}", ("math", "content", "course"), (15, 30),
     ("UT",)),
    ("Serving on the district curriculum review committee, {year}", ("service",), (10, 15, 20), ("UT",)),
    ("Course: Sheltered English Immersion Teacher Endorsement", ("sei", "course"), (45,), ("MA",)),
    ("MassCUE Fall Conference {year}", ("technology", "conference"), (6, 12), ("MA",)),
    ("Course: Strategies for Students with Disabilities (1 credit)", ("disabilities", "course"), (15,), ("MA",)),
    ("Course: Content Deepening in the Humanities (1 credit)", ("content", "course"), (15,), ("MA",)),
    ("Kentucky Reading Association Conference {year}", ("literacy", "conference"), (12,), ("KY",)),
    ("Kentucky Summer Leadership Institute {year}", ("leadership", "institute"), (12, 18), ("KY",)),
    ("NC Digital Learning Competencies: Blended Classroom Design", ("technology", "course"), (10, 20), ("NC",)),
    ("Science of Reading: LETRS Units 1-4 (NC Early Literacy)", ("literacy", "course"), (30,), ("NC",)),
    ("Arkansas History for Educators", ("content", "workshop"), (2, 6), ("AR",)),
    ("Arkansas Mandated Reporter Training ({year})", (), (2,), ("AR",)),
    ("Parental Involvement in Arkansas Schools", ("culture", "workshop"), (2, 3), ("AR",)),
)

# Activities recorded in a measure of their own rather than clock hours, by (title, state):
# (measure, clock hours per unit of it). The amount recorded is the drawn clock hours
# divided by it (a 45-hour graduate course: 3 semester hours), and the state's
# `conversions` value it (Tennessee: 1 CEU = 5 PDPs, 1 semester hour = 10).
GRADUATE = ("Graduate course: Teaching Mathematics for Understanding (3 credits)",
            "Graduate course: Assessment and Evaluation of Learning (3 credits)")
MEASURED = {
    **{(title, "TN"): ("semester_hour", 15) for title in GRADUATE},
    **{(title, "NC"): ("semester_hour", 15) for title in GRADUATE},
    **{(title, "UT"): ("university_credit", 15) for title in GRADUATE},
    **{(title, "MA"): ("graduate_semester_hour", 15) for title in GRADUATE},
    ("Continuing education: Reading Intervention for Struggling Readers (CEUs)", "TN"): ("ceu", 10),
    ("USBE course: Elementary Mathematics Endorsement, block {year}", "UT"): ("state_credit", 15),
    ("Course: Strategies for Students with Disabilities (1 credit)", "MA"): ("semester_hour", 15),
    ("Course: Content Deepening in the Humanities (1 credit)", "MA"): ("semester_hour", 15),
    ("NC Digital Learning Competencies: Blended Classroom Design", "NC"): ("ceu", 10),
    ("Science of Reading: LETRS Units 1-4 (NC Early Literacy)", "NC"): ("ceu", 10),
}

# Void stories: (kind of entry, reason template). Corrections re-record the entry: the
# ledger is append-only, so a mistake is voided, never edited.
VOID_STORIES = (
    ("wrong_date", "earned_on typed as {wrong}; the badge assertion says {right}. Re-recorded as a new entry."),
    ("wrong_hours", "hours entered as {wrong}; the attendance certificate shows {right}. Re-recorded as a new entry."),
    ("revoked", "The issuer revoked this badge on audit: the submitted evidence did not meet the rubric."),
    ("wrong_educator", "Recorded against the wrong educator (license number digits transposed)."),
    ("duplicate", "Duplicate of an entry already imported from the district PD system."),
)
