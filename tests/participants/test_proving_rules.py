"""Connectivity proving's rules (EAP §10.1, §11.3): step dependencies, derivation of steps 1–2, regression,
sign-off and its voiding, the EES and interval rules, and the reminders."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from mhhs.certificates import services as certificates
from mhhs.certificates.models import Certificate, Kind, OfficerRole, PkiOfficer
from mhhs.core.permissions import Role
from mhhs.core.services import Refused
from mhhs.core.time import utcnow
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.participants import proving
from mhhs.participants.models import ConnectivitySignOff, ProvingStep, StepStatus
from mhhs.participants.services import connectivity_signed_off, first_open_step
from tests.certificates.factory import make_certificate
from tests.participants.proving_factory import (
    certificates_for,
    environment,
    make_dip_officer,
    make_interval,
    make_participant,
    officers_for,
)

DONE, BLOCKED = StepStatus.DONE, StepStatus.BLOCKED


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


def manager():
    return user("rm.sit@demo.test")


def statuses(participant, environment_name="SIT-A", now=None):
    _, states = proving.steps_of(participant, environment(environment_name), now)
    return [state.status for state in states]


def values(status=DONE, **extra):
    return {"status": status, "blocked_by": "", "not_applicable_reason": "", "note": "", "message_id": "",
            "message_at": None, **extra}


def record(participant, step, status=DONE, by="supplier@demo.test", environment_name="SIT-A", **extra):
    if step == 4 and status == DONE:
        extra = {"message_id": "MSG-0001", "message_at": utcnow() - timedelta(hours=1), **extra}
    return proving.record_step(user(by), participant, environment(environment_name), step, values(status, **extra))


def proven(participant, upto=5):
    officers_for(participant)
    certificates_for(participant)
    for step in range(3, upto + 1):
        record(participant, step, by="rm.sit@demo.test")


def outbox(subject_part):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.contains(subject_part))).all()


# Derivation -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("officers, expected", [
    ((), StepStatus.NOT_STARTED),
    ((OfficerRole.SRO,), StepStatus.IN_PROGRESS),  # no Technical Contact for SIT-A
    ((OfficerRole.TECHNICAL_CONTACT,), StepStatus.IN_PROGRESS),  # no Senior Responsible Officer
    ((OfficerRole.SRO, OfficerRole.TECHNICAL_CONTACT), DONE),
])
def test_step_1_derives_from_the_dip_officers(ctx, officers, expected):
    participant = make_participant()
    for role in officers:
        make_dip_officer(participant.organisation_id, role,
                         "SIT-A" if role == OfficerRole.TECHNICAL_CONTACT else None)
    assert statuses(participant)[0] == expected


def test_a_technical_contact_for_another_environment_leaves_step_1_open(ctx):
    participant = make_participant()
    make_dip_officer(participant.organisation_id)
    make_dip_officer(participant.organisation_id, OfficerRole.TECHNICAL_CONTACT, "UIT")
    _, states = proving.steps_of(participant, environment("SIT-A"))
    assert states[0].status == StepStatus.IN_PROGRESS
    assert states[0].detail == "No DIP Technical Contact for SIT-A."


@pytest.mark.parametrize("held, expected", [
    ((), StepStatus.NOT_STARTED),
    (((Kind.DIP_TLS, "SIT-A", 365),), StepStatus.IN_PROGRESS),
    (((Kind.DIP_TLS, "SIT-A", 365), (Kind.DIP_JWS, "SIT-A", 365)), DONE),
    (((Kind.DIP_TLS, "SIT-A", 365), (Kind.DIP_JWS, "SIT-A", -1)), StepStatus.IN_PROGRESS),  # JWS expired
    (((Kind.DIP_TLS, "UIT", 365), (Kind.DIP_JWS, "UIT", 365)), StepStatus.NOT_STARTED),  # for UIT only
    (((Kind.DCC_CSS, "SIT-A", 365), (Kind.DCC_DSP, "SIT-A", 365)), StepStatus.NOT_STARTED),  # not DIP kinds
])
def test_step_2_derives_from_current_dip_certificates_for_the_environment(ctx, held, expected):
    participant = make_participant()
    officers_for(participant)
    for kind, environment_name, days in held:
        make_certificate("Northwold Energy", environment_name, days=days, kind=kind,
                         common_name=f"{kind.name}.{environment_name}.test")
    assert statuses(participant)[1] == expected


def test_a_replaced_certificate_does_not_count(ctx):
    participant = make_participant()
    officers_for(participant)
    tls, _jws = certificates_for(participant)
    tls.replaced = True
    db.session.commit()
    _, states = proving.steps_of(participant, environment("SIT-A"))
    assert states[1].status == StepStatus.IN_PROGRESS
    assert states[1].detail == "No valid DIP TLS certificate for SIT-A."


def test_step_2_waits_for_step_1(ctx):
    participant = make_participant()
    certificates_for(participant)
    _, states = proving.steps_of(participant, environment("SIT-A"))
    assert states[1].status == BLOCKED
    assert states[1].detail.startswith("Waits for step 1, PKI officers determined: No DIP SRO appointed")


# Dependencies ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ready_upto, step, refused_field, words", [
    (1, 3, "status", "Step 3 needs step 2, PKI certificates (TLS and JWS) requested and installed, done first"),
    (2, 4, "status", "Step 4 needs step 3, webhooks registered, done first"),
])
def test_a_step_cannot_be_done_before_the_step_it_needs(ctx, ready_upto, step, refused_field, words):
    participant = make_participant()
    officers_for(participant)
    if ready_upto >= 2:
        certificates_for(participant)
    with pytest.raises(Refused) as refused:
        record(participant, step)
    assert refused.value.problems[refused_field].startswith(words)
    assert db.session.scalar(select(ProvingStep).where(ProvingStep.step == step)) is None


def test_steps_1_and_2_are_never_recorded_by_hand(ctx):
    participant = make_participant()
    with pytest.raises(Refused, match="ticks itself"):
        record(participant, 2)


@pytest.mark.parametrize("changes, field, message", [
    ({"message_id": ""}, "message_id", "Enter the id of the DIP message sent."),
    ({"message_at": None}, "message_at", "Enter when the message was sent and its response received."),
    ({"message_at": datetime(2099, 1, 1)}, "message_at", "This time is in the future."),
])
def test_step_4_done_needs_its_message_id_and_time(ctx, changes, field, message):
    participant = make_participant()
    proven(participant, upto=3)
    with pytest.raises(Refused) as refused:
        record(participant, 4, **{"message_id": "MSG-1", "message_at": utcnow() - timedelta(hours=1), **changes})
    assert refused.value.problems[field] == message


def test_blocked_says_what_blocks_it_and_not_applicable_is_only_for_what_is_not_required(ctx):
    participant = make_participant(interval=3)
    proven(participant, upto=2)
    with pytest.raises(Refused) as refused:
        record(participant, 3, BLOCKED)
    assert refused.value.problems == {"blocked_by": "Say what blocks this step."}
    with pytest.raises(Refused) as refused:
        record(participant, 5, StepStatus.NOT_APPLICABLE, not_applicable_reason="We have none")
    assert refused.value.problems["status"].startswith("Step 5 is required of Northwold Energy")
    record(participant, 3, BLOCKED, blocked_by="Firewall change awaited")
    _, states = proving.steps_of(participant, environment("SIT-A"))
    assert (states[2].status, states[2].detail) == (BLOCKED, "Firewall change awaited")
    # The step after a blocked one waits for it.
    assert states[3].status == BLOCKED and states[3].detail.startswith("Waits for step 3, webhooks registered")


# EES and intervals ----------------------------------------------------------------------------------------------

def test_step_4_is_not_applicable_to_an_ees_participant_and_cannot_be_recorded(ctx):
    participant = make_participant(market_roles=("EES",), interval=4)
    proven(participant, upto=3)
    _, states = proving.steps_of(participant, environment("SIT-A"))
    assert states[3].status == StepStatus.NOT_APPLICABLE and not states[3].required
    assert "EES market role receives DIP messages" in states[3].detail
    with pytest.raises(Refused) as refused:
        record(participant, 4)
    assert refused.value.problems["status"].startswith("Step 4 does not apply to Northwold Energy")
    record(participant, 5)
    assert proving.sign_off(manager(), participant, environment("SIT-A")) is not None


def test_an_ees_participant_with_other_roles_still_sends_a_message(ctx):
    participant = make_participant(market_roles=("EES", "SUP-D"), interval=4)
    _, states = proving.steps_of(participant, environment("SIT-A"))
    assert states[3].required


@pytest.mark.parametrize("interval, required", [(1, False), (2, False), (3, True), (6, True), (None, True)])
def test_step_4_is_required_from_interval_3_onwards(ctx, interval, required):
    participant = make_participant(interval=interval)
    proven(participant, upto=3)
    record(participant, 5)
    _, states = proving.steps_of(participant, environment("SIT-A"))
    assert states[3].required == required
    if required:
        with pytest.raises(Refused, match="Not signed off: Step 4, DIP message sent and its response received"):
            proving.sign_off(manager(), participant, environment("SIT-A"))
    else:
        assert states[3].status == StepStatus.NOT_APPLICABLE
        assert proving.sign_off(manager(), participant, environment("SIT-A"))


# Sign-off -------------------------------------------------------------------------------------------------------

def test_sign_off_is_refused_naming_the_first_open_step_then_given(ctx):
    participant = make_participant()
    sit_a = environment("SIT-A")
    with pytest.raises(Refused, match="Not signed off: Step 1, PKI officers determined, is not done: No DIP SRO"):
        proving.sign_off(manager(), participant, sit_a)
    assert first_open_step(participant.id, sit_a).startswith("SIT-A: Step 1, PKI officers determined")
    proven(participant, upto=4)
    with pytest.raises(Refused, match="Step 5, internal connectivity proven, is not done"):
        proving.sign_off(manager(), participant, sit_a)
    record(participant, 5)
    assert first_open_step(participant.id, sit_a) == "Connectivity to SIT-A is not signed off"
    proving.sign_off(manager(), participant, sit_a)
    assert connectivity_signed_off(participant.id, sit_a.id)
    assert first_open_step(participant.id, sit_a) is None
    with pytest.raises(Refused, match="signed off already"):
        proving.sign_off(manager(), participant, sit_a)
    assert first_open_step(999999, sit_a) == "Connectivity to SIT-A is not signed off"  # not on the register


@pytest.mark.parametrize("email", ["supplier@demo.test", "dip@demo.test"])
def test_nobody_but_a_release_manager_signs_off(ctx, email):
    participant = make_participant()
    proven(participant)
    with pytest.raises(Refused, match="Only a Release Manager"):
        proving.sign_off(user(email), participant, environment("SIT-A"))
    assert db.session.scalar(select(ConnectivitySignOff)) is None


def test_another_organisation_cannot_record_the_steps(ctx):
    participant = make_participant()
    proven(participant, upto=2)
    with pytest.raises(Refused, match="Only Northwold Energy or a Release Manager"):
        record(participant, 3, by="dip@demo.test")
    record(participant, 3, by="rm.sit@demo.test")  # any Release Manager may


def test_a_release_manager_voids_a_sign_off_with_a_reason(ctx):
    participant = make_participant()
    proven(participant)
    sit_a = environment("SIT-A")
    proving.sign_off(manager(), participant, sit_a)
    with pytest.raises(Refused) as refused:
        proving.void_sign_off(manager(), participant, sit_a, "")
    assert refused.value.problems == {"reason": "Say why the sign-off is voided."}
    proving.void_sign_off(manager(), participant, sit_a, "Webhook endpoint moved")
    assert not connectivity_signed_off(participant.id, sit_a.id)
    voided = db.session.scalar(select(ConnectivitySignOff))
    assert voided.voided_reason == "Webhook endpoint moved" and voided.voided_at is not None


# Regression -----------------------------------------------------------------------------------------------------

def signed_off_participant():
    participant = make_participant(email="tester@fresh.test", organisation_name="Fresh Supply")
    proven(participant)
    proving.sign_off(manager(), participant, environment("SIT-A"))
    return participant


def told(participant):
    """Who was told of the regression (e-mail addresses)."""
    return sorted(address for message in outbox("Connectivity proving regressed: Fresh Supply in SIT-A")
                  for address in message.recipients.split(","))


def test_an_expired_certificate_regresses_step_2_and_what_follows_voids_the_sign_off_and_tells_once(ctx):
    participant = signed_off_participant()
    sit_a = environment("SIT-A")
    later = utcnow() + timedelta(days=400)  # the certificates have expired by then
    assert statuses(participant, now=later) == [DONE, StepStatus.NOT_STARTED, BLOCKED, BLOCKED, DONE]
    # The gate closes at read time already, before any sweep.
    assert proving.sweep(later) == 1
    assert not connectivity_signed_off(participant.id, sit_a.id)
    voided = db.session.scalar(select(ConnectivitySignOff))
    assert voided.voided_reason.startswith("Step 2, PKI certificates (TLS and JWS) requested and installed, "
                                           "regressed: No valid DIP TLS certificate for SIT-A.")
    managers = sorted(db.session.scalars(select(User.email).where(User.role == Role.RELEASE_MANAGER)))
    assert told(participant) == sorted(["tester@fresh.test", *managers])
    # Told once: the next sweeps find nothing new.
    assert proving.sweep(later + timedelta(days=1)) == 0
    assert len(told(participant)) == 1 + len(managers)


def test_a_certificate_replaced_by_one_for_another_environment_voids_the_sign_off_at_once(ctx):
    participant = signed_off_participant()
    tls = db.session.scalar(select(Certificate).where(Certificate.organisation_id == participant.organisation_id,
                                                      Certificate.kind == Kind.DIP_TLS))
    tester = user("tester@fresh.test")
    certificates.delete_certificate(tester, tls)  # through the certificates service: the hook tells us
    make_certificate("Fresh Supply", "UIT", kind=Kind.DIP_TLS, common_name="uit.fresh.test")
    assert not connectivity_signed_off(participant.id, environment("SIT-A").id)
    assert len(outbox("Connectivity proving regressed: Fresh Supply in SIT-A")) > 0
    _, states = proving.steps_of(participant, environment("SIT-A"))
    assert states[1].row.regressed_reason == "No valid DIP TLS certificate for SIT-A."


def test_removing_an_officer_regresses_step_1_and_everything_after_it(ctx):
    participant = signed_off_participant()
    contact = db.session.scalar(select(PkiOfficer).where(PkiOfficer.role == OfficerRole.TECHNICAL_CONTACT,
                                                         PkiOfficer.organisation_id == participant.organisation_id))
    certificates.remove_officer(user("tester@fresh.test"), contact)
    assert statuses(participant) == [StepStatus.IN_PROGRESS, BLOCKED, BLOCKED, BLOCKED, DONE]
    voided = db.session.scalar(select(ConnectivitySignOff))
    assert voided.voided_reason == ("Step 1, PKI officers determined, regressed: No DIP Technical Contact for "
                                    "SIT-A.")
    # Appointed again: the steps are proven again (the sign-off is the Release Manager's to give again).
    certificates.add_officer(user("tester@fresh.test"), participant.organisation,
                             {"scheme": "DIP", "role": "Technical Contact", "name": "New Contact",
                              "email": "new@fresh.test", "mpid": "", "market_role_id": None,
                              "environment_id": environment("SIT-A").id})
    assert statuses(participant) == [DONE] * 5
    assert not connectivity_signed_off(participant.id, environment("SIT-A").id)


def test_a_regression_without_a_sign_off_is_told_too_but_voids_nothing(ctx):
    participant = make_participant(email="tester@fresh.test", organisation_name="Fresh Supply")
    proven(participant, upto=3)
    proving.sweep(utcnow())  # the derived steps' rows now say done
    assert proving.sweep(utcnow() + timedelta(days=400)) == 1
    assert db.session.scalar(select(ConnectivitySignOff)) is None
    assert "tester@fresh.test" in told(participant)


# Reminders ------------------------------------------------------------------------------------------------------

def test_participants_whose_interval_starts_within_14_days_are_reminded_once_per_step_and_week(ctx):
    today = date(2027, 3, 1)  # a Monday
    soon = make_participant(email="tester@fresh.test", organisation_name="Fresh Supply", interval=None)
    soon.interval = make_interval(1, today + timedelta(days=10))
    later = make_participant(organisation_name="Later Energy", email="later@later.test", interval=None)
    later.interval = make_interval(2, today + timedelta(days=25))  # 25, then 18 days away
    db.session.commit()
    assert proving.send_reminders(today) == 1
    message, = outbox("connectivity steps open in SIT-A")
    assert message.recipients == "tester@fresh.test"
    assert message.subject == "Onboarding interval 1 starts 11 Mar 2027: 4 connectivity steps open in SIT-A"
    assert ("- Step 1, PKI officers determined: not started (No DIP SRO appointed. No DIP Technical Contact for "
            "SIT-A.)") in message.body
    assert "- Step 5, internal connectivity proven: not started" in message.body and "Step 4" not in message.body
    assert proving.send_reminders(today + timedelta(days=2)) == 0  # the same week
    assert proving.send_reminders(today + timedelta(days=7)) == 1  # a new week, still open
    officers_for(soon)  # step 1 done: no longer open
    assert proving.send_reminders(today + timedelta(days=7)) == 0


def test_an_organisation_without_users_is_not_counted_as_reminded(ctx):
    today = date(2027, 3, 1)
    silent = make_participant(organisation_name="Silent Supply", interval=None)
    silent.interval = make_interval(1, today + timedelta(days=3))
    db.session.commit()
    assert proving.send_reminders(today) == 0
    assert outbox("connectivity steps open") == []
