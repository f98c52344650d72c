"""One educator being planned: the entries drawn for them, and their value under the
state's rulebook, computed by the real standing engine so that a goal is met exactly as the
API will report it."""

from __future__ import annotations

import hashlib
import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .. import engine
from .plans import ACTIVITY, MICRO, Catalog, Cycle, Item, Plan, between
from .profiles import ACTIVITIES, MEASURED, NOT_RANDOM_PREFIXES, STATES


def digest(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _share(rule, progress, mc_share: float) -> float:
    """No more micro-credentials once the cycle has all the units they may count for (the
    micro-credential cap, or a full category they fall in)."""
    cap = rule.max_microcredential_units
    capped = cap is not None and progress.microcredential_units >= cap
    return 0 if capped or MICRO in full_tags(rule, progress) else mc_share


def full_tags(rule, progress) -> tuple[str, ...]:
    """The tags of the rule's categories that are full: a draw bearing one adds nothing."""
    full: set[str] = set()
    for category, figures in zip(rule.categories, progress.categories):
        if figures.full:
            full |= category.tags
    return tuple(sorted(full))


class Person:
    """One educator being planned: draws entries and values them with the engine."""

    def __init__(self, plan: Plan, rulebook: engine.Rulebook, valuer: engine.Valuer,
                 catalog: Catalog, today: date, rng: random.Random):
        self.plan, self.rb, self.valuer, self.catalog = plan, rulebook, valuer, catalog
        self.today, self.rng = today, rng
        self.profile = STATES[plan.state]
        self.held: set[str] = set()
        self.seq = 0
        self._facts: dict[int, tuple[Item, engine.Entry]] = {}  # by id(item): made once
        self._fact_seq = 0

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
        mine = [a for a in ACTIVITIES if (a[3] is None or state in a[3]) and (tag is None or tag in a[1])]
        options = [a for a in mine if not set(a[1]).intersection(avoid)] or mine
        title, tags, hours, _ = self.rng.choice(options)
        earned_on = between(self.rng, lo, hi)
        self.seq += 1
        amount, measure = Decimal(str(self.rng.choice(hours))), None
        if (title, state) in MEASURED:  # recorded in CEUs, semester hours...: the state converts
            measure, per = MEASURED[title, state]
            amount = (amount / per).normalize()
        item = Item(ACTIVITY, earned_on, title=title.format(year=earned_on.year),
                    hours=amount, tags=tuple(sorted(tags)), measure=measure)
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
                            hours=item.hours, title=item.title, measure=item.measure)

    def entry_fact(self, item: Item) -> engine.Entry:
        """The item's engine fact, made once (the cache holds the item, so its id is not reused)."""
        known = self._facts.get(id(item))
        if known is None or known[0] is not item:
            self._fact_seq += 1
            known = self._facts[id(item)] = (item, self.fact(self._fact_seq, item))
        return known[1]

    def progress(self, lic: Cycle, as_of: date | None = None):
        """The cycle's progress on `as_of` (default today), judged with the license's
        cycles up to it, so that grace entries the one before took and the units it
        carried over are as the API will report them."""
        facts = [self.entry_fact(it) for it in self.plan.items if it.void_reason is None]
        cycles = [c.fact(n) for n, c in enumerate(self.plan.licenses) if c.start <= lic.start]
        n = self.plan.licenses.index(lic)
        s = engine.standing(facts, cycles, self.rb, as_of or self.today, self.valuer, pathways=False)
        return next(p for p in s.renewal if p.license.id == n)

    # -- goals

    def fill(self, lic: Cycle, goal, mc_share: float, avoid=(), short: date | None = None) -> None:
        """Draw entries inside the cycle (never after today) until the goal holds:
        "complete", or a fraction of the required units that stays short of complete
        (with school years: see `fill_years`)."""
        lo, hi = lic.start, min(lic.end, self.today)
        if hi < lo:
            return
        rule = self.rb.rule_for(lic.fact(0))
        if rule.annual_units is not None:
            self.fill_years(lic, rule, goal, mc_share, short)
            return
        if goal == "complete":
            self._complete(lic, rule, lo, hi, mc_share)
        else:
            self._fall_short(lic, rule, lo, hi, goal, mc_share, avoid)

    def _complete(self, lic, rule, lo: date, hi: date, mc_share: float) -> None:
        for m in rule.minimums:
            for attempt in range(12):
                p = self.progress(lic)
                if next(x for x in p.minimums if x.tag == m.tag).met:
                    break
                self.draw(lo, hi, mc_share if attempt < 6 else 0, tag=m.tag)
        if rule.min_categories:
            self._areas(lic, rule, lo, hi)
        for _ in range(80):
            p = self.progress(lic)
            if p.status == engine.COMPLETE:
                return
            self.draw(lo, hi, _share(rule, p, mc_share), avoid=full_tags(rule, p))

    def _areas(self, lic, rule, lo: date, hi: date) -> None:
        """Units in as many categories as `min_categories` asks (Utah: two areas): an
        activity of the kind of each category still empty, in rulebook order."""
        for _ in range(len(rule.categories)):
            p = self.progress(lic)
            if p.status == engine.COMPLETE or sum(1 for c in p.categories if c.counted > 0) >= rule.min_categories:
                return
            empty = [category for category, c in zip(rule.categories, p.categories) if c.counted == 0]
            mine = [a for a in ACTIVITIES if a[3] is None or self.plan.state in a[3]]

            def lands_in(tags):  # the first category an activity with these tags counts in
                return next((c.name for c in rule.categories if c.tags.intersection(tags)), None)

            # a tag each of whose activities lands in the empty category (a PLC: collaboration)
            kinds = [t for category in empty for t in sorted(category.tags)
                     if (acts := [a for a in mine if t in a[1]])
                     and all(lands_in(a[1]) == category.name for a in acts)]
            if not kinds:
                return
            self.activity(lo, hi, tag=kinds[0])

    def _fall_short(self, lic, rule, lo: date, hi: date, fraction, mc_share: float, avoid) -> None:
        target = rule.required_units * Decimal(str(fraction))
        for _ in range(80):
            p = self.progress(lic)
            if p.earned_units >= target:
                return
            item = self.draw(lo, hi, _share(rule, p, mc_share), avoid=tuple(avoid) + full_tags(rule, p))
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

    def fill_years(self, lic: Cycle, rule, goal, mc_share: float, short: date | None = None) -> None:
        """A cycle with school years: each year over by today gets its `annual_units`,
        but the one starting on `short`, which ends well short of them; the year under
        way gets them too for "complete", else its share of the year gone by at the pace
        `goal` sets for the whole cycle (a fraction of its units: on pace or behind)."""
        cycle_gone = float(Fraction(max(1, (self.today - lic.start).days), max(1, (lic.end - lic.start).days)))
        for year in self.progress(lic).school_years:
            hi = min(year.end, self.today)
            if hi < year.start:
                return
            if year.start == short:
                target = rule.annual_units * Decimal(str(round(self.rng.uniform(0.3, 0.7), 2)))
            elif year.end < self.today or goal == "complete":
                target = rule.annual_units
            else:
                gone = Fraction((self.today - year.start).days, (year.end - year.start).days)
                pace = float(goal) / min(1.0, cycle_gone)
                target = rule.annual_units * Decimal(str(round(min(1.0, float(gone) * pace), 2)))
            for _ in range(40):
                units = self._year_units(lic, year.start)
                if units >= target:
                    break
                item = self.draw(year.start, hi, mc_share)
                if year.start == short and self._year_units(lic, year.start) >= rule.annual_units:
                    self.drop(item)  # this year must stay short
                    break

    def _year_units(self, lic: Cycle, start: date) -> Decimal:
        return next(y.units for y in self.progress(lic).school_years if y.start == start)
