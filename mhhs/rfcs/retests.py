"""The Retests page (RCM §7.4, §14): per environment, the defects whose fix now runs where they were found, and
recording a retest's result."""
from functools import lru_cache
from types import SimpleNamespace
from typing import NamedTuple

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.changes import REFERENCE, TESTING, WINDOWS, cached
from ..core.forms import database_id, show_problems, with_token, without_token
from ..core.htmx import done, render
from ..core.pagination import paginate, query_key
from ..core.permissions import login_required
from ..core.services import Invalid, Refused
from ..core.viewer import viewer_of
from ..directory import choices
from ..extensions import db
from . import services
from .forms import RetestForm
from .models import Defect, Retest, Rfc
from .numbers import numbers_in
from .permissions import can_record_retest, visible_clause
from .services.emergencies import CARRY_OVERS

bp = Blueprint("retests", __name__)


def follow_up(text):
    """A failed retest's follow-up, with an RFC number in it as a link to that RFC."""
    parts, end = [], 0
    for match, rfc_id in numbers_in(text):
        parts += [escape(text[end:match.start()]),
                  Markup('<a href="{}">{}</a>').format(url_for("rfcs.detail", rfc_id=rfc_id), match.group(0))]
        end = match.end()
    return Markup("").join(parts + [escape(text[end:])])


def _ready(viewer, *columns):
    """Defects this viewer may see whose fix reached the environment that found them."""
    return select(*columns).join(Rfc, Rfc.id == Defect.rfc_id).where(visible_clause(viewer),
                                                                     Defect.ready_for_retest.is_(True))


@lru_cache(maxsize=128)
def _statements(viewer, environment_id):
    """The page's statements for one viewer (what visible_clause reads) and environment (None: the first environment
    to retest in is still to be found): built once per process and reused, so that SQLAlchemy neither builds nor keys
    them again at each request."""
    in_environment = (
        _ready(viewer, Defect).where(Defect.found_in_id == environment_id)
        .options(joinedload(Defect.rfc).joinedload(Rfc.system), joinedload(Defect.rfc).joinedload(Rfc.organisation),
                 selectinload(Defect.retests).joinedload(Retest.by), joinedload(Defect.found_in)))
    waiting = ~Defect.retests.any()
    return SimpleNamespace(
        first=_ready(viewer, Defect.found_in_id).where(waiting).limit(1),  # the first environment to retest in
        ready=in_environment.where(waiting),  # paginated
        retested=in_environment.where(Defect.retests.any()).order_by(Defect.id.desc()).limit(50),  # newest first
        waiting=_ready(viewer, Defect.found_in_id, func.count()).where(waiting).group_by(Defect.found_in_id))


# What the page shows: the defects and whether each is ready (CARRY_OVERS: any change to a defect moves it), their
# retests and who recorded them (TESTING), the RFCs' numbers, versions and who may see them (WINDOWS), the names and
# the environments an organisation tests in, which say who may record a retest (REFERENCE).
SHOWN_READS = (CARRY_OVERS, TESTING, WINDOWS, REFERENCE)
KEPT_PAGES = 64  # pages kept per process: each viewer's environments and first pages


class _Lists(NamedTuple):
    environment_id: int | None  # the environment shown (the first with something to retest, when none was asked)
    waiting: dict  # {environment id: defects to retest}, each tab's count
    ready: Markup  # rfcs/_retest_ready.html, its forms' CSRF tokens in their slots (core.forms.without_token)
    retested: Markup  # rfcs/_retested.html


def _retests_page(environment_id, forms=None):
    """The page of an environment's retests. A GET's lists are kept per process per viewer (role and organisation:
    what visible_clause and can_record_retest read), environment and query string behind SHOWN_READS; a retest
    refused shows its form with the problems, read and rendered for this request alone."""
    viewer = viewer_of(current_user)
    if forms:
        lists = _lists(viewer, environment_id, None, forms)
    else:
        lists = cached(_lists, *SHOWN_READS, key=(viewer, environment_id, query_key()), keep=KEPT_PAGES)
    environments = choices.environments()
    environment = next((e for e in environments if e.id == lists.environment_id), None)
    partial = "_rows_copy.html" if request.htmx and request.htmx.target == "retest-ready" else "rfcs/retests.html"
    return render("rfcs/retests.html", partial, environments=environments, environment=environment,
                  rows=with_token(lists.ready), retested=lists.retested, waiting=lists.waiting)


def _lists(viewer, environment_id, _query, forms=None):
    """_Lists of the environment (None: the first with something to retest) as the request's user, whose viewer is
    `viewer`, sees them; `forms`: a retest's form as it came back, in its row."""
    environments = choices.environments()
    if environment_id is None:  # the first environment with something to retest
        environment_id = db.session.scalar(_statements(viewer, None).first)
    environment = next((e for e in environments if e.id == environment_id), environments[0] if environments else None)
    statements = _statements(viewer, environment.id if environment else None)
    ready = paginate(statements.ready, [Defect.id], descending=True) if environment else None
    retested = db.session.scalars(statements.retested).all() if environment else []
    forms = dict(forms or {})
    for defect in ready.items if ready else []:
        forms.setdefault(defect.id, RetestForm(formdata=None, prefix=f"defect-{defect.id}"))
    waiting = dict(db.session.execute(statements.waiting).all())  # each tab's count, in one query
    return _Lists(environment.id if environment else None, waiting,
                  Markup(without_token(render_template("rfcs/_retest_ready.html", ready=ready, forms=forms))),
                  Markup(render_template("rfcs/_retested.html", retested=retested)))


@bp.route("/retests")
@login_required
def retests():
    return _retests_page(request.args.get("environment", type=database_id))


@bp.route("/defects/<int:defect_id>/retest", methods=["POST"])
@login_required
def retest(defect_id):
    defect = db.session.scalar(select(Defect).join(Rfc).where(Defect.id == defect_id, visible_clause(current_user)))
    if defect is None:
        abort(404)
    target = url_for("retests.retests", environment=defect.found_in_id)
    try:
        services.check_waits_for_retest(defect)
    except Refused as refused:
        return done(str(refused), target, "error")
    if not can_record_retest(current_user, defect):
        abort(403)
    form = RetestForm(prefix=f"defect-{defect.id}")
    if form.validate():
        try:
            services.record_retest(current_user, defect, form.result.data, form.note.data, form.follow_up.data)
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            return done(f"Retest of {defect.defect_id} in {defect.found_in.name} recorded: {form.result.data.value}.",
                        target)
    if request.htmx:
        return render("rfcs/retests.html", "rfcs/_retest_form.html", defect=defect, form=form)
    return _retests_page(defect.found_in_id, {defect.id: form})
