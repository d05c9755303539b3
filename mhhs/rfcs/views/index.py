"""The RFC list: filters, follow-ups and sorting, newest first."""

from flask import request
from flask_login import current_user

from ...core.forms import database_id, search_text
from ...core.htmx import render
from ...core.loading import load_collections
from ...core.pagination import paginate_sorted, sort_of
from ...core.permissions import login_required
from ...core.time import utcnow
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
    page = paginate_sorted(queries.rfc_list_query(current_user, now=utcnow(), **filters), sort)
    load_collections(page.items, Rfc, **queries.LISTED)
    context = dict(page=page, sort=sort, filters=filters, RfcStatus=RfcStatus, ReleaseType=ReleaseType,
                   follow_ups=queries.FOLLOW_UPS,
                   work_set=queries.WORK_SETS[filters["work_set"]][0] if filters["work_set"] else None)
    if request.htmx and request.htmx.target == "rfc-rows":
        return render("rfcs/list.html", "rfcs/_list_rows.html", **context)
    return render("rfcs/list.html", "rfcs/list.html",
                  systems=choices.systems(), environments=choices.environments(),  # kept per process
                  **context)
