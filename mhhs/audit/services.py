"""Writing to the audit trail, always inside the caller's transaction (the caller commits)."""
from functools import cache

from flask import g, has_request_context, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import AuditEvent


def record(action, actor=None, obj=None, summary="", at=None):
    """Adds an audit row to the caller's transaction; `at`: when it happened, if not now (a demo's past event)."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        summary=summary,
    )
    if at is not None:
        event.at = at
    if has_request_context():
        event.address = request.remote_addr
        event.user_agent = (request.user_agent.string or "")[:300]
        event.via = g.get("audit_via")  # set by the API for a request made with a token
    db.session.add(event)
    return event


@cache  # built at first use (the mappers configured), not at import
def _history():
    """One statement for every object's trail, its type and id bound at execution (built once, not per page)."""
    return (select(AuditEvent).where(AuditEvent.object_type == bindparam("object_type"),
                                     AuditEvent.object_id == bindparam("object_id"))
            .options(selectinload(AuditEvent.actor)).order_by(AuditEvent.at, AuditEvent.id))


def history(obj):
    """The audit trail of one object, oldest first, with who did each thing loaded in the same go."""
    return db.session.scalars(_history(), {"object_type": obj.__tablename__, "object_id": obj.id}).all()
