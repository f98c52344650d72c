"""The demo's catalog and rulebooks (the YAML files beside this module), loaded unless the
database already has them unchanged."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from ..catalog.service import load_catalog
from ..fields import jsonable
from ..models import Credential, Issuer, RulebookVersion, State
from ..rulebooks.engine_view import engine_rulebook
from ..rulebooks.files import parse_file
from ..rulebooks.service import load_rulebook, newest_version
from .plans import Catalog

HERE = Path(__file__).resolve().parent
CATALOG_PATH = HERE / "catalog.yaml"
RULEBOOK_DIR = HERE / "rulebooks"


def read_catalog() -> Catalog:
    return Catalog.from_raw(parse_file(CATALOG_PATH))


def load_rules(session, principal, echo) -> tuple[dict, dict[str, dict], dict]:
    """Load the catalog and the rulebooks, each unless unchanged; return the engine
    rulebooks and the rulebook documents by state, and what was loaded (for the audit)."""
    loaded: dict[str, int] = {}
    _load_catalog(session, principal, echo, loaded)
    documents = {}
    for path in sorted(RULEBOOK_DIR.glob("*.yaml")):
        code = _load_rulebook(session, principal, echo, path, loaded)
        documents[code] = newest_version(session, code).document
    engines = {code: engine_rulebook(newest_version(session, code)) for code in documents}
    return engines, documents, loaded


def _load_catalog(session, principal, echo, loaded: dict[str, int]) -> None:
    raw_catalog = parse_file(CATALOG_PATH)
    if _catalog_unchanged(session, raw_catalog):
        echo("catalog: unchanged")
        return
    summary = load_catalog(session, principal, raw_catalog)
    echo(f"loaded catalog: {summary['issuers']} issuers, {summary['credentials_created']} credentials added, "
         f"{summary['credentials_updated']} updated")
    loaded["catalog"] = summary["credentials_created"] + summary["credentials_updated"]


def _catalog_unchanged(session, raw: dict) -> bool:
    issuers = {i.code: i for i in session.scalars(select(Issuer))}
    for i in raw.get("issuers") or []:
        if i["code"] not in issuers or issuers[i["code"]].name != i["name"]:
            return False
    creds = {c.code: c for c in session.scalars(select(Credential))}
    for c in raw.get("credentials") or []:
        row = creds.get(c["code"])
        if (
            row is None
            or row.title != c["title"]
            or row.issuer.code != c["issuer"]
            or sorted(row.tags or []) != sorted(set(c.get("tags") or []))
            or (row.estimated_hours is None) != (c.get("estimated_hours") is None)
            or (row.estimated_hours is not None and Decimal(row.estimated_hours) != Decimal(str(c["estimated_hours"])))
            or row.badge_id != c.get("badge_id")
            or not row.reviewed
        ):
            return False
    return True


def _load_rulebook(session, principal, echo, path: Path, loaded: dict[str, int]) -> str:
    """Load one state's rulebook unless its newest version is the same document (a new
    version would change nothing but the version number); return the state's code."""
    raw = parse_file(path)
    document = jsonable(raw)
    code = str(document.get("state", "")).upper()
    newest = session.scalar(
        select(RulebookVersion).join(State).where(State.code == code)
        .order_by(RulebookVersion.version.desc()).limit(1)
    )
    if newest is not None and jsonable(newest.document) == document:
        echo(f"rulebook {code}: unchanged (version {newest.version})")
    else:
        row = load_rulebook(session, principal, raw)
        loaded[f"rulebook {code}"] = row.version
        echo(f"loaded rulebook {code} version {row.version}")
    return code
