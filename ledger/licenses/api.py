"""GET/POST /educators/{id}/licenses and a license's renewals, extensions and cycles
(CONTRACT.md section 6)."""

from __future__ import annotations

from flask import g

from .. import clock
from ..http.api import ID, blueprint, errors
from ..models import db
from . import service
from .schemas import CYCLE_OUT, LICENSE_OUT, LICENSES_OUT, CycleIn, ExtensionIn, LicenseAddIn, RenewalIn, RenewedOut

bp = blueprint("licenses", "Licenses and their cycles: renewals, extensions, reinstatements")


@bp.get(f"/educators/<{ID}:educator_id>/licenses")
@bp.response(200, LICENSES_OUT)
@errors(401, 404)
def get_licenses(educator_id):
    return service.licenses_of(db.session, g.principal, educator_id, clock.today())


@bp.post(f"/educators/<{ID}:educator_id>/licenses")
@bp.arguments(LicenseAddIn)
@bp.response(201, LICENSE_OUT)
@errors(400, 401, 403, 404, 409, 422)
def post_license(data, educator_id):
    return service.add_license(db.session, g.principal, educator_id, data, clock.today())


@bp.post(f"/licenses/<{ID}:license_id>/renewals")
@bp.arguments(RenewalIn)
@bp.response(201, RenewedOut)
@errors(400, 401, 403, 404, 409, 422)
def post_renewal(data, license_id):
    renewed, nxt = service.renew(db.session, g.principal, license_id, data, clock.today())
    return {"renewed_cycle": renewed, "next_cycle": nxt}


@bp.post(f"/licenses/<{ID}:license_id>/extensions")
@bp.arguments(ExtensionIn)
@bp.response(201, CYCLE_OUT)
@errors(400, 401, 403, 404, 422)
def post_extension(data, license_id):
    return service.extend(db.session, g.principal, license_id, data, clock.today())


@bp.post(f"/licenses/<{ID}:license_id>/cycles")
@bp.arguments(CycleIn)
@bp.response(201, CYCLE_OUT)
@errors(400, 401, 403, 404, 422)
def post_cycle(data, license_id):
    return service.open_cycle(db.session, g.principal, license_id, data, clock.today())
