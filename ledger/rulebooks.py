"""State rulebooks (CONTRACT.md section 2): validation, versioned loading, and the
engine's view of a version.

A rulebook is validated whole before anything is written; every error names its field
path (`exchange_rates[2].effective_from`). Loading again makes a new version; old
versions are kept with who loaded them and when.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select

from . import audit
import pathways as cards

from .engine import Minimum, Rate, RenewalRule, Rulebook
from .errors import Forbidden, Invalid, NotFound, flatten
from .models import District, RulebookVersion, State
from .scopes import STATE_OFFICE, Principal

CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", error="letters, digits, '-', '_' or '.'")
MAX_UNITS = 100000


def decimal(minimum, maximum, min_inclusive=True, **kw):
    """A Decimal field whose range is checked and documented as numbers. (apispec would
    write a Range on a Decimal field as strings, which is not valid OpenAPI.)"""
    check = validate.Range(min=minimum, max=maximum, min_inclusive=min_inclusive)
    bounds = {"minimum": minimum, "maximum": maximum}
    if not min_inclusive:
        bounds["exclusiveMinimum"] = True
    metadata = {**bounds, **kw.pop("metadata", {})}
    return fields.Decimal(validate=lambda value: check(value), allow_nan=False, metadata=metadata, **kw)


def _units(required=True, minimum=0, **kw):
    return decimal(minimum, MAX_UNITS, required=required, **kw)


def _code(max_len=80, **kw):
    return fields.String(validate=[validate.Length(min=1, max=max_len), CODE], **kw)


def _text(max_len=500, **kw):
    return fields.String(validate=validate.Length(min=1, max=max_len), **kw)


def _date(**kw):
    return fields.Date(validate=validate.Range(min=dt.date(1900, 1, 1), max=dt.date(2200, 12, 31)), **kw)


class RateSchema(Schema):
    units = _units()
    effective_from = _date(required=True)
    effective_to = _date(load_default=None, allow_none=True)
    issuer = _code(40, load_default=None, allow_none=True)
    credential = _code(load_default=None, allow_none=True)
    cite = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _order(self, data, **_):
        if data.get("effective_to") and data["effective_to"] < data["effective_from"]:
            raise ValidationError("is before effective_from", "effective_to")


class MinimumSchema(Schema):
    tag = _code(50, required=True)
    units = _units(minimum=0)


class RenewalSchema(Schema):
    license = _code(50, required=True)
    required_units = _units()
    max_microcredential_units = _units(required=False, load_default=None, allow_none=True)
    minimums = fields.List(fields.Nested(MinimumSchema), load_default=list)
    cite = fields.String(load_default="", validate=validate.Length(max=1000))


class ElectiveSchema(Schema):
    choose = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    from_ = fields.List(_code(), data_key="from", load_default=None)
    tags = fields.List(_code(50), load_default=None)

    @validates_schema
    def _one_source(self, data, **_):
        if bool(data.get("from_")) == bool(data.get("tags")):
            raise ValidationError("give exactly one of `from` or `tags`", "from")
        if data.get("from_") is not None and data["choose"] > len(set(data["from_"])):
            raise ValidationError(
                f"this group can never be filled: choose {data['choose']} from "
                f"{len(set(data['from_']))} credentials",
                "choose",
            )


class EffectsSchema(Schema):
    base_salary_pct = decimal(0, 100, load_default=None, allow_none=True)
    salary_lane = _text(100, load_default=None, allow_none=True)


class PeriodSchema(Schema):
    years = fields.Integer(required=True, validate=validate.Range(min=1, max=50))
    required_count = fields.Integer(required=True, validate=validate.Range(min=0, max=1000))
    from_ = fields.List(_code(), data_key="from", load_default=None)
    tags = fields.List(_code(50), load_default=None)

    @validates_schema
    def _one_source(self, data, **_):
        if data.get("from_") and data.get("tags"):
            raise ValidationError("give at most one of `from` or `tags`", "from")
        if data.get("from_") is not None and data["required_count"] > len(set(data["from_"])):
            raise ValidationError(
                f"this period can never be met: {data['required_count']} from "
                f"{len(set(data['from_']))} credentials",
                "required_count",
            )


class PathwaySchema(Schema):
    code = _code(required=True)
    name = _text(200, required=True)
    designation = _text(200, load_default=None)
    window_years = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=50))
    core = fields.List(_code(), load_default=list)
    electives = fields.List(fields.Nested(ElectiveSchema), load_default=list)
    required_count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=1000))
    effects = fields.Nested(EffectsSchema, load_default=None, allow_none=True)
    maintenance = fields.List(fields.Nested(PeriodSchema), load_default=list)
    cite = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _counts(self, data, **_):
        core = data.get("core") or []
        if len(set(core)) != len(core):
            raise ValidationError("lists a credential twice", "core")
        floor = len(core) + sum(g["choose"] for g in data.get("electives") or [])
        if floor == 0:
            raise ValidationError("a role card needs core credentials or elective groups", "core")
        if data.get("required_count") is not None and data["required_count"] < floor:
            raise ValidationError(
                f"is below core plus choices ({floor})", "required_count"
            )
        # A core credential never fills an elective group, so a list group must be
        # fillable from its credentials that are not core.
        errors: dict = {}
        for i, group in enumerate(data.get("electives") or []):
            if group.get("from_") is None:
                continue
            usable = set(group["from_"]) - set(core)
            if group["choose"] > len(usable):
                errors[i] = {"choose": [
                    f"this group can never be filled: choose {group['choose']} from "
                    f"{len(usable)} credentials that are not core"
                ]}
        if errors:
            raise ValidationError({"electives": errors})
        groups = data.get("electives") or []
        if groups and all(g.get("from_") is not None for g in groups):
            if not _groups_fillable(core, groups):
                raise ValidationError(
                    "these groups can never all be filled at once: they share too few credentials",
                    "electives",
                )
            pool = set(core).union(*(g["from_"] for g in groups))
            if (data.get("required_count") or floor) > len(pool):
                raise ValidationError(
                    f"can never be reached: the card names {len(pool)} credentials",
                    "required_count",
                )


class _Code(NamedTuple):
    credential: str
    tags: frozenset = frozenset()


def _groups_fillable(core: list, groups: list[dict]) -> bool:
    """Whether list groups can all take their `choose` at once (a credential fills one
    group at most): the pathway engine's own matching over every credential they name."""
    card = cards.RoleCard(code="check", name="check", core=tuple(core), electives=tuple(
        cards.Group(g["choose"], frozenset(g["from_"])) for g in groups))
    names = dict.fromkeys(c for g in groups for c in g["from_"])
    filling = cards.fill(cards.Roles(card), [_Code(c) for c in names])
    return filling.filled == tuple(g["choose"] for g in groups)


class LaneSchema(Schema):
    name = _text(100, required=True)
    min_credits = _units(minimum=0)


class DistrictSchema(Schema):
    code = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=20), validate.Regexp(r"^[A-Z0-9][A-Z0-9_\-]*$", error="capital letters, digits, '-' or '_'")],
    )
    name = _text(200, required=True)
    salary_credits_per_mc = decimal(0, 1000, load_default=Decimal(0))
    lanes = fields.List(fields.Nested(LaneSchema), load_default=list)
    pathways = fields.List(fields.Nested(PathwaySchema), load_default=list)

    @validates_schema
    def _lanes(self, data, **_):
        errors: dict = {}
        _unique_field(errors, data.get("lanes") or [], "lanes", "name")
        names = {lane["name"] for lane in data.get("lanes") or []}
        for i, card in enumerate(data.get("pathways") or []):
            wanted = (card.get("effects") or {}).get("salary_lane")
            if wanted is not None and names and wanted not in names:
                errors.setdefault("pathways", {})[i] = {"effects": {"salary_lane": [
                    f"names no lane of this district ({', '.join(sorted(names))})"
                ]}}
        if errors:
            raise ValidationError(errors)


class RulebookSchema(Schema):
    state = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="a two-letter capital code such as TN"))
    name = _text(100, required=True)
    office = _text(200, metadata={"description": "the issuing office printed on transcripts"})
    unit = _text(20, required=True)
    units_per_clock_hour = decimal(0, 1000, required=True)
    cite = fields.String(load_default="", validate=validate.Length(max=1000))
    exchange_rates = fields.List(fields.Nested(RateSchema), load_default=list)
    renewal = fields.List(fields.Nested(RenewalSchema), load_default=list)
    pathways = fields.List(fields.Nested(PathwaySchema), load_default=list)
    districts = fields.List(fields.Nested(DistrictSchema), load_default=list)

    @validates_schema
    def _unique(self, data, **_):
        errors: dict = {}
        earlier: list[tuple[int, dict]] = []
        for i, r in enumerate(data.get("exchange_rates") or []):
            for j, other in earlier:
                if _same_match(r, other):
                    errors.setdefault("exchange_rates", {})[i] = {
                        "effective_from": [f"same match and effective_from as exchange_rates[{j}]"]
                    }
                    break
            earlier.append((i, r))
        _unique_field(errors, data.get("renewal") or [], "renewal", "license")
        _unique_field(errors, data.get("districts") or [], "districts", "code")
        codes = [p["code"] for p in data.get("pathways") or []]
        for d in data.get("districts") or []:
            codes += [p["code"] for p in d.get("pathways") or []]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            errors.setdefault("pathways", {}).setdefault("_schema", []).append(
                f"pathway codes used twice: {', '.join(dupes)}"
            )
        if errors:
            raise ValidationError(errors)


def _same_match(a: dict, b: dict) -> bool:
    """Two rates that could both be the best match for one entry on one day. Credential
    rates collide when their issuers agree or either names none."""
    if a["effective_from"] != b["effective_from"]:
        return False
    if a.get("credential") or b.get("credential"):
        return a.get("credential") == b.get("credential") and (
            not a.get("issuer") or not b.get("issuer") or a["issuer"] == b["issuer"]
        )
    return a.get("issuer") == b.get("issuer")


def _unique_field(errors, items, name, key):
    seen = {}
    for i, item in enumerate(items):
        if item[key] in seen:
            errors.setdefault(name, {})[i] = {key: [f"repeats {name}[{seen[item[key]]}]"]}
        seen.setdefault(item[key], i)


rulebook_schema = RulebookSchema()


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text for the schema to check, so an
    impossible date is an error naming its field, not a crash in the parser."""


    def compose_node(self, parent, index):
        # Anchors and aliases are refused: a rulebook needs none, and nested aliases
        # expand exponentially ("billion laughs") or refer to themselves.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a rulebook or catalog",
                                              event.start_mark)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_file(path: str | Path):
    """Read YAML or JSON (JSON is YAML, but a JSON error message is clearer)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                      {"_file": ["not UTF-8 text"]}) from exc
    try:
        if str(path).lower().endswith(".json"):
            return json.loads(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except (json.JSONDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise Invalid(f"{path}: not valid YAML or JSON: {exc}", {"_file": [str(exc)]}) from exc


def validate_rulebook(raw) -> dict:
    if not isinstance(raw, dict):
        raise Invalid("a rulebook is a mapping", {"_schema": ["expected an object with state, name, unit, ..."]})
    try:
        return rulebook_schema.load(_jsonable(raw))
    except ValidationError as exc:
        errors = flatten(exc.messages)
        raise Invalid("the rulebook is invalid", errors) from exc


def _jsonable(raw):
    """YAML gives dates as date objects; the schema reads ISO strings."""
    return json.loads(json.dumps(raw, default=str))


def load_rulebook(session, principal: Principal, raw) -> RulebookVersion:
    """Validate and store a rulebook as its state's newest version, in one transaction
    with its audit row. Districts named in it are created or updated."""
    principal.require("load_rulebook")
    data = validate_rulebook(raw)
    document = _jsonable(raw)
    state = session.scalar(select(State).where(State.code == data["state"]))
    if principal.role == STATE_OFFICE and (state is None or state.id != principal.state_id):
        raise Forbidden(f"a {principal.role} token may load only its own state's rulebook")
    district_codes = [d["code"] for d in data["districts"]]
    if district_codes:
        taken = session.execute(
            select(District.code, State.code).join(State, District.state_id == State.id)
            .where(District.code.in_(district_codes), State.code != data["state"])
        ).all()
        if taken:
            errors = {
                f"districts[{district_codes.index(code)}].code": [f"already a district of {other}"]
                for code, other in taken
            }
            raise Invalid("district codes are unique across states", errors)
    if state is None:
        state = State(code=data["state"], name=data["name"], unit=data["unit"])
        session.add(state)
        session.flush()
    else:
        state.name, state.unit = data["name"], data["unit"]
    version = (
        session.scalar(select(func.max(RulebookVersion.version)).where(RulebookVersion.state_id == state.id))
        or 0
    ) + 1
    row = RulebookVersion(state_id=state.id, version=version, document=document, loaded_by=principal.actor)
    session.add(row)
    for d in data["districts"]:
        district = session.scalar(select(District).where(District.code == d["code"]))
        if district is None:
            session.add(District(code=d["code"], name=d["name"], state_id=state.id,
                                 salary_credits_per_mc=d["salary_credits_per_mc"]))
        else:
            district.name, district.salary_credits_per_mc = d["name"], d["salary_credits_per_mc"]
    session.flush()
    audit.record(session, principal.actor, "load_rulebook", "rulebook", f"{state.code} v{version}",
                 {"state": state.code, "version": version})
    return row


def newest_version(session, state_code: str) -> RulebookVersion:
    if not (len(state_code) == 2 and state_code.isascii() and state_code.isalpha()):
        raise NotFound(f"no rulebook loaded for state {state_code[:20]!r}")
    row = session.scalar(
        select(RulebookVersion).join(State).where(State.code == state_code.upper())
        .order_by(RulebookVersion.version.desc()).limit(1)
    )
    if row is None:
        raise NotFound(f"no rulebook loaded for state {state_code!r}")
    return row


def engine_rulebook(row: RulebookVersion) -> Rulebook:
    return _engine_rulebook(row.state.code, row.version, json.dumps(row.document, sort_keys=True))


@lru_cache(maxsize=64)
def _engine_rulebook(state: str, version: int, document_json: str) -> Rulebook:
    # Versions never change once stored, so the parsed form is cached by its content.
    document = json.loads(document_json)
    data = rulebook_schema.load(document)
    return Rulebook(
        state=data["state"],
        version=version,
        name=data["name"],
        unit=data["unit"],
        units_per_clock_hour=data["units_per_clock_hour"],
        cite=data["cite"],
        rates=tuple(
            Rate(
                units=r["units"], effective_from=r["effective_from"], effective_to=r["effective_to"],
                issuer=r["issuer"], credential=r["credential"], cite=r["cite"],
            )
            for r in data["exchange_rates"]
        ),
        renewal=tuple(
            RenewalRule(
                license=r["license"], required_units=r["required_units"],
                max_microcredential_units=r["max_microcredential_units"],
                minimums=tuple(Minimum(m["tag"], m["units"]) for m in r["minimums"]),
                cite=r["cite"],
            )
            for r in data["renewal"]
        ),
        pathways=tuple(_role_card(p, data["state"]) for p in data["pathways"]),
        districts=tuple(
            cards.DistrictRules(
                code=d["code"], name=d["name"], salary_credits_per_mc=d["salary_credits_per_mc"],
                lanes=tuple(cards.Lane(lane["name"], lane["min_credits"]) for lane in d["lanes"]),
                pathways=tuple(_role_card(p, d["code"]) for p in d["pathways"]),
            )
            for d in data["districts"]
        ),
        document=document,
    )


def _codes(values) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def _role_card(p: dict, owner: str) -> cards.RoleCard:
    effects = p.get("effects") or {}
    return cards.RoleCard(
        code=p["code"], name=p["name"], designation=p["designation"], owner=owner,
        core=tuple(p["core"]), required_count=p["required_count"], window_years=p["window_years"],
        electives=tuple(
            cards.Group(g["choose"], _codes(g.get("from_")), _codes(g.get("tags")))
            for g in p["electives"]
        ),
        effects=cards.Effects(
            base_salary_pct=effects.get("base_salary_pct") or Decimal(0),
            salary_lane=effects.get("salary_lane"),
        ),
        maintenance=tuple(
            cards.Period(m["years"], m["required_count"], _codes(m.get("from_")), _codes(m.get("tags")))
            for m in p["maintenance"]
        ),
        cite=p["cite"],
    )
