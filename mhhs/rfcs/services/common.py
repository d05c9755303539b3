"""What every step of an RFC's lifecycle shares: finding an RFC the user may see, and the conflict words."""

from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ...core.services import Conflict, get_visible_or_404
from ...core.viewer import viewer_of
from ...extensions import db
from ..models import Rfc
from ..permissions import visible_clause

CONFLICT = "Someone else changed this RFC at the same moment; nothing was saved. Reload and try again."


@lru_cache(maxsize=32)  # a few roles × organisations
def _one_visible(viewer):
    """The query for one RFC (the id bound at execution: rfc_id), which finds it only if this viewer may see it:
    built and keyed once per viewer, not per request (every action on an RFC, as each approval, starts with it)."""
    return select(Rfc).where(Rfc.id == bindparam("rfc_id"), visible_clause(viewer))


def visible_rfc(user, rfc_id):
    """The query for one RFC, which finds it only if this user may see it."""
    return _one_visible(viewer_of(user)).params(rfc_id=rfc_id)


def get_visible(user, rfc_id, shown=False):
    """The RFC if this user may see it, else None; `shown` where it is shown whole (its organisation and system read
    with it)."""
    return db.session.scalar(_one(user, shown), {"rfc_id": rfc_id})


@lru_cache(maxsize=32)
def _one_shown(viewer):
    """_one_visible with the RFC's organisation and system joined, as its page and the API show them (an action
    needs neither)."""
    return _one_visible(viewer).options(joinedload(Rfc.organisation), joinedload(Rfc.system))


def _one(user, shown):
    return (_one_shown if shown else _one_visible)(viewer_of(user))


def rfc_or_404(user, rfc_id, shown=False):
    """The RFC if this user may see it, else 404; `shown` for its page (its organisation and system read with it)."""
    return get_visible_or_404(_one(user, shown), {"rfc_id": rfc_id})




def _check_row_version(rfc, expected):
    if expected is not None and str(expected) != str(rfc.row_version):
        raise Conflict(f"{rfc.number} changed while you had it open (it is now {rfc.status.value}); nothing was "
                       "saved. Reload to see the latest, then try again.")
