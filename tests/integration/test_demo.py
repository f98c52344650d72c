"""The demo a state office is shown: loads, mixes statuses, tells each license's history
through the licenses service, and is idempotent."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ledger import engine
from ledger.access.principals import ADMIN, Principal
from ledger.licenses import service
from ledger.models import Educator, Entry, License, LicenseEvent, RulebookVersion, State, User, db
from ledger.standing.answer import educator_standing

ADMIN_PRINCIPAL = Principal(ADMIN, "test")


def counts():
    return [db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Educator, Entry, RulebookVersion, User, License, LicenseEvent)]


def histories(state: str, today: date) -> list[service.LicenseView]:
    """Every license of the state's educators, with its cycles, events and progress."""
    ids = db.session.scalars(sa.select(Educator.id).join(State, Educator.state_id == State.id)
                             .where(State.code == state).order_by(Educator.id)).all()
    return [v for i in ids for v in service.licenses_of(db.session, ADMIN_PRINCIPAL, i, today)]


def test_the_demo_loads_once_prints_its_logins_and_adds_nothing_the_second_time(runner):
    first = runner.invoke(args=["ledger", "demo"])
    assert first.exit_code == 0, first.output
    logins = [line.split() for line in first.output.splitlines() if line.startswith("login: ")]
    assert sorted(l[1] for l in logins) == ["admin", "district_hr", "educator"] + ["state_office"] * 3
    assert all(len(l) == 4 for l in logins)
    educators, entries, versions, users, cycles, events = before = counts()
    assert educators >= 250 and entries > 3000 and versions == 9 and users == 6  # TX: a rulebook, no educators
    assert cycles > educators and events > cycles
    again = runner.invoke(args=["ledger", "demo"])
    assert again.exit_code == 0 and counts() == before
    assert [l for l in again.output.splitlines() if l.startswith("login: ")] == [
        l for l in first.output.splitlines() if l.startswith("login: ")]


def test_the_demo_shows_every_stage_of_every_card(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    stages, one_short, awarded_last_month, salary = Counter(), set(), set(), Counter()
    for e in db.session.scalars(sa.select(Educator)):
        s = educator_standing(db.session, e, None, today)
        for p in s["pathways"]:
            stages[p["code"], p["status"]] += 1
            if p["status"] == "in_progress" and p["missing_total"] == 1:
                one_short.add(p["code"])
            if p["awarded_on"] and date.fromisoformat(p["awarded_on"]) >= today - timedelta(days=62):
                awarded_last_month.add(p["code"])
        if s["salary"]:
            salary[s["salary"]["district"], s["salary"]["lane"], s["salary"]["base_salary_pct"]] += 1
    for status in ("in_progress", "active", "lapsed", "permanent"):
        assert stages["JUAB-TL-MATH", status], status
    for code in ("KY-RANK2-MC", "LA-MENTOR", "LA-CONTENT", "MO-CCAC-MC"):
        assert stages[code, "in_progress"] and stages[code, "permanent"], code
    assert {"JUAB-TL-MATH", "LA-MENTOR", "MO-CCAC-MC"} <= one_short
    assert {"JUAB-TL-MATH", "LA-CONTENT"} <= awarded_last_month
    # the raise while the Teacher Leader card holds; Rank 2 sets the Kentucky lane
    assert salary["JUAB", "BA", 5.0] and salary["JUAB", "BA", 0.0] and salary["JUAB", "BA+15", 5.0]
    assert salary["FAYETTE", "Rank 2", 0.0] and salary["FAYETTE", "Rank 3", 0.0]


def test_every_cycle_has_its_history_made_through_the_licenses_service(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    # no cycle "recorded before events were kept": each was opened by an event with a reason
    opened = sa.select(LicenseEvent.id).where(LicenseEvent.cycle_id == License.id, LicenseEvent.kind == "opened",
                                              LicenseEvent.reason.is_not(None))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(License).where(~sa.exists(opened))) == 0
    # renewed cycles: complete on their renewal day, in the past, the next cycle from the day after
    renewed = []
    for state in ("TN", "UT", "MA", "KY", "LA", "MO", "NC", "AR"):
        for view in histories(state, today):
            for c, nxt in zip(view.cycles, view.cycles[1:]):
                if c.renewal is not None:
                    renewed.append(view)
                    assert c.renewed_on < today and c.renewal.snapshot["status"] == engine.COMPLETE
                    assert nxt.row.cycle_start == c.cycle_end + timedelta(days=1)
                    assert nxt.events[0].kind == "opened" and nxt.events[0].reason == "renewal of cycle 1"
    assert len({v.state for v in renewed}) == 8 and len(renewed) >= 80


def test_an_extension_a_cycle_in_grace_and_a_completion_in_grace(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    extended = [(v, c) for v in histories("KY", today) for c in v.cycles if c.row.cycle_end != c.cycle_end]
    assert len(extended) == 1
    view, cycle = extended[0]
    event = next(e for e in cycle.events if e.kind == "extended")
    assert "superintendent" in event.reason and cycle.cycle_end == event.cycle_end > today
    assert view.progress[cycle.row.id].status == engine.IN_PROGRESS  # it would have lapsed without it

    tn = histories("TN", today)
    in_grace = [v.progress[v.latest.row.id] for v in tn if v.progress[v.latest.row.id].in_grace]
    assert in_grace and all(p.license.cycle_end < today <= p.grace_ends for p in in_grace)
    assert any(p.grace_counted for p in in_grace)  # a workshop since the end counts toward the cycle
    # a renewed cycle that was completed in its grace days
    assert any(c.renewal is not None and v.progress[c.row.id].grace_counted for v in tn for c in v.cycles)


def test_arkansas_school_years_and_a_lapsed_license_reinstated(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    ar = histories("AR", today)
    assert ar and all(v.progress[c.row.id].school_years for v in ar for c in v.cycles)
    reinstated = [v for v in ar if any(e.kind == "opened" and e.reason.startswith("Reinstated")
                                       for c in v.cycles for e in c.events)]
    assert len(reinstated) == 1
    lapsed, fresh = reinstated[0].cycles
    progress = reinstated[0].progress[lapsed.row.id]
    assert progress.status == engine.LAPSED and lapsed.renewal is None
    short = [y for y in progress.school_years if not y.met]
    assert len(short) == 1 and progress.earned_units >= progress.rule.required_units  # the hours, not the year
    assert fresh.row.cycle_start > lapsed.cycle_end + timedelta(days=300)  # a year out, then reinstated
    assert reinstated[0].progress[fresh.row.id].status == engine.IN_PROGRESS
    # every school year of a renewed cycle was met
    assert any(c.renewal is not None and all(y.met for y in v.progress[c.row.id].school_years)
               for v in ar for c in v.cycles)


def test_north_carolina_judges_each_cycle_by_the_rule_of_its_end(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    old, new = date(2024, 6, 29), date(2024, 6, 30)
    judged = {}
    carried = []
    for view in histories("NC", today):
        for c in view.cycles:
            p = view.progress[c.row.id]
            era = "old" if c.row.cycle_end <= old else "new"
            judged.setdefault(era, set()).add(p.rule.cycles_ending_to if era == "old" else p.rule.cycles_ending_from)
            assert {m.tag for m in p.rule.minimums} == ({"content", "literacy", "technology"} if era == "old"
                                                       else {"content", "literacy"})
            if c.renewal is not None:
                assert c.renewal.snapshot["rule"] == p.rule.cite  # the rule kept with the renewal
            carried.append(p.carried_over_units)
    assert judged == {"old": {old}, "new": {new}}
    # one cycle ended on the day of the change itself, judged by the new rule and renewed
    boundary = [c for v in histories("NC", today) for c in v.cycles if c.row.cycle_end == new]
    assert boundary and boundary[0].renewal is not None
    assert max(carried) == 8  # National Board credits banked into the next cycle, up to the rule's 8


def test_utah_judges_by_its_areas_and_national_board_completes_a_cycle_on_its_own(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    progress = [v.progress[c.row.id] for v in histories("UT", today) for c in v.cycles]
    assert progress and all(p.rule.min_categories == 2 and p.rule.max_microcredential_units is None
                            for p in progress)
    # National Board: complete by satisfied_by, whatever the areas and hours say
    board = [p for p in progress if p.satisfied_by]
    assert board and all(p.satisfied_by == "NBPTS-NBC" and p.status == engine.COMPLETE for p in board)
    assert any(p.earned_units < p.rule.required_units for p in board)  # 90 in professional learning, no 2nd area
    # every other complete cycle has 100 hours from at least two areas, each within its cap
    for p in progress:
        if p.status == engine.COMPLETE and not p.satisfied_by:
            assert sum(1 for c in p.categories if c.counted > 0) >= 2
            assert p.earned_units >= 100
        assert all(c.cap is None or c.counted <= c.cap for c in p.categories)
    # micro-credentials fill professional learning to its 90 hours; the rest came from elsewhere
    assert any(c.name == "professional_learning" and c.full for p in progress for c in p.categories)


def test_a_north_carolina_course_counts_toward_one_minimum_only(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    short = []
    for view in histories("NC", today):
        p = view.progress[view.latest.row.id]
        assert p.rule.exclusive_minimums
        if p.status == engine.IN_PROGRESS and p.earned_units >= p.rule.required_units:
            short.append(p)
    # the summer institute (3 CEUs, literacy and content) feeds one of the two 3-credit minimums
    story = [p for p in short if any(v.entry.measure == "ceu" and {"literacy", "content"} <= v.entry.tags
                                     for v in p.counted)]
    assert len(story) == 1
    p = story[0]
    course = next(v for v in p.counted if v.entry.measure == "ceu")
    assert course.units == 3  # 3 CEUs = 3 renewal credits
    assert sorted(m.met for m in p.minimums) == [False, True]
    fed = [f for m in p.minimums for f in m.fed if f.entry_id == course.entry.id]
    assert sum(f.units for f in fed) == 3


def test_courses_in_ceus_and_semester_hours_are_converted_by_the_state(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    rows = db.session.execute(
        sa.select(State.code, Entry.measure, Entry.hours, Entry.educator_id, Entry.id)
        .join(Educator, Entry.educator_id == Educator.id).join(State, Educator.state_id == State.id)
        .where(Entry.measure.is_not(None))).all()
    per = {("TN", "ceu"): 5, ("TN", "semester_hour"): 10, ("NC", "ceu"): 1, ("NC", "semester_hour"): Decimal("1.5"),
           ("UT", "university_credit"): 18, ("UT", "state_credit"): 15, ("MA", "graduate_semester_hour"):
           Decimal("22.5"), ("MA", "semester_hour"): 15}
    assert {(r.code, r.measure) for r in rows} == set(per)
    for code, measure in per:
        state, measure_, amount, educator_id, entry_id = next(r for r in rows if (r.code, r.measure) == (code, measure))
        s = educator_standing(db.session, db.session.get(Educator, educator_id), None, today)
        entry = next(e for e in s["entries"] if e["id"] == entry_id)
        assert Decimal(str(entry["units"])) == Decimal(amount) * per[code, measure], (code, measure)
        assert entry["rule"].startswith({"TN": "Tennessee", "NC": "North Carolina", "UT": "Utah",
                                         "MA": "Massachusetts"}[code])


def test_tennessee_national_board_counts_whole_beside_the_micro_credential_cap(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    seen = 0
    for view in histories("TN", today):
        for c in view.cycles:
            p = view.progress[c.row.id]
            board = [v for v in p.counted if v.entry.credential == "NBPTS-NBC"]
            if board and p.rule.license == "professional":
                seen += 1
                figures = {x.name: x for x in p.categories}
                assert figures["national_board"].counted == 30 and figures["microcredentials"].counted <= 30
    assert seen
