"""The outbox: every message the app sent or will send, its status, its attachment, and Retry."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload

from ..core.forms import database_id, search_text
from ..core.htmx import render
from ..core.pagination import paginate
from ..core.permissions import manager_required
from ..exports.download import download
from ..extensions import db
from .models import OutboxMessage
from .services import (
    KIND_WORDS,
    STATE_WORDS,
    attachment_of,
    deliver_in_background,
    deliver_queued,
    mail_configured,
    outbox_query,
    retry,
)

bp = Blueprint("mail", __name__, url_prefix="/outbox")


@bp.after_app_request
def send_what_was_queued(response):
    deliver_queued()
    return response


def _message_or_404(message_id):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message


@bp.route("")
@manager_required
def outbox():
    filters = dict(rfc_id=request.args.get("rfc", type=database_id), kind=request.args.get("kind") or None,
                   state=request.args.get("state") or None, recipient=search_text(request.args.get("recipient")))
    query = outbox_query(**filters).options(selectinload(OutboxMessage.created_by))
    page = paginate(query, [OutboxMessage.id], descending=True)
    return render("mail/outbox.html", "mail/_rows.html", page=page, rfc_id=filters["rfc_id"], filters=filters,
                  kinds=KIND_WORDS, states=STATE_WORDS, configured=mail_configured())


@bp.route("/<int:message_id>/row")
@manager_required
def row(message_id):
    return render_template("mail/_row.html", message=_message_or_404(message_id), configured=mail_configured())


@bp.route("/<int:message_id>/retry", methods=["POST"])
@manager_required
def retry_message(message_id):
    message = _message_or_404(message_id)
    if retry(message):
        deliver_in_background([message.id])
    if request.htmx:
        return render_template("mail/_row.html", message=message, configured=mail_configured())
    flash("Message queued again." if mail_configured() else "No mail server is configured: the message waits here.",
          "success")
    return redirect(url_for("mail.outbox"), 303)


@bp.route("/<int:message_id>/attachment")
@manager_required
def attachment(message_id):
    message = _message_or_404(message_id)
    if not message.attachment_name:
        abort(404)
    return download(attachment_of(message), message.attachment_name, "application/pdf")
