"""Rulebook validation: every error names its field path (CONTRACT.md section 2)."""

from copy import deepcopy

import pytest

from ledger.errors import Invalid
from ledger.rulebooks.service import validate_rulebook

from .. import samples


def errors_of(doc):
    with pytest.raises(Invalid) as info:
        validate_rulebook(doc)
    return info.value.errors


def test_the_sample_rulebooks_are_valid():
    for doc in (samples.TN, samples.UT, samples.MA):
        assert validate_rulebook(deepcopy(doc))["state"] == doc["state"]


def test_a_bad_date_is_named_by_its_path():
    doc = deepcopy(samples.TN)
    doc["exchange_rates"][2]["effective_from"] = "2019-02-30"
    assert list(errors_of(doc)) == ["exchange_rates[2].effective_from"]


def test_effective_to_before_effective_from_is_refused():
    doc = deepcopy(samples.TN)
    doc["exchange_rates"][0]["effective_to"] = "2017-07-31"
    assert "exchange_rates[0].effective_to" in errors_of(doc)


def test_two_rates_with_the_same_match_and_effective_from_make_the_rulebook_invalid():
    doc = deepcopy(samples.TN)
    doc["exchange_rates"].append({"units": 9, "effective_from": "2019-01-01", "issuer": "BB", "cite": "x"})
    assert "exchange_rates[4].effective_from" in errors_of(doc)


def test_a_credential_rate_with_and_without_an_issuer_on_the_same_day_collide():
    doc = deepcopy(samples.TN)
    doc["exchange_rates"].append(
        {"units": 9, "effective_from": "2021-01-01", "issuer": "DP", "credential": "DP-FA-01"})
    assert "exchange_rates[4].effective_from" in errors_of(doc)


def test_rates_of_different_specificity_on_the_same_day_are_fine():
    doc = deepcopy(samples.TN)
    doc["exchange_rates"].append({"units": 9, "effective_from": "2019-01-01", "credential": "DP-FA-02"})
    validate_rulebook(doc)


@pytest.mark.parametrize(
    "change, path",
    [
        (lambda d: d.pop("unit"), "unit"),
        (lambda d: d.update(state="Tennessee"), "state"),
        (lambda d: d["exchange_rates"][1].update(units=-1), "exchange_rates[1].units"),
        (lambda d: d["exchange_rates"][1].update(units="NaN"), "exchange_rates[1].units"),
        (lambda d: d["renewal"][0].pop("required_units"), "renewal[0].required_units"),
        (lambda d: d["renewal"][1]["minimums"][0].update(units="lots"), "renewal[1].minimums[0].units"),
        (lambda d: d["renewal"].append(dict(d["renewal"][0])), "renewal[2].cycles_ending_from"),
        (lambda d: d.update(exchange_rate=[]), "exchange_rate"),
        (lambda d: d["exchange_rates"][0].update(rate=5), "exchange_rates[0].rate"),
        (lambda d: d.update(name="x" * 5000), "name"),
    ],
)
def test_each_error_names_its_field(change, path):
    doc = deepcopy(samples.TN)
    change(doc)
    assert path in errors_of(doc)


def with_rules(*ranges, **fields):
    """TN with its professional rule repeated once per (cycles_ending_from, cycles_ending_to)."""
    doc = deepcopy(samples.TN)
    pro = next(r for r in doc["renewal"] if r["license"] == "professional")
    doc["renewal"] = [r for r in doc["renewal"] if r is not pro] + [
        {**pro, "cycles_ending_from": lo, "cycles_ending_to": hi, **fields} for lo, hi in ranges]
    return doc


def test_rules_of_one_type_whose_ranges_meet_but_do_not_overlap_load():
    data = validate_rulebook(with_rules((None, "2024-06-29"), ("2024-06-30", "2029-06-29"), ("2029-06-30", None)))
    assert [r.get("cycles_ending_from") for r in data["renewal"][-3:]][1].isoformat() == "2024-06-30"


@pytest.mark.parametrize("ranges,path", [
    (((None, "2024-06-30"), ("2024-06-30", None)), "renewal[2].cycles_ending_from"),   # one day in common
    (((None, None), ("2020-01-01", "2020-12-31")), "renewal[2].cycles_ending_from"),   # inside an open one
    ((("2030-01-01", None), ("2020-01-01", "2030-01-01")), "renewal[2].cycles_ending_from"),  # later in the file
])
def test_rules_of_one_type_whose_ranges_overlap_make_the_rulebook_invalid(ranges, path):
    errors = errors_of(with_rules(*ranges))
    assert path in errors and "renewal[1]" in errors[path][0]


@pytest.mark.parametrize("fields,path", [
    ({"cycles_ending_from": "2025-01-01", "cycles_ending_to": "2024-12-31"}, "renewal[1].cycles_ending_to"),
    ({"grace_days": -1}, "renewal[1].grace_days"),
    ({"grace_days": 1.5}, "renewal[1].grace_days"),
    ({"cycle_years": 0}, "renewal[1].cycle_years"),
    ({"cycles_ending_to": "2024-02-30"}, "renewal[1].cycles_ending_to"),
])
def test_a_bad_cycle_field_is_named(fields, path):
    doc = with_rules((None, None))
    doc["renewal"][1].update(fields)
    assert path in errors_of(doc)


PATHWAY = {"code": "KY-RANK2-MC", "name": "Rank 2", "core": ["A", "B"],
           "electives": [{"choose": 2, "from": ["C", "D", "E"]}], "required_count": 4,
           "effects": {"salary_lane": "Rank 2"},
           "maintenance": [{"years": 3, "required_count": 6}, {"years": 3, "required_count": 3, "tags": ["leadership"]}]}


def with_pathway(**changes):
    doc = deepcopy(samples.TN)
    doc["pathways"] = [{**deepcopy(PATHWAY), **changes}]
    return doc


def test_the_whole_format_loads_pathways_and_districts_included():
    doc = with_pathway()
    doc["districts"] = [{"code": "JUAB", "name": "Juab", "salary_credits_per_mc": 0.5,
                         "lanes": [{"name": "BA", "min_credits": 0}, {"name": "Rank 2", "min_credits": 30}],
                         "pathways": [dict(PATHWAY, code="JUAB-TL")]}]
    data = validate_rulebook(doc)
    assert data["pathways"][0]["maintenance"][1]["tags"] == ["leadership"]
    assert data["districts"][0]["pathways"][0]["code"] == "JUAB-TL"


@pytest.mark.parametrize("change, path", [
    ({"electives": [{"choose": 2, "from": ["A", "C"]}]}, "pathways[0].electives[0].choose"),  # A is core
    ({"required_count": 6}, "pathways[0].required_count"),  # the card names 5 credentials
    # each group alone can be filled, not all three at once: C fills one group at most
    ({"electives": [{"choose": 1, "from": ["C"]}, {"choose": 1, "from": ["C"]}, {"choose": 1, "from": ["D", "E"]}],
      "required_count": None}, "pathways[0].electives"),
    ({"maintenance": [{"years": 3, "required_count": 1, "from": ["C"], "tags": ["x"]}]},
     "pathways[0].maintenance[0].from"),
    ({"maintenance": [{"years": 3, "required_count": 2, "from": ["C"]}]}, "pathways[0].maintenance[0].required_count"),
])
def test_a_card_that_can_never_be_earned_or_kept_is_refused(change, path):
    assert path in errors_of(with_pathway(**change))


def test_a_district_card_must_name_one_of_its_lanes():
    doc = deepcopy(samples.TN)
    doc["districts"] = [{"code": "JUAB", "name": "Juab", "lanes": [{"name": "BA", "min_credits": 0}],
                         "pathways": [dict(PATHWAY, code="JUAB-TL")]}]
    assert "districts[0].pathways[0].effects.salary_lane" in errors_of(doc)
    doc["districts"][0]["lanes"] = []  # no schedule: any lane name is taken as it is
    validate_rulebook(doc)


def test_a_required_count_below_core_plus_choices_is_refused():
    assert "pathways[0].required_count" in errors_of(with_pathway(required_count=3))


def test_an_elective_group_that_can_never_be_filled_is_refused():
    assert "pathways[0].electives[0].choose" in errors_of(with_pathway(electives=[{"choose": 4, "from": ["C", "D"]}]))


def test_an_elective_group_needs_from_or_tags():
    assert "pathways[0].electives[0].from" in errors_of(with_pathway(electives=[{"choose": 1}]))


def test_a_maintenance_period_without_years_is_refused():
    assert "pathways[0].maintenance[1].years" in errors_of(
        with_pathway(maintenance=[{"years": 3, "required_count": 6}, {"required_count": 3}]))


def test_a_pathway_code_used_twice_is_refused():
    doc = with_pathway()
    doc["pathways"].append(deepcopy(PATHWAY))
    assert "pathways" in errors_of(doc)


def test_the_collision_of_a_credential_rate_with_and_without_issuer_does_not_depend_on_order():
    doc = deepcopy(samples.TN)
    doc["exchange_rates"] = [
        {"units": 9, "effective_from": "2021-01-01", "issuer": "DP", "credential": "DP-FA-01"},
        {"units": 7, "effective_from": "2021-01-01", "credential": "DP-FA-01"},
    ]
    assert "exchange_rates[1].effective_from" in errors_of(doc)


def test_credential_rates_naming_different_issuers_on_the_same_day_are_fine():
    doc = deepcopy(samples.TN)
    doc["exchange_rates"] = [
        {"units": 9, "effective_from": "2021-01-01", "issuer": "DP", "credential": "X-1"},
        {"units": 7, "effective_from": "2021-01-01", "issuer": "BB", "credential": "X-1"},
    ]
    validate_rulebook(doc)


@pytest.mark.parametrize("value", ["02-29", "13-01", "07-32", "7-1", "04-31"])
def test_year_starts_must_be_a_day_every_year_has(value):
    doc = with_rules((None, None))
    doc["renewal"][1].update(annual_units=36, year_starts=value)
    assert "renewal[1].year_starts" in errors_of(doc)


def test_carry_over_and_annual_units_load():
    doc = with_rules((None, None))
    doc["renewal"][1].update(carry_over_max_units=10, annual_units=36, year_starts="09-01")
    rule = validate_rulebook(doc)["renewal"][1]
    assert (rule["carry_over_max_units"], rule["annual_units"], rule["year_starts"]) == (10, 36, "09-01")
