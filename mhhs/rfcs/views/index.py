"""The RFC list: filters, follow-ups and sorting, newest first."""

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from ...core.changes import REFERENCE, WINDOWS, cached
from ...core.forms import database_id, search_text
from ...core.htmx import render
from ...core.loading import load_collections
from ...core.pagination import paginate_sorted, query_key, sort_of
from ...core.permissions import login_required
from ...core.time import utcnow
from ...core.viewer import viewer_of
from ...directory import choices
from .. import queries
from ..models import Rfc
from ..states import ReleaseType, RfcStatus
from .blueprint import _enum_arg, bp


@bp.route("/rfcs")
@login_required
def rfcs():
    filters = dict(status=_enum_arg("status", RfcStatus),
                   system_id=request.args.get("system", type=database_id),
                   release_type=_enum_arg("type", ReleaseType),
                   environment_id=request.args.get("environment", type=database_id),
                   text=search_text(request.args.get("q")),
                   follow_up=request.args.get("follow_up") if request.args.get("follow_up") in queries.FOLLOW_UPS
                   else None,
                   work_set=request.args.get("set") if request.args.get("set") in queries.WORK_SETS else None)
    sort = sort_of(queries.RFC_SORTS, "number")
    if filters["text"] or filters["follow_up"] or filters["work_set"]:
        rows = _rows(None, None, filters, sort)
    else:
        rows = cached(_rows, *LIST_READS, key=(viewer_of(current_user), query_key()), using=(filters, sort))
    partial = "_rows_copy.html" if request.htmx and request.htmx.target == "rfc-rows" else "rfcs/list.html"
    return render("rfcs/list.html", partial, rows=rows, sort=sort, filters=filters, RfcStatus=RfcStatus,
                  ReleaseType=ReleaseType, follow_ups=queries.FOLLOW_UPS,
                  work_set=queries.WORK_SETS[filters["work_set"]][0] if filters["work_set"] else None,
                  systems=choices.systems(), environments=choices.environments())  # kept per process


# What the list's rows and pager show and select: the RFCs' statuses, windows, versions, titles, environments and
# deployments, and who besides their organisation sees them (WINDOWS, rfcs.clashes.moves_windows), and the names of
# their organisations and systems (REFERENCE). A page of them is kept per process per viewer and query string while
# these stand; not a search, a follow-up or a work set, which read what moves no counter, or the time.
LIST_READS = (WINDOWS, REFERENCE)


def _rows(_viewer, _asked, filters, sort):
    """The list's rows and pager, rendered, as the request's user (whose viewer is the key's) sees them."""
    page = paginate_sorted(queries.rfc_list_query(current_user, now=utcnow(), **filters), sort)
    load_collections(page.items, Rfc, **queries.LISTED)
    return Markup(render_template("rfcs/_list_rows.html", page=page, sort=sort))
