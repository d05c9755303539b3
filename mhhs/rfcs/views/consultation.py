"""Consulted before approval (RCM §13): a Release Manager shares a submitted RFC, from its page or in place on the
approval queue; a consulted organisation answers on the RFC page."""

from flask import render_template, request, url_for
from flask_login import current_user

from ...core.db import reads_first
from ...core.htmx import done
from ...core.permissions import manager_required, role_required
from ...core.services import Invalid, Refused
from .. import services
from ..forms import ConsultationAnswerForm, ConsultForm
from ..permissions import is_consulted_role
from .approval import _queue_context, queue_consult_form
from .blueprint import _rfc_or_404, bp
from .detail import _detail_page


@bp.route("/rfcs/<int:rfc_id>/consult", methods=["POST"])
@reads_first
@manager_required
def consult(rfc_id):
    """Shares the RFC with the organisations ticked; their users are told through the outbox and see it."""
    rfc = _rfc_or_404(rfc_id)
    form = ConsultForm(services.consultable(rfc))
    error = None
    if not form.validate():
        error = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            shared = services.consult(current_user, rfc, form.organisation_ids.data)
        except Refused as refused:
            error = "; ".join(refused.problems.values())
    if request.htmx and request.form.get("from") == "queue":
        return render_template("rfcs/_queue_row.html", rfc=rfc, consult_error=error,
                               consult_form=queue_consult_form(rfc, form) if error else None, **_queue_context([rfc]))
    if error:
        form.organisation_ids.errors = [error]
        return _detail_page(rfc, consult_form=form)  # what was ticked stays, the message by the field
    return done(f"{rfc.number} shared with {', '.join(o.name for o in shared)} for consultation.",
                url_for("rfcs.detail", rfc_id=rfc.id) + "#consultation")


@bp.route("/rfcs/<int:rfc_id>/consultation", methods=["POST"])
@reads_first
@role_required(is_consulted_role)
def answer_consultation(rfc_id):
    """The consulted organisation's answer: no objection, or an objection with its reason."""
    rfc = _rfc_or_404(rfc_id)
    form = ConsultationAnswerForm()
    if form.validate():
        try:
            consultation = services.answer_consultation(current_user, rfc, form.response.data, form.reason.data)
        except Invalid as invalid:
            for name, message in invalid.problems.items():
                form[name].errors = list(form[name].errors) + [message]
        except Refused as refused:
            return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
        else:
            return done(f"Your answer on {rfc.number} is recorded: {consultation.words}.",
                        url_for("rfcs.detail", rfc_id=rfc.id) + "#consultation")
    return _detail_page(rfc, answer_form=form)  # what was typed stays, each message by its field
