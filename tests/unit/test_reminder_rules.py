"""The reminders' pure rules (ledger/reminders/rules.py): which threshold is due and what
each notice says, from plain values, the same functions the job feeds projection rows
and the tests feed the engine's standing. No database."""

from datetime import date, timedelta

from ledger.reminders import rules

END = date(2025, 6, 30)


def test_the_threshold_due_is_the_latest_crossed():
    assert [rules.due_threshold(d) for d in (181, 180, 91, 90, 31, 30, 1, 0, -1)] == \
        [None, 180, 180, 90, 90, 30, 30, 30, None]


def test_a_cycle_ending_notice_in_words():
    due = rules.cycle_ending("professional", "24 PDP", 7, END, END - timedelta(days=90), True, "TN")
    assert (due.kind, due.cycle, due.threshold) == ("cycle_ending", "7@2025-06-30", 90)
    assert due.subject == "Your professional license: 24 PDP still needed by 30 June 2025"
    assert due.summary == "Earn 24 PDP by 30 June 2025 to renew your professional license"
    assert due.payload == {"license": "professional", "left": "24 PDP", "deadline": "2025-06-30", "days_left": 90,
                           "behind": True, "state": "TN"}
    assert rules.cycle_ending("professional", "24 PDP", 7, END, END - timedelta(days=181), False, "TN") is None


def test_grace_and_maintenance_notices_in_words():
    grace = rules.grace_started("professional", "3 PDP", 7, END, date(2025, 8, 30), "TN")
    assert (grace.kind, grace.cycle, grace.threshold) == ("grace_started", "7@2025-06-30", 0)
    assert grace.summary == ("Your professional license's cycle ended short: earn 3 PDP by 30 August 2025, "
                             "the last day of grace")
    end = date(2024, 2, 29)
    assert rules.maintenance_short("Teacher Leader", "JUAB-TL", 1, 2, end, end - timedelta(days=181)) is None
    one = rules.maintenance_short("Teacher Leader", "JUAB-TL", 1, 1, end, end - timedelta(days=180))
    assert (one.cycle, one.threshold) == ("JUAB-TL#1", 180)
    assert one.summary == "Earn 1 more micro-credential by 29 February 2024 to keep Teacher Leader"
    assert rules.maintenance_short("Teacher Leader", "JUAB-TL", 1, 1, end, end + timedelta(days=1)) is None


def test_the_at_risk_window_and_line():
    assert [rules.at_risk_days(END, END - timedelta(days=d)) for d in (91, 90, 0, -1)] == [None, 90, 0, None]
    assert rules.at_risk_line(3, "Ada", "Lovelace", "professional", "40 PDP", 12) == {
        "educator_id": 3, "name": "Ada Lovelace", "detail": "professional: 40 PDP left, 12 days to go", "days": 12}


def test_the_digest_is_weekly():
    assert rules.digest_key(date(2025, 1, 1)) == "2025-W01" and rules.digest_key(date(2024, 12, 30)) == "2025-W01"
