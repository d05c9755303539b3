"""The RFC form, new and edit, with its release-note rows, the version hint and "Suggest a window"."""

from flask import abort, render_template, request, url_for
from flask_login import current_user

from ...core.db import reads_first
from ...core.forms import database_id, show_problems
from ...core.htmx import done, render
from ...core.services import Invalid, Refused
from ...core.time import format_london, utc_to_london_naive, utcnow
from ...directory.models import System
from ...extensions import db
from ...windows import clashes as windows
from ...windows.release_slot import slot_text, weekly_slot
from .. import services
from ..clashes import next_free_window
from ..forms import RfcForm
from ..models import Rfc
from ..permissions import owns_rfc
from ..states import RfcStatus
from .blueprint import _rfc_or_404, bp, central_party


def _form_page(form, rfc, status=200, suggestion=None, saved=False):
    """saved: the answer to a refused submit whose content was kept as a draft (its error summary says so)."""
    hint = services.version_context(current_user, form.system_id.data, form.release_type.data, form.version.data,
                                    rfc.id)
    return render("rfcs/form_page.html", "rfcs/_form.html", status=status, form=form, rfc=rfc, hint=hint,
                  suggestion=suggestion, saved=saved)


def _suggest_window(form, rfc):
    """Fills in the next free window (windows/clashes.py) of the typed length, or of an hour; returns what to
    say about it. Nothing is saved."""
    system = db.session.get(System, form.system_id.data) if form.system_id.data else None
    needs = [(form.system_id, "Choose the system first: the window must fall within its support hours.",
              system is None or system.organisation_id != current_user.organisation_id),
             (form.release_type, "Choose the release type first: it sets the notice needed.",
              not form.release_type.data),
             (form.environment_ids, "Choose the target environments first.", not form.environment_ids.data)]
    for f, message, missing in needs:
        if missing:
            f.errors = list(f.errors) + [message]
    if any(missing for *_, missing in needs):
        return None
    start, end = form.window_start.data, form.window_end.data
    length = end - start if start and end and end > start else windows.DEFAULT_LENGTH
    found = next_free_window(system, form.release_type.data, form.environment_ids.data, length, utcnow(), rfc.id)
    if found is None:
        return (f"No free window of {windows.length_text(length)} in the next 90 days: choose one by hand and "
                "look at its clashes.")
    for f, moment in zip((form.window_start, form.window_end), found):
        f.data, f.raw_data = utc_to_london_naive(moment), None  # shown from data, not from what was typed
    slot = (f" in the weekly release slot ({slot_text(weekly_slot())}, RCM Table 3)"
            if windows.in_weekly_slot(*found) else "")
    return (f"Suggested the earliest free window of {windows.length_text(length)}{slot}: {format_london(found[0])}–"
            f"{format_london(found[1], '%H:%M')}, within {system.name}'s support hours and clear of other "
            "windows, planned outages and freezes. Save to keep it.")


def _apply_row_action(form, action):
    """Adds, removes or carries in release-note rows; returns True when the action was one of these
    (a malformed one, such as "remove_defect:x", changes nothing and re-shows the form)."""
    name, _, argument = action.partition(":")
    index = int(argument) if argument.isdigit() and len(argument) < 10 else None
    if action == "add_defect":
        form.defects.append_entry()
    elif action == "add_change_request":
        form.change_requests.append_entry()
    elif name in ("remove_defect", "remove_change_request"):
        rows = form.defects if name == "remove_defect" else form.change_requests
        kept = [row.data for i, row in enumerate(rows) if i != index]
        while len(rows):
            rows.pop_entry()
        for data in kept:
            rows.append_entry(data)
    elif name == "carry":
        emergency = services.get_visible(current_user, index) if index else None
        present = {row.defect_id.data for row in form.defects}
        for defect in emergency.defects if emergency else []:
            if defect.defect_id not in present:
                form.defects.append_entry({"defect_id": defect.defect_id, "severity": defect.severity,
                                           "summary": defect.summary, "found_in_id": defect.found_in_id,
                                           "blocking": defect.blocking})
    else:
        return False
    form.fill_row_choices()
    return True


def _fill_from(form, rfc):
    for name in services.CONTENT_FIELDS:
        if name not in ("window_start", "window_end"):
            form[name].data = getattr(rfc, name)
    form.window_start.data = utc_to_london_naive(rfc.window_start)
    form.window_end.data = utc_to_london_naive(rfc.window_end)
    form.environment_ids.data = [e.id for e in rfc.environments]
    for defect in rfc.defects:
        form.defects.append_entry({"defect_id": defect.defect_id, "severity": defect.severity,
                                   "summary": defect.summary, "found_in_id": defect.found_in_id,
                                   "blocking": defect.blocking})
    for cr in rfc.change_requests:
        form.change_requests.append_entry({"cr_id": cr.cr_id, "title": cr.title, "summary": cr.summary})
    form.row_version.data = rfc.row_version
    form.fill_row_choices()


@bp.route("/rfcs/new", methods=["GET", "POST"])
@bp.route("/rfcs/<int:rfc_id>/edit", methods=["GET", "POST"])
@reads_first
@central_party
def edit(rfc_id=None):
    rfc = _rfc_or_404(rfc_id) if rfc_id else Rfc(revision=0, status=RfcStatus.DRAFT)
    if rfc_id and not owns_rfc(current_user, rfc):
        abort(404)
    try:
        if rfc_id:
            services.check_may_edit(current_user, rfc)
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
    form = RfcForm(current_user)
    if request.method == "GET":
        if rfc_id:
            _fill_from(form, rfc)
        return _form_page(form, rfc)

    action = request.form.get("action", "save")
    if _apply_row_action(form, action) or not form.validate():
        return _form_page(form, rfc)
    if action == "suggest_window":
        return _form_page(form, rfc, suggestion=_suggest_window(form, rfc))
    try:
        services.save_draft(current_user, rfc, form.content(), form.row_version.data or None,
                            submit=action == "submit")
    except Invalid as invalid:
        show_problems(form, invalid)
        form.row_version.data = rfc.row_version
        # Its error summary says what was kept (never a flash: an htmx answer does not show it, the next page would).
        return _form_page(form, rfc, saved=bool(rfc.id) and action == "submit")
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id) if rfc.id else url_for("rfcs.rfcs"),
                     "error")
    if action == "submit":
        return done(f"{rfc.number} submitted (revision {rfc.revision}).", url_for("rfcs.detail", rfc_id=rfc.id))
    return done(f"{rfc.number} saved as a draft.", url_for("rfcs.edit", rfc_id=rfc.id))


@bp.route("/rfcs/version-hint")
@central_party
def version_hint():
    form = RfcForm(current_user, formdata=request.args)
    hint = services.version_context(current_user, form.system_id.data, form.release_type.data,
                           None if request.args.get("propose") else form.version.data,
                           request.args.get("rfc_id", type=database_id))
    if request.args.get("propose") and hint.get("proposal"):
        form.version.data = hint["proposal"]
    return render_template("rfcs/_version.html", form=form, hint=hint)
