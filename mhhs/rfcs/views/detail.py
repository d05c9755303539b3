"""An RFC's page (one partial per region), its revisions, and withdrawing it."""

from flask import abort, request, url_for
from flask_login import current_user

from ...audit.services import history
from ...core import registry
from ...core.db import reads_first
from ...core.htmx import done, render
from ...core.loading import load_collections
from ...core.permissions import login_required
from ...core.services import Refused
from .. import queries, services, targets
from ..clashes import clashes
from ..forms import (
    ClosureForm,
    ConsultationAnswerForm,
    ConsultForm,
    ControlPointForm,
    DecisionForm,
    GovernanceForm,
    WorkOffActionForm,
    consult_label,
)
from ..models import CONTROL_POINTS, Defect, Rfc
from ..permissions import can_consult, consultation_of, owns_rfc, phases_to_decide
from ..rules import open_by_hand
from .blueprint import PAGE_REGIONS, _rfc_or_404, bp, central_party


@bp.route("/rfcs/<int:rfc_id>")
@login_required
def detail(rfc_id):
    return _detail_page(services.rfc_or_404(current_user, rfc_id, shown=True))


def _detail_page(rfc, closure_form=None, action_form=None, consult_form=None, answer_form=None):
    load_collections([rfc], Rfc, **queries.SHOWN)
    load_collections(rfc.defects, Defect, **queries.SHOWN_DEFECTS)
    outstanding = services.outstanding_fixes_of(rfc) if rfc.is_public else []
    return render("rfcs/detail.html", "rfcs/detail.html", rfc=rfc, audit=history(rfc), outstanding=outstanding,
                  decision_form=DecisionForm(row_version=rfc.row_version), governance_form=GovernanceForm(),
                  closure_form=closure_form or ClosureForm(obj=rfc), phases=phases_to_decide(current_user, rfc),
                  clashes=clashes([rfc], current_user).get(rfc.id, []) if rfc.is_checked_for_clashes else [],
                  notice_given=queries.notice_given(rfc),
                  overtaken=services.overtaken_by([rfc]).get(rfc.id),
                  actions=services.work_off_actions(rfc), action_form=action_form or WorkOffActionForm(),
                  out_of_order=services.deployed_out_of_order([rfc]).get(rfc.id) if rfc.is_submitted else None,
                  **_consultation_context(rfc, consult_form, answer_form),
                  **_control_point_context(rfc),
                  **{k: v for region in registry.functions(PAGE_REGIONS) for k, v in region(rfc, current_user).items()})


def _consultation_context(rfc, consult_form=None, answer_form=None):
    """RCM §13: the consultation region's forms: the manager's (the impacted organisations not yet consulted offered
    ticked) and the consulted organisation's answer (its answer so far filled in)."""
    if consult_form is None and can_consult(current_user, rfc):
        consult_form = consult_form_for(rfc, services.impacted([rfc])[rfc.id])
    mine = consultation_of(current_user, rfc)
    if answer_form is None and mine is not None:
        answer_form = ConsultationAnswerForm(formdata=None, response=mine.response and mine.response.value,
                                             reason=mine.reason)
    return dict(consult_form=consult_form, answer_form=answer_form)


def consult_form_for(rfc, ticked, organisations=None):
    """The manager's form to share the RFC with the organisations not consulted yet, those of `ticked` ticked; None
    once every one is consulted."""
    offered = _not_consulted(rfc, organisations)
    if not offered:
        return None
    form = ConsultForm(offered, formdata=None)
    form.organisation_ids.data = sorted({o.id for o in offered} & set(ticked))
    return form


def consult_options(rfc, ticked, organisations):
    """What consult_form_for offers, as the queue row shows it: [(organisation id, label, ticked)], None once every
    one is consulted (plain values, not a form: a page of the queue has a form in each row)."""
    return [(o.id, consult_label(o), o.id in ticked) for o in _not_consulted(rfc, organisations)] or None


def _not_consulted(rfc, organisations):
    consulted = {c.organisation_id for c in rfc.consultations}
    return [o for o in services.consultable(rfc, organisations) if o.id not in consulted]


def _control_point_context(rfc):
    running, base, met = targets.target_baseline(rfc)
    return dict(control_points=CONTROL_POINTS, ticks={c.number: c for c in rfc.control_points},
                to_settle=open_by_hand(rfc),
                target_baseline=running, builds_on=base, baseline_met=met, cp_form=ControlPointForm(formdata=None))


@bp.route("/rfcs/<int:rfc_id>/revisions/<int:number>")
@login_required
def revision(rfc_id, number):
    rfc = _rfc_or_404(rfc_id)
    revisions = {r.number: r for r in rfc.revisions}
    if number not in revisions:
        abort(404)
    current, previous = revisions[number], revisions.get(number - 1)
    changes = [key for key in current.content if previous and previous.content.get(key) != current.content[key]]
    return render("rfcs/revision.html", "rfcs/revision.html", rfc=rfc, revision=current,
                  previous=previous, changes=changes)


@bp.route("/rfcs/<int:rfc_id>/withdraw", methods=["POST"])
@reads_first
@central_party
def withdraw(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    if not owns_rfc(current_user, rfc):
        abort(404)
    try:
        services.withdraw(current_user, rfc, request.form.get("row_version"))
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
    return done(f"{rfc.number} withdrawn.", url_for("rfcs.detail", rfc_id=rfc.id))
