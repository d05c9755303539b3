"""The participants' rules other domains ask (the quality gate: EAP §11.3)."""
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, delete, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..core.permissions import Role, require
from ..core.services import Invalid, Refused
from ..core.time import add_business_days, format_london, utcnow
from ..directory.models import Environment, Organisation, System, User
from ..extensions import db
from ..notifications.services import managers_of, notify
from .models import (
    CentralConnection,
    ConnectivitySignOff,
    EnvironmentStatus,
    Participant,
    ParticipantEnvironment,
    ParticipantOutage,
)
from .permissions import (
    can_keep_central_connections,
    can_keep_connection,
    can_keep_participant,
    can_see_participant,
    visible_connections,
    visible_environments,
)
from .proving import first_open, open_step_words, standing_in, steps_of
from .rules import CHECKS, connection_problems, entries, normal_entries

SIGN_OFF_NEEDED = "Connectivity to {environment} is not signed off"


@lru_cache(maxsize=1)  # built at first use (the mappers configured), not at import
def _participant_of():
    return select(Participant).where(Participant.organisation_id == bindparam("organisation_id"))


def participant_of(organisation_id):
    """The register entry of an organisation, or None when it does not test."""
    return db.session.scalar(_participant_of(), {"organisation_id": organisation_id})


def connectivity_signed_off(participant_id, environment_id):
    """Whether a Release Manager's sign-off of connectivity to that central environment stands (not voided)."""
    return db.session.scalar(select(exists().where(
        ConnectivitySignOff.participant_id == participant_id,
        ConnectivitySignOff.environment_id == environment_id,
        ConnectivitySignOff.voided_at.is_(None))))


def first_open_step(participant_id, environment):
    """What stands between a participant and testing in a central environment, in words, or None when nothing does:
    the first required proving step not done (derived now, so an expired certificate counts at once), else a
    missing sign-off. A participant proving connectivity there is read off the environment's evaluation kept per
    process (the matrix's: proving.standing_in); any other is derived here."""
    found = standing_in(participant_id, environment.id, utcnow())
    if found is None:
        participant = db.session.get(Participant, participant_id)
        if participant is None:  # not on the register: nothing was proven, let alone signed off
            return SIGN_OFF_NEEDED.format(environment=environment.name)
        facts, states = steps_of(participant, environment)
        found = first_open(states), facts.sign_off is not None
    state, signed_off = found
    if state is not None:
        return f"{environment.name}: {open_step_words(state)}"
    if signed_off:  # the standing sign-off, read with the steps (connectivity_signed_off's rule)
        return None
    return SIGN_OFF_NEEDED.format(environment=environment.name)


def unavailable_between(participant_ids, starts, ends):
    """The participants' own environments' outages that overlap [starts, ends) (an ongoing one has no end), with
    their environment, participant and organisation: one read however many participants."""
    asked = {"participants": list(participant_ids), "starts": starts, "ends": ends}
    return db.session.scalars(_unavailable_statement(), asked).all()


@lru_cache(maxsize=1)
def _unavailable_statement():
    """unavailable_between's statement: built once (at first use, when every model is mapped), its values bound."""
    return (select(ParticipantOutage).join(ParticipantOutage.participant_environment)
            .options(joinedload(ParticipantOutage.participant_environment)
                     .joinedload(ParticipantEnvironment.participant).joinedload(Participant.organisation))
            .where(ParticipantEnvironment.participant_id.in_(bindparam("participants", expanding=True)),
                   ParticipantOutage.starts < bindparam("ends"),
                   or_(ParticipantOutage.ends.is_(None), ParticipantOutage.ends > bindparam("starts")))
            .order_by(ParticipantOutage.starts))


# What a participant's own users keep: its Environment Manager, its environments, their outages -------------------

@lru_cache(maxsize=1)
def _participant_page_statement():
    """A participant with what its page shows of it: one statement, so SQLAlchemy keys it once (built at first use,
    when every model is mapped)."""
    return (select(Participant).where(Participant.id == bindparam("participant_id")).options(
        joinedload(Participant.organisation), joinedload(Participant.interval),
        joinedload(Participant.qualification_tranche), joinedload(Participant.sandbox_tranche),
        joinedload(Participant.environment_manager), selectinload(Participant.market_roles)))


def visible_participant(user, participant_id):
    """The participant, or None when absent or this user may not see its page (another Test Participant's), with
    what its page shows of it loaded alongside (two queries)."""
    participant = db.session.scalars(_participant_page_statement(),
                                     {"participant_id": participant_id}).unique().one_or_none()
    return participant if participant is not None and can_see_participant(user, participant) else None


def visible_environment(user, environment_id):
    """One participant environment, found only if this user may see its connection details."""
    return db.session.scalar(visible_environments(
        select(ParticipantEnvironment).where(ParticipantEnvironment.id == environment_id), user))


def environments_query(user, participant_id=None):
    """The participants' own environments this user may see, with what a row shows loaded alongside."""
    query = (select(ParticipantEnvironment).join(ParticipantEnvironment.participant).join(Participant.organisation)
             .options(joinedload(ParticipantEnvironment.environment),
                      joinedload(ParticipantEnvironment.participant).joinedload(Participant.organisation))
             .order_by(Organisation.name, ParticipantEnvironment.name))
    if participant_id is not None:
        query = query.where(ParticipantEnvironment.participant_id == participant_id)
    return visible_environments(query, user)


ENVIRONMENT_MANAGER_FIELDS = ["environment_manager_id", "environment_manager_name", "environment_manager_email"]


def colleagues(participant):
    """The organisation's active users, who may be named its Environment Manager."""
    return db.session.scalars(select(User).where(User.organisation_id == participant.organisation_id,
                                                 User.active.is_(True)).order_by(User.name)).all()


def name_environment_manager(user, participant, values):
    """EAP §7.1.1: one of the organisation's users, or a named contact with an e-mail address."""
    require(can_keep_participant(user, participant), "Only the participant's own users name its Environment Manager.")
    manager_id = values.get("environment_manager_id")
    name, email = values.get("environment_manager_name") or "", values.get("environment_manager_email") or ""
    if manager_id:
        if manager_id not in {u.id for u in colleagues(participant)}:
            raise Refused("Choose one of your organisation's users.", "environment_manager_id")
        name = email = ""  # a user chosen is the Environment Manager; a named contact beside it is let go
    else:
        problems = {}
        if not name:
            problems["environment_manager_name"] = ("Choose one of your users, or give the Environment Manager's "
                                                    "name.")
        if not email:
            problems["environment_manager_email"] = "Give the Environment Manager's e-mail address."
        if problems:
            raise Invalid(problems)
    participant.environment_manager_id = manager_id or None
    participant.environment_manager_name, participant.environment_manager_email = name, email.lower()
    db.session.flush()
    chosen = db.session.get(User, manager_id).name if manager_id else f"{name} <{email.lower()}>"
    record("participant.environment_manager", actor=user, obj=participant, summary=chosen)
    db.session.commit()


ENVIRONMENT_FIELDS = ["name", "serves", "environment_id", "status", "endpoints", "host_names", "addresses"]


def save_environment(user, participant, environment, values):
    """Adds (environment without id) or changes one of the participant's own test environments and its connection
    details (EAP §7.1.2–§7.1.3); values: ENVIRONMENT_FIELDS as plain data."""
    require(can_keep_participant(user, participant), "Only the participant's own users keep its environments.")
    problems = connection_problems(values)
    if not values.get("name"):
        problems["name"] = "Name the environment (e.g. Northwold SIT-A)."
    elif db.session.scalar(select(ParticipantEnvironment.id).where(
            ParticipantEnvironment.participant_id == participant.id, ParticipantEnvironment.name == values["name"],
            ParticipantEnvironment.id != (environment.id or 0))):
        problems["name"] = f"{values['name']} is the name of another of your environments."
    if db.session.get(Environment, values.get("environment_id") or 0) is None:
        problems["environment_id"] = "Choose the central environment it connects to."
    if problems:
        raise Invalid(problems)
    adding = environment.id is None
    environment.participant_id = participant.id
    for field in ("name", "serves", "environment_id"):
        setattr(environment, field, values[field])
    environment.status = EnvironmentStatus(values["status"])
    for field in CHECKS:
        setattr(environment, field, normal_entries(values[field]))
    db.session.add(environment)
    db.session.flush()
    central = db.session.get(Environment, environment.environment_id)
    record("participant_environment.added" if adding else "participant_environment.changed", actor=user,
           obj=environment, summary=f"{environment.name} → {central.name}, {environment.status.label}")
    db.session.commit()
    return environment


def remove_environment(user, environment):
    """The participant no longer tests with it: it goes, with its outages (the audit trail keeps its name)."""
    require(can_keep_participant(user, environment.participant), "Only the participant's own users remove it.")
    record("participant_environment.removed", actor=user, obj=environment,
           summary=f"{environment.name} → {environment.environment.name}")
    db.session.execute(delete(ParticipantOutage).where(ParticipantOutage.participant_environment_id
                                                       == environment.id))
    db.session.delete(environment)
    db.session.commit()


OUTAGE_FIELDS = ["planned", "data_refresh", "starts", "ends", "reason"]


def notice_days():
    """The business days' notice a data refresh needs (EAP §12.6), from the configuration."""
    return current_app.config["PARTICIPANT_REFRESH_NOTICE_DAYS"]


def outage_problems(values, now):
    problems = {}
    starts, ends = values.get("starts"), values.get("ends")
    if starts is None:
        problems["starts"] = "Give when it starts."
    elif values.get("data_refresh"):
        earliest = add_business_days(now, notice_days())
        if starts < earliest:
            problems["starts"] = (f"A data refresh needs {notice_days()} business days' notice (EAP §12.6): "
                                  f"the earliest start now is {format_london(earliest)}.")
    if values.get("planned") and ends is None:
        problems["ends"] = "A planned outage has an end: give it."
    if starts is not None and ends is not None and ends <= starts:
        problems["ends"] = "The end must be after the start."
    if not values.get("reason"):
        problems["reason"] = "Say what is happening (e.g. data refresh from production copy)."
    return problems


def log_outage(user, environment, values, now=None):
    """A participant's own environment unavailable (EAP §12.5.2, §12.6); a data refresh is planned, needs notice and
    is announced to the Central Parties and Release Managers of the central environment it connects to."""
    participant = environment.participant
    require(can_keep_participant(user, participant), "Only the participant's own users log its unavailability.")
    now = now or utcnow()
    values = dict(values, planned=bool(values.get("planned") or values.get("data_refresh")))
    problems = outage_problems(values, now)
    if problems:
        raise Invalid(problems)
    outage = ParticipantOutage(participant_environment_id=environment.id, planned=values["planned"],
                               data_refresh=bool(values.get("data_refresh")), starts=values["starts"],
                               ends=values.get("ends"), reason=values["reason"], logged_by_id=user.id, logged_at=now)
    db.session.add(outage)
    db.session.flush()
    record("participant_outage.logged", actor=user, obj=outage,
           summary=f"{environment.name}: {outage_label(outage)} from {format_london(outage.starts)}")
    if outage.data_refresh:
        central = environment.environment
        told = connected_central_parties(central.id) + list(managers_of([central.phase]))
        notify("participant_refresh", told, "participants.participant", {"participant_id": participant.id},
               outage=outage, environment=environment, central=central,
               organisation=participant.organisation)
    db.session.commit()
    return outage


def outage_label(outage):
    return "data refresh" if outage.data_refresh else "planned outage" if outage.planned else "unplanned outage"


def end_outage(user, outage, now=None):
    """An unplanned outage of the participant's own environment is over."""
    environment = outage.participant_environment
    require(can_keep_participant(user, environment.participant), "Only the participant's own users end it.")
    now = now or utcnow()
    if outage.ends is not None and outage.ends <= now:
        raise Refused("This outage has ended already.")
    outage.ends = max(now, outage.starts)
    record("participant_outage.ended", actor=user, obj=outage, summary=f"{environment.name}: ended")
    db.session.commit()


def connected_central_parties(environment_id):
    """The active users of the Central Parties whose systems run in that central environment."""
    return db.session.scalars(select(User).where(User.active.is_(True), User.role == Role.CENTRAL_PARTY,
                                                 User.organisation_id.in_(
                                                     select(System.organisation_id).join(System.environments)
                                                     .where(Environment.id == environment_id)))).all()


def outages_query(user, since=None):
    """The outages of the participants' environments this user may see, soonest first."""
    query = (select(ParticipantOutage).join(ParticipantOutage.participant_environment)
             .options(joinedload(ParticipantOutage.participant_environment)
                      .joinedload(ParticipantEnvironment.participant).joinedload(Participant.organisation),
                      joinedload(ParticipantOutage.participant_environment)
                      .joinedload(ParticipantEnvironment.environment))
             .order_by(ParticipantOutage.starts, ParticipantOutage.id))
    if since is not None:
        query = query.where(or_(ParticipantOutage.ends.is_(None), ParticipantOutage.ends > since))
    return visible_environments(query, user)


BOARD_AHEAD = timedelta(days=14)


def board_outages(user, now):
    """The participants' own environments' outages the status board shows (kept apart from central systems): those
    going on now and those planned in the next 14 days, as this user may see them."""
    return db.session.scalars(outages_query(user, since=now).where(ParticipantOutage.starts < now + BOARD_AHEAD)).all()


# The central systems' connection details (EAP §7.1.3, §7.3) ----------------------------------------------------

def connections(user):
    """The central systems' connection details this user may see, by environment and system."""
    return db.session.scalars(visible_connections(
        select(CentralConnection).join(CentralConnection.environment).join(CentralConnection.system)
        .options(joinedload(CentralConnection.environment), joinedload(CentralConnection.system)
                 .joinedload(System.organisation), joinedload(CentralConnection.updated_by))
        .order_by(Environment.position, System.name), user)).all()


def systems_kept_by(user):
    """(system, environment) pairs whose connection details this user keeps: its organisation's systems where they
    run."""
    if not can_keep_central_connections(user):
        return []
    systems = db.session.scalars(select(System).where(System.organisation_id == user.organisation_id)
                                 .options(selectinload(System.environments)).order_by(System.name)).all()
    return [(system, environment) for system in systems for environment in system.environments]


CONNECTION_FIELDS = ["environment_id", "system_id", "endpoints", "host_names", "notes"]


def save_connection(user, values, now=None):
    """Sets the connection details of one of the Central Party's systems in one central environment."""
    require(can_keep_central_connections(user), "Central Parties keep their own systems' connection details.")
    system = db.session.get(System, values.get("system_id") or 0)
    if system is None or not can_keep_connection(user, system):
        raise Refused("Choose one of your organisation's systems.", "system_id")
    environment = db.session.get(Environment, values.get("environment_id") or 0)
    if environment is None or environment not in system.environments:
        raise Refused(f"{system.name} does not run in that environment: choose one where it runs.", "environment_id")
    problems = connection_problems(values, ("endpoints", "host_names"))
    if not entries(values.get("endpoints")):
        problems.setdefault("endpoints", "Give at least one endpoint participants connect to.")
    if problems:
        raise Invalid(problems)
    connection = db.session.scalar(select(CentralConnection).where(CentralConnection.system_id == system.id,
                                                                   CentralConnection.environment_id == environment.id))
    if connection is None:
        connection = CentralConnection(system_id=system.id, environment_id=environment.id)
        db.session.add(connection)
    connection.endpoints = normal_entries(values["endpoints"])
    connection.host_names = normal_entries(values.get("host_names"))
    connection.notes = values.get("notes") or ""
    connection.updated_by_id, connection.updated_at = user.id, now or utcnow()
    db.session.flush()
    record("central_connection.saved", actor=user, obj=connection, summary=f"{system.name} in {environment.name}")
    db.session.commit()
    return connection
def signed_off_pairs(participant_ids):
    """{(participant id, environment id)} of the sign-offs that stand, for many participants in one query."""
    return set(db.session.execute(select(ConnectivitySignOff.participant_id, ConnectivitySignOff.environment_id)
                                  .where(ConnectivitySignOff.participant_id.in_(participant_ids),
                                         ConnectivitySignOff.voided_at.is_(None))).all())
