"""The programme's reference data, and for a demo database each domain's demo data (`flask seed`: seed_cli.py)."""
from sqlalchemy import select

from .allocation.demo import seed_demo_allocation
from .certificates.demo import seed_demo_certificates
from .core.time import utcnow
from .directory.models import Environment, System, User
from .directory.seed import cover_demo_period, seed_demo, seed_reference
from .extensions import db
from .notifications.mail_groups import seed_demo_mail_groups
from .notifications.services import preferences, save_preferences
from .outages.demo import seed_demo_outages
from .participants.demo import seed_demo_participants, seed_proving
from .readiness.decisions_demo import seed_demo_decisions
from .readiness.demo import seed_demo_readiness
from .release_notes.demo import seed_demo_communications
from .rfcs.demo import seed_demo_rfcs
from .schedule.demo import seed_demo_schedule


def seed_everything(demo=False):
    """Returns the number of rows added; running it again adds nothing."""
    added = seed_reference()
    if demo:
        cover_demo_period(utcnow().date())
        added += (seed_demo() + seed_demo_mail_groups() + seed_demo_certificates() + seed_demo_rfcs()
                  + seed_demo_communications() + seed_demo_outages() + seed_demo_schedule())
        added += seed_demo_participants()  # the participant register
        added += seed_proving()  # after the register's demo: connectivity proving
        added += seed_demo_readiness()  # entry criteria and a fortnight of morning health checks
        added += seed_demo_decisions()  # proving tests, a conditional GO, the EWG's meetings (issue 28 part B)
        added += seed_demo_allocation()  # environment allocation (issue 27)
        follow_demo_systems()
        for environment in db.session.scalars(select(Environment)):  # what the weekly report measures against
            environment.availability_target = environment.availability_target or (98 if "SIT-" in environment.name
                                                                                  else 95)
        db.session.commit()
    return added


def follow_demo_systems():
    """The Test Participant follows SIT-A, Helix follows the DIP it depends on (demo database only)."""
    for email, systems, environments in (("supplier@demo.test", [], ["SIT-A"]), ("helix@demo.test", ["DIP"], [])):
        user = db.session.scalar(select(User).where(User.email == email))
        kinds, followed_systems, followed_environments, _ = preferences(user)
        if not (followed_systems or followed_environments):
            save_preferences(user, kinds, db.session.scalars(select(System.id).where(System.name.in_(systems))).all(),
                             db.session.scalars(select(Environment.id).where(Environment.name.in_(environments)))
                             .all(), weekly_report=True)
