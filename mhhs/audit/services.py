"""Writing to the audit trail, always inside the caller's transaction (the caller commits)."""
from ..extensions import db
from .models import AuditEvent


def record(action, actor=None, obj=None, summary=""):
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        summary=summary,
    )
    db.session.add(event)
    return event
