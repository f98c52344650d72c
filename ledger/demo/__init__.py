"""The demo: four states' rulebooks, a catalog, a few hundred invented educators with
five-year histories, and one login per role (`flask --app wsgi ledger demo`).

Everything is deterministic for a given seed and `today`, and loading is idempotent:
an unchanged catalog or rulebook is not loaded again (so no new rulebook version), an
educator already present by (state, license number) is left alone with their entries,
and an existing login is left alone (but still printed). The whole load is one
transaction.

How the histories are made. Each educator gets a license cycle placed around `today` and
a goal for it: `complete`, `on_track` (in progress, at or above the pace of the cycle so
far), `behind` (in progress, well below it), `lapsed` (the cycle ended short) or
`renewed` (a completed previous cycle plus a current one on track). Entries are then
drawn, micro-credentials first, workshops and conferences to top up, and each draw is
valued by the real standing engine against the state's rulebook, so the goal is met
exactly as the API will report it (caps, minimums, rates in force on the day, no_rate
before a state had one). A handful of Juab teachers follow scripts through the
Teacher Leader: Mathematics role card (awarded and maintaining it, at risk, lapsed,
permanent, close to it) and some Kentucky teachers through the Rank 2 pathway (24 MCs
inside three years, in progress, credentials that aged out of the window), for the
pathway engine to show.

Passwords of the demo logins are fixed and printed by the command: demo data only.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from pathways import add_months, add_years

from .. import audit, engine
from ..catalog import load_catalog
from ..models import (
    Credential, District, Educator, Entry, Holding, Issuer, License, RulebookVersion, State,
    User, Void,
)
from ..rulebooks import _jsonable, engine_rulebook, load_rulebook, newest_version, parse_file
from ..scopes import ADMIN, DISTRICT_HR, EDUCATOR, STATE_OFFICE
from . import people

HERE = Path(__file__).resolve().parent
CATALOG_PATH = HERE / "catalog.yaml"
RULEBOOK_DIR = HERE / "rulebooks"

MICRO = engine.MICROCREDENTIAL
ACTIVITY = engine.ACTIVITY
DAY = timedelta(days=1)

# Demo logins: (role, email, password, scope). The educator login's email is that
# educator's own (see `_educator_login`).
ADMIN_LOGIN = (ADMIN, "admin@demo.example", "demo-admin-2024")
STATE_LOGIN = (STATE_OFFICE, "state.tn@demo.example", "demo-state-2024", "TN")
HR_LOGIN = (DISTRICT_HR, "hr.juab@demo.example", "demo-hr-2024", "JUAB")
EDUCATOR_PASSWORD = "demo-educator-2024"

# Which state each educator index falls in: 6 TN, 6 UT, 4 KY, 4 MA, 2 LA and 2 MO in every 24, so
# that asking for more educators never changes the ones already made.
STATE_PATTERN = ("TN", "UT", "KY", "MA", "TN", "UT", "KY", "TN", "UT", "MA",
                 "TN", "UT", "KY", "TN", "UT", "MA", "KY", "TN", "UT", "MA", "LA", "MO", "LA", "MO")

# Renewal goals, cycled through each state's educators (offset per state).
GOALS = ("complete", "on_track", "behind", "lapsed", "renewed",
         "complete", "on_track", "lapsed", "behind", "complete")
GOAL_OFFSET = {"TN": 0, "UT": 3, "MA": 6, "KY": 1, "LA": 2, "MO": 4}


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
}

# Credentials never drawn at random: a district's own role-card core, the KEDC capstone
# and National Board certification are given deliberately.
NOT_RANDOM_PREFIXES = ("JUAB-TLM-", "KEDC-CAP-", "NBPTS-", "LA-MT-", "LA-CL-", "MO-AL-")

# Activities: (title, tags, possible hours, states or None for all). "{year}" is the year
# the activity took place.
ACTIVITIES = (
    ("Workshop: Classroom Management Essentials", ("pedagogy",), (3, 4, 6), None),
    ("Workshop: Differentiating Instruction in Mixed-Ability Classrooms", ("pedagogy",), (3, 6), None),
    ("Workshop: Supporting Students with IEPs in General Education", ("disabilities",), (3, 6, 8), None),
    ("Workshop: Co-Teaching for Inclusive Classrooms", ("disabilities", "pedagogy"), (6, 7.5), None),
    ("Workshop: Structured Literacy and the Science of Reading", ("literacy",), (6, 12), None),
    ("Summer Literacy Institute {year}", ("literacy", "content"), (15, 18, 24, 30), None),
    ("Workshop: Sheltered Instruction for English Learners", ("sei",), (6, 10, 15), None),
    ("Workshop: Using Assessment Data to Plan Instruction", ("assessment",), (3, 4.5, 6), None),
    ("Workshop: Trauma-Informed Practices", ("culture",), (3, 6), None),
    ("Youth Mental Health First Aid", ("culture",), (8,), None),
    ("Suicide prevention and child abuse reporting training ({year})", (), (2,), None),
    ("Grade-level professional learning community, {year}", ("collaboration",), (8, 10, 12, 16), None),
    ("Mentoring a student teacher", ("leadership", "collaboration"), (10, 15, 20), None),
    ("Conference: NCTM Annual Meeting {year}", ("content", "math"), (12, 15, 18), None),
    ("Conference: ISTE Live {year}", ("technology",), (12, 16, 20), None),
    ("Conference: NSTA National Conference on Science Education {year}", ("content",), (12, 15), None),
    ("Conference: Learning Forward Annual Conference {year}", ("leadership", "collaboration"), (12, 15), None),
    ("Conference: CEC Convention and Expo {year}", ("disabilities",), (12, 15), None),
    ("Conference: TESOL International Convention {year}", ("sei",), (12, 15), None),
    ("Graduate course: Teaching Mathematics for Understanding (3 credits)", ("content", "math"), (45,), None),
    ("Graduate course: Assessment and Evaluation of Learning (3 credits)", ("assessment", "pedagogy"), (45,), None),
    ("Tennessee Early Literacy Training: Foundational Skills", ("literacy",), (30,), ("TN",)),
    ("Tennessee Educator Summer Conference {year}", ("content", "pedagogy"), (6, 12), ("TN",)),
    ("Utah Core Academy {year}", ("content", "pedagogy"), (18, 24, 30), ("UT",)),
    ("Utah LETRS cohort, units 1-4", ("literacy",), (20, 24), ("UT",)),
    ("Course: Sheltered English Immersion Teacher Endorsement", ("sei",), (45,), ("MA",)),
    ("MassCUE Fall Conference {year}", ("technology",), (6, 12), ("MA",)),
    ("Course: Strategies for Students with Disabilities (1 credit)", ("disabilities",), (15,), ("MA",)),
    ("Course: Content Deepening in the Humanities (1 credit)", ("content",), (15,), ("MA",)),
    ("Kentucky Reading Association Conference {year}", ("literacy",), (12,), ("KY",)),
    ("Kentucky Summer Leadership Institute {year}", ("leadership",), (12, 18), ("KY",)),
)

# Void stories: (kind of entry, reason template). Corrections re-record the entry.
VOID_STORIES = (
    ("wrong_date", "earned_on typed as {wrong}; the badge assertion says {right}. Re-recorded as a new entry."),
    ("wrong_hours", "hours entered as {wrong}; the attendance certificate shows {right}. Re-recorded as a new entry."),
    ("revoked", "The issuer revoked this badge on audit: the submitted evidence did not meet the rubric."),
    ("wrong_educator", "Recorded against the wrong educator (license number digits transposed)."),
    ("duplicate", "Duplicate of an entry already imported from the district PD system."),
)


# ---------------------------------------------------------------------------- helpers


def between(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def spread(rng: random.Random, lo: date, hi: date, n: int) -> list[date]:
    return sorted(between(rng, lo, hi) for _ in range(n))


def digest(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _ascii(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalpha())


def fmt(n: int) -> str:
    return f"{n:,}"


# ----------------------------------------------------------------------- the planning


@dataclass
class Item:
    """A planned ledger entry."""

    kind: str
    earned_on: date
    credential: str | None = None
    title: str | None = None
    hours: Decimal | None = None
    tags: tuple[str, ...] = ()
    external_id: str | None = None
    evidence_url: str | None = None
    void_reason: str | None = None


@dataclass
class Plan:
    index: int
    state: str
    license_number: str
    first_name: str
    last_name: str
    email: str
    district: str | None
    goal: str
    script: str | None = None
    licenses: list[tuple[str, date, date]] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


@dataclass
class Catalog:
    issuer: dict[str, str]  # credential -> issuer
    tags: dict[str, frozenset[str]]

    @classmethod
    def from_raw(cls, raw: dict) -> Catalog:
        creds = raw.get("credentials") or []
        return cls(
            issuer={c["code"]: c["issuer"] for c in creds},
            tags={c["code"]: frozenset(c.get("tags") or ()) for c in creds},
        )


def _pathway(document: dict, code: str) -> dict | None:
    for p in document.get("pathways") or []:
        if p["code"] == code:
            return p
    for d in document.get("districts") or []:
        for p in d.get("pathways") or []:
            if p["code"] == code:
                return p
    return None


class Person:
    """One educator being planned: draws entries and values them with the engine."""

    def __init__(self, plan: Plan, rulebook: engine.Rulebook, valuer: engine.Valuer,
                 catalog: Catalog, today: date, rng: random.Random):
        self.plan, self.rb, self.valuer, self.catalog = plan, rulebook, valuer, catalog
        self.today, self.rng = today, rng
        self.profile = STATES[plan.state]
        self.held: set[str] = set()
        self.seq = 0

    # -- entries

    def mc_pool(self, tag: str | None = None, avoid: tuple[str, ...] = (), exclude=()) -> list[tuple[str, int]]:
        weights = self.profile.issuers
        if self.plan.district != "JUAB":
            weights = {k: v for k, v in weights.items() if k != "JUAB"}
        pool = []
        for code, issuer in self.catalog.issuer.items():
            if (issuer not in weights or code in self.held or code in exclude
                    or code.startswith(NOT_RANDOM_PREFIXES)):
                continue
            tags = self.catalog.tags[code]
            if (tag and tag not in tags) or tags.intersection(avoid):
                continue
            pool.append((code, weights[issuer]))
        return pool

    def micro(self, code: str, earned_on: date) -> Item:
        self.held.add(code)
        self.seq += 1
        issuer = self.catalog.issuer[code]
        item = Item(MICRO, earned_on, credential=code)
        h = digest(self.plan.state, self.plan.license_number, code, earned_on, self.seq)
        if issuer in ("DP", "BB", "NEA", "KEDC", "NBPTS") and self.rng.random() < 0.6:
            item.external_id = f"https://badges.example.org/{issuer.lower()}/assertions/{h[:24]}"
        if self.rng.random() < 0.4:
            item.evidence_url = f"https://evidence.example.org/{issuer.lower()}/{h[24:48]}"
        self.plan.items.append(item)
        return item

    def draw_micro(self, lo: date, hi: date, tag: str | None = None, avoid=(), exclude=()) -> Item | None:
        pool = self.mc_pool(tag, avoid, exclude)
        if not pool:
            return None
        code = self.rng.choices([c for c, _ in pool], [w for _, w in pool])[0]
        return self.micro(code, between(self.rng, lo, hi))

    def activity(self, lo: date, hi: date, tag: str | None = None, avoid=()) -> Item:
        state = self.plan.state
        options = [
            a for a in ACTIVITIES
            if (a[3] is None or state in a[3]) and (tag is None or tag in a[1])
            and not set(a[1]).intersection(avoid)
        ]
        title, tags, hours, _ = self.rng.choice(options)
        earned_on = between(self.rng, lo, hi)
        self.seq += 1
        item = Item(ACTIVITY, earned_on, title=title.format(year=earned_on.year),
                    hours=Decimal(str(self.rng.choice(hours))), tags=tuple(sorted(tags)))
        h = digest(state, self.plan.license_number, item.title, earned_on, self.seq)
        if self.rng.random() < 0.2:
            item.external_id = f"pd-{state.lower()}:{h[:16]}"
        if self.rng.random() < 0.3:
            item.evidence_url = f"https://pd.example.org/certificates/{h[16:40]}.pdf"
        self.plan.items.append(item)
        return item

    def draw(self, lo: date, hi: date, mc_share: float, tag=None, avoid=()) -> Item:
        if self.rng.random() < mc_share:
            item = self.draw_micro(lo, hi, tag, avoid)
            if item is not None:
                return item
        return self.activity(lo, hi, tag, avoid)

    def drop(self, item: Item) -> None:
        self.plan.items.remove(item)
        if item.kind == MICRO:
            self.held.discard(item.credential)

    # -- valuing

    def fact(self, n: int, item: Item) -> engine.Entry:
        if item.kind == MICRO:
            return engine.Entry(id=n, kind=MICRO, earned_on=item.earned_on, credential=item.credential,
                                issuer=self.catalog.issuer[item.credential],
                                tags=self.catalog.tags[item.credential])
        return engine.Entry(id=n, kind=ACTIVITY, earned_on=item.earned_on, tags=frozenset(item.tags),
                            hours=item.hours, title=item.title)

    def progress(self, lic: tuple[str, date, date]):
        facts = [self.fact(n, it) for n, it in enumerate(self.plan.items) if it.void_reason is None]
        license = engine.License(0, *lic)
        return engine.standing(facts, [license], self.rb, self.today, self.valuer, pathways=False).renewal[0]

    # -- goals

    def fill(self, lic: tuple[str, date, date], goal, mc_share: float, avoid=()) -> None:
        """Draw entries inside the cycle (never after today) until the goal holds:
        "complete", or a fraction of the required units that stays short of complete."""
        _, start, end = lic
        lo, hi = start, min(end, self.today)
        if hi < lo:
            return
        rule = self.rb.renewal_rule(lic[0])
        cap = rule.max_microcredential_units
        if goal == "complete":
            for m in rule.minimums:
                for attempt in range(12):
                    p = self.progress(lic)
                    if next(x for x in p.minimums if x.tag == m.tag).met:
                        break
                    self.draw(lo, hi, mc_share if attempt < 6 else 0, tag=m.tag)
            for _ in range(80):
                p = self.progress(lic)
                if p.status == engine.COMPLETE:
                    return
                capped = cap is not None and p.microcredential_units >= cap
                self.draw(lo, hi, 0 if capped else mc_share)
            return
        target = rule.required_units * Decimal(str(goal))
        for _ in range(80):
            p = self.progress(lic)
            if p.earned_units >= target:
                return
            capped = cap is not None and p.microcredential_units >= cap
            item = self.draw(lo, hi, 0 if capped else mc_share, avoid=avoid)
            p = self.progress(lic)
            # one draw too many: this cycle must stay short (of a minimum, with `avoid`)
            if p.status == engine.COMPLETE or (not avoid and p.earned_units >= rule.required_units):
                self.drop(item)
                return

    def extras(self, lic, n: int, lo: date, hi: date, keep_short: bool) -> None:
        """More micro-credentials inside the cycle. After completion they change
        nothing; with `keep_short` one is kept only if the cycle's earned units stay the
        same (it is past the cap)."""
        hi = min(hi, self.today)
        for _ in range(n):
            if hi < lo:
                return
            before = self.progress(lic).earned_units if keep_short else None
            item = self.draw_micro(lo, hi)
            if item is None:
                return
            if keep_short and self.progress(lic).earned_units != before:
                self.drop(item)
                return


class Planner:
    def __init__(self, seed: int, today: date, rulebooks: dict[str, engine.Rulebook],
                 documents: dict[str, dict], catalog: Catalog):
        self.seed, self.today, self.rulebooks, self.catalog = seed, today, rulebooks, catalog
        self.valuers = {s: engine.Valuer(rb) for s, rb in rulebooks.items()}
        self.history_start = add_years(today, -5)
        self.emails: set[str] = set()
        self.ordinal: Counter = Counter()
        self.juab_count = 0
        juab = _pathway(documents.get("UT", {}), "JUAB-TL-MATH")
        rank2 = _pathway(documents.get("KY", {}), "KY-RANK2-MC")
        self.juab = juab if juab and juab.get("core") else None
        self.rank2 = rank2 if rank2 and rank2.get("core") else None
        self.cards = {
            code: card for state in ("LA", "MO") for code in STACK_CARDS
            if (card := _pathway(documents.get(state, {}), code)) is not None
        }

    # -- people

    def person(self, i: int) -> Plan:
        state = STATE_PATTERN[i % len(STATE_PATTERN)]
        k = self.ordinal[state]
        self.ordinal[state] += 1
        rng = random.Random(f"ledger-demo:{self.seed}:{i}")
        profile = STATES[state]
        # Who works where (and so who follows a role-card script) does not depend on the
        # seed: a demo loaded again with another seed finds the same people present.
        district = None
        if profile.district and random.Random(f"ledger-demo:district:{i}").random() < profile.district_share:
            district = profile.district
        first_pool = people.FIRST_NAMES + (people.UTAH_FIRST_NAMES if state == "UT" else ())
        first = rng.choice(first_pool)
        if rng.random() < 0.4:
            last = rng.choice(people.REGIONAL_LAST_NAMES[state])
        else:
            last = rng.choice(people.LAST_NAMES)
        base, span, step, shift = profile.license_number
        license_number = str(base + (k * step + shift) % span)
        email = self._email(rng, first, last, district)
        goal = GOALS[(k + GOAL_OFFSET[state]) % len(GOALS)]
        plan = Plan(i, state, license_number, first, last, email, district, goal)
        plan.script = self._script(plan, k)
        self._history(plan, rng)
        return plan

    def _email(self, rng, first, last, district) -> str:
        f, l = _ascii(first), _ascii(last)
        if district in people.DISTRICT_DOMAINS:
            local, domain = f"{f}.{l}", people.DISTRICT_DOMAINS[district]
        else:
            local = rng.choice((f"{f}.{l}", f"{f[0]}{l}", f"{f}{l}{rng.randint(1, 99)}", f"{l}.{f}"))
            domain = rng.choice(people.PERSONAL_DOMAINS)
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        return email

    def _script(self, plan: Plan, k: int) -> str | None:
        if plan.district == "JUAB" and self.juab:
            j = self.juab_count
            self.juab_count += 1
            if j % 3 == 0 and j // 3 < len(JUAB_SCRIPTS):
                return JUAB_SCRIPTS[j // 3]
        if plan.state == "KY" and self.rank2 and k % 3 == 1 and k // 3 < len(RANK2_SCRIPTS):
            return RANK2_SCRIPTS[k // 3]
        scripts = STACK_SCRIPTS.get(plan.state, ())
        if k % 2 == 0 and k // 2 < len(scripts) and scripts[k // 2][1] in self.cards:
            return scripts[k // 2][0]
        return None

    # -- cycles

    def _cycles(self, plan: Plan, rng) -> tuple[str, int, tuple[int, int]]:
        profile = STATES[plan.state]
        types = profile.licenses
        lic_type, years, _ = rng.choices(types, [w for *_, w in types])[0]
        anchor = profile.anchor or (rng.randint(1, 12), rng.randint(1, 28))
        return lic_type, years, anchor

    def _cycle_list(self, years: int, anchor: tuple[int, int]) -> list[tuple[date, date]]:
        t = self.today
        out = []
        for y in range(t.year - years - 4, t.year + 1):
            start = date(y, *anchor)
            out.append((start, add_years(start, years) - DAY))
        return out

    def _elapsed(self, start: date, end: date) -> float:
        return (self.today - start).days / max(1, (end - start).days)

    def _current(self, rng, years, anchor, min_elapsed=0.0, max_elapsed=1.0) -> tuple[date, date]:
        t = self.today
        current = [(s, e) for s, e in self._cycle_list(years, anchor) if s <= t - timedelta(days=120) and e >= t]
        fitting = [c for c in current if min_elapsed <= self._elapsed(*c) <= max_elapsed]
        return rng.choice(fitting or current)

    def _ended(self, rng, years, anchor) -> tuple[date, date]:
        t = self.today
        ended = [(s, e) for s, e in self._cycle_list(years, anchor) if add_years(t, -2) <= e < t - timedelta(days=20)]
        if not ended:
            ended = [(s, e) for s, e in self._cycle_list(years, anchor) if e < t][-1:]
        return rng.choice(ended)

    # -- histories

    def _history(self, plan: Plan, rng: random.Random) -> None:
        rb = self.rulebooks[plan.state]
        me = Person(plan, rb, self.valuers[plan.state], self.catalog, self.today, rng)
        lic_type, years, anchor = self._cycles(plan, rng)
        mc_share = STATES[plan.state].mc_share * rng.uniform(0.8, 1.15)
        if plan.script:
            goal = SCRIPT_GOALS.get(plan.script, "complete")
            plan.goal = goal
            mc_share = 0.0  # the script places every micro-credential
            SCRIPTS[plan.script](self, me, rng)
        goal = plan.goal
        t = self.today
        if goal == "lapsed":
            cycle = self._ended(rng, years, anchor)
        elif goal == "renewed":
            current = self._current(rng, years, anchor, 0.1, 0.6)
            prior_end = current[0] - DAY
            prior = (add_years(current[0], -years), prior_end)
            plan.licenses.append((lic_type, *prior))
            cycle = current
        elif goal == "behind":
            cycle = self._current(rng, years, anchor, 0.4, 0.95)
        elif goal == "complete":
            cycle = self._current(rng, years, anchor, 0.3, 1.0)
        else:
            cycle = self._current(rng, years, anchor, 0.2, 0.95)
        plan.licenses.append((lic_type, *cycle))
        lic = plan.licenses[-1]
        elapsed = self._elapsed(cycle[0], cycle[1])

        # National Board certification: a few Tennessee teachers (worth 30 PDPs there).
        if plan.state == "TN" and not plan.script and goal in ("complete", "renewed") and rng.random() < 0.12:
            me.micro("NBPTS-NBC", between(rng, max(cycle[0], add_years(t, -4)), t - timedelta(days=30)))

        avoid: tuple[str, ...] = ()
        if plan.state == "MA" and goal in ("lapsed", "behind") and rng.random() < 0.5:
            avoid = ("sei",)  # hours may be there, the SEI minimum is not

        if goal == "renewed":
            me.fill(plan.licenses[0], "complete", mc_share)
            me.fill(lic, min(0.9, max(0.1, elapsed * rng.uniform(0.95, 1.3))), mc_share)
        elif goal == "complete":
            me.fill(lic, "complete", mc_share)
            if not plan.script:
                me.extras(lic, rng.choice((0, 1, 2, 3, 4)), cycle[0], min(cycle[1], t), keep_short=False)
        elif goal == "on_track":
            me.fill(lic, min(0.92, max(0.12, elapsed * rng.uniform(0.95, 1.3))), mc_share)
        elif goal == "behind":
            me.fill(lic, elapsed * rng.uniform(0.1, 0.55), mc_share, avoid)
        elif goal == "lapsed":
            if avoid:
                me.fill(lic, rng.uniform(1.0, 1.15), mc_share, avoid)  # the hours, not the SEI minimum
            else:
                me.fill(lic, rng.uniform(0.3, 0.85), mc_share)
            # a little earned after the lapse, toward reinstatement
            if not plan.script and rng.random() < 0.4:
                me.draw(cycle[1] + DAY, t, mc_share)

        if plan.script:
            return
        # Earlier history, before the first cycle on record (counts nowhere now).
        first_start = plan.licenses[0][1]
        if first_start > self.history_start:
            lo, hi = self.history_start, first_start - DAY
            for _ in range(rng.randint(1, 5)):
                me.draw_micro(lo, hi)
            for _ in range(rng.randint(0, 3)):
                me.activity(lo, hi)
        # Extra micro-credentials where they change no status (past a cap).
        if goal != "complete":
            me.extras(lic, rng.choice((0, 1, 2, 3)), cycle[0], cycle[1], keep_short=True)
        if rng.random() < 0.07:
            self._void(me, rng)

    def _void(self, me: Person, rng: random.Random) -> None:
        """One correction in this educator's history: a voided entry (recorded first)
        and, for a typing mistake, the right entry recorded after it."""
        plan, t = me.plan, self.today
        story, template = rng.choice(VOID_STORIES)
        micro = [it for it in plan.items if it.kind == MICRO and it.void_reason is None]
        acts = [it for it in plan.items if it.kind == ACTIVITY and it.void_reason is None]
        if story == "wrong_date" and micro:
            right = rng.choice(micro)
            wrong = add_years(right.earned_on, -1)
            bad = Item(MICRO, wrong, credential=right.credential,
                       void_reason=template.format(wrong=wrong.isoformat(), right=right.earned_on.isoformat()))
        elif story == "wrong_hours" and acts:
            right = rng.choice(acts)
            wrong = right.hours * 10
            bad = Item(ACTIVITY, right.earned_on, title=right.title, hours=wrong, tags=right.tags,
                       void_reason=template.format(wrong=f"{wrong.normalize():f}", right=f"{right.hours.normalize():f}"))
        elif story == "duplicate" and acts:
            right = rng.choice(acts)
            bad = Item(ACTIVITY, right.earned_on, title=right.title, hours=right.hours, tags=right.tags,
                       void_reason=template)
        else:
            # a badge revoked on audit, or recorded for the wrong person: nothing replaces it
            pool = me.mc_pool()
            if not pool:
                return
            code = rng.choice(pool)[0]
            reason = dict(VOID_STORIES)["wrong_educator" if story == "wrong_educator" else "revoked"]
            bad = Item(MICRO, between(rng, self.history_start, t), credential=code, void_reason=reason)
            me.held.add(code)  # not earned again in the demo
        plan.items.append(bad)


# ------------------------------------------------------------- role-card scripts


def _juab(planner: Planner, me: Person, rng: random.Random, *, award_months: int | None,
          span_months: int, core_n: int | None = None, electives_n: int | None = None,
          periods: tuple[int, ...] = (), after: int = 0, before: int = 0) -> None:
    """Place a Juab teacher's micro-credentials on the Teacher Leader: Mathematics card:
    all of it, with its last credential on the award date, then `periods[k]` others
    inside maintenance period k (strictly after the award), `after` once the periods
    are over; or, with no award, `core_n` core and `electives_n` elective credentials."""
    p, t = planner.juab, planner.today
    core = list(p["core"])
    group = (p.get("electives") or [{"choose": 0}])[0]
    electives = list(group.get("from") or [])
    rng.shuffle(electives)
    if award_months is None:
        end = t - timedelta(days=rng.randint(10, 60))
        start = add_months(end, -span_months)
        codes = rng.sample(core, core_n) + electives[:electives_n]
        for code, day in zip(rng.sample(codes, len(codes)), spread(rng, start, end, len(codes))):
            me.micro(code, day)
        return
    award = add_months(t, -award_months)
    start = add_months(award, -span_months)
    codes = core + electives[: group["choose"]]
    rng.shuffle(codes)
    days = spread(rng, start, award - DAY, len(codes) - 1) + [award]
    for code, day in zip(codes, days):
        me.micro(code, day)
    # Something off the card before the award; never an elective, which could move the
    # award date earlier.
    for _ in range(before):
        me.draw_micro(start, award - DAY, exclude=electives)
    years = [m["years"] for m in p.get("maintenance") or []] or [3]
    pstart = award
    for k, n in enumerate(periods):
        plen = years[min(k, len(years) - 1)]
        pend = add_years(pstart, plen) - DAY
        for _ in range(n):
            me.draw_micro(pstart + DAY, min(pend, t))
        pstart = pend + DAY
    for _ in range(after):
        me.draw_micro(pstart, t)


def _rank2(planner: Planner, me: Person, rng: random.Random, *, award_months: int | None,
           span_months: int, core_n: int = 0, electives_n: int = 0, aged_core: int = 0) -> None:
    """Place a Kentucky teacher's micro-credentials on the Rank 2 pathway: all of it
    inside the window (capstone last, on the award date), or a partial record, with
    `aged_core` core credentials earned too long ago to count in the window now."""
    p, t = planner.rank2, planner.today
    core = list(p["core"])
    rng.shuffle(core)
    tag_groups = [g for g in p.get("electives") or [] if g.get("tags")]
    from_groups = [g for g in p.get("electives") or [] if g.get("from")]
    tags = set(tag_groups[0]["tags"]) if tag_groups else set()
    pool = [c for c in me.mc_pool() if c[0] not in core and me.catalog.tags[c[0]] & tags]
    pool_codes = [c for c, _ in pool]
    rng.shuffle(pool_codes)
    window = p.get("window_years") or 3
    if award_months is None:
        end = t - timedelta(days=rng.randint(5, 40))
        start = add_months(end, -span_months)
        codes = core[:core_n] + pool_codes[:electives_n]
        for code, day in zip(rng.sample(codes, len(codes)), spread(rng, start, end, len(codes))):
            me.micro(code, day)
        old_end = add_years(t, -window) - timedelta(days=20)
        for code, day in zip(core[core_n:core_n + aged_core], spread(rng, add_months(old_end, -6), old_end, aged_core)):
            me.micro(code, day)
        return
    award = add_months(t, -award_months)
    start = add_months(award, -span_months)
    start = max(start, add_years(award, -window) + timedelta(days=30))  # inside the window
    choose = tag_groups[0]["choose"] if tag_groups else 0
    capstones = [c for g in from_groups for c in g["from"]][:len(from_groups)]
    codes = core + pool_codes[:choose]
    rng.shuffle(codes)
    days = spread(rng, start, award - DAY, len(codes))
    for code, day in zip(codes, days):
        me.micro(code, day)
    for code in capstones:
        me.micro(code, award)


def _stack(planner: Planner, me: Person, rng: random.Random, *, card: str, award_months: int | None,
           span_months: int, have: int = 0, aged: int = 0) -> None:
    """Place an educator's micro-credentials on one of the Louisiana or Missouri cards:
    all of it, the last one on the award date (inside the window, if the card has one),
    or `have` of what it needs, with `aged` more earned just before the window opens
    today (too old to count)."""
    p, t = planner.cards[card], planner.today
    core = list(p.get("core") or [])
    electives = []
    for group in p.get("electives") or []:
        if group.get("from"):
            pool = [c for c in group["from"] if c not in core and c not in electives]
        else:
            wanted = set(group["tags"])
            pool = sorted(c for c, tags in me.catalog.tags.items()
                          if tags & wanted and c not in core and c not in electives)
        rng.shuffle(pool)
        electives += pool[: group["choose"]]
    needed = core + electives
    window = p.get("window_years")
    if award_months is None:
        end = t - timedelta(days=rng.randint(5, 40))
        start = add_months(end, -span_months)
        codes = rng.sample(needed, have + aged)
        for code, day in zip(codes[:have], spread(rng, start, end, have)):
            me.micro(code, day)
        if aged and window:
            old_end = add_years(t, -window) - timedelta(days=10)
            for code, day in zip(codes[have:], spread(rng, add_months(old_end, -4), old_end, aged)):
                me.micro(code, day)
        return
    award = add_months(t, -award_months)
    start = add_months(award, -span_months)
    if window:
        start = max(start, add_years(award, -window) + timedelta(days=30))
    rng.shuffle(needed)
    days = spread(rng, start, award - DAY, len(needed) - 1) + [award]
    for code, day in zip(needed, days):
        me.micro(code, day)


STACK_CARDS = ("LA-MENTOR", "LA-CONTENT", "MO-CCAC-MC")
STACK_SCRIPTS = {  # state -> (script, card), given to every other educator of the state
    "LA": (("mt_awarded", "LA-MENTOR"), ("mt_one_short", "LA-MENTOR"),
           ("cl_awarded_last_month", "LA-CONTENT"), ("cl_aging", "LA-CONTENT"),
           ("mt_started", "LA-MENTOR"), ("cl_started", "LA-CONTENT")),
    "MO": (("mo_awarded", "MO-CCAC-MC"), ("mo_one_short", "MO-CCAC-MC"),
           ("mo_halfway", "MO-CCAC-MC"), ("mo_aged_out", "MO-CCAC-MC"),
           ("mo_started", "MO-CCAC-MC")),
}

JUAB_SCRIPTS = (
    "tl_active_period2", "tl_progress_11", "tl_active_period1", "tl_lapsed", "tl_permanent",
    "tl_at_risk", "tl_progress_8", "tl_new",
)
RANK2_SCRIPTS = ("r2_awarded", "r2_progress", "r2_awarded_recent", "r2_aged_out", "r2_awarded_early", "r2_started")
LOGIN_SCRIPT = "tl_active_period2"

SCRIPTS = {
    # awarded 40 months ago: period 1 met (7 of 6), period 2 under way (1 of 3)
    "tl_active_period2": lambda pl, me, rng: _juab(pl, me, rng, award_months=40, span_months=22, periods=(7, 1)),
    "tl_active_period1": lambda pl, me, rng: _juab(pl, me, rng, award_months=20, span_months=26, periods=(3,)),
    # period 1 ends within months with 1 of 6: active, at risk
    "tl_at_risk": lambda pl, me, rng: _juab(pl, me, rng, award_months=33, span_months=24, periods=(1,)),
    # period 1 ended a year ago with 4 of 6: lapsed
    "tl_lapsed": lambda pl, me, rng: _juab(pl, me, rng, award_months=50, span_months=20, periods=(4, 1)),
    # awarded 80 months ago, both periods met: permanent; 30 MCs reach the BA+15 lane
    "tl_permanent": lambda pl, me, rng: _juab(pl, me, rng, award_months=80, span_months=24, periods=(9, 5),
                                              after=3, before=1),
    # awarded last month: the 5% raise starts with this year's salary run
    "tl_new": lambda pl, me, rng: _juab(pl, me, rng, award_months=1, span_months=30, periods=(0,)),
    "tl_progress_11": lambda pl, me, rng: _juab(pl, me, rng, award_months=None, span_months=30, core_n=6,
                                                electives_n=5),
    "tl_progress_8": lambda pl, me, rng: _juab(pl, me, rng, award_months=None, span_months=24, core_n=3,
                                               electives_n=5),
    # 24 MCs inside three years, capstone last
    "r2_awarded": lambda pl, me, rng: _rank2(pl, me, rng, award_months=15, span_months=32),
    "r2_awarded_recent": lambda pl, me, rng: _rank2(pl, me, rng, award_months=5, span_months=34),
    "r2_awarded_early": lambda pl, me, rng: _rank2(pl, me, rng, award_months=30, span_months=33),
    "r2_progress": lambda pl, me, rng: _rank2(pl, me, rng, award_months=None, span_months=20, core_n=10,
                                              electives_n=7),
    # two core credentials earned more than three years ago no longer count in the window
    "r2_aged_out": lambda pl, me, rng: _rank2(pl, me, rng, award_months=None, span_months=30, core_n=10,
                                              electives_n=8, aged_core=2),
    "r2_started": lambda pl, me, rng: _rank2(pl, me, rng, award_months=None, span_months=8, core_n=5),
}
SCRIPTS.update({
    "mt_awarded": lambda pl, me, rng: _stack(pl, me, rng, card="LA-MENTOR", award_months=14, span_months=20),
    "mt_one_short": lambda pl, me, rng: _stack(pl, me, rng, card="LA-MENTOR", award_months=None,
                                               span_months=18, have=5),
    "mt_started": lambda pl, me, rng: _stack(pl, me, rng, card="LA-MENTOR", award_months=None,
                                             span_months=6, have=2),
    "cl_awarded_last_month": lambda pl, me, rng: _stack(pl, me, rng, card="LA-CONTENT", award_months=1,
                                                        span_months=20),
    # four of five, the oldest earned almost three years ago: the window is closing
    "cl_aging": lambda pl, me, rng: _stack(pl, me, rng, card="LA-CONTENT", award_months=None,
                                           span_months=34, have=4),
    "cl_started": lambda pl, me, rng: _stack(pl, me, rng, card="LA-CONTENT", award_months=None,
                                             span_months=4, have=1),
    "mo_awarded": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=10, span_months=40),
    "mo_one_short": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=None,
                                               span_months=36, have=14),
    "mo_halfway": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=None,
                                             span_months=24, have=8),
    # fourteen earned, three of them more than four years ago
    "mo_aged_out": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=None,
                                              span_months=40, have=11, aged=3),
    "mo_started": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=None,
                                             span_months=5, have=2),
})

SCRIPT_GOALS = {
    "tl_active_period2": "complete", "tl_active_period1": "on_track", "tl_at_risk": "behind",
    "tl_lapsed": "complete", "tl_permanent": "complete", "tl_new": "on_track",
    "tl_progress_11": "on_track", "tl_progress_8": "behind",
    "r2_awarded": "complete", "r2_awarded_recent": "complete", "r2_awarded_early": "complete",
    "r2_progress": "complete", "r2_aged_out": "on_track", "r2_started": "on_track",
}


# --------------------------------------------------------------------- the loading


def _catalog_unchanged(session, raw: dict) -> bool:
    issuers = {i.code: i for i in session.scalars(select(Issuer))}
    for i in raw.get("issuers") or []:
        if i["code"] not in issuers or issuers[i["code"]].name != i["name"]:
            return False
    creds = {c.code: c for c in session.scalars(select(Credential))}
    for c in raw.get("credentials") or []:
        row = creds.get(c["code"])
        if (
            row is None
            or row.title != c["title"]
            or row.issuer.code != c["issuer"]
            or sorted(row.tags or []) != sorted(set(c.get("tags") or []))
            or (row.estimated_hours is None) != (c.get("estimated_hours") is None)
            or (row.estimated_hours is not None and Decimal(row.estimated_hours) != Decimal(str(c["estimated_hours"])))
            or row.badge_id != c.get("badge_id")
            or not row.reviewed
        ):
            return False
    return True


def _load_rules(session, principal, echo) -> tuple[dict, dict[str, dict], dict]:
    loaded: dict[str, int] = {}
    raw_catalog = parse_file(CATALOG_PATH)
    if _catalog_unchanged(session, raw_catalog):
        echo("catalog: unchanged")
    else:
        summary = load_catalog(session, principal, raw_catalog)
        echo(f"loaded catalog: {summary['issuers']} issuers, {summary['credentials_created']} credentials added, "
             f"{summary['credentials_updated']} updated")
        loaded["catalog"] = summary["credentials_created"] + summary["credentials_updated"]
    documents = {}
    for path in sorted(RULEBOOK_DIR.glob("*.yaml")):
        raw = parse_file(path)
        document = _jsonable(raw)
        code = str(document.get("state", "")).upper()
        newest = session.scalar(
            select(RulebookVersion).join(State).where(State.code == code)
            .order_by(RulebookVersion.version.desc()).limit(1)
        )
        if newest is not None and _jsonable(newest.document) == document:
            echo(f"rulebook {code}: unchanged (version {newest.version})")
        else:
            row = load_rulebook(session, principal, raw)
            loaded[f"rulebook {code}"] = row.version
            echo(f"loaded rulebook {code} version {row.version}")
        documents[code] = newest_version(session, code).document
    engines = {code: engine_rulebook(newest_version(session, code)) for code in documents}
    return engines, documents, loaded


def load_demo(session, principal, *, educators: int, seed: int, today: date, echo) -> list[tuple[str, str, str]]:
    """Load the demo (idempotently, in one transaction) and return the logins as
    (role, email, password)."""
    try:
        return _load_demo(session, principal, educators=educators, seed=seed, today=today, echo=echo)
    except BaseException:
        session.rollback()
        raise


def _load_demo(session, principal, *, educators, seed, today, echo):
    engines, documents, loaded = _load_rules(session, principal, echo)
    missing = sorted(set(STATES) - set(engines))
    if missing:
        raise RuntimeError(f"demo rulebooks missing for {', '.join(missing)}")
    catalog = Catalog.from_raw(parse_file(CATALOG_PATH))
    planner = Planner(seed, today, engines, documents, catalog)
    plans = [planner.person(i) for i in range(educators)]

    states = {s.code: s for s in session.scalars(select(State))}
    districts = {d.code: d for d in session.scalars(select(District))}
    present = set(session.execute(
        select(State.code, Educator.license_number).join(State, Educator.state_id == State.id)
    ).all())
    new = [p for p in plans if (p.state, p.license_number) not in present]
    actor = principal.actor
    credential_ids = dict(session.execute(select(Credential.code, Credential.id)).all())

    rows = [
        Educator(license_number=p.license_number, state_id=states[p.state].id, first_name=p.first_name,
                 last_name=p.last_name, email=p.email,
                 district_id=districts[p.district].id if p.district else None)
        for p in new
    ]
    session.add_all(rows)
    session.flush()
    entries: list[tuple[Entry, Item]] = []
    licenses = []
    for p, educator in zip(new, rows):
        for lic_type, start, end in p.licenses:
            licenses.append(License(educator_id=educator.id, state_id=educator.state_id, type=lic_type,
                                    cycle_start=start, cycle_end=end))
        # recorded in the order earned; a voided mistake before its correction
        for it in sorted(p.items, key=lambda it: (it.earned_on, it.void_reason is None)):
            entry = Entry(
                educator_id=educator.id, kind=it.kind, earned_on=it.earned_on,
                credential_id=credential_ids[it.credential] if it.kind == MICRO else None,
                title=it.title, hours=it.hours, tags=list(it.tags) if it.kind == ACTIVITY else [],
                external_id=it.external_id, evidence_url=it.evidence_url, recorded_by=actor,
            )
            entries.append((entry, it))
    session.add_all(licenses)
    session.add_all([e for e, _ in entries])
    session.flush()
    holdings, voids = [], []
    for entry, it in entries:
        if it.void_reason:
            voids.append(Void(entry_id=entry.id, reason=it.void_reason, voided_by=actor))
        elif it.kind == MICRO:
            holdings.append(Holding(educator_id=entry.educator_id, credential_id=entry.credential_id,
                                    entry_id=entry.id))
    session.add_all(holdings)
    session.add_all(voids)
    session.flush()
    echo(f"{fmt(len(plans))} demo educators ({fmt(len(new))} new), {fmt(len(entries))} entries added "
         f"({fmt(len(voids))} voided), {fmt(len(licenses))} licenses")

    logins, users_added = _logins(session, plans)
    if new or users_added or loaded:
        audit.record(session, actor, "load_demo", "demo", f"seed {seed}", {
            "seed": seed, "today": today.isoformat(), "educators": len(plans),
            "educators_added": len(new), "entries_added": len(entries), "voided": len(voids),
            "licenses_added": len(licenses), "users_added": users_added, "loaded": loaded,
        })
    session.flush()
    _echo_status(session, today, echo)
    session.commit()
    _extras(session, principal, today, echo, logins)
    return logins


# What the pages should have to show on a first visit: badges imported from a provider
# (one new to the catalog, awaiting review), a Juab salary run, and an issued transcript.
NEW_BADGE = {
    "id": "https://badges.uvu.example/badgeclasses/crt-101",
    "type": "BadgeClass",
    "name": "Culturally Responsive Teaching: Knowing Your Students",
    "description": "Plans instruction from what students bring: evidence of three lessons and reflection.",
    "criteria": {"narrative": "Submitted lesson plans, student work and a reflection, scored against the rubric."},
    "issuer": {"id": "https://badges.uvu.example/issuer", "type": "Profile", "name": "Utah Valley University"},
}


def _extras(session, principal, today: date, echo, logins) -> None:
    """Idempotent like the rest: the import's ids repeat, a run or a transcript is only
    made when there is none."""
    import json

    from .. import imports, salary_runs, transcripts
    from ..models import District, SalaryRun, Transcript

    teacher = next((email for role, email, _ in logins if role == EDUCATOR), None)
    if teacher:
        day = today - timedelta(days=20)
        assertion = {
            "@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
            "id": "https://badges.uvu.example/assertions/demo-crt-101-1",
            "recipient": {"type": "email", "hashed": False, "identity": teacher},
            "badge": NEW_BADGE, "verification": {"type": "hosted"}, "issuedOn": f"{day.isoformat()}T15:00:00Z",
        }
        report = imports.run_import(session, principal, imports.badge_rows(json.dumps([assertion]), today),
                                    fmt="openbadges", partial=True)
        if report.accepted:
            echo(f"imported {report.accepted} Open Badges assertion (new badges awaiting review: "
                 f"{', '.join(report.credentials_added) or 'none'})")
    juab = session.scalar(select(District).where(District.code == "JUAB"))
    if juab is not None and session.scalar(select(SalaryRun.id).where(SalaryRun.district_id == juab.id).limit(1)) is None:
        run = salary_runs.create_run(session, principal, "JUAB", today.replace(day=1))
        session.commit()
        echo(f"salary run {run.id} for JUAB on {run.pay_date}: {len(run.rows)} employees")
    if session.scalar(select(Transcript.id).limit(1)) is None:
        tn = session.scalar(select(Educator).join(State, Educator.state_id == State.id)
                            .where(State.code == "TN").order_by(Educator.id).limit(1))
        if tn is not None:
            row = transcripts.issue(session, principal, tn.id, state="TN", today=today)
            session.commit()
            echo(f"issued transcript {row.serial} for {row.name}")


def _logins(session, plans: list[Plan]) -> tuple[list[tuple[str, str, str]], int]:
    """One login per role; an existing user (by email) is left alone but still listed."""
    wanted = []
    state_id = session.scalar(select(State.id).where(State.code == STATE_LOGIN[3]))
    district_id = session.scalar(select(District.id).where(District.code == HR_LOGIN[3]))
    wanted.append((ADMIN_LOGIN[0], ADMIN_LOGIN[1], ADMIN_LOGIN[2], {}))
    wanted.append((STATE_LOGIN[0], STATE_LOGIN[1], STATE_LOGIN[2], {"state_id": state_id}))
    wanted.append((HR_LOGIN[0], HR_LOGIN[1], HR_LOGIN[2], {"district_id": district_id}))
    educator = _educator_login(session, plans)
    if educator is not None and educator.email:
        wanted.append((EDUCATOR, educator.email, EDUCATOR_PASSWORD, {"educator_id": educator.id}))
    existing = {u.email: u for u in session.scalars(
        select(User).where(User.email.in_([w[1] for w in wanted]))
    )}
    added = 0
    out = []
    for role, email, password, scope in wanted:
        if email not in existing:
            session.add(User(email=email, password_hash=generate_password_hash(password), role=role, **scope))
            added += 1
        out.append((role, email, password))
    return out, added


def _educator_login(session, plans: list[Plan]) -> Educator | None:
    """The Juab teacher who holds the Teacher Leader card and is maintaining it; else
    any Juab teacher; else the first educator."""
    if not plans:
        return None
    p = min(plans, key=lambda p: (p.script != LOGIN_SCRIPT, p.district != "JUAB", p.index))
    return session.scalar(
        select(Educator).join(State, Educator.state_id == State.id)
        .where(State.code == p.state, Educator.license_number == p.license_number)
    )


def _echo_status(session, today: date, echo) -> None:
    from ..standing import state_renewal_report

    parts = []
    for code in sorted(STATES):
        counts = Counter(status for _, _, _, status in state_renewal_report(session, code, today))
        parts.append(f"{code} " + ", ".join(f"{counts[s]} {s}" for s in (engine.COMPLETE, engine.IN_PROGRESS, engine.LAPSED)))
    echo(f"renewal status on {today.isoformat()} (licenses): " + "; ".join(parts))
