"""Writing to the audit trail, always inside the caller's transaction (the caller commits)."""
from flask import g, has_request_context, request
from sqlalchemy import select
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


def history(obj):
    """The audit trail of one object, oldest first, with who did each thing loaded in the same go."""
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == obj.__tablename__, AuditEvent.object_id == obj.id)
        .options(selectinload(AuditEvent.actor)).order_by(AuditEvent.at, AuditEvent.id)).all()
