"""An RFC's release note: its PDF, who has read it (acknowledgements and reminders), and the release and closure
communications that send it."""
from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user

from ..core import registry
from ..core.db import reads_first
from ..core.forms import show_problems
from ..core.htmx import done, render
from ..core.permissions import is_manager, login_required, manager_required, role_required
from ..core.services import Invalid
from ..exports.download import download
from ..exports.pdf import render_pdf
from ..extensions import db
from ..mail.services import attachment_hook, counted, messages_about
from ..rfcs.models import Rfc
from ..rfcs.permissions import can_communicate, is_reader_role
from ..rfcs.services import rfc_or_404
from ..rfcs.states import COMMUNICATION_STATUSES
from ..rfcs.views import PAGE_REGIONS
from . import acknowledgements, services
from .forms import CommunicationForm

bp = Blueprint("release_notes", __name__)


def release_note(rfc):
    return render_pdf("pdf/release_note.html", rfc=rfc, programme=current_app.config["PROGRAMME_NAME"])


def attachment(message):
    """A release or closure communication carries its RFC's release note, made at delivery."""
    return release_note(db.session.get(Rfc, message.rfc_id))


def register(app):
    """What this package adds to the RFC page and the outbox (called by create_app)."""
    registry.register(app, PAGE_REGIONS, rfc_page_context)
    for kind in COMMUNICATION_STATUSES:
        registry.register(app, attachment_hook(kind), attachment)


def rfc_page_context(rfc, user):
    """The RFC page's release-note regions: managers see who has read it and the communications sent; a reader
    sees whether they have read it."""
    if is_manager(user):
        return dict(readers=acknowledgements.readers(rfc), communications=messages_about(rfc))
    if acknowledgements.is_reader(user, rfc):
        return dict(my_acknowledgement=acknowledgements.state(user, rfc))
    return {}


@bp.route("/rfcs/<int:rfc_id>/release-note.pdf")
@login_required
def release_note_pdf(rfc_id):
    rfc = rfc_or_404(current_user, rfc_id)
    return download(release_note(rfc), f"{rfc.number}-release-note.pdf")


@bp.route("/rfcs/<int:rfc_id>/acknowledge", methods=["POST"])
@role_required(is_reader_role)
def acknowledge(rfc_id):
    rfc = rfc_or_404(current_user, rfc_id)
    if not acknowledgements.is_reader(current_user, rfc):
        abort(404)  # the note was not sent to this user's organisation
    acknowledgements.acknowledge(current_user, rfc)
    back = url_for("home.index") if request.form.get("from") == "home" else url_for("rfcs.detail", rfc_id=rfc.id)
    return done(f"Release note of {rfc.number} marked read.", back)


@bp.route("/rfcs/<int:rfc_id>/acknowledgements/remind", methods=["POST"])
@manager_required
def remind_readers(rfc_id):
    rfc = rfc_or_404(current_user, rfc_id)
    messages = acknowledgements.remind(current_user, rfc)
    people = sum(m.recipient_count for m in messages)
    return done(f"Reminder queued for {people} {'person' if people == 1 else 'people'}." if messages else
                "Everyone sent the release note has read it as it stands: no reminder needed.",
                url_for("rfcs.detail", rfc_id=rfc.id))


@bp.route("/rfcs/<int:rfc_id>/communicate/<any(release, closure):kind>", methods=["GET", "POST"])
@reads_first
@manager_required
def communicate(rfc_id, kind):
    rfc = rfc_or_404(current_user, rfc_id)
    if not can_communicate(current_user, rfc, kind):
        return done(services.nothing_to_communicate(rfc, kind), url_for("rfcs.detail", rfc_id=rfc.id), "error")
    form = CommunicationForm()
    if request.method == "GET":
        form.organisation_ids.data = [o.id for o in form.organisations]  # everyone by default
        form.subject.data, form.body.data = services.communication_text(rfc, kind)
    elif form.validate():
        chosen = [o for o in form.organisations if o.id in form.organisation_ids.data]
        try:
            # The release note is rendered when the message is delivered, not while the manager waits.
            messages, skipped = services.communicate(current_user, rfc, kind, chosen, form.subject.data.strip(),
                                                     form.body.data, (f"{rfc.number}-release-note.pdf", None),
                                                     [g for g in form.lists if g.id in form.list_ids.data])
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            return done(f"{counted(len(messages), 'message', 'messages')} queued for {rfc.number}."
                        + (f" Not sent to {', '.join(skipped)}: no active users." if skipped else ""),
                        url_for("mail.outbox", rfc=rfc.id))
    return render("release_notes/communicate.html", "release_notes/_communicate_form.html", form=form, rfc=rfc,
                  kind=kind, triage=services.triage_lists(rfc, kind))
