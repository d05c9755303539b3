"""The participants' rules other domains ask (the quality gate: EAP §11.3)."""
from sqlalchemy import exists, or_, select

from ..extensions import db
from .models import ConnectivitySignOff, OnboardingInterval, Participant, ParticipantEnvironment, ParticipantOutage
from .proving import first_open, open_step_words, steps_of

SIGN_OFF_NEEDED = "Connectivity to {environment} is not signed off"


def participant_of(organisation_id):
    """The register entry of an organisation, or None when it does not test."""
    return db.session.scalar(select(Participant).where(Participant.organisation_id == organisation_id))


def connectivity_signed_off(participant_id, environment_id):
    """Whether a Release Manager's sign-off of connectivity to that central environment stands (not voided)."""
    return db.session.scalar(select(exists().where(
        ConnectivitySignOff.participant_id == participant_id,
        ConnectivitySignOff.environment_id == environment_id,
        ConnectivitySignOff.voided_at.is_(None))))


def first_open_step(participant_id, environment):
    """What stands between a participant and testing in a central environment, in words, or None when nothing does:
    the first required proving step not done (derived now, so an expired certificate counts at once), else a
    missing sign-off."""
    participant = db.session.get(Participant, participant_id)
    if participant is None:  # not on the register: nothing was proven, let alone signed off
        return SIGN_OFF_NEEDED.format(environment=environment.name)
    _, states = steps_of(participant, environment)
    state = first_open(states)
    if state is not None:
        return f"{environment.name}: {open_step_words(state)}"
    if connectivity_signed_off(participant_id, environment.id):
        return None
    return SIGN_OFF_NEEDED.format(environment=environment.name)


def unavailable_between(participant_id, starts, ends):
    """The participant's own environments' outages that overlap [starts, ends) (an ongoing one has no end)."""
    return db.session.scalars(
        select(ParticipantOutage).join(ParticipantOutage.participant_environment)
        .where(ParticipantEnvironment.participant_id == participant_id, ParticipantOutage.starts < ends,
               or_(ParticipantOutage.ends.is_(None), ParticipantOutage.ends > starts))
        .order_by(ParticipantOutage.starts)).all()


def intervals_between(first_day, last_day):
    """The DIP onboarding intervals (EAP §10.1) overlapping [first_day, last_day], for the calendar and feeds."""
    return db.session.scalars(select(OnboardingInterval).where(OnboardingInterval.first_day <= last_day,
                                                               OnboardingInterval.last_day >= first_day)
                              .order_by(OnboardingInterval.number)).all()
