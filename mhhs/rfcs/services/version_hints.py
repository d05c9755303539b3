"""What the RFC form says under Version: the version a release builds on, and the next one."""

from sqlalchemy import select

from ...baseline import services as baseline
from ...baseline.versions import parse
from ...directory.models import System
from ...extensions import db
from ..models import Rfc
from ..states import ReleaseType, RfcStatus, stands
from ..versions import next_version, version_problem
from .emergencies import outstanding_emergency_fixes


def system_versions(system_id, exclude_rfc_id=None):
    """(the version a new release builds on, every version used) for a system. It builds on the higher of its last
    approved release (one rolled back everywhere no longer counts) and the highest version running anywhere."""
    query = select(Rfc.version, Rfc.status, Rfc.outcome).where(Rfc.system_id == system_id, Rfc.version != "")
    if exclude_rfc_id:
        query = query.where(Rfc.id != exclude_rfc_id)
    rows = db.session.connection().execute(query).all()  # plain rows: the ORM's are 8 times dearer to make
    taken = {v for v, s, _ in rows if s not in (RfcStatus.DRAFT, RfcStatus.REJECTED, RfcStatus.WITHDRAWN)}
    known = [(parsed, v) for v, s, outcome in rows if stands(s, outcome) and (parsed := parse(v))]
    running = baseline.highest_running(system_id)
    if running:
        known.append((parse(running), running))
    return (max(known)[1] if known else None), taken


def version_context(user, system_id, release_type, typed, rfc_id=None):
    """What the form says under Version: the proposal, the last approved version, a problem, emergency fixes."""
    system = db.session.get(System, system_id) if system_id else None
    if system is None or system.organisation_id != user.organisation_id:
        return {}
    last, taken = system_versions(system.id, exclude_rfc_id=rfc_id)
    context = {"last": last, "proposal": next_version(last, release_type, taken) if release_type else None}
    if typed and typed.strip() in baseline.sit_versions(system.id):
        context["promotion"] = typed.strip()  # allowed for an RFC that targets UIT only (rules.is_promotion)
    elif typed:
        context["problem"] = version_problem(typed, last, taken, release_type)
    if release_type in (ReleaseType.MINOR, ReleaseType.PATCH, ReleaseType.MAJOR):
        context["outstanding"] = outstanding_emergency_fixes(system.id)
    return context
