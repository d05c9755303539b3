"""RFCs: listed, raised (idempotently), changed, submitted, withdrawn and polled; and the next version proposed.
The content goes to the same rule functions and services as the RFC form's, as plain values."""
import hashlib

from flask import abort, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.errors import problem
from ..core.loading import load_collections
from ..core.pagination import paginate
from ..extensions import db
from ..rfcs import queries, rules, services
from ..rfcs.models import Rfc
from ..rfcs.numbers import rfc_number
from ..rfcs.permissions import can_edit_rfc, can_raise_rfc
from ..rfcs.states import ReleaseType, RfcStatus
from . import plain, schemas
from .authentication import api_access
from .blueprint import bp, next_link
from .errors import check, invalid
from .models import IdempotencyKey
from .names import Names, filtered_by

TEXT = ["version", "title", "reason", "promotion_reason", "implementation_plan", "rollback_plan",
        "stakeholders_impacted", "known_issues", "installation_instructions", "build_reference", "build_sha256",
        "dev_test_evidence", "not_carried_reason", "ado_work_item", "resources_required", "timings",
        "communications_required", "runbook_reference"]


def content(data, rfc=None):
    """save_draft()'s content from the API's (names found, times UTC already): the fields sent on top of the
    RFC's stored content; unknown names and the content rules answer 422 before anything is stored."""
    values = services.content_of(rfc) if rfc else {}
    names = Names()
    if "system" in data or rfc is None:
        system = names.system(data["system"], "system", own=True) if data.get("system") else None
        values["system_id"] = system.id if system else None
    for name in ["release_type", "window_start", "window_end", "expected_downtime"] + TEXT:
        if name in data or rfc is None:
            values[name] = data.get(name)
    for name in TEXT:  # a text field left out (or null) is empty text: a draft may be incomplete, never a 409
        if values.get(name) is None and (name in data or rfc is None):
            values[name] = ""
    if "environments" in data or rfc is None:
        found = [names.environment(name, f"environments[{i}]") for i, name in enumerate(data.get("environments", []))]
        values["environment_ids"] = [e.id for e in found if e]
    if "defects" in data or rfc is None:
        values["defects"] = []
        for i, row in enumerate(data.get("defects", [])):
            found_in = names.environment(row["found_in"], f"defects[{i}].found_in") if row.get("found_in") else None
            values["defects"].append({"defect_id": row["defect_id"], "severity": row.get("severity") or "",
                                      "summary": row["summary"], "blocking": row.get("blocking", False),
                                      "found_in_id": found_in.id if found_in else None})
    if "change_requests" in data or rfc is None:
        values["change_requests"] = data.get("change_requests", [])
    names.check()
    check(rules.content_problems(values))
    return values


# What the RFC schema sends of each RFC besides its columns, each with the rows it names.
SENT = {"environments": (), "defects": ("found_in",), "change_requests": (), "approvals": ("by",), "pending": (),
        "deployments": ("environment",)}


def visible_rfc_or_404(rfc_id):
    """The RFC with this id if the token's user may see it; a 404 problem in the API's words otherwise."""
    rfc = services.get_visible(current_user, rfc_id, shown=True)  # each answer sends it whole
    if rfc is None:
        abort(404, f"There is no {rfc_number(rfc_id)} you can see.")
    return rfc


@bp.route("/rfcs", methods=["GET"])
@api_access("read")
@bp.arguments(schemas.RfcFilters(), location="query")
@bp.response(200, schemas.RfcPage)
def rfcs(filters):
    """RFCs you may see, newest first, 25 a page (follow next)."""
    system, environment = filtered_by(filters)
    query = queries.rfc_list_query(current_user, status=RfcStatus(filters["status"]) if "status" in filters else None,
                                   system_id=system and system.id, environment_id=environment and environment.id)
    if "updated_since" in filters:
        query = query.where(Rfc.updated_at >= filters["updated_since"])
    page = paginate(query, [Rfc.id], descending=True)
    load_collections(page.items, Rfc, **SENT)
    return jsonify({"items": [plain.dump(schemas.Rfc, rfc) for rfc in page.items], "next": next_link(page, "api.rfcs")})


@bp.route("/rfcs", methods=["POST"])
@api_access("rfcs", can_raise_rfc)
@bp.arguments(schemas.RfcIn())
@bp.response(201, schemas.Rfc)
@bp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string", "maxLength": 200},
                     "description": "A retried create with the same key returns the first RFC, not a second one."}])
def create_rfc(data):
    """Raise an RFC as a draft, with its release note."""
    key = request.headers.get("Idempotency-Key", "").strip()
    fingerprint = hashlib.sha256(request.get_data()).hexdigest()
    if len(key) > 200:
        invalid([{"field": "Idempotency-Key", "detail": "An Idempotency-Key has at most 200 characters."}])
    if key:
        replay = _replay(key, fingerprint)
        if replay is not None:
            return replay
    rfc = Rfc(revision=0, status=RfcStatus.DRAFT)
    values = content(data)
    if key:
        db.session.add(IdempotencyKey(user_id=current_user.id, key=key, fingerprint=fingerprint, rfc=rfc))
    try:
        services.save_draft(current_user, rfc, values)
    except IntegrityError:  # the same key, sent twice at once: the other request created the RFC
        db.session.rollback()
        return _replay(key, fingerprint) if key else abort(409)
    return rfc, 201, {"Location": url_for("api.rfc", rfc_id=rfc.id)}


def _replay(key, fingerprint):
    earlier = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id,
                                                             IdempotencyKey.key == key))
    if earlier is None:
        return None
    if earlier.fingerprint != fingerprint:
        abort(problem(422, "This Idempotency-Key was used for a different request; use a new key for a new RFC.",
                      [{"field": "Idempotency-Key", "detail": "Used before for a different request."}]))
    return earlier.rfc, 201, {"Location": url_for("api.rfc", rfc_id=earlier.rfc_id), "Idempotent-Replayed": "true"}


@bp.route("/rfcs/<int:rfc_id>", methods=["GET"])
@api_access("read")
@bp.response(200, schemas.Rfc)
@bp.alt_response(304, description="Not modified since the ETag sent in If-None-Match.")
def rfc(rfc_id):
    """One RFC with its status and each phase's decision: poll it (with If-None-Match) until it is approved."""
    rfc = visible_rfc_or_404(rfc_id)
    load_collections([rfc], Rfc, **SENT)
    response = jsonify(plain.dump(schemas.Rfc, rfc))
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/rfcs/<int:rfc_id>", methods=["PATCH"])
@api_access("rfcs", can_raise_rfc)
@bp.arguments(schemas.RfcIn())
@bp.response(200, schemas.Rfc)
def update_rfc(data, rfc_id):
    """Change a draft (or an RFC sent back with changes requested): the fields sent replace those stored."""
    rfc = visible_rfc_or_404(rfc_id)
    # A frozen RFC is refused by the service, in its words, before it reads any content.
    services.save_draft(current_user, rfc, content(data, rfc) if can_edit_rfc(current_user, rfc) else {})
    return rfc


@bp.route("/rfcs/<int:rfc_id>/submit", methods=["POST"])
@api_access("rfcs", can_raise_rfc)
@bp.response(200, schemas.Rfc)
def submit_rfc(rfc_id):
    """Submit for approval: every submission rule applies (notice, version, release note, freezes)."""
    rfc = visible_rfc_or_404(rfc_id)
    services.submit(current_user, rfc)
    return rfc


@bp.route("/rfcs/<int:rfc_id>/withdraw", methods=["POST"])
@api_access("rfcs", can_raise_rfc)
@bp.response(200, schemas.Rfc)
def withdraw_rfc(rfc_id):
    """Withdraw an RFC that is not yet deployed."""
    rfc = visible_rfc_or_404(rfc_id)
    services.withdraw(current_user, rfc)
    return rfc


@bp.route("/versions/next", methods=["GET"])
@api_access("read", can_raise_rfc)
@bp.arguments(schemas.VersionQuery(), location="query")
@bp.response(200, schemas.Version)
def next_version(query):
    """The version the rules propose for one of your systems and a release type."""
    names = Names()
    system = names.system(query["system"], "system", own=True)
    names.check()
    hint = services.version_context(current_user, system.id, ReleaseType(query["release_type"]), None)
    return {"system": system.name, "release_type": query["release_type"], "last": hint.get("last"),
            "proposal": hint.get("proposal")}
