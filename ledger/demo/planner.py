"""The planner: who each demo educator is (name, email, district, license number, goal)
and the history drawn for them, or the role-card script they follow."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from pathways import add_years

from .. import engine
from . import people
from .cycles import Cycles
from .person import Person
from .plans import ACTIVITY, DAY, MICRO, Catalog, Item, Plan, between
from .profiles import GOAL_OFFSET, GOALS, NEWCOMER_PATTERN, STATE_PATTERN, STATES, STORIES, VOID_STORIES
from .scripts import JUAB_SCRIPTS, RANK2_SCRIPTS, SCRIPT_GOALS, SCRIPTS, STACK_CARDS, STACK_SCRIPTS
from .stories import STORIES as TELL


def _ascii(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalpha())


def _pathway(document: dict, code: str) -> dict | None:
    for p in document.get("pathways") or []:
        if p["code"] == code:
            return p
    for d in document.get("districts") or []:
        for p in d.get("pathways") or []:
            if p["code"] == code:
                return p
    return None


def _avoid(plan: Plan, rng: random.Random) -> tuple[str, ...]:
    """Tags a cycle's draws stay clear of, so that it falls short of a minimum."""
    if plan.state == "MA" and plan.goal in ("lapsed", "behind") and rng.random() < 0.5:
        return ("sei",)  # hours may be there, the SEI minimum is not
    return ()


class Planner(Cycles):
    """Plans the demo educators in index order: e-mail clashes, each state's ordinals and
    the turns of the role-card scripts depend on who came before."""

    def __init__(self, seed: int, today: date, rulebooks: dict[str, engine.Rulebook],
                 documents: dict[str, dict], catalog: Catalog):
        self.seed, self.today, self.rulebooks, self.catalog = seed, today, rulebooks, catalog
        self.valuers = {s: engine.Valuer(rb) for s, rb in rulebooks.items()}
        self.history_start = add_years(today, -5)
        self.emails: set[str] = set()
        self.ordinal: Counter = Counter()
        self.juab_count = 0
        self.ut_complete = 0  # Utah teachers whose current cycle is to be complete, so far
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
        return self._person(i, state, f"ledger-demo:{self.seed}:{i}", f"ledger-demo:district:{i}")

    def newcomer(self, j: int, index: int) -> Plan:
        """The j-th North Carolina or Arkansas educator (planned after the others, at `index`)."""
        state = NEWCOMER_PATTERN[j % len(NEWCOMER_PATTERN)]
        n = j // len(NEWCOMER_PATTERN)
        return self._person(index, state, f"ledger-demo:{self.seed}:{state}:{n}", f"ledger-demo:district:{state}:{n}")

    def _person(self, i: int, state: str, seed: str, district_seed: str) -> Plan:
        k = self.ordinal[state]
        self.ordinal[state] += 1
        rng = random.Random(seed)
        profile = STATES[state]
        # Who works where (and so who follows a role-card script) does not depend on the
        # seed: a demo loaded again with another seed finds the same people present.
        district = None
        if profile.district and random.Random(district_seed).random() < profile.district_share:
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
        self._history(plan, rng, STORIES.get((state, k)))
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

    # -- histories

    def _history(self, plan: Plan, rng: random.Random, story: str | None) -> None:
        me = Person(plan, self.rulebooks[plan.state], self.valuers[plan.state], self.catalog, self.today, rng)
        lic_type, years, anchor = self._cycles(plan, rng)
        mc_share = STATES[plan.state].mc_share * rng.uniform(0.8, 1.15)
        if plan.script:
            plan.goal = SCRIPT_GOALS.get(plan.script, "complete")
            mc_share = 0.0  # the script places every micro-credential
            SCRIPTS[plan.script](self, me, rng)
        if not (story and TELL[story](self, me, rng, mc_share)):
            self._place_licenses(plan, rng, lic_type, years, anchor)
            self._national_board(me, rng)
            self._reach_goal(me, rng, mc_share, _avoid(plan, rng))
        if not plan.script:
            self._earlier(me, rng)
            self._past_the_goal(me, rng)

    def _national_board(self, me: Person, rng: random.Random) -> None:
        """National Board certification for a few Tennessee teachers (worth its own 30
        PDPs there, outside the micro-credential cap) and for the first and every fifth
        Utah teacher whose current cycle is to be complete, who then needs nothing more:
        Utah counts it as the whole renewal (R277-302-7(3)(a), `satisfied_by`)."""
        plan, t = me.plan, self.today
        start = plan.licenses[-1].start
        if plan.state == "TN" and not plan.script and plan.goal in ("complete", "renewed") and rng.random() < 0.12:
            me.micro("NBPTS-NBC", between(rng, max(start, add_years(t, -4)), t - timedelta(days=30)))
        if plan.state == "UT" and not plan.script and plan.goal == "complete":
            self.ut_complete += 1
            if self.ut_complete % 5 == 1:
                lo = max(start, add_years(t, -3))
                for _ in range(rng.randint(1, 3)):  # a workshop or two while preparing the portfolio
                    me.activity(lo, t - timedelta(days=60), tag="workshop")
                me.micro("NBPTS-NBC", between(rng, lo, t - timedelta(days=30)))

    def _earlier(self, me: Person, rng: random.Random) -> None:
        """Earlier history, before the first cycle on record (counts nowhere now)."""
        first_start = me.plan.licenses[0].start
        if first_start > self.history_start:
            lo, hi = self.history_start, first_start - DAY
            for _ in range(rng.randint(1, 5)):
                me.draw_micro(lo, hi)
            for _ in range(rng.randint(0, 3)):
                me.activity(lo, hi)

    def _past_the_goal(self, me: Person, rng: random.Random) -> None:
        """Beyond the goal: micro-credentials past a cap (they change no status) and, now
        and then, a corrected mistake."""
        lic = me.plan.licenses[-1]
        if me.plan.goal != "complete":
            me.extras(lic, rng.choice((0, 1, 2, 3)), lic.start, lic.end, keep_short=True)
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
                       measure=right.measure, void_reason=template.format(wrong=f"{wrong.normalize():f}",
                                                   right=f"{right.hours.normalize():f}"))
        elif story == "duplicate" and acts:
            right = rng.choice(acts)
            bad = Item(ACTIVITY, right.earned_on, title=right.title, hours=right.hours, tags=right.tags,
                       measure=right.measure, void_reason=template)
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
