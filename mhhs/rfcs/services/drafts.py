"""Drafts and submission (RCM 4.1): storing what was typed, submitting a revision, withdrawing; the search index of
RFCs and their defects."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ...audit.services import record
from ...baseline import services as baseline
from ...core import search
from ...core.services import Invalid, Refused, unit_of_work
from ...core.time import utcnow
from ...directory.models import Environment, System
from ...extensions import db
from ...notifications.services import managers_of, notify
from ...windows.support import freezes_between
from .. import rules
from ..models import ChangeRequest, Defect, Revision, Rfc
from ..permissions import can_edit_rfc, can_withdraw_rfc
from ..states import RfcStatus
from .approval import sync_pending
from .common import CONFLICT, _check_row_version
from .control_points import _emergency_not_applicable, _tick
from .emergencies import not_carried_text, owed_by
from .version_hints import system_versions

CONTENT_FIELDS = ["system_id", "release_type", "version", "title", "reason", "promotion_reason", "window_start",
                  "window_end", "expected_downtime", "implementation_plan", "rollback_plan", "stakeholders_impacted",
                  "known_issues", "installation_instructions", "build_reference", "build_sha256", "dev_test_evidence",
                  "not_carried_reason", "ado_work_item", "resources_required", "timings", "communications_required",
                  "runbook_reference"]


def content_of(rfc):
    """An RFC's stored content as save_draft() takes it (times naive UTC), to change some of it."""
    return {**{name: getattr(rfc, name) for name in CONTENT_FIELDS},
            "environment_ids": [e.id for e in rfc.environments],
            "defects": [{"defect_id": d.defect_id, "severity": d.severity, "summary": d.summary,
                         "blocking": d.blocking, "found_in_id": d.found_in_id} for d in rfc.defects],
            "change_requests": [{"cr_id": c.cr_id, "title": c.title, "summary": c.summary}
                                for c in rfc.change_requests]}



def check_may_edit(user, rfc):
    if not can_edit_rfc(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: its content is frozen. To change it, a Release "
                      "Manager requests changes.")


@unit_of_work(CONFLICT)
def save_draft(user, rfc, content, expected_version=None, submit=False, now=None):
    """Stores whatever was typed, however incomplete (content: plain data, times in UTC); with `submit`, submits it
    too, in the same transaction. A submission that is refused keeps the draft: it is committed, then the problems
    are raised."""
    _store_draft(user, rfc, content, expected_version)
    problems = _submission_problems(user, rfc, now or utcnow()) if submit else {}
    if submit and not problems:
        _submit(user, rfc, now or utcnow())
    db.session.commit()
    if problems:
        raise Invalid(problems)
    return rfc


def _store_draft(user, rfc, content, expected_version):
    if rfc.id is None:
        rfc.organisation_id, rfc.created_by_id, rfc.status = user.organisation_id, user.id, RfcStatus.DRAFT
        db.session.add(rfc)
    else:
        check_may_edit(user, rfc)
    _check_row_version(rfc, expected_version)
    system = db.session.get(System, content["system_id"]) if content.get("system_id") else None
    if system is not None and system.organisation_id != user.organisation_id:
        raise Invalid({"system_id": "Choose one of your organisation's systems."})
    for field in CONTENT_FIELDS:
        setattr(rfc, field, content.get(field))
    for field in ("dev_test_evidence", "not_carried_reason", "resources_required", "timings",
                  "communications_required"):
        setattr(rfc, field, getattr(rfc, field) or "")
    for field in ("version", "promotion_reason", "build_reference", "build_sha256", "ado_work_item",
                  "runbook_reference"):
        setattr(rfc, field, (getattr(rfc, field) or "").strip())
    rfc.build_sha256 = rfc.build_sha256.lower()
    rfc.environments = db.session.scalars(select(Environment).where(
        Environment.id.in_(content.get("environment_ids") or []))).all()
    rfc.defects = [Defect(position=i, defect_id=(d["defect_id"] or "").strip(), severity=d["severity"] or "",
                          summary=d["summary"] or "", found_in_id=d["found_in_id"], blocking=bool(d.get("blocking")))
                   for i, d in enumerate(content.get("defects", []))]
    rfc.change_requests = [ChangeRequest(position=i, cr_id=(c["cr_id"] or "").strip(), title=c["title"] or "",
                                         summary=c["summary"] or "")
                           for i, c in enumerate(content.get("change_requests", []))]
    db.session.flush()
    index_for_search(rfc, system, user.organisation)
    record("rfc.saved", actor=user, obj=rfc, summary=f"draft saved ({rfc.status.value})")


def index_for_search(rfc, system, organisation):
    """The RFC (number, system, version, title) and each defect it fixes (by its ID) in the search index."""
    search.put("rfc", rfc.id, [rfc.number, system.name if system else "", rfc.version, rfc.title],
               organisation.name, rfc.release_type.value if rfc.release_type else "")
    search.put_children("defect", rfc.id, [
        (d.id, [d.defect_id, d.summary], rfc.number, d.severity, d.found_in.name if d.found_in else "")
        for d in rfc.defects if d.defect_id])


def reindex_named(kind, object_id):
    column = {"system": Rfc.system_id, "organisation": Rfc.organisation_id}.get(kind)
    if column is not None:
        for rfc in db.session.scalars(select(Rfc).where(column == object_id)
                                      .options(joinedload(Rfc.system), joinedload(Rfc.organisation),
                                               selectinload(Rfc.defects).joinedload(Defect.found_in))):
            index_for_search(rfc, rfc.system, rfc.organisation)



# What a person calls a part of an RFC's content, where a revision tells what changed.
CHANGE_WORDS = {"window_start": "window", "window_end": "window", "target_environments": "environments",
                "expected_downtime": "expected downtime", "release_type": "release type"}


def revision_changes(rfc):
    """What the RFC's latest revision changed since the one before (["window", "implementation plan"]), in order;
    [] for a first revision."""
    if len(rfc.revisions) < 2:
        return []
    before, after = rfc.revisions[-2].content, rfc.revisions[-1].content
    changed = [CHANGE_WORDS.get(key, key.replace("_", " ")) for key in after if after.get(key) != before.get(key)]
    return list(dict.fromkeys(changed))


def snapshot(rfc):
    """The RFC's content as plain data, frozen in a revision."""
    return {
        "system": rfc.system.name if rfc.system else "",
        "release_type": rfc.release_type.value if rfc.release_type else "",
        "version": rfc.version, "title": rfc.title, "reason": rfc.reason,
        "target_environments": [e.name for e in rfc.environments],
        "window_start": rfc.window_start.isoformat() if rfc.window_start else "",
        "window_end": rfc.window_end.isoformat() if rfc.window_end else "",
        "expected_downtime": rfc.expected_downtime,
        "implementation_plan": rfc.implementation_plan, "rollback_plan": rfc.rollback_plan,
        "stakeholders_impacted": rfc.stakeholders_impacted, "known_issues": rfc.known_issues,
        "resources_required": rfc.resources_required, "timings": rfc.timings,
        "communications_required": rfc.communications_required, "runbook_reference": rfc.runbook_reference,
        "installation_instructions": rfc.installation_instructions,
        "promotion_reason": rfc.promotion_reason, "build_reference": rfc.build_reference,
        "build_sha256": rfc.build_sha256, "dev_test_evidence": rfc.dev_test_evidence,
        "not_carried_reason": rfc.not_carried_reason, "ado_work_item": rfc.ado_work_item,
        "defects": [{"defect_id": d.defect_id, "severity": d.severity, "summary": d.summary, "blocking": d.blocking,
                     "found_in": d.found_in.name if d.found_in else ""} for d in rfc.defects],
        "change_requests": [{"cr_id": c.cr_id, "title": c.title, "summary": c.summary} for c in rfc.change_requests],
    }


@unit_of_work(CONFLICT)
def submit(user, rfc, now=None):
    now = now or utcnow()
    problems = _submission_problems(user, rfc, now)
    if problems:
        raise Invalid(problems)
    _submit(user, rfc, now)
    db.session.commit()


def _submission_problems(user, rfc, now):
    """{field: message} that stop this RFC being submitted now; refuses one that cannot be submitted at all."""
    if not can_edit_rfc(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value} and cannot be submitted.")
    last, taken = system_versions(rfc.system_id, exclude_rfc_id=rfc.id) if rfc.system_id else (None, set())
    problems = rules.submission_problems(rfc, now, last, taken,
                                         baseline.sit_versions(rfc.system_id) if rfc.system_id else set())
    if "window_start" not in problems and "window_end" not in problems:
        problem = rules.freeze_problem(rfc, freezes_between([e.id for e in rfc.environments], rfc.window_start,
                                                            rfc.window_end) if rfc.window_start else [])
        if problem:
            problems["window_start"] = problem
    owed = [] if rfc.not_carried_reason.strip() else owed_by(rfc)
    if owed:
        problems.setdefault("not_carried_reason", (
            f"All emergency fixes go into the next available release (RCM §12.8 NB): {not_carried_text(owed)}. "
            "Carry them into the defects (the Version field offers them) or say here why not."))
    return problems


def _submit(user, rfc, now):
    rfc.revision += 1
    rfc.status, rfc.submitted_at = RfcStatus.SUBMITTED, now
    db.session.add(Revision(rfc=rfc, number=rfc.revision, submitted_by_id=user.id, submitted_at=now,
                            content=snapshot(rfc)))
    _tick(rfc, "submit", user)
    _emergency_not_applicable(rfc)
    sync_pending(rfc)
    record("rfc.submitted", actor=user, obj=rfc, summary=f"revision {rfc.revision}")
    notify("rfc_submitted", managers_of(rfc.phases), "rfcs.detail", {"rfc_id": rfc.id}, rfc=rfc)


@unit_of_work(CONFLICT)
def withdraw(user, rfc, expected_version=None):
    if not can_withdraw_rfc(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value} and can no longer be withdrawn.")
    _check_row_version(rfc, expected_version)
    rfc.status = RfcStatus.WITHDRAWN
    sync_pending(rfc)
    record("rfc.withdrawn", actor=user, obj=rfc)
    db.session.commit()
