"""E-mail notifications through the outbox (RCM §12.11, EAP §12.3.1): who is told what, each person once, never
someone who turned that kind off, each message from a template with its link and a List-Unsubscribe header."""
from sqlalchemy import Select, or_, select

from ..audit.services import record
from ..core.permissions import Role
from ..directory.models import User
from ..extensions import db
from ..mail.services import absolute_url, email_text, queue
from .models import MailGroup, NotificationOptOut, Subscription, mail_group_members

# kind: (what the preferences page says of it, the roles it concerns)
KINDS = {
    "rfc_submitted": ("An RFC is submitted (or resubmitted) for a phase I approve", {Role.RELEASE_MANAGER}),
    "rfc_decided": ("An RFC of my organisation is approved, rejected or sent back", {Role.CENTRAL_PARTY}),
    "rfc_consulted": ("An RFC is shared with my organisation for consultation before approval",
                      {Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT}),
    "rfc_objection": ("An organisation consulted on an RFC of a phase I approve objects to it", {Role.RELEASE_MANAGER}),
    "release_communicated": ("A release of a system or environment I follow is communicated", set(Role)),
    "outage_planned": ("A planned outage of a system or environment I follow is announced, moved, cancelled or ended",
                       set(Role)),
    "ready_for_retest": ("Defects are ready for retest in an environment I follow (or test in, by my lists)",
                         set(Role)),
    "outage_unplanned": ("An unplanned outage of a system or environment I follow (or test in, by my lists) is "
                         "logged", set(Role)),
    "outage_blocking": ("An outage blocks testing in a phase I approve", {Role.RELEASE_MANAGER}),
    "outage_update": ("An outage of a system or environment I follow has an update", set(Role)),
    "participant_refresh": ("A participant announces a data refresh of its environment connected to mine (or to "
                                 "one I approve)", {Role.RELEASE_MANAGER, Role.CENTRAL_PARTY}),
    "proving_regressed": ("A connectivity-proving step of my organisation (for Release Managers: of any participant) "
                          "regresses", set(Role)),
    "proving_reminder": ("My organisation's onboarding interval starts soon with connectivity-proving steps open",
                         {Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT}),
    "health_check_missing": ("My organisation's morning health check is still missing after the deadline",
                             {Role.CENTRAL_PARTY}),
    "health_check_summary": ("Morning health checks are still missing after the deadline (one summary a day)",
                             {Role.RELEASE_MANAGER}),
    # Release Managers receive the weekly report unless they turn it off; anyone else asks for it (a subscription).
    "slot": ("A slot of my organisation is allocated, moved, cancelled, declined or offered from the waitlist",
             {Role.TEST_PARTICIPANT, Role.CENTRAL_PARTY}),
    "weekly_report": ("The weekly testing and readiness report is out", {Role.RELEASE_MANAGER}),
}


def kinds_for(user):
    return {kind: text for kind, (text, roles) in KINDS.items() if user.role in roles}


def save_preferences(user, kinds_on, system_ids, environment_ids, weekly_report=False):
    """The kinds of notification the user receives (the others turned off), what they follow, and whether they
    receive the weekly report."""
    db.session.query(NotificationOptOut).filter_by(user_id=user.id).delete()
    db.session.add_all(NotificationOptOut(user_id=user.id, kind=kind) for kind in kinds_for(user)
                       if kind not in kinds_on)
    db.session.query(Subscription).filter_by(user_id=user.id).delete()
    db.session.add_all([Subscription(user_id=user.id, kind=Subscription.SYSTEM, target_id=i) for i in set(system_ids)]
                       + [Subscription(user_id=user.id, kind=Subscription.ENVIRONMENT, target_id=i)
                          for i in set(environment_ids)]
                       + ([Subscription(user_id=user.id, kind=Subscription.WEEKLY_REPORT, target_id=0)]
                          if weekly_report else []))
    record("user.notifications", actor=user, obj=user,
           summary=f"{len(kinds_on)} kinds on; following {len(set(system_ids))} systems, "
                   f"{len(set(environment_ids))} environments")
    db.session.commit()


def weekly_report_readers():
    """Who receives the weekly report: the active Release Managers who have not turned it off, everyone else who
    asked for it, and the members of the distribution lists chosen to receive it (RCM Table 8)."""
    managers = (User.role == Role.RELEASE_MANAGER) & User.id.not_in(
        select(NotificationOptOut.user_id).where(NotificationOptOut.kind == "weekly_report"))
    others = (User.role != Role.RELEASE_MANAGER) & User.id.in_(
        select(Subscription.user_id).where(Subscription.kind == Subscription.WEEKLY_REPORT))
    listed = User.id.in_(select(mail_group_members.c.user_id).join(MailGroup).where(MailGroup.weekly_report.is_(True)))
    return db.session.scalars(select(User).where(User.active.is_(True), or_(managers, others, listed))
                              .order_by(User.id)).all()


def preferences(user):
    """(kinds on, followed system ids, followed environment ids, weekly report)"""
    off = set(db.session.scalars(select(NotificationOptOut.kind).where(NotificationOptOut.user_id == user.id)))
    follows = db.session.execute(select(Subscription.kind, Subscription.target_id)
                                 .where(Subscription.user_id == user.id)).all()
    return ([k for k in kinds_for(user) if k not in off],
            [i for kind, i in follows if kind == Subscription.SYSTEM],
            [i for kind, i in follows if kind == Subscription.ENVIRONMENT],
            any(kind == Subscription.WEEKLY_REPORT for kind, _ in follows))


def managers_of(phases):
    """The active Release Managers who approve any of these phases."""
    scopes = [User.scope_sit.is_(True) if p.value == "SIT" else User.scope_uit.is_(True) for p in phases]
    if not scopes:
        return []
    return db.session.scalars(select(User).where(User.role == Role.RELEASE_MANAGER, User.active.is_(True),
                                                 or_(*scopes))).all()


def members(organisation_id):
    """The query of an organisation's users, which `notify` narrows to who receives the kind in the same query."""
    return select(User).where(User.organisation_id == organisation_id, User.active.is_(True))


def users_of(organisation_id):
    return db.session.scalars(members(organisation_id)).all()


def subscribers(system_ids=(), environment_ids=()):
    """The active users following any of these systems or environments."""
    follows = or_(((Subscription.kind == Subscription.SYSTEM) & Subscription.target_id.in_(list(system_ids))),
                  ((Subscription.kind == Subscription.ENVIRONMENT)
                   & Subscription.target_id.in_(list(environment_ids))))
    return db.session.scalars(select(User).where(User.active.is_(True), User.id.in_(
        select(Subscription.user_id).where(follows)))).all()


def _turned_off(kind):
    """The users who turned this kind of notification off (a subquery)."""
    return select(NotificationOptOut.user_id).where(NotificationOptOut.kind == kind)


def notify(kind, users, link_endpoint, link_args, listed=(), **context):
    """Queues one message per user (each once, none to who turned this kind off) from
    templates/email/notify_<kind>.txt, with the link to the object; returns the messages. `users`: a list, or a query
    of users (`members`), read with the opt-outs in one statement. `listed`: the members of the distribution lists
    it goes to, who receive it whatever their settings (the list is the programme's choice)."""
    if isinstance(users, Select):
        users = db.session.scalars(users.where(User.id.not_in(_turned_off(kind)))).all()
        opted_out = set()
    else:
        opted_out = set(db.session.scalars(_turned_off(kind).where(
            NotificationOptOut.user_id.in_([u.id for u in users])))) if users else set()
    chosen = {u.id: u for u in users if u.active and u.id not in opted_out}
    chosen.update((u.id, u) for u in listed if u.active)
    if not chosen:
        return []
    subject, body = email_text(f"email/notify_{kind}.txt", link=absolute_url(link_endpoint, **link_args),
                               **context)
    unsubscribe = absolute_url("notifications.settings")
    return [queue([user.email], subject, body + f"\nTurn these e-mails off: {unsubscribe}\n", kind=f"notify:{kind}",
                  about=context.get("rfc"), unsubscribe_url=unsubscribe)
            for user in chosen.values()]
