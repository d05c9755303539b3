"""Certificates: the dashboard's list with each one's status, and an upload (PEM or DER) read and checked by the
same rule functions and service as the upload page; a private key is refused."""
import base64
import binascii

from flask import jsonify
from flask_login import current_user

from ..certificates import services
from ..certificates.models import Certificate
from ..certificates.permissions import can_keep_certificates
from ..certificates.rules import certificate_problems, normal_mpid
from ..core.pagination import paginate, query_key
from ..core.time import utcnow
from . import plain, schemas
from .authentication import api_access
from .blueprint import bp, next_link
from .errors import check, invalid
from .names import Names, filtered_by


@bp.route("/certificates", methods=["GET"])
@api_access("read")
@bp.arguments(schemas.CertificateFilters(), location="query")
@bp.response(200, schemas.CertificatePage)
def certificate_list(filters):
    """Certificates you may see with their expiry status, soonest expiry first, 25 a page (follow next)."""
    _, environment = filtered_by(filters)
    return jsonify(services.kept_listing(_certificate_page, current_user, utcnow(),
                                         key=(query_key(), environment and environment.id, filters.get("kind"))))


def _certificate_page(reader, now, _query, environment_id, kind):
    """A page of the list as JSON values, as the reader sees it at `now` (kept per reader: services.kept_listing)."""
    page = paginate(services.dashboard_query(reader, now, environment_id=environment_id, kind=kind),
                    [Certificate.valid_to, Certificate.id], key_of=lambda row: (row[0].valid_to, row[0].id))
    return {"items": [plain.dump(schemas.Certificate, row) for row in page.items],
            "next": next_link(page, "api.certificate_list")}


def _certificate_bytes(text):
    if "-----BEGIN" in text:
        return text.encode()
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        invalid([{"field": "certificate", "detail": "Send the certificate as PEM text, or a DER file in base64."}])


@bp.route("/certificates", methods=["POST"])
@api_access("certificates", can_keep_certificates)
@bp.arguments(schemas.CertificateIn())
@bp.response(201, schemas.Certificate)
def upload_certificate(data):
    """Upload a certificate (PEM or DER): its fields are read from it; a private key is refused."""
    from ..certificates.parsing import parse_certificate  # cryptography (7 MB) in a worker once it reads a file
    names = Names()
    environment = names.environment(data["environment"], "environment")
    role = names.market_role(data["market_role"], "market_role") if data["market_role"] else None
    names.check()
    values = {"environment_id": environment.id, "kind": data["kind"], "mpid": normal_mpid(data["mpid"]),
              "market_role_id": role.id if role else None, "technical_contact": data["technical_contact"].strip()}
    check(certificate_problems(values, current_user.organisation))
    certificate = services.save_certificate(current_user, parse_certificate(_certificate_bytes(data["certificate"])),
                                            values)
    return (certificate, services.status_of(certificate, utcnow())), 201
