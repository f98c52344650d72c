"""The planner: who each demo educator is (name, email, district, license number, goal)
and the history drawn for them, or the role-card script they follow."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from pathways import add_years

from .. import engine
from . import people
from .person import Person
from .plans import ACTIVITY, DAY, MICRO, Catalog, Item, Plan, between
from .profiles import GOAL_OFFSET, GOALS, STATE_PATTERN, STATES, VOID_STORIES
from .scripts import JUAB_SCRIPTS, RANK2_SCRIPTS, SCRIPT_GOALS, SCRIPTS, STACK_CARDS, STACK_SCRIPTS

# How far into its current cycle an educator with each goal may be (a fraction of the cycle).
CURRENT_ELAPSED = {"renewed": (0.1, 0.6), "behind": (0.4, 0.95), "complete": (0.3, 1.0)}
ON_TRACK_ELAPSED = (0.2, 0.95)


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


def _on_pace(elapsed: float, rng: random.Random, lo: float, hi: float) -> float:
    """A fraction of the required units at or a little above the pace of the cycle so far."""
    return min(hi, max(lo, elapsed * rng.uniform(0.95, 1.3)))


class Planner:
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
        me = Person(plan, self.rulebooks[plan.state], self.valuers[plan.state], self.catalog, self.today, rng)
        lic_type, years, anchor = self._cycles(plan, rng)
        mc_share = STATES[plan.state].mc_share * rng.uniform(0.8, 1.15)
        if plan.script:
            plan.goal = SCRIPT_GOALS.get(plan.script, "complete")
            mc_share = 0.0  # the script places every micro-credential
            SCRIPTS[plan.script](self, me, rng)
        self._place_licenses(plan, rng, lic_type, years, anchor)
        self._national_board(me, rng)
        avoid = _avoid(plan, rng)
        self._reach_goal(me, rng, mc_share, avoid)
        if not plan.script:
            self._earlier(me, rng)
            self._past_the_goal(me, rng)

    def _place_licenses(self, plan: Plan, rng, lic_type: str, years: int, anchor: tuple[int, int]) -> None:
        """The cycle the goal is about, ended or current (and, when "renewed", the
        completed cycle before it)."""
        if plan.goal == "lapsed":
            cycle = self._ended(rng, years, anchor)
        else:
            cycle = self._current(rng, years, anchor, *CURRENT_ELAPSED.get(plan.goal, ON_TRACK_ELAPSED))
            if plan.goal == "renewed":
                plan.licenses.append((lic_type, add_years(cycle[0], -years), cycle[0] - DAY))
        plan.licenses.append((lic_type, *cycle))

    def _national_board(self, me: Person, rng: random.Random) -> None:
        """National Board certification for a few Tennessee teachers (worth 30 PDPs there)."""
        plan, t = me.plan, self.today
        start = plan.licenses[-1][1]
        if plan.state == "TN" and not plan.script and plan.goal in ("complete", "renewed") and rng.random() < 0.12:
            me.micro("NBPTS-NBC", between(rng, max(start, add_years(t, -4)), t - timedelta(days=30)))

    def _reach_goal(self, me: Person, rng: random.Random, mc_share: float, avoid: tuple[str, ...]) -> None:
        plan = me.plan
        lic = plan.licenses[-1]
        _, start, end = lic
        elapsed = self._elapsed(start, end)
        if plan.goal == "renewed":
            me.fill(plan.licenses[0], "complete", mc_share)
            me.fill(lic, _on_pace(elapsed, rng, 0.1, 0.9), mc_share)
        elif plan.goal == "complete":
            me.fill(lic, "complete", mc_share)
            if not plan.script:
                me.extras(lic, rng.choice((0, 1, 2, 3, 4)), start, min(end, self.today), keep_short=False)
        elif plan.goal == "on_track":
            me.fill(lic, _on_pace(elapsed, rng, 0.12, 0.92), mc_share)
        elif plan.goal == "behind":
            me.fill(lic, elapsed * rng.uniform(0.1, 0.55), mc_share, avoid)
        elif plan.goal == "lapsed":
            self._lapse(me, rng, mc_share, avoid)

    def _lapse(self, me: Person, rng: random.Random, mc_share: float, avoid: tuple[str, ...]) -> None:
        lic = me.plan.licenses[-1]
        if avoid:
            me.fill(lic, rng.uniform(1.0, 1.15), mc_share, avoid)  # the hours, not the SEI minimum
        else:
            me.fill(lic, rng.uniform(0.3, 0.85), mc_share)
        # a little earned after the lapse, toward reinstatement
        if not me.plan.script and rng.random() < 0.4:
            me.draw(lic[2] + DAY, self.today, mc_share)

    def _earlier(self, me: Person, rng: random.Random) -> None:
        """Earlier history, before the first cycle on record (counts nowhere now)."""
        first_start = me.plan.licenses[0][1]
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
            me.extras(lic, rng.choice((0, 1, 2, 3)), lic[1], lic[2], keep_short=True)
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
                       void_reason=template.format(wrong=f"{wrong.normalize():f}",
                                                   right=f"{right.hours.normalize():f}"))
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
