"""Distribution lists (RCM Table 8 and §6.3.1, EAP §6.2): named mail groups with members, kept by Release Managers;
release communications, planned-outage announcements and the weekly report go to the lists chosen, and everyone
can see which lists they are on."""
import re

from sqlalchemy import func, select

from ..audit.services import record
from ..core.permissions import is_manager
from ..core.services import Invalid, Refused
from ..directory import reference_data as ref
from ..directory.models import User
from ..extensions import db
from .models import MailGroup, mail_group_members

FIELDS = ["name", "purpose", "members", "weekly_report"]
SEPARATORS = re.compile(r"[\s,;]+")


def can_keep_mail_groups(user):
    return is_manager(user)


def all_groups():
    return db.session.scalars(select(MailGroup).order_by(MailGroup.key.is_(None), MailGroup.name)).all()


def groups_of(user):
    """The lists a user is on, by name."""
    return db.session.scalars(select(MailGroup).join(mail_group_members).where(
        mail_group_members.c.user_id == user.id).order_by(MailGroup.name)).all()


def standing(*keys):
    """The programme's standing lists with these keys (those an installation has)."""
    return db.session.scalars(select(MailGroup).where(MailGroup.key.in_(keys)).order_by(MailGroup.name)).all()


def members_of(groups):
    """The active members of any of these lists, each once."""
    ids = [g.id for g in groups]
    if not ids:
        return []
    return db.session.scalars(select(User).where(User.active.is_(True), User.id.in_(
        select(mail_group_members.c.user_id).where(mail_group_members.c.mail_group_id.in_(ids))))
        .order_by(User.name, User.id)).all()


def weekly_report_lists():
    return db.session.scalars(select(MailGroup).where(MailGroup.weekly_report.is_(True))
                              .order_by(MailGroup.name)).all()


def member_text(group):
    """The members as the form shows them: one e-mail address a line."""
    return "\n".join(u.email for u in group.members)


def _members(text):
    """The users named by e-mail address in text; Invalid naming any address that is no active user."""
    emails = list(dict.fromkeys(e.lower() for e in SEPARATORS.split(text or "") if e))
    users = db.session.scalars(select(User).where(func.lower(User.email).in_(emails))).all() if emails else []
    by_email = {u.email.lower(): u for u in users}
    unknown = [e for e in emails if e not in by_email]
    inactive = [e for e in emails if e in by_email and not by_email[e].active]
    problems = []
    if unknown:
        problems.append(f"No user of Release Desk has {'this address' if len(unknown) == 1 else 'these addresses'}: "
                        f"{', '.join(unknown)}. Add the user first, or correct the address.")
    if inactive:
        problems.append(f"Deactivated, so never written to: {', '.join(inactive)}.")
    if problems:
        raise Invalid({"members": " ".join(problems)})
    return [by_email[e] for e in emails]


def save_mail_group(user, group, values):
    """Creates or changes a list: its name, purpose and members (e-mail addresses of active users). Nothing is
    stored unless every address is known."""
    if not can_keep_mail_groups(user):
        raise Refused("Only a Release Manager keeps the distribution lists.")
    name = (values["name"] or "").strip()
    taken = db.session.scalar(select(MailGroup.id).where(func.lower(MailGroup.name) == name.lower(),
                                                         MailGroup.id != (group.id or 0)))
    problems = {}
    if taken:
        problems["name"] = "Another list has this name."
    try:
        members = _members(values["members"])
    except Invalid as invalid:
        problems.update(invalid.problems)
    if problems:
        raise Invalid(problems)
    is_new = group.id is None
    before = {u.id for u in group.members} if not is_new else set()
    group.name, group.purpose, group.members = name, (values["purpose"] or "").strip(), members
    group.weekly_report = bool(values["weekly_report"])
    if is_new:
        db.session.add(group)
    db.session.flush()
    after = {u.id for u in members}
    record(f"mail_group.{'created' if is_new else 'updated'}", actor=user, obj=group,
           summary=f"{name}: {len(members)} member(s)" + (f", {len(after - before)} added, {len(before - after)} "
                                                          f"removed" if not is_new else ""))
    db.session.commit()
    return group


def seed_standing_lists():
    """The programme's standing lists (directory/reference_data.py: MAIL_GROUPS), registered in create_app to run
    with the reference seed (directory/seed.py: SEED_REFERENCE); returns how many were added."""
    added = 0
    for key, (name, purpose) in ref.MAIL_GROUPS.items():
        if db.session.scalar(select(MailGroup.id).where(MailGroup.key == key)) is None:
            db.session.add(MailGroup(key=key, name=name, purpose=purpose))
            added += 1
    db.session.commit()
    return added


def seed_demo_mail_groups():
    """Demo database only: members on the standing distribution lists and a list a Release Manager made."""
    added = 0
    for name, emails in ref.DEMO_MAIL_GROUPS.items():
        group = db.session.scalar(select(MailGroup).where(MailGroup.name == name))
        if group is None:
            group = MailGroup(name=name, purpose="Made by a Release Manager for the demo.")
            db.session.add(group)
            added += 1
        if not group.members:
            group.members = list(db.session.scalars(select(User).where(User.email.in_(emails))))
            group.weekly_report = group.key == MailGroup.EWG
    db.session.commit()
    return added
