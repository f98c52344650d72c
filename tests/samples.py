"""Small rulebooks and a catalog for tests: figures chosen so every rule shows."""

CATALOG = {
    "issuers": [
        {"code": "DP", "name": "Digital Promise"},
        {"code": "BB", "name": "BloomBoard"},
        {"code": "NEA", "name": "National Education Association"},
    ],
    "credentials": [
        {"code": "DP-FA-01", "title": "Formative Assessment: Checking for Understanding", "issuer": "DP",
         "tags": ["assessment"], "estimated_hours": 15, "badge_id": "https://example.org/badges/fa-01"},
        {"code": "DP-FA-02", "title": "Formative Assessment: Feedback", "issuer": "DP", "tags": ["assessment"]},
        {"code": "DP-LIT-01", "title": "Reading Fluency", "issuer": "DP", "tags": ["literacy"]},
        {"code": "DP-LIT-02", "title": "Vocabulary Instruction", "issuer": "DP", "tags": ["literacy"]},
        {"code": "BB-CM-01", "title": "Classroom Routines", "issuer": "BB", "tags": ["pedagogy"]},
        {"code": "BB-CM-02", "title": "Restorative Circles", "issuer": "BB", "tags": ["pedagogy", "culture"]},
        {"code": "BB-LD-01", "title": "Leading Adult Learning", "issuer": "BB", "tags": ["leadership"]},
        {"code": "NEA-SE-01", "title": "Supporting English Learners", "issuer": "NEA", "tags": ["sei", "literacy"]},
        {"code": "NEA-SE-02", "title": "Dyslexia Screening", "issuer": "NEA", "tags": ["literacy"]},
        {"code": "NEA-TL-01", "title": "Teacher Leadership", "issuer": "NEA", "tags": ["leadership"]},
    ],
}

TN = {
    "state": "TN",
    "name": "Tennessee",
    "unit": "PDP",
    "units_per_clock_hour": 1,
    "cite": "TN PDP FAQ: 1 clock hour = 1 PDP",
    "exchange_rates": [
        {"units": 5, "effective_from": "2017-08-01", "effective_to": "2020-06-30", "cite": "TN-GENERAL-5"},
        {"units": 6, "effective_from": "2020-07-01", "cite": "TN-GENERAL-6"},
        {"units": 8, "effective_from": "2019-01-01", "issuer": "BB", "cite": "TN-BB-8"},
        {"units": 10, "effective_from": "2021-01-01", "effective_to": "2022-12-31", "credential": "DP-FA-01",
         "cite": "TN-FA01-10"},
    ],
    "renewal": [
        {"license": "professional", "required_units": 60, "max_microcredential_units": 30,
         "cite": "TN-PROFESSIONAL"},
        {"license": "practitioner", "required_units": 30, "minimums": [{"tag": "literacy", "units": 10}],
         "cite": "TN-PRACTITIONER"},
    ],
}

UT = {
    "state": "UT",
    "name": "Utah",
    "unit": "hours",
    "units_per_clock_hour": 1,
    "exchange_rates": [
        {"units": 7.5, "effective_from": "2016-01-01", "cite": "R277-302: 0.5 USBE credit = 7.5 hours"},
    ],
    "renewal": [
        {"license": "professional", "required_units": 100, "max_microcredential_units": 90, "cite": "R277-302-7"},
    ],
    "districts": [
        {"code": "JUAB", "name": "Juab School District", "salary_credits_per_mc": 0.5,
         "lanes": [{"name": "BA", "min_credits": 0}, {"name": "BA+15", "min_credits": 15}]},
    ],
}

MA = {
    "state": "MA",
    "name": "Massachusetts",
    "unit": "PDP",
    "units_per_clock_hour": 1,
    "exchange_rates": [],
    "renewal": [
        {"license": "professional", "required_units": 150,
         "minimums": [{"tag": "sei", "units": 15}, {"tag": "content", "units": 15}], "cite": "603 CMR 44.06"},
    ],
}
