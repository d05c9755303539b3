"""Outage pages: status board, log with filters and CSV, the form, End now, availability."""
from datetime import datetime
from functools import lru_cache, wraps
from typing import NamedTuple

from flask import Blueprint, abort, flash, get_template_attribute, make_response, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from ..audit.services import history
from ..core import changes
from ..core.db import reads_first
from ..core.forms import database_id, search_text, show_problems, with_token, without_token
from ..core.htmx import done, render, wants_partial
from ..core.pagination import paginate_sorted, query_key, sort_of
from ..core.permissions import login_required, role_required
from ..core.registry import functions
from ..core.services import Refused, get_visible_or_404
from ..core.time import format_london, london_to_utc, next_change, to_london, utc_to_london_naive, utcnow
from ..core.viewer import viewer_of
from ..directory import choices
from ..directory.sessions import may_call, user_not_loaded
from ..exports.csv import csv_download
from ..extensions import db
from ..rfcs.numbers import rfc_number
from ..rfcs.permissions import takes_part_in_rollout
from ..rfcs.services import visible_rfc
from ..windows.support import batch_problem
from . import services
from .forms import CategoryForm, OutageForm, UpdateForm, category_choices
from .models import Category, Outage, UpdateStatus
from .permissions import can_edit_outage

bp = Blueprint("outages", __name__, url_prefix="/outages")
# Regions a higher package adds to the outages page under the status board (participants' own environments, the
# morning health check): functions (user, now) -> their HTML, registered in create_app. Not on the board
# itself: the board is one page for everyone, answered from a process-wide ETag.
BOARD_REGIONS = "outages.views.BOARD_REGIONS"


def _filters():
    args = request.args
    planned = {"planned": True, "unplanned": False}.get(args.get("planned"))
    category = args.get("category") if args.get("category") in {c.value for c in Category} else None

    def day(name):
        try:
            return london_to_utc(datetime.strptime(args[name], "%Y-%m-%d")) if args.get(name) else None
        except ValueError:
            return None
    environment_ids = args.getlist("environment", type=database_id)
    return dict(environment_id=environment_ids[0] if len(environment_ids) == 1 else None,
                environment_ids=tuple(environment_ids) if len(environment_ids) > 1 else (),
                ongoing_at=utcnow() if args.get("state") == "ongoing" else None,
                system_id=args.get("system", type=database_id),
                organisation_id=args.get("organisation", type=database_id), planned=planned, category=category,
                start=day("from"), end=day("to"), text=search_text(args.get("q")))


@bp.route("")
@login_required
def index():
    now = utcnow()
    filters = _filters()
    if filters["ongoing_at"]:  # what is going on changes with the moment: read at each request
        log = _log(None, None, now, filters)
    else:
        log = changes.cached(_log, changes.OUTAGES, changes.REFERENCE,
                             key=(viewer_of(current_user), query_key()),
                             using=(now, filters), fresh=lambda copy: utcnow() < copy.until)
    rows = with_token(log.html)
    if request.htmx and request.htmx.target == "outage-rows" and wants_partial():  # the regions are not read
        return render("outages/index.html", "_rows_copy.html", rows=rows)
    regions = [region(current_user, now) for region in functions(BOARD_REGIONS)]
    return render("outages/index.html", "outages/index.html", rows=rows, sort=sort_of(services.LOG_SORTS, "start"),
                  now=now, board_html=_board(now)[0], Category=Category, board_regions=regions,
                  environments=choices.environments(), systems=choices.systems(),
                  organisations=choices.central_parties())


class _Log(NamedTuple):
    html: str  # its forms' CSRF token in a slot (core.forms.without_token)
    until: datetime  # when time alone changes it: an outage listed starts or ends (who may end it now)


def _log(_viewer, _asked, now, filters):
    """A page of the log's rows and pager as the request's user (whose viewer is the key's) sees them at `now`: kept
    per process per viewer and query string while the outages and the names stand (OUTAGES, REFERENCE) and until
    an outage listed starts or ends, which moves its End now button."""
    sort = sort_of(services.LOG_SORTS, "start")
    page = paginate_sorted(services.log_rows(**filters), sort, total=services.log_count(filters))
    page.items = services.log_lines(page.items)
    until = next_change([(o.start, o.end) for o in page.items], now)
    return _Log(without_token(render_template("outages/_rows.html", page=page, sort=sort, now=now)), until)


def _board(now):
    """(HTML, ETag) of the board's environments at `now`, rendered once per process while it holds
    (services.board_copy)."""
    return services.board_copy(now, lambda rows: Markup(render_template("outages/_board_environments.html",
                                                                        board=rows)))


def unchanged_poll_first(view):
    """Answers the board's poll that names the board's current ETag (htmx, If-None-Match) with 304 from the stored
    change counters before the session's user is loaded as an ORM object: the session must still be the live one of
    a user whose role may see the board (directory.sessions.may_call: the user's columns alone). The ETag holds
    nothing per viewer, since the board is one page for everyone. Anything else goes on to the view."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.htmx and request.if_none_match:
            etag = _board(utcnow())[1]  # the counters it reads are kept for the view (one query a request)
            if etag in request.if_none_match and may_call(view):
                return _polled(make_response("", 304), etag)
        return view(*args, **kwargs)
    return wrapped


@bp.route("/board")
@unchanged_poll_first
@login_required
def board():
    """The board every open tab polls each minute. Its ETag is taken on what it shows, without the time it was
    sent: a board that has not changed goes back as 304 Not Modified, and the tab keeps saying since when. While
    the stored change counters stand and no outage starts or ends, the board this process last rendered and its
    ETag are answered without reading the outages (services.board_copy), and an unchanged poll without loading the
    user (unchanged_poll_first).
    Opened alone (not by htmx), it is a page of its own for a wall display, which then polls the same way."""
    now = utcnow()
    html, etag = _board(now)
    if not request.htmx:
        response = make_response(render_template("outages/wall.html", board_html=html, since=now))
        response.vary.add("HX-Request")
        return response
    if etag in request.if_none_match:
        return _polled(make_response("", 304), etag)
    return _polled(make_response(render_template("outages/_board.html", board_html=html, since=now)), etag)


def _polled(response, etag):
    """The board's answer to a poll: its ETag, kept only in the browser and checked with the server on every use."""
    response.set_etag(etag)
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/export.csv")
@login_required
def export():
    now = utcnow()
    rows = ([outage_id, environment, " ".join(systems), organisation, "planned" if planned else "unplanned",
             category.value, f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}" if end else "",
             round(((end or now) - start).total_seconds() / 60), description, impact, defect, root_cause,
             rfc_number(rfc_id) if rfc_id else "", reporter]
            for (outage_id, environment, organisation, planned, category, start, end, description, impact, defect,
                 root_cause, rfc_id, reporter), systems in services.export_rows(_filters()))
    return csv_download(["ID", "Environment", "Systems", "Organisation", "Planned", "Category", "Start (UTC)",
                         "End (UTC)", "Duration (minutes)", "Description", "Impact", "Defect reference", "Root cause",
                         "Linked RFC", "Reported by"], rows, "outages.csv")


# The form -------------------------------------------------------------------------------------

def _form_page(form, outage, warnings=()):
    return render("outages/form_page.html", "outages/_form.html", form=form, outage=outage, warnings=warnings)


def _availability_warnings(form):
    environment = form.environment
    warnings = []
    for label, value in (("starts", form.start.data), ("ends", form.end.data)):
        if environment and value and not environment.is_available_on(value.date()):
            warnings.append(f"The outage {label} outside {environment.name}'s availability dates "
                            f"({environment.available_from:%d %b %Y} – {environment.available_to:%d %b %Y}).")
    return warnings


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:outage_id>/edit", methods=["GET", "POST"])
@reads_first
@login_required
def edit(outage_id=None):
    outage = db.session.get(Outage, outage_id) if outage_id else Outage()
    if outage is None or (outage_id and not can_edit_outage(current_user, outage)):
        abort(404)
    form = OutageForm(obj=outage if outage_id and request.method == "GET" else None)
    if request.method == "GET":
        if outage_id:
            form.system_ids.data = [s.id for s in outage.systems]
            form.category.choices = category_choices(outage.planned)
            form.category.data = outage.category.value
            form.start.data, form.end.data = utc_to_london_naive(outage.start), utc_to_london_naive(outage.end)
            form.rfc_number.data = rfc_number(outage.rfc_id) if outage.rfc_id else ""
        else:
            form.planned.data = False
            form.category.choices = category_choices(False)
            form.start.data = utc_to_london_naive(utcnow()).replace(second=0,
                                                                    microsecond=0)  # most are logged as they start
            _prefill(form)
        return _form_page(form, outage)
    if form.validate():
        values = form.values()
        try:
            services.save(current_user, outage, values, form.chosen_systems)
        except Refused as refused:
            show_problems(form, refused, "description")
        else:
            warnings = _availability_warnings(form)
            for warning in warnings:
                flash(warning, "error")
            return done("Outage saved.", url_for("outages.detail", outage_id=outage.id))
    return _form_page(form, outage, _availability_warnings(form))


def _prefill(form):
    """A new outage offered from elsewhere (an amber or red health check) arrives with its environment, system and
    description in the query string."""
    args = request.args
    form.environment_id.data = args.get("environment", type=database_id) or form.environment_id.data
    form.system_ids.data = args.getlist("system", type=database_id) or form.system_ids.data
    form.description.data = (args.get("description") or "")[:2000] or form.description.data


@bp.route("/categories")
@user_not_loaded
@login_required
def categories():
    """The Category field for the Planned choice: htmx swaps it when Planned changes."""
    return _category_field(request.args.get("planned"), request.args.get("category"))


@lru_cache(maxsize=32)
def _category_field(planned, category):
    """The field as rendered for the two values the form reads (the first of each): the same for everyone, with no
    CSRF token and nothing read from the database, so rendered once per process (a few dozen at most)."""
    formdata = MultiDict([(name, value) for name, value in (("planned", planned), ("category", category))
                          if value is not None])
    return render_template("outages/_category.html", form=CategoryForm(formdata))


@bp.route("/<int:outage_id>")
@login_required
def detail(outage_id):
    outage = db.session.get(Outage, outage_id)
    if outage is None:
        abort(404)
    # The status select starts at the latest update's status (not back at "Investigating" after "Identified").
    latest = outage.updates[0].status.value if outage.updates else None
    return _detail_page(outage, UpdateForm(formdata=None, status=latest))


def _detail_page(outage, update_form):
    now = utcnow()
    # EAP §12.7.4: an outage over a system's end-of-day batch (St Clements' at 15:15) says so.
    batches = [problem for system in outage.systems if (problem := batch_problem(system, outage.start,
                                                                                 outage.end or now))]
    return render("outages/detail.html", "outages/detail.html", outage=outage, history=history(outage), now=now,
                  update_form=update_form, batches=batches)


def _outage_to_change(outage_id):
    """The outage, if this user may change it; 404 otherwise (as if absent)."""
    outage = db.session.get(Outage, outage_id)
    if outage is None or not can_edit_outage(current_user, outage):
        abort(404)
    return outage


@bp.route("/<int:outage_id>/cancel", methods=["POST"])
@reads_first
@login_required
def cancel(outage_id):
    outage = _outage_to_change(outage_id)
    described = f"{outage.environment.name} {outage.category.value} of {format_london(outage.start)}"
    try:
        services.cancel(current_user, outage)
    except Refused as refused:
        return done(str(refused), url_for("outages.detail", outage_id=outage.id), "error")
    return done(f"Planned outage cancelled: {described}.", url_for("outages.index"))


@bp.route("/<int:outage_id>/updates", methods=["POST"])
@reads_first
@login_required
def post_update(outage_id):
    outage = _outage_to_change(outage_id)
    form = UpdateForm()
    if not form.validate():
        return _detail_page(outage, form)
    try:
        services.post_update(current_user, outage, UpdateStatus(form.status.data), form.note.data.strip())
    except Refused as refused:
        return done(str(refused), url_for("outages.detail", outage_id=outage.id), "error")
    return done(f"Update posted: {form.status.data}." + (" The outage has ended." if outage.end else ""),
                url_for("outages.detail", outage_id=outage.id))


@bp.route("/<int:outage_id>/end", methods=["POST"])
@reads_first
@login_required
def end(outage_id):
    outage = _outage_to_change(outage_id)
    error = None
    try:
        services.end_now(current_user, outage)
    except Refused as refused:
        error = str(refused)
    if request.htmx:
        return render_template("outages/_row.html", outage=services.log_line(outage), now=utcnow(), error=error)
    return done(error or f"Outage ended at {format_london(outage.end, '%H:%M')}.",
                 url_for("outages.detail", outage_id=outage.id), "error" if error else "success")


@bp.route("/from-rfc/<int:rfc_id>", methods=["POST"])
@reads_first
@role_required(takes_part_in_rollout)
def from_rfc(rfc_id):
    rfc = get_visible_or_404(visible_rfc(current_user, rfc_id))
    try:
        created = services.planned_outages_from_rfc(current_user, rfc)
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
    message = (f"{len(created)} planned outage(s) logged for {rfc.number}'s window." if created
               else f"{rfc.number}'s window is already in the outage log.")
    return done(message, url_for("rfcs.detail", rfc_id=rfc.id))


# Availability ---------------------------------------------------------------------------------

def _period_args():
    kind = "month" if request.args.get("period") == "month" else "week"
    count = max(1, min(request.args.get("count", 8 if kind == "week" else 6, type=int), 52))
    return kind, count


@bp.route("/availability")
@login_required
def availability():
    kind, count = _period_args()
    now = utcnow()
    spans, table = services.availability_table(kind, now, count)
    ended = changes.cached(_ended_rows, changes.OUTAGES, changes.REFERENCE, key=(kind, count, to_london(now).date()),
                           using=(spans, table))
    return render("outages/availability.html", "outages/availability.html", kind=kind, count=count, spans=spans,
                  table=table, ended=ended, Category=Category)


def _ended_rows(_kind, _count, _today, spans, table):
    """Each environment's rows of the periods that have ended, rendered: the same for everyone all day while no
    outage or environment changes (what services.availability_table keeps of them, behind the same counters)."""
    row = get_template_attribute("outages/_availability_row.html", "row")
    return tuple(Markup("").join(row(label, figures) for (label, _, _), figures in zip(spans[:-1], cells[:-1]))
                 for _, cells in table)


@bp.route("/availability.csv")
@login_required
def availability_csv():
    kind, count = _period_args()
    spans, table = services.availability_table(kind, utcnow(), count)
    rows = ([environment, label, hours(f.elapsed), hours(f.total), hours(f.planned), hours(f.unplanned),
             "" if f.availability is None else f"{f.availability * 100:.2f}"]
            + [hours(f.by_category.get(c)) for c in Category]
            for environment, cells in table for (label, _, _), f in zip(spans, cells))
    return csv_download(["Environment", "Period", "Elapsed (hours)", "Downtime (hours)", "Planned (hours)",
                         "Unplanned (hours)", "Availability (%)"] + [f"{c.value} (hours)" for c in Category],
                        rows, f"availability-{kind}.csv")


def hours(delta):
    """Hours with two decimals (the availability CSV, and the tables' `hours` filter)."""
    return f"{delta.total_seconds() / 3600:.2f}" if delta else "0.00"
