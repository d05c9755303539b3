"""The demo's release communications: both deployed patches' release notes went to every organisation; Northwold
has read the DIP one, not yet the ISDS one."""
from sqlalchemy import select

from ..directory.models import Organisation, OrgKind, User
from ..extensions import db
from ..rfcs.models import Rfc
from . import acknowledgements, services
from .models import ReleaseAudience

MANAGER = "rm.sit@demo.test"


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def seed_demo_communications():
    """Sends the demo patches' release communications once; returns how many were sent."""
    patches = db.session.scalars(select(Rfc).where(Rfc.title.in_(("DIP weekly patch", "ISDS settlement-day fixes")))
                                 .order_by(Rfc.id)).all()
    if not patches or db.session.scalar(select(ReleaseAudience.rfc_id).limit(1)) is not None:
        return 0
    organisations = db.session.scalars(select(Organisation).where(Organisation.kind != OrgKind.PROGRAMME)).all()
    for rfc in patches:
        subject, body = services.communication_text(rfc, "release")
        services.communicate(_user(MANAGER), rfc, "release", organisations, subject, body,
                             (f"{rfc.number}-release-note.pdf", None))
    acknowledgements.acknowledge(_user("supplier@demo.test"), patches[0])
    return len(patches)
