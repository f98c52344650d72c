"""The standing answer over HTTP (CONTRACT.md section 4, "Standing")."""

from datetime import date

from sqlalchemy import select

MC = "microcredential"


def standing(client, ledger, educator, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return client.get(f"/api/v1/educators/{educator.id}/standing?{qs}", headers=ledger.headers())


def test_standing_carries_each_figure_with_its_rule_and_rulebook_version(ledger, client):
    e = ledger.educator()
    ledger.record(e, "DP-FA-01", date(2022, 3, 1))   # credential rate 10 (2021-2022)
    ledger.record(e, "BB-CM-01", date(2022, 3, 2))   # issuer rate 8
    ledger.record(e, "DP-LIT-01", date(2020, 6, 30))  # general rate 5, last day; before the cycle
    ledger.record(e, None, date(2023, 1, 5), title="Workshop", hours=4)
    s = standing(client, ledger, e, as_of="2024-05-01").json
    assert (s["educator_id"], s["state"], s["as_of"], s["unit"]) == (e.id, "TN", "2024-05-01", "PDP")
    assert [(x["credential"], x["units"], x["rule"]) for x in s["entries"]] == [
        ("DP-LIT-01", 5.0, "TN-GENERAL-5"), ("DP-FA-01", 10.0, "TN-FA01-10"),
        ("BB-CM-01", 8.0, "TN-BB-8"), (None, 4.0, "1 PDP per clock hour (TN PDP FAQ: 1 clock hour = 1 PDP)"),
    ]
    (ren,) = s["renewal"]
    assert ren["license"] == "professional" and ren["status"] == "in_progress"
    assert (ren["required_units"], ren["earned_units"], ren["remaining_units"]) == (60, 22, 38)
    assert ren["rule"] == "TN-PROFESSIONAL" and ren["rulebook_version"] == 1
    assert ren["pace"]["units_per_month"] > 0
    assert s["pathways"] == [] and s["salary"] is None


def test_as_of_defaults_to_today_and_hides_later_entries(ledger, client):
    e = ledger.educator()
    ledger.record(e, "DP-FA-02", date(2022, 3, 1))
    s = standing(client, ledger, e).json
    assert s["as_of"] == date.today().isoformat() and len(s["entries"]) == 1
    assert standing(client, ledger, e, as_of="2022-02-28").json["entries"] == []


def test_a_lapsed_and_a_complete_renewal(ledger, client):
    e = ledger.educator()
    ledger.record(e, "DP-FA-02", date(2021, 3, 1))
    assert standing(client, ledger, e, as_of="2025-07-01").json["renewal"][0]["status"] == "lapsed"
    ledger.record(e, None, date(2024, 1, 1), title="Institute", hours=60)
    s = standing(client, ledger, e, as_of="2025-07-01").json["renewal"][0]
    assert s["status"] == "complete" and s["remaining_units"] == 0 and s["pace"] is None


def test_what_if_values_the_same_entries_under_another_state_with_no_renewal_there(ledger, client):
    e = ledger.educator()
    ledger.record(e, "DP-FA-02", date(2022, 3, 1))
    s = standing(client, ledger, e, state="UT", as_of="2023-01-01").json
    assert s["state"] == "UT" and s["unit"] == "hours" and s["renewal"] == []
    assert s["entries"][0]["units"] == 7.5


def test_licenses_are_read_against_the_state_asked_for(ledger, client):
    e = ledger.educator(state="UT", district="JUAB", licenses=[
        {"type": "professional", "cycle_start": date(2019, 7, 1), "cycle_end": date(2024, 6, 30)}])
    for code in ("DP-FA-01", "DP-FA-02", "BB-CM-01"):
        ledger.record(e, code, date(2021, 1, 1))
    ut = standing(client, ledger, e, as_of="2023-01-01").json
    assert ut["renewal"][0]["earned_units"] == 22.5 and ut["renewal"][0]["required_units"] == 100
    assert standing(client, ledger, e, state="TN", as_of="2023-01-01").json["renewal"] == []


def test_a_state_without_a_rulebook_is_a_422_naming_state(ledger, client):
    e = ledger.educator()
    r = standing(client, ledger, e, state="ZZ")
    assert r.status_code == 422 and "state" in r.json["errors"]


def test_a_bad_as_of_is_a_422_naming_as_of(ledger, client):
    e = ledger.educator()
    r = standing(client, ledger, e, as_of="2023-02-29")
    assert r.status_code == 422 and "as_of" in r.json["errors"]


def test_the_cap_shows_in_the_renewal_figures(ledger, client):
    e = ledger.educator()
    codes = ["DP-FA-02", "DP-LIT-01", "DP-LIT-02", "NEA-SE-01", "NEA-TL-01", "BB-CM-01", "BB-CM-02"]
    for i, code in enumerate(codes):
        ledger.record(e, code, date(2021, 1, 1 + i))
    ren = standing(client, ledger, e, as_of="2023-01-01").json["renewal"][0]
    assert ren["microcredential_units"] == 6 * 5 + 8 * 2
    assert ren["microcredential_units_counted"] == 30 and ren["earned_units"] == 30


def test_the_renewal_report_cli_lists_every_licensed_educator(ledger, runner):
    a, b = ledger.educator(), ledger.educator()
    ledger.record(a, None, date(2021, 1, 1), title="Institute", hours=60)
    result = runner.invoke(args=["ledger", "renewal-report", "--state", "TN", "--as-of", "2025-07-01"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "educator_id,license,earned_units,status"
    assert sorted(lines[1:]) == sorted([f"{a.id},professional,60,complete", f"{b.id},professional,0,lapsed"])


def test_the_standings_of_many_are_each_exactly_the_single_standing(ledger, client, session):
    """standings_for (salary runs, the roster, the export, the state report) reads in
    bulk what GET /standing reads for one educator: the same answer for each."""
    from ledger.models import Educator, State
    from ledger.rulebooks.service import newest_version
    from ledger.standing.answer import educator_standing
    from ledger.standing.many import standings_for
    from ledger.standing.schemas import STANDING_OUT, StandingAnswer

    a = ledger.educator(licenses=[
        {"type": "professional", "cycle_start": date(2015, 7, 1), "cycle_end": date(2020, 6, 30)},
        {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)},
        {"type": "professional", "cycle_start": date(2025, 7, 1), "cycle_end": date(2030, 6, 30)}])
    b = ledger.educator(licenses=[{"type": "practitioner", "cycle_start": date(2021, 1, 1),
                                   "cycle_end": date(2024, 2, 29)}])
    c = ledger.educator(licenses=[])
    ledger.record(a, "DP-FA-01", date(2020, 6, 30))
    ledger.record(a, "BB-CM-01", date(2020, 7, 1))
    ledger.record(a, None, date(2024, 2, 29), title="Institute", hours=12, tags=["literacy"])
    ledger.record(b, "DP-LIT-01", date(2024, 2, 29))
    ledger.record(c, "DP-LIT-02", date(2023, 1, 1))
    session.commit()
    version = newest_version(session, "TN")
    people = [session.get(Educator, e.id) for e in (c, a, b)]
    for as_of in (date(2024, 2, 29), date(2025, 6, 30), date(2025, 7, 1)):
        single = [educator_standing(session, e, None, as_of) for e in people]
        many = [STANDING_OUT.dump(StandingAnswer(i, s))
                for i, s in standings_for(session, version, as_of, [e.id for e in people])]
        assert many == single
        # the state-wide stream, renewal only, reads only what can count: the same renewal
        tn_ids = {e.id for e in people}
        stream = {i: STANDING_OUT.dump(StandingAnswer(i, s))["renewal"]
                  for i, s in standings_for(session, version, as_of, pathways=False) if i in tn_ids}
        assert stream == {s["educator_id"]: s["renewal"] for s in single if s["renewal"]}
    assert session.scalar(select(State.code).where(State.id == version.state_id)) == "TN"
