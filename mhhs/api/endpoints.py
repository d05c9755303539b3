"""The API under /api/v1: a token's user, within the token's scopes, through the same forms' checks and the same
services as the pages, so the rules, the permissions, the words and the audit trail are the same."""
import base64
import binascii
import hashlib
from datetime import timezone

from flask import abort, current_app, g, jsonify, request, url_for
from flask_login import current_user
from flask_smorest import Api, Blueprint
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from ..certificates import services as certificates
from ..certificates.forms import CertificateForm
from ..certificates.models import Certificate
from ..certificates.parsing import parse_certificate
from ..core.errors import problem
from ..core.forms import form_values
from ..core.pagination import paginate
from ..core.permissions import Role
from ..core.services import Conflict, Invalid, Refused
from ..core.time import london_to_utc, utc_to_london_naive, utcnow
from ..core.urls import public_url
from ..directory.models import Environment, MarketRole, System
from ..extensions import csrf, db, limiter
from ..outages import services as outages
from ..outages.forms import OutageForm
from ..outages.models import Outage
from ..outages.permissions import can_edit_outage
from ..releases import baseline, queries, services as releases
from ..releases.forms import RfcForm
from ..releases.permissions import can_edit_rfc
from ..releases.models import Approval, Defect, Deployment, ReleaseType, Rfc, RfcStatus
from . import schemas
from .models import IdempotencyKey
from .permissions import api_access
from .services import token_for

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Release Desk for delivery pipelines.")
CENTRAL_PARTY, KEEPERS = (Role.CENTRAL_PARTY,), (Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT)
# The forms' and services' field names as the API names them.
FIELDS = {"system_id": "system", "environment_ids": "environments", "environment_id": "environment",
          "system_ids": "systems", "market_role_id": "market_role", "certificate_file": "certificate",
          "rfc_number": "rfc", "found_in_id": "found_in"}
NEEDS_ATTENTION = "Some fields need attention; nothing was saved."
LOCAL = "%Y-%m-%dT%H:%M"  # the pages' forms take London wall-clock times to the minute


def _rate_key():
    """Requests are counted per token (per secret sent, so a guessing client is limited too)."""
    return hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(bp)


@bp.before_request
def authenticate():
    """The bearer token, never the session cookie: the request acts as the token's user."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = token_for(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        abort(401, "Send a valid API token as Authorization: Bearer rd_…. Tokens are made on the API tokens page; "
                   "an expired or revoked token, or one of a deactivated user, no longer works.")
    g._login_user, g.api_token = token.user, token  # flask-login's current user for this request only
    g.audit_via = f"the API (token “{token.name}”)"
    if request.method in ("POST", "PATCH") and request.get_data(cache=True) and not request.is_json:
        abort(415, "Send JSON with Content-Type: application/json.")


def _problems(problems):
    return [{"field": FIELDS.get(name, name) or "", "detail": message} for name, message in problems.items()]


def _refused(error):
    """A service's refusal: by field (422), or a state that has moved on (409)."""
    db.session.rollback()
    if isinstance(error, Conflict) or not (isinstance(error, Invalid) or error.field):
        return problem(409, str(error))
    return problem(422, NEEDS_ATTENTION, _problems(error.problems))


bp.register_error_handler(Refused, _refused)


def _invalid(problems):
    abort(problem(422, NEEDS_ATTENTION, problems))


def _form_errors(form):
    """A page's form's messages, one entry per field (rows of a list as defects[0].summary)."""
    found = []
    for name, errors in form.errors.items():
        if errors and isinstance(errors[0], dict):
            for i, row in enumerate(errors):
                found += [{"field": f"{FIELDS.get(name, name)}[{i}].{FIELDS.get(sub, sub)}", "detail": " ".join(m)}
                          for sub, m in (row or {}).items()]
        else:
            found.append({"field": FIELDS.get(name, name), "detail": " ".join(errors)})
    return found


def _checked(form):
    if not form.validate():
        _invalid(_form_errors(form))
    return form


def _utc(moment):
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment and moment.tzinfo else moment


def _local(moment):
    """An API time (aware) or a stored one (naive UTC) as the forms take it: London wall-clock, to the minute.
    A time no calendar arithmetic reaches (year 1, year 9999) is passed on as text the form refuses by its field."""
    try:
        return utc_to_london_naive(_utc(moment)).strftime(LOCAL) if moment else ""
    except OverflowError:
        return "out of range"


def _iso(moment):
    return moment.replace(tzinfo=timezone.utc) if moment else None


def _page_link(endpoint, **values):
    return public_url(endpoint, **values)


class Names:
    """Names in the API, ids in the forms: unknown names are collected as problems by the field they came in."""

    def __init__(self):
        self.problems = []
        self._environments = None

    def environment(self, name, field):
        if self._environments is None:
            self._environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
        found = next((e for e in self._environments if e.name.lower() == (name or "").strip().lower()), None)
        if found is None:
            self.problems.append({"field": field, "detail": f"There is no environment “{name}”: choose one of "
                                                            f"{', '.join(e.name for e in self._environments)}."})
        return found

    def system(self, name, field, own=False):
        query = select(System).where(func.lower(System.name) == (name or "").strip().lower())
        found = db.session.scalar(query.where(System.organisation_id == current_user.organisation_id) if own
                                  else query)
        if found is None:
            self.problems.append({"field": field, "detail": "Choose one of your organisation's systems." if own
                                  else f"There is no system “{name}”."})
        return found

    def check(self):
        if self.problems:
            _invalid(self.problems)


def _filtered_by(filters):
    """The system and the environment a list is filtered by (None when not given); an unknown name is a 422."""
    names = Names()
    system = names.system(filters["system"], "system") if filters.get("system") else None
    environment = names.environment(filters["environment"], "environment") if filters.get("environment") else None
    names.check()
    return system, environment


def _next_link(page, endpoint):
    """The next page's URL (the list's filters and the cursor after its last row), or None on the last page."""
    return _page_link(endpoint, **page.base_args, **page.next_args) if page.has_next else None


# RFCs ---------------------------------------------------------------------------------------

RFC_TEXT = ["version", "title", "reason", "promotion_reason", "implementation_plan", "rollback_plan",
            "stakeholders_impacted", "known_issues", "installation_instructions", "build_reference", "build_sha256"]


def _rfc_content(rfc):
    """The writable content of an RFC as the API shapes it (times naive UTC)."""
    return {"system": rfc.system.name if rfc.system else None,
            "release_type": rfc.release_type.value if rfc.release_type else None,
            **{name: getattr(rfc, name) or "" for name in RFC_TEXT},
            "environments": [e.name for e in rfc.environments],
            "window_start": rfc.window_start, "window_end": rfc.window_end,
            "expected_downtime": rfc.expected_downtime,
            "defects": [{"defect_id": d.defect_id, "severity": d.severity, "summary": d.summary,
                         "found_in": d.found_in.name if d.found_in else None} for d in rfc.defects],
            "change_requests": [{"cr_id": c.cr_id, "title": c.title, "summary": c.summary}
                                for c in rfc.change_requests]}


def rfc_out(rfc):
    content = _rfc_content(rfc)
    for name in ("window_start", "window_end"):
        content[name] = _iso(content[name])
    for defect, row in zip(rfc.defects, content["defects"]):
        row["ready_for_retest"] = defect.ready_for_retest
    return {"id": rfc.id, "number": rfc.number, "status": rfc.status.value, "revision": rfc.revision,
            "organisation": rfc.organisation.name, **content,
            "submitted_at": _iso(rfc.submitted_at), "approved_at": _iso(rfc.approved_at),
            "waiting_for": sorted(p.phase.value for p in rfc.pending),
            "approvals": [{"phase": a.phase.value, "revision": a.revision, "decision": a.decision.value,
                           "by": a.by.name, "at": _iso(a.at), "comment": a.comment} for a in rfc.approvals],
            "deployments": [{"environment": d.environment.name, "outcome": d.outcome.value,
                             "actual_start": _iso(d.actual_start), "actual_end": _iso(d.actual_end),
                             "version": d.version, "issues": d.issues, "resolutions": d.resolutions}
                            for d in rfc.deployments],
            "updated_at": _iso(rfc.updated_at), "page": _page_link("releases.detail", rfc_id=rfc.id)}


def _rfc_form(data, current=None):
    """The pages' RFC form filled from the API's content (on top of the draft's current content)."""
    content = {**(current or {}), **data}
    names, formdata = Names(), MultiDict()
    if content.get("system"):
        system = names.system(content["system"], "system", own=True)
        formdata.add("system_id", system.id if system else "")
    for name in ["release_type"] + RFC_TEXT:
        if content.get(name) is not None:
            formdata.add(name, content[name])
    for name in ("window_start", "window_end"):
        formdata.add(name, _local(content.get(name)))
    if content.get("expected_downtime") is not None:
        formdata.add("expected_downtime", content["expected_downtime"])
    for i, name in enumerate(content.get("environments") or []):
        environment = names.environment(name, f"environments[{i}]")
        formdata.add("environment_ids", environment.id if environment else "")
    for i, defect in enumerate(content.get("defects") or []):
        found_in = names.environment(defect["found_in"], f"defects[{i}].found_in") if defect.get("found_in") else None
        for key, value in (("defect_id", defect["defect_id"]), ("severity", defect.get("severity") or ""),
                           ("summary", defect.get("summary") or ""), ("found_in_id", found_in.id if found_in else "")):
            formdata.add(f"defects-{i}-{key}", value)
    for i, row in enumerate(content.get("change_requests") or []):
        for key in ("cr_id", "title", "summary"):
            formdata.add(f"change_requests-{i}-{key}", row.get(key) or "")
    names.check()
    form = _checked(RfcForm(current_user, formdata=formdata, meta={"csrf": False}))
    values = form.content()
    values["window_start"] = london_to_utc(values["window_start"])
    values["window_end"] = london_to_utc(values["window_end"])
    return values


def _rfc_or_404(rfc_id):
    rfc = releases.get_visible(current_user, rfc_id)
    if rfc is None:
        abort(404, f"There is no RFC-{rfc_id:06d} you can see.")
    return rfc


@bp.route("/rfcs", methods=["GET"])
@api_access("read")
@bp.arguments(schemas.RfcFilters, location="query")
@bp.response(200, schemas.RfcPage)
def rfcs(filters):
    """RFCs you may see, newest first, 25 a page (follow next)."""
    system, environment = _filtered_by(filters)
    query = queries.rfc_list_query(current_user, status=RfcStatus(filters["status"]) if "status" in filters else None,
                                   system_id=system and system.id, environment_id=environment and environment.id)
    if "updated_since" in filters:
        query = query.where(Rfc.updated_at >= _utc(filters["updated_since"]))
    query = query.options(selectinload(Rfc.defects).joinedload(Defect.found_in), selectinload(Rfc.change_requests),
                          selectinload(Rfc.approvals).joinedload(Approval.by), selectinload(Rfc.pending),
                          selectinload(Rfc.deployments).joinedload(Deployment.environment))
    page = paginate(query, [Rfc.id], descending=True)
    return {"items": [rfc_out(r) for r in page.items],
            "next": _next_link(page, "api.rfcs")}


@bp.route("/rfcs", methods=["POST"])
@api_access("rfcs", *CENTRAL_PARTY)
@bp.arguments(schemas.RfcIn)
@bp.response(201, schemas.RfcOut)
@bp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string", "maxLength": 200},
                     "description": "A retried create with the same key returns the first RFC, not a second one."}])
def create_rfc(data):
    """Raise an RFC as a draft, with its release note."""
    key = request.headers.get("Idempotency-Key", "").strip()
    fingerprint = hashlib.sha256(request.get_data()).hexdigest()
    if len(key) > 200:
        _invalid([{"field": "Idempotency-Key", "detail": "An Idempotency-Key has at most 200 characters."}])
    if key:
        replay = _replay(key, fingerprint)
        if replay is not None:
            return replay
    rfc = Rfc(revision=0, status=RfcStatus.DRAFT)
    values = _rfc_form(data)
    if key:
        db.session.add(IdempotencyKey(user_id=current_user.id, key=key, fingerprint=fingerprint, rfc=rfc))
    try:
        releases.save_draft(current_user, rfc, values)
    except IntegrityError:  # the same key, sent twice at once: the other request created the RFC
        db.session.rollback()
        return _replay(key, fingerprint) if key else abort(409)
    return rfc_out(rfc), 201, {"Location": url_for("api.rfc", rfc_id=rfc.id)}


def _replay(key, fingerprint):
    earlier = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id,
                                                             IdempotencyKey.key == key))
    if earlier is None:
        return None
    if earlier.fingerprint != fingerprint:
        abort(problem(422, "This Idempotency-Key was used for a different request; use a new key for a new RFC.",
                      [{"field": "Idempotency-Key", "detail": "Used before for a different request."}]))
    return rfc_out(earlier.rfc), 201, {"Location": url_for("api.rfc", rfc_id=earlier.rfc_id),
                                       "Idempotent-Replayed": "true"}


@bp.route("/rfcs/<int:rfc_id>", methods=["GET"])
@api_access("read")
@bp.response(200, schemas.RfcOut)
@bp.alt_response(304, description="Not modified since the ETag sent in If-None-Match.")
def rfc(rfc_id):
    """One RFC with its status and each phase's decision: poll it (with If-None-Match) until it is approved."""
    response = jsonify(schemas.RfcOut().dump(rfc_out(_rfc_or_404(rfc_id))))
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/rfcs/<int:rfc_id>", methods=["PATCH"])
@api_access("rfcs", *CENTRAL_PARTY)
@bp.arguments(schemas.RfcIn)
@bp.response(200, schemas.RfcOut)
def update_rfc(data, rfc_id):
    """Change a draft (or an RFC sent back with changes requested): the fields sent replace those stored."""
    rfc = _rfc_or_404(rfc_id)
    # A frozen RFC is refused by the service, in its words, before it reads any content.
    releases.save_draft(current_user, rfc, _rfc_form(data, _rfc_content(rfc)) if can_edit_rfc(current_user, rfc)
                        else {})
    return rfc_out(rfc)


@bp.route("/rfcs/<int:rfc_id>/submit", methods=["POST"])
@api_access("rfcs", *CENTRAL_PARTY)
@bp.response(200, schemas.RfcOut)
def submit_rfc(rfc_id):
    """Submit for approval: every submission rule applies (notice, version, release note, freezes)."""
    rfc = _rfc_or_404(rfc_id)
    releases.submit(current_user, rfc)
    return rfc_out(rfc)


@bp.route("/rfcs/<int:rfc_id>/withdraw", methods=["POST"])
@api_access("rfcs", *CENTRAL_PARTY)
@bp.response(200, schemas.RfcOut)
def withdraw_rfc(rfc_id):
    """Withdraw an RFC that is not yet deployed."""
    rfc = _rfc_or_404(rfc_id)
    releases.withdraw(current_user, rfc)
    return rfc_out(rfc)


@bp.route("/versions/next", methods=["GET"])
@api_access("read", *CENTRAL_PARTY)
@bp.arguments(schemas.VersionQuery, location="query")
@bp.response(200, schemas.VersionOut)
def next_version(query):
    """The version the rules propose for one of your systems and a release type."""
    names = Names()
    system = names.system(query["system"], "system", own=True)
    names.check()
    hint = releases.version_context(current_user, system.id, ReleaseType(query["release_type"]), None)
    return {"system": system.name, "release_type": query["release_type"], "last": hint.get("last"),
            "proposal": hint.get("proposal")}


# Deployments and the baseline -------------------------------------------------------------------

@bp.route("/rfcs/<int:rfc_id>/deployments", methods=["POST"])
@api_access("deployments", Role.CENTRAL_PARTY, Role.RELEASE_MANAGER)
@bp.arguments(schemas.DeploymentIn)
@bp.response(201, schemas.RfcOut)
def record_deployment(data, rfc_id):
    """The outcome in one target environment, as "Record deployment" does: success sets the baseline."""
    rfc = _rfc_or_404(rfc_id)
    names = Names()
    environment = names.environment(data["environment"], "environment")
    names.check()
    releases.record_deployment(current_user, rfc, environment.id, schemas.OUTCOMES[data["outcome"]],
                               _utc(data["actual_start"]), _utc(data["actual_end"]), data["version"], data["issues"],
                               data["resolutions"])
    return rfc_out(rfc)


@bp.route("/baseline", methods=["GET"])
@api_access("read")
@bp.arguments(schemas.BaselineFilters, location="query")
@bp.response(200, schemas.CellOut(many=True))
def baseline_cells(filters):
    """The version of every system in every environment."""
    system, environment = _filtered_by(filters)
    cells = baseline.current_cells([system.id] if system else None).values()
    systems = {s.id: s.name for s in db.session.scalars(select(System))}
    environments = {e.id: e for e in db.session.scalars(select(Environment))}
    return [{"system": systems[c.system_id], "environment": environments[c.environment_id].name,
             "version": c.version, "since": _iso(c.deployed_at), "rfc": f"RFC-{c.rfc_id:06d}" if c.rfc_id else None}
            for c in sorted(cells, key=lambda c: (systems[c.system_id], environments[c.environment_id].position))
            if environment is None or c.environment_id == environment.id]


# Outages ------------------------------------------------------------------------------------------

def outage_out(outage):
    return {"id": outage.id, "environment": outage.environment.name, "systems": [s.name for s in outage.systems],
            "organisation": outage.organisation.name, "planned": outage.planned, "category": outage.category.value,
            "start": _iso(outage.start), "end": _iso(outage.end), "description": outage.description,
            "impact": outage.impact, "defect_reference": outage.defect_reference, "root_cause": outage.root_cause,
            "rfc": f"RFC-{outage.rfc_id:06d}" if outage.rfc_id else None,
            "page": _page_link("outages.detail", outage_id=outage.id)}


@bp.route("/outages", methods=["GET"])
@api_access("read")
@bp.arguments(schemas.OutageFilters, location="query")
@bp.response(200, schemas.OutagePage)
def outage_list(filters):
    """The outage log, newest first, 25 a page (follow next)."""
    system, environment = _filtered_by(filters)
    page = paginate(outages.log_query(environment_id=environment and environment.id, system_id=system and system.id,
                                      planned=filters.get("planned")), [Outage.start, Outage.id], descending=True)
    return {"items": [outage_out(o) for o in page.items],
            "next": _next_link(page, "api.outage_list")}


@bp.route("/outages", methods=["POST"])
@api_access("outages")
@bp.arguments(schemas.OutageIn)
@bp.response(201, schemas.OutageOut)
def log_outage(data):
    """Log an outage, as "Log outage" does (a Test Participant reports unplanned ones)."""
    names = Names()
    environment = names.environment(data["environment"], "environment")
    systems = [names.system(name, f"systems[{i}]") for i, name in enumerate(data["systems"])]
    names.check()
    formdata = MultiDict([("environment_id", environment.id), ("category", data["category"]),
                          ("start", _local(data["start"])), ("end", _local(data["end"])),
                          ("description", data["description"]), ("impact", data["impact"]),
                          ("defect_reference", data["defect_reference"]), ("root_cause", data["root_cause"]),
                          ("rfc_number", data["rfc"])] + [("system_ids", s.id) for s in systems]
                         + ([("planned", "y")] if data["planned"] else []))
    form = _checked(OutageForm(formdata=formdata, meta={"csrf": False}))
    outage = Outage()
    outages.save(current_user, outage, form.values(), form.chosen_systems)
    return outage_out(outage), 201


@bp.route("/outages/<int:outage_id>/end", methods=["POST"])
@api_access("outages")
@bp.response(200, schemas.OutageOut)
def end_outage(outage_id):
    """End an ongoing outage now."""
    outage = db.session.get(Outage, outage_id)
    if outage is None or not can_edit_outage(current_user, outage):
        abort(404, "There is no such outage you may change.")
    outages.end_now(current_user, outage)
    return outage_out(outage)


# Certificates -------------------------------------------------------------------------------------

def certificate_out(certificate, status):
    return {"id": certificate.id, "organisation": certificate.organisation.name,
            "environment": certificate.environment.name, "kind": certificate.kind.value, "mpid": certificate.mpid,
            "subject": certificate.subject, "issuer": certificate.issuer, "serial": certificate.serial,
            "valid_from": _iso(certificate.valid_from), "valid_to": _iso(certificate.valid_to),
            "fingerprint": certificate.fingerprint, "status": status,
            "page": _page_link("certificates.detail", certificate_id=certificate.id)}


@bp.route("/certificates", methods=["GET"])
@api_access("read")
@bp.arguments(schemas.CertificateFilters, location="query")
@bp.response(200, schemas.CertificatePage)
def certificate_list(filters):
    """Certificates you may see with their expiry status, soonest expiry first, 25 a page (follow next)."""
    _, environment = _filtered_by(filters)
    page = paginate(certificates.dashboard_query(current_user, utcnow(), environment_id=environment and environment.id,
                                                 kind=filters.get("kind")),
                    [Certificate.valid_to, Certificate.id], key_of=lambda row: (row[0].valid_to, row[0].id))
    return {"items": [certificate_out(c, status) for c, status in page.items],
            "next": _next_link(page, "api.certificate_list")}


def _certificate_bytes(text):
    if "-----BEGIN" in text:
        return text.encode()
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        _invalid([{"field": "certificate", "detail": "Send the certificate as PEM text, or a DER file in base64."}])


@bp.route("/certificates", methods=["POST"])
@api_access("certificates", *KEEPERS)
@bp.arguments(schemas.CertificateIn)
@bp.response(201, schemas.CertificateOut)
def upload_certificate(data):
    """Upload a certificate (PEM or DER): its fields are read from it; a private key is refused."""
    names = Names()
    environment = names.environment(data["environment"], "environment")
    role = db.session.scalar(select(MarketRole).where(MarketRole.code == data["market_role"])) \
        if data["market_role"] else None
    if data["market_role"] and role is None:
        names.problems.append({"field": "market_role",
                               "detail": f"There is no market role “{data['market_role']}”."})
    names.check()
    form = _checked(CertificateForm(current_user.organisation, formdata=MultiDict([
        ("environment_id", environment.id), ("kind", data["kind"]), ("mpid", data["mpid"]),
        ("market_role_id", role.id if role else ""), ("technical_contact", data["technical_contact"])]),
        meta={"csrf": False}))
    parsed = parse_certificate(_certificate_bytes(data["certificate"]))
    values = form_values(form, certificates.CERTIFICATE_FIELDS)
    certificate = certificates.save_certificate(current_user, parsed, values)
    return certificate_out(certificate, certificates.status_of(certificate, utcnow()).value), 201


class JsonApi(Api):
    """flask-smorest for the OpenAPI description; errors are the app's own handlers' (problem details under /api/)."""

    ERROR_SCHEMA = schemas.Problem

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        # The error responses it describes are problem details, as core/errors.py sends them.
        self.DEFAULT_RESPONSE_CONTENT_TYPE = "application/problem+json"
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE  # the class's application/json again, for the answers


def init_api(app):
    api = JsonApi(app, spec_kwargs={"security": [{"bearer": []}], "info": {"description": (
        "Raise and submit RFCs, record deployments, upload certificates, log outages and read the baseline from a "
        "delivery pipeline. Send a personal token made on the API tokens page as Authorization: Bearer rd_…; "
        "errors are RFC 9457 problem details.")}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    app.extensions["openapi_spec"] = api.spec  # what /api/v1/openapi.json and the reference page show
    csrf.exempt(bp)  # a bearer token, never a cookie: nothing another site could forge
    api.register_blueprint(bp)
