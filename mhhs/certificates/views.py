"""Certificate pages: expiry dashboard, upload and renewal, detail, CSV export, PKI officers."""
import base64

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from ..audit.services import history
from ..core.errors import error_response
from ..core.forms import database_id, form_values, show_problems
from ..core.htmx import done, render
from ..core.pagination import paginate_sorted, query_key, sort_of
from ..core.permissions import is_manager, login_required, role_required
from ..core.services import Refused, get_visible_or_404
from ..core.time import format_london, utcnow
from ..directory import choices
from ..directory.models import Organisation
from ..exports import download as downloads
from ..exports.csv import csv_download
from ..extensions import db
from . import services
from .forms import CertificateForm, OfficerForm
from .models import Certificate, Kind, PkiOfficer, Status
from .permissions import can_keep_certificates, can_manage_certificates, visible_certificates

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
keepers = role_required(can_keep_certificates)


def _filters():
    args = request.args
    return {
        "organisation_id": args.get("organisation", type=database_id) if is_manager(current_user) else None,
        "environment_id": args.get("environment", type=database_id),
        "kind": args.get("kind") if args.get("kind") in {k.value for k in Kind} else None,
        "status": args.get("status") if args.get("status") in {s.value for s in Status} else None,
    }


@bp.route("")
@login_required
def index():
    now = utcnow()
    filters = _filters()
    # The page's rows and pager, kept per process per reader and query string (services.kept_listing).
    rows = services.kept_listing(_rows, current_user, now, key=(query_key(),))
    # The organisation filter, a Release Manager's only: its options rendered once per process (directory.choices).
    organisation_options = choices.organisation_options(filters["organisation_id"]) \
        if is_manager(current_user) else None
    gaps, contact_gaps = services.gaps(current_user, now)  # kept per process per reader, as the counts
    partial = "_rows_copy.html" if request.htmx and request.htmx.target == "certificate-rows" \
        else "certificates/index.html"
    return render("certificates/index.html", partial, rows=rows, sort=sort_of(services.DASHBOARD_SORTS, "expires"),
                  filters=filters, Status=Status, Kind=Kind, counts=services.counts(current_user, now), gaps=gaps,
                  organisation_options=organisation_options, contact_gaps=contact_gaps,
                  environments=choices.environments())


def _rows(reader, now, _asked):
    """The dashboard's rows and pager, rendered, as the reader sees them at `now`."""
    filters, sort = _filters(), sort_of(services.DASHBOARD_SORTS, "expires")
    page = paginate_sorted(services.dashboard_rows(reader, now, **filters), sort,
                           total=services.dashboard_count(reader, now, filters))
    page.items = services.dashboard_lines(page.items)
    return Markup(render_template("certificates/_rows.html", page=page, sort=sort, Status=Status))


@bp.route("/export.csv")
@login_required
def export():
    filters = _filters()

    def rows():
        for certificate, status in db.session.execute(services.dashboard_query(current_user, utcnow(), **filters)):
            yield [certificate.organisation.name, certificate.environment.name, certificate.kind.value,
                   certificate.mpid, certificate.market_role.code if certificate.market_role else "",
                   certificate.subject, certificate.issuer, certificate.serial,
                   f"{certificate.valid_from:%Y-%m-%d %H:%M}", f"{certificate.valid_to:%Y-%m-%d %H:%M}", status,
                   certificate.fingerprint, certificate.technical_contact]

    return csv_download(["Organisation", "Environment", "Kind", "MPID", "Market role", "Subject", "Issuer", "Serial",
                         "Valid from (UTC)", "Valid to (UTC)", "Status", "SHA-256 fingerprint", "Technical contact"],
                        rows(), "certificates.csv")


def _upload_page(form, parsed=None, renewing=None, status=200):
    # EAP §10.3.1: the confirm step warns of a missing Technical Contact for the environment (it does not refuse).
    warning = services.contact_warning(current_user.organisation, form.environment_id.data, form.kind.data) \
        if parsed and form.environment_id.data and form.kind.data and not form.errors else None
    return render("certificates/upload.html", "certificates/_upload_form.html", status=status, form=form,
                  parsed=parsed, renewing=renewing, contact_warning=warning)


@bp.route("/upload", methods=["GET", "POST"])
@keepers
def upload():
    form = CertificateForm(current_user.organisation)
    renewing = _renewing(form)
    if request.method == "GET":
        return _upload_page(form, renewing=renewing)

    parsed = None
    form_ok = form.validate_on_submit()
    try:
        parsed = _parse_submitted(form)
        form.certificate_data.data = base64.b64encode(parsed.der).decode()
        services.check_new(current_user, parsed, renewing and renewing.id, form.environment_id.data, form.kind.data)
    except Refused as refused:
        show_problems(form, refused, "certificate_file")
        if refused.field in (None, "certificate_file"):
            form.certificate_data.data = ""
            parsed = None
        form_ok = False
    if form_ok and request.form.get("confirm") == "yes":
        values = form_values(form, services.CERTIFICATE_FIELDS)
        certificate = services.save_certificate(current_user, parsed, values, renewing and renewing.id)
        return done("Certificate saved.", url_for("certificates.detail", certificate_id=certificate.id))
    return _upload_page(form, parsed=parsed, renewing=renewing)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    # The body was refused unread (MAX_CONTENT_LENGTH), so only the message can be shown, next to the file field.
    if request.endpoint != "certificates.upload" or not current_user.is_authenticated:
        return error_response(413)
    form = CertificateForm(current_user.organisation, formdata=None)
    limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
    form.certificate_file.errors = [f"The file is too large for a certificate (over {limit} KB). "
                                    "Choose the certificate file itself, PEM or DER."]
    return _upload_page(form)


def _renewing(form):
    renews = request.values.get("renews", type=database_id)
    if not renews:
        return None
    old = services.get_visible_certificate(current_user, renews)
    if old is None or not can_manage_certificates(current_user, old.organisation_id):
        abort(404)
    form.renews.data = str(old.id)
    if request.method == "GET":
        form.environment_id.data, form.kind.data = old.environment_id, old.kind.value
        form.mpid.data, form.market_role_id.data = old.mpid, old.market_role_id
        form.technical_contact.data = old.technical_contact
    return old


def _parse_submitted(form):
    from .parsing import CertificateRefused, parse_certificate  # cryptography (7 MB) in a worker once it reads a file
    upload = form.certificate_file.data
    if upload and upload.filename:
        return parse_certificate(upload.read())
    if form.certificate_data.data:
        try:
            der = base64.b64decode(form.certificate_data.data, validate=True)
        except ValueError:  # not base64 (binascii.Error) or not even ASCII
            raise CertificateRefused("Choose the certificate file again.") from None
        return parse_certificate(der)
    raise CertificateRefused("Choose the certificate file (PEM or DER).")


def _certificate_or_404(certificate_id):
    return get_visible_or_404(services.visible_certificate(current_user, certificate_id))


@bp.route("/<int:certificate_id>")
@login_required
def detail(certificate_id):
    certificate = _certificate_or_404(certificate_id)
    return render("certificates/detail.html", "certificates/detail.html", certificate=certificate,
                  certificate_status=services.status_of(certificate, utcnow()), history=history(certificate))


@bp.route("/<int:certificate_id>/delete", methods=["POST"])
@keepers
def delete(certificate_id):
    certificate = _certificate_or_404(certificate_id)
    if not can_manage_certificates(current_user, certificate.organisation_id):
        abort(404)
    services.delete_certificate(current_user, certificate)
    return done("Certificate deleted.", url_for("certificates.index"))


@bp.route("/<int:certificate_id>/download")
@login_required
def download(certificate_id):
    certificate = _certificate_or_404(certificate_id)
    return downloads.download(certificate.der, f"certificate-{certificate.id}.der", "application/pkix-cert")


# PKI officers --------------------------------------------------------------------------------

def _officer_organisation():
    if is_manager(current_user):
        organisation = db.session.get(Organisation, request.args.get("organisation", type=database_id) or 0)
        if organisation is None:
            organisation = db.session.scalar(select(Organisation).where(Organisation.kind != "programme")
                                             .order_by(Organisation.name))
        return organisation
    return current_user.organisation


def _officers_page(organisation, form):
    officers = db.session.scalars(select(PkiOfficer).where(PkiOfficer.organisation_id == organisation.id)
                                  .order_by(PkiOfficer.scheme, PkiOfficer.role, PkiOfficer.name)).all()
    certificates = db.session.scalars(visible_certificates(select(Certificate), current_user).where(
        Certificate.organisation_id == organisation.id)).all()
    organisations = db.session.scalars(select(Organisation).where(Organisation.kind != "programme")
                                       .order_by(Organisation.name)).all() if is_manager(current_user) else []
    return render_template("certificates/officers.html", organisation=organisation, officers=officers, form=form,
                           organisations=organisations,
                           gaps=services.officer_gaps(organisation, officers, certificates))


@bp.route("/officers", methods=["GET", "POST"])
@login_required
def officers():
    organisation = _officer_organisation()
    form = OfficerForm(organisation)
    if request.method == "POST":
        if not can_manage_certificates(current_user, organisation.id):
            abort(403)
        if form.validate_on_submit():
            try:
                services.add_officer(current_user, organisation, form_values(form, services.OFFICER_FIELDS))
            except Refused as refused:
                show_problems(form, refused)
            else:
                flash("PKI officer appointed.", "success")
                return redirect(url_for("certificates.officers"), 303)
    return _officers_page(organisation, form)


@bp.route("/officers/<int:officer_id>/remove", methods=["POST"])
@keepers
def remove_officer(officer_id):
    officer = db.session.get(PkiOfficer, officer_id)
    if officer is None or not can_manage_certificates(current_user, officer.organisation_id):
        abort(404)
    services.remove_officer(current_user, officer)
    flash("PKI officer removed.", "success")
    return redirect(url_for("certificates.officers"), 303)


def cert_date(value):
    return format_london(value, "%d %b %Y")
