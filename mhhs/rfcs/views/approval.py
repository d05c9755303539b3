"""The approval queue and what a Release Manager does from it or the RFC page: decisions, governance approval, control
points."""
from functools import cache

from flask import render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ...core.changes import OUTAGES, REFERENCE, SCHEDULE, WINDOWS, cached
from ...core.db import reads_first
from ...core.forms import database_id, search_text, with_token, without_token
from ...core.htmx import done, render
from ...core.loading import load_collections
from ...core.pagination import paginate_sorted, sort_of
from ...core.permissions import manager_required
from ...core.services import Invalid, Refused
from ...core.time import utcnow
from ...core.viewer import viewer_of
from ...directory import choices
from ...directory.models import System
from ...extensions import db
from .. import queries, services, targets
from ..clashes import clashes
from ..forms import ControlPointForm, DecisionForm, GovernanceForm
from ..models import Approval, Consultation, ControlPoint, Rfc
from ..numbers import rfc_number
from ..permissions import can_consult
from ..rules import open_by_hand
from ..states import ReleaseType
from .blueprint import DECISIONS, _enum_arg, _rfc_or_404, bp
from .detail import _control_point_context, consult_options


def _queue_context(rfcs):
    """What each queue row shows beside the RFC itself, computed for these rows only (a row answered in place)."""
    return dict(warnings=_warnings(_states(rfcs), lambda: _load_to_render(rfcs)),
                open_points={r.id: open_by_hand(r) for r in rfcs}, consult_forms=_consult_forms(rfcs))


# What says whether a queue row's kept copies hold besides the counters (what moves none): the RFC's row version
# (any change to its columns), its decisions, its control points and what its consultations say, read as columns
# for the page's rows, one statement each made once per process.
_IDS = bindparam("ids", expanding=True)
_STATE_READS = (
    select(Approval.rfc_id, Approval.id, Approval.revision, Approval.phase, Approval.decision)
    .where(Approval.rfc_id.in_(_IDS)).order_by(Approval.id),
    select(ControlPoint.rfc_id, ControlPoint.id, ControlPoint.number, ControlPoint.not_applicable)
    .where(ControlPoint.rfc_id.in_(_IDS)).order_by(ControlPoint.id),
    select(Consultation.rfc_id, Consultation.organisation_id, Consultation.response, Consultation.reason)
    .where(Consultation.rfc_id.in_(_IDS)).order_by(Consultation.id),
)


def _states(rows):
    """{rfc id: (row version, its decisions, its control points, what its consultations say)} of the rows (the
    queue's columns or RFCs), in their order."""
    found = {row.id: (row.row_version, [], [], []) for row in rows}
    if found:
        connection = db.session.connection()
        for at, statement in enumerate(_STATE_READS, start=1):
            for rfc_id, *columns in connection.execute(statement, {"ids": list(found)}):
                found[rfc_id][at].append(tuple(columns))
    return {rfc_id: (version, tuple(decided), tuple(ticked), tuple(said))
            for rfc_id, (version, decided, ticked, said) in found.items()}


# What the warnings read besides the rows themselves: other windows and deployments (a decision that moves an RFC's
# status, as an approval, moves WINDOWS), freezes, planned outages, environments' dates, systems and support hours.
WARNED = (WINDOWS, SCHEDULE, OUTAGES, REFERENCE)
KEPT_PAGES = 32  # the queue's pages kept per process (each 25 rows' cells): the first pages of a few filters


def _warnings(states, loaded):
    """{rfc id: its warnings cell, rendered}: the costly part of a row (clashes, the SIT pair's partner, the version
    order, overtaking versions: a query each), kept per process for the viewer (the clashes name only the windows it
    may see) and the page's rows as they are now (each RFC's row version: any change to its columns; what its
    consultations say, which moves no counter), rendered again (with the RFCs `loaded()` gives) when a counter of
    what they read moves or a row's window ends (its clashes then go)."""
    rows = tuple((rfc_id, state[0], state[3]) for rfc_id, state in states.items())
    return cached(_render_warnings, *WARNED, key=(viewer_of(current_user), rows), using=(loaded, utcnow()),
                  fresh=_still_holds, keep=KEPT_PAGES)[1]


def _still_holds(copy):
    until = copy[0]
    return until is None or utcnow() < until


def _render_warnings(_viewer, _rows, loaded, now):
    """(until when they hold: the first of the rows' windows to end, or None; {rfc id: warnings cell})."""
    rfcs = loaded()
    context = dict(clashes=clashes(rfcs, current_user, now), notice_given=queries.notice_given,
                   overtaken=services.overtaken_by(rfcs), sit_pairs=targets.sit_pair_warnings(rfcs),
                   out_of_order=services.deployed_out_of_order(rfcs))
    until = min((r.window_end for r in rfcs if r.window_end and r.window_end > now), default=None)
    return until, {r.id: Markup(render_template("rfcs/_queue_warnings.html", rfc=r, **context)) for r in rfcs}


# What a row shows besides its warnings (kept on their own, _warnings): the RFC's environments (their change moves
# WINDOWS, as any change to its columns moves its row version) and the names of organisations, systems and
# environments, and who is impacted in an environment (the consultation's options).
ROW_READS = (WINDOWS, REFERENCE)
# Where a kept row holds its warnings cell, put in at each request (as its CSRF token: core.forms.with_token).
WARNINGS_SLOT = "<!--warnings-->"


def _rows(listed):
    """{rfc id: its queue row, rendered}: the page's rows (their columns: queries.queue_query) kept per process for
    the viewer and its phases (what it may decide) and the rows as they are now (_states), the warnings cells and
    this request's CSRF token put in. An RFC is read only when a copy is rendered again."""
    states = _states(listed)
    loaded = cache(lambda: _load_to_render(queries.in_order(list(states), *TO_RENDER)))  # once a request at most
    rows = cached(_render_rows, *ROW_READS, key=(viewer_of(current_user), frozenset(current_user.phases),
                                                 tuple(states.items())), using=(loaded,), keep=KEPT_PAGES)
    warnings = _warnings(states, loaded)
    return {rfc_id: with_token(row.replace(WARNINGS_SLOT, warnings[rfc_id])) for rfc_id, row in rows.items()}


TO_RENDER = (joinedload(Rfc.organisation), joinedload(Rfc.system))


def _load_to_render(rfcs):
    """The RFCs with what rendering their rows or their warnings reads (once a request, and only when a copy is
    rendered again)."""
    if rfcs and "revisions" not in rfcs[0].__dict__:
        load_collections(rfcs, Rfc, **queries.QUEUED_TO_RENDER)
        load_collections({r.system for r in rfcs if r.system}, System, **queries.QUEUED_SYSTEMS)
    return rfcs


def _render_rows(_viewer, _phases, _state, loaded):
    rfcs = loaded()
    context = dict(warnings=dict.fromkeys((r.id for r in rfcs), Markup(WARNINGS_SLOT)),
                   open_points={r.id: open_by_hand(r) for r in rfcs}, consult_forms=_consult_forms(rfcs))
    return {r.id: without_token(render_template("rfcs/_queue_row.html", rfc=r, **context)) for r in rfcs}


def _consult_forms(rfcs):
    """RCM §13: each row's options to share the RFC in place with the impacted organisations not yet consulted,
    ticked (None when there are none; detail.consult_options); a row does not list every participant: the RFC page
    offers any other organisation."""
    rfcs = [r for r in rfcs if can_consult(current_user, r)]
    if not rfcs:
        return {}
    impacted = services.impacted(rfcs)
    organisations = services.consultable_organisations(set().union(*impacted.values()))
    return {r.id: consult_options(r, impacted[r.id], [o for o in organisations if o.id in impacted[r.id]])
            for r in rfcs}


def queue_consult_form(rfc, form):
    """A shared form coming back to its queue row, as the row's options: it offers what the row offered (the
    impacted organisations not yet consulted) and whatever was ticked, not every organisation."""
    ticked = set(form.organisation_ids.data or ())
    shown = services.impacted([rfc])[rfc.id] - {c.organisation_id for c in rfc.consultations} | ticked
    return [(c.value, c.label, c.value in ticked) for c in form.organisation_ids.choices if c.value in shown]


def _queue_filters():
    return dict(release_type=_enum_arg("type", ReleaseType),
                environment_id=request.args.get("environment", type=database_id),
                organisation_id=request.args.get("organisation", type=database_id),
                text=search_text(request.args.get("q")))


@bp.route("/approvals")
@manager_required
def approvals():
    filters = _queue_filters()
    query, order, counted = queries.queue_query(current_user, **filters)
    sort = sort_of(queries.queue_sorts(order), "window")
    page = paginate_sorted(query, sort, counted=counted)
    context = dict(page=page, sort=sort, filters=filters, ReleaseType=ReleaseType, rows=_rows(page.items))
    if request.htmx and request.htmx.target == "queue-rows":
        return render("rfcs/approvals.html", "rfcs/_queue_rows.html", **context)
    return render("rfcs/approvals.html", "rfcs/approvals.html", environments=choices.environments(),
                  organisations=choices.central_parties(), **context)


@bp.route("/rfcs/<int:rfc_id>/decide", methods=["POST"])
@reads_first
@manager_required
def decide(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    decision = DECISIONS.get(request.form.get("decision"))
    form = DecisionForm()
    error = objected = None
    if decision is None or not form.validate():
        error = "Choose Approve, Reject or Request changes."
    else:
        try:
            objected = services.decide(current_user, rfc, decision, form.comment.data, form.row_version.data or None)
        except Invalid as invalid:
            error = invalid.problems["comment"]
        except Refused as refused:
            error = str(refused)
            db.session.refresh(rfc)
    if request.htmx and request.form.get("from") == "queue":
        return render_template("rfcs/_queue_row.html", rfc=rfc, error=error, comment=form.comment.data,
                               done=None if error else decision, **_queue_context([rfc]))
    # The RFC is not read again after the decision: the answer needs only its number and what decide returned.
    target = url_for("rfcs.approvals") if request.form.get("from") == "queue" else \
        url_for("rfcs.detail", rfc_id=rfc_id)
    if error:
        return done(error, target, "error")
    return done(f"{rfc_number(rfc_id)}: {decision.value}."  # RCM §13: an objection is named, not a block
                + (f" Objection noted: {objected.rstrip('.')}." if objected else ""), target)


@bp.route("/rfcs/<int:rfc_id>/governance", methods=["POST"])
@reads_first
@manager_required
def governance(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    form = GovernanceForm()
    if not form.validate():
        return done(" ".join(e for errors in form.errors.values() for e in errors),
                     url_for("rfcs.detail", rfc_id=rfc.id), "error")
    try:
        services.record_governance(current_user, rfc, form.gng_reference.data, form.gng_date.data)
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
    return done("Governance approval recorded.", url_for("rfcs.detail", rfc_id=rfc.id))


@bp.route("/rfcs/<int:rfc_id>/control-points", methods=["POST"])
@reads_first
@manager_required
def tick(rfc_id):
    """Ticks control points (with their evidence) or marks them not applicable, in place on the RFC or the queue."""
    rfc = _rfc_or_404(rfc_id)
    form = ControlPointForm()
    not_applicable = request.form.get("action") == "not_applicable"
    error = None
    if not form.validate():
        error = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            services.set_control_points(current_user, rfc, form.numbers.data, not_applicable, form.note.data)
        except Refused as refused:
            error = str(refused)
    from_queue = request.form.get("from") == "queue"
    context = dict(rfc=rfc, cp_form=form, cp_error=error)
    if request.htmx and from_queue:  # the whole row: its decision form carries the RFC's new row version
        return render_template("rfcs/_queue_row.html", **context, **_queue_context([rfc]))
    if request.htmx and error:
        return render_template("rfcs/_control_points.html", **dict(_control_point_context(rfc), **context))
    target = url_for("rfcs.approvals") if from_queue else url_for("rfcs.detail", rfc_id=rfc.id)
    if error:
        return done(error, target, "error")
    numbers = ", ".join(map(str, form.numbers.data))
    return done(f"Control point {numbers} {'marked not applicable' if not_applicable else 'ticked'}.", target)
