"""Pathway engine benchmark: full standing (renewal, every role card, district salary)
against renewal-only standing, for a state's worth of educators.

    python benchmarks/pathways.py                     # 100,000 educators
    python benchmarks/pathways.py --educators 5000    # a quick run (a few seconds)
    python benchmarks/pathways.py --repeat 5 --seed 7

No database: the facts are the engine's own (`ledger.engine.Entry`, `License`), built in
memory from the demo rulebooks and catalog (`ledger/demo/`), read through the ledger's
own loaders (`ledger.rulebooks.parse_file`, `_engine_rulebook`). Every demo rulebook
that publishes a role card (the state's or a district's) takes part: UT (Juab's Teacher
Leader: Mathematics), KY (Rank 2), and LA, MO or any other once their files are there.

Setup (not timed, printed as `setup`): educators spread evenly over those states, a share
of them (`--district-share`) in one of their state's districts; each holds a license of
one of the state's renewal types (some a previous cycle too) and 10 to 40 micro-credential
entries, drawn mostly from the credentials the role cards name or admit: a plan toward one
of the cards they can earn (finished long ago, recently or not at all, spread inside or
beyond a card's window, with maintenance periods met, open or missed), then others from
the cards' credentials and the whole catalog. A few entries fall after `as_of`. The
distribution of statuses (per card, renewal and salary lanes) is printed so the workload
can be seen to be real; full and renewal-only standing are checked to agree on renewal.

Timed, in this one process, alternating `--repeat` times (the order swapped each time):

a. `ledger.engine.standing(..., pathways=False)` for every educator: renewal only;
b. `ledger.engine.standing(..., pathways=True)` for every educator: the same plus every
   role card of the state and of the educator's district, and the district's salary.

Both share one `Valuer` and one `PathwayEvaluator` per state (as a report over a state
would); their memos are warmed by the untimed check pass. The facts are moved out of
the garbage collector's sight (`gc.freeze()`) once built: a report streams them, so it
never holds a state's 2.5M entries alive while it allocates. The best time of each is
kept; the last line is `ratio=<b / a>`. The target is at most 2.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file's name is the engine's package's: drop its folder from the path (where
# `python benchmarks/pathways.py` puts it first) so that `import pathways` finds the engine.
sys.path[:] = [str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() not in (ROOT, Path(__file__).resolve().parent)
]

DEMO = ROOT / "ledger" / "demo"
AS_OF = date(2025, 3, 1)
STATES = ("UT", "KY", "LA", "MO")  # the demo states with role cards, when their files exist


def rss_now_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --------------------------------------------------------------------------- the rules


def load_rulebooks(states: list[str] | None):
    """The engine rulebooks of the demo states that publish at least one role card."""
    from ledger.rulebooks.engine_view import _engine_rulebook
    from ledger.rulebooks.files import parse_file

    out = []
    for path in sorted((DEMO / "rulebooks").glob("*.yaml")):
        state = path.stem.upper()
        if states is not None and state not in states:
            continue
        document = parse_file(path)
        rb = _engine_rulebook(document["state"], 1, json.dumps(document, default=str))
        if states is None and not all_cards(rb):
            continue  # no pathway: nothing for this benchmark
        out.append(rb)
    return out


def all_cards(rb) -> tuple:
    return rb.pathways + tuple(card for d in rb.districts for card in d.pathways)


class Catalog:
    """The demo catalog: code -> (issuer, tags, title); tags shared as frozensets."""

    def __init__(self):
        from ledger.rulebooks.files import parse_file

        raw = parse_file(DEMO / "catalog.yaml")
        self.by_code: dict[str, tuple[str, frozenset, str]] = {}
        for c in raw["credentials"]:
            self.by_code[c["code"]] = (c["issuer"], frozenset(c.get("tags") or ()), c.get("title") or c["code"])
        self.codes = sorted(self.by_code)

    def info(self, code: str) -> tuple[str, frozenset, str]:
        # a card may name a credential the catalog does not list (yet): issuer by prefix
        found = self.by_code.get(code)
        if found is None:
            found = self.by_code[code] = (code.split("-")[0], frozenset(), code)
        return found


class CardPlan:
    """What one role card asks for, in catalog codes: the credentials a plan toward it
    draws from, for the award and for each maintenance period."""

    def __init__(self, card, catalog: Catalog):
        self.card = card
        core = list(dict.fromkeys(card.core))
        core_set = set(core)
        self.core = core
        self.groups: list[tuple[int, list[str]]] = []
        for g in card.electives:
            codes = [c for c in catalog.codes if c not in core_set and g.admits(c, catalog.info(c)[1])]
            codes += sorted(c for c in (g.from_ or ()) if c not in core_set and c not in codes)
            self.groups.append((g.choose, codes))
        self.need = card.count_needed
        self.eligible = sorted(core_set | {c for _, codes in self.groups for c in codes})
        self.periods = []
        for p in card.maintenance:
            admitted = [c for c in catalog.codes if p.admits(c, catalog.info(c)[1])]
            admitted += sorted(c for c in (p.from_ or ()) if c not in admitted)
            self.periods.append((p, admitted or catalog.codes))

    def complete_set(self, rng: random.Random) -> list[str] | None:
        """Distinct credentials that complete the card: every core one, each group's
        choice, then more eligible ones up to the count; None if the catalog can't."""
        chosen = list(self.core)
        used = set(chosen)
        for choose, codes in self.groups:
            free = [c for c in codes if c not in used]
            if len(free) < choose:
                return None
            pick = rng.sample(free, choose)
            chosen += pick
            used.update(pick)
        if len(chosen) < self.need:
            free = [c for c in self.eligible if c not in used]
            if len(free) < self.need - len(chosen):
                return None
            chosen += rng.sample(free, self.need - len(chosen))
        return chosen


# --------------------------------------------------------------------------- educators


class Builder:
    def __init__(self, rulebooks, catalog: Catalog, seed: int, district_share: float, as_of: date):
        from ledger.engine import MICROCREDENTIAL, Entry, Valuer
        from pathways import PathwayEvaluator

        self.rng = random.Random(seed)
        self.catalog = catalog
        self.as_of = as_of
        self.district_share = district_share
        self.kind = MICROCREDENTIAL
        self._entry = Entry
        self.next_entry = self.next_license = 0
        self.days: dict[int, date] = {}  # one date object per day, shared
        self.states = []
        for rb in rulebooks:
            plans = {card: CardPlan(card, catalog) for card in all_cards(rb)}
            relevant = sorted({c for p in plans.values() for c in p.eligible})
            self.states.append({
                "rulebook": rb,
                "valuer": Valuer(rb),
                "evaluator": PathwayEvaluator(all_cards(rb)),
                "plans": plans,
                "relevant": relevant or catalog.codes,
                "license_types": [r.license for r in rb.renewal] or ["professional"],
            })
        self.counts = Counter()

    def day(self, ordinal: int) -> date:
        d = self.days.get(ordinal)
        if d is None:
            d = self.days[ordinal] = date.fromordinal(ordinal)
        return d

    def educator(self):
        rng, as_of = self.rng, self.as_of
        st = rng.choice(self.states)
        rb = st["rulebook"]
        district = None
        if rb.districts and rng.random() < self.district_share:
            district = rng.choice(rb.districts)
        cards = rb.pathways + (district.pathways if district is not None else ())
        n = rng.randint(10, 40)
        dated: list[tuple[int, str]] = []  # (day ordinal, credential)
        end = as_of.toordinal()
        if cards:
            plan = st["plans"][rng.choice(cards)]
            dated = self.toward(plan, n)
        while len(dated) < n:  # the rest: the state's cards' credentials, or any
            pool = st["relevant"] if rng.random() < 0.7 else self.catalog.codes
            on = end - rng.randint(0, 12 * 365) if rng.random() > 0.02 else end + rng.randint(1, 200)
            dated.append((on, rng.choice(pool)))
        dated.sort()
        entries = []
        for on, code in dated:
            issuer, tags, title = self.catalog.info(code)
            self.next_entry += 1
            entries.append(self._entry(self.next_entry, self.kind, self.day(on), code, issuer, tags, None, title))
        licenses = self.licenses(st)
        self.counts["entries"] += len(entries)
        self.counts["licenses"] += len(licenses)
        self.counts["in a district"] += district is not None
        self.counts["card evaluations"] += len(cards)
        return (tuple(entries), tuple(licenses), rb, st["valuer"],
                district.code if district is not None else None, st["evaluator"])

    def toward(self, plan: CardPlan, n: int) -> list[tuple[int, str]]:
        """Entries toward one card, at most n: awarded (and then maintained or not) or
        still in progress, inside or spread beyond the card's window."""
        rng = self.rng
        end = self.as_of.toordinal()
        years = plan.card.window_years
        full = plan.complete_set(rng)
        if full is None:
            return []
        rng.shuffle(full)
        width = int(years * 365 * 0.9) if years else 4 * 365
        if len(full) <= n and rng.random() < 0.6:  # awarded on `award`
            award = end - rng.randint(20, 9 * 365)
            span = rng.randint(30, width)
            out = [(award - rng.randint(0, span), c) for c in full[:-1]] + [(award, full[-1])]
            self.counts["planned: awarded"] += 1
            return out + self.maintain(plan, award, n - len(out), set(full))
        # in progress: part of the set, or all of it spread wider than the window
        if len(full) < 2:
            return []  # a one-credential card: the noise below earns it or not
        if years and rng.random() < 0.25:
            keep = full[: min(n, len(full))]
            span = rng.randint(years * 365 + 30, years * 365 * 2)
            self.counts["planned: spread beyond the window"] += 1
        else:
            keep = full[: rng.randint(max(1, len(full) // 5), len(full) - 1)][:n]
            span = rng.randint(30, width)
            self.counts["planned: part of the card"] += 1
        last = end - rng.randint(0, 2 * 365)
        return [(last - rng.randint(0, span), c) for c in keep]

    def maintain(self, plan: CardPlan, award: int, budget: int, used: set) -> list[tuple[int, str]]:
        """New credentials in the maintenance periods after the award: a period over is
        met most of the time (else the card lapses there); the open one is part way."""
        from pathways import add_years

        rng = self.rng
        end = self.as_of.toordinal()
        out = []
        start = date.fromordinal(award)
        for period, admitted in plan.periods:
            stop = (add_years(start, period.years) - timedelta(days=1)).toordinal()
            first = start.toordinal()
            if first > end:
                break
            if stop < end:  # over: met most of the time
                met = rng.random() < 0.75
                k = period.required_count + rng.randint(0, 1) if met else rng.randint(0, period.required_count - 1)
            else:  # open
                met, k = False, rng.randint(0, period.required_count + 1)
            fresh = [c for c in admitted if c not in used] or admitted
            for _ in range(min(k, budget - len(out))):
                out.append((rng.randint(first, min(stop, end)), rng.choice(fresh)))
            if stop >= end or not met:
                break
            start = date.fromordinal(stop + 1)
        return out

    def licenses(self, st) -> list:
        from ledger.engine import License

        rng = self.rng
        ltype = rng.choice(st["license_types"])
        years = rng.choice((3, 5, 5))
        first = rng.randint(self.as_of.year - years, self.as_of.year)
        cycles = [first] if rng.random() > 0.15 else [first - years, first]
        out = []
        for y in cycles:
            self.next_license += 1
            out.append(License(self.next_license, ltype, date(y, 7, 1), date(y + years, 6, 30)))
        return out


# --------------------------------------------------------------------------- timing


def time_pass(work, as_of: date, with_pathways: bool) -> float:
    from ledger.engine import standing

    t0 = time.perf_counter()
    for entries, licenses, rb, valuer, district, evaluator in work:
        standing(entries, licenses, rb, as_of, valuer, district, with_pathways, evaluator)
    return time.perf_counter() - t0


def check_pass(work, as_of: date) -> dict:
    """Untimed: both flavours for every educator (this warms the shared memos), renewal
    compared, and the distribution of what the full standing found."""
    from ledger.engine import standing

    cards, renewal, lanes, mismatches = Counter(), Counter(), Counter(), 0
    periods, counted = Counter(), 0
    for entries, licenses, rb, valuer, district, evaluator in work:
        a = standing(entries, licenses, rb, as_of, valuer, district, False, evaluator)
        b = standing(entries, licenses, rb, as_of, valuer, district, True, evaluator)
        mismatches += a.renewal != b.renewal or a.entries != b.entries
        for r in b.renewal:
            renewal[f"{rb.state} {r.status}"] += 1
        for p in b.pathways:
            cards[(p.card.code, p.status)] += 1
            counted += len(p.counted)
            if p.maintenance is not None:
                periods[f"period {p.maintenance.number} {p.maintenance.status}"] += 1
        if b.salary is not None:
            lanes[(b.salary.district.code, b.salary.lane)] += 1
    return {"cards": cards, "renewal": renewal, "lanes": lanes, "periods": periods,
            "counted": counted, "mismatches": mismatches}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--educators", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3,
                   help="time each flavour this many times, alternating, and keep the best (default 3)")
    p.add_argument("--district-share", type=float, default=0.5,
                   help="share of educators in one of their state's districts (default 0.5)")
    p.add_argument("--states", help="comma-separated states (default: every demo rulebook with a role card)")
    p.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    p.add_argument("--no-freeze", action="store_true", help="leave the facts to the garbage collector")
    args = p.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; as_of {args.as_of}; "
          f"seed {args.seed}")
    t = time.perf_counter()
    states = [s.strip().upper() for s in args.states.split(",")] if args.states else None
    rulebooks = load_rulebooks(states)
    if not rulebooks:
        raise SystemExit("no demo rulebook with a role card")
    catalog = Catalog()
    for rb in rulebooks:
        cards = ", ".join(f"{c.code} ({c.owner})" for c in all_cards(rb)) or "none"
        print(f"rulebook {rb.state}: districts {', '.join(d.code for d in rb.districts) or 'none'}; "
              f"role cards {cards}")
    builder = Builder(rulebooks, catalog, args.seed, args.district_share, args.as_of)
    work = [builder.educator() for _ in range(args.educators)]
    setup = time.perf_counter() - t
    c = builder.counts
    print(f"setup: {setup:.1f} s; {args.educators:,} educators, {c['entries']:,} micro-credential "
          f"entries ({c['entries'] / args.educators:.1f} each), {c['licenses']:,} licenses, "
          f"{c['in a district']:,} in a district, {c['card evaluations'] / args.educators:.2f} role cards "
          "each to evaluate")
    print("plans: " + ", ".join(f"{k.split(': ')[1]} {v:,}" for k, v in sorted(c.items()) if k.startswith("planned")))

    t = time.perf_counter()
    found = check_pass(work, args.as_of)
    print(f"check pass (untimed, both flavours): {time.perf_counter() - t:.1f} s")
    by_card: dict[str, Counter] = {}
    for (code, status), k in found["cards"].items():
        by_card.setdefault(code, Counter())[status] = k
    for code, statuses in sorted(by_card.items()):
        total = sum(statuses.values())
        print(f"  {code}: {total:,} evaluated; " + ", ".join(
            f"{s} {statuses[s]:,} ({statuses[s] / total:.0%})"
            for s in ("in_progress", "active", "lapsed", "permanent") if statuses[s]))
    if found["periods"]:
        print("  current maintenance periods: " + ", ".join(f"{k} {v:,}" for k, v in sorted(found["periods"].items())))
    print("  renewal: " + ", ".join(f"{k} {v:,}" for k, v in sorted(found["renewal"].items())))
    print("  salary lanes: " + ", ".join(f"{d} {lane} {v:,}" for (d, lane), v in sorted(
        found["lanes"].items(), key=lambda kv: (kv[0][0], str(kv[0][1])))))
    evaluations = sum(found["cards"].values())
    print(f"  {found['counted'] / max(1, evaluations):.1f} entries counted per card evaluation")
    if found["mismatches"]:
        print(f"MISMATCH: renewal differs between the two flavours for {found['mismatches']:,} educators")

    gc.collect()
    if not args.no_freeze:
        gc.freeze()
    print(f"RSS with the facts built: {rss_now_mib():.0f} MiB; load average (1 min) {os.getloadavg()[0]:.2f}")
    renewal_only, full = [], []
    for attempt in range(args.repeat):
        order = ((False, renewal_only), (True, full))
        for with_pathways, times in order if attempt % 2 == 0 else reversed(order):
            times.append(time_pass(work, args.as_of, with_pathways))
    n = args.educators
    for name, times in (("renewal only (pathways=False)", renewal_only), ("full (pathways=True)", full)):
        print(f"{name}: best {min(times):.2f} s, median {statistics.median(times):.2f} s "
              f"({', '.join(f'{s:.2f}' for s in times)}); {min(times) / n * 1e6:.1f} µs per educator")
    extra = (min(full) - min(renewal_only)) / max(1, evaluations) * 1e6
    print(f"pathways add {(min(full) - min(renewal_only)) / n * 1e6:.1f} µs per educator, "
          f"{extra:.1f} µs per role card evaluated")
    print(f"peak RSS {peak_rss_mib():.0f} MiB; load average (1 min) {os.getloadavg()[0]:.2f}")
    print(f"ratio={min(full) / min(renewal_only):.2f}")
    return 1 if found["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
