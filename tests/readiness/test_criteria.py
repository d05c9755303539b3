"""Entry criteria: which apply, the derived ones kept true by the data (and reopening when it changes), waivers
and their expiry, evidence, and the readiness of a participant and of a list in a fixed number of queries."""
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from mhhs.allocation.models import TestPhase
from mhhs.certificates.models import Kind
from mhhs.core.services import Invalid, Refused
from mhhs.core.time import utcnow
from mhhs.directory.models import MarketRole
from mhhs.extensions import db
from mhhs.participants.models import (
    ConnectivitySignOff,
    EnvironmentStatus,
    ParticipantEnvironment,
    ParticipantKind,
    Route,
)
from mhhs.readiness import criteria
from mhhs.readiness.criteria import State
from tests.certificates.factory import make_certificate
from tests.readiness.factory import environment, make_criterion, make_participant, user

RM, TP = "rm.sit@demo.test", "supplier@demo.test"


def market_role(code):
    return db.session.scalar(select(MarketRole).where(MarketRole.code == code))


def state(participant, criterion, now=None):
    return criteria.readiness_of(participant, now=now).standing_of(criterion.id).state


def test_a_criterion_applies_to_its_phase_kind_and_market_role(ctx):
    supplier = make_participant()
    agent = make_participant("Brightmeter Services", kind=ParticipantKind.AGENT)
    qualifying = make_participant("Fenland Networks", route=Route.QUALIFICATION)
    everyone = make_criterion("Test plan approved")
    agents = make_criterion("Agent scenarios ready", kind=ParticipantKind.AGENT.value)
    make_criterion("Qualification test plan approved", phase=Route.QUALIFICATION)
    dc = make_criterion("DC data flows ready", market_role_id=market_role("DC").id)
    assert [s.criterion for s in criteria.readiness_of(supplier).standings] == [everyone]
    supplier.market_roles.append(market_role("DC"))
    db.session.commit()
    assert [s.criterion for s in criteria.readiness_of(supplier).standings] == [everyone, dc]
    assert [s.criterion for s in criteria.readiness_of(agent).standings] == [everyone, agents]  # not DC
    assert [s.criterion.text for s in criteria.readiness_of(qualifying).standings] == [
        "Qualification test plan approved"]


@pytest.mark.parametrize("derived, make_true, undo", [
    ("environment_manager",
     lambda p: setattr(p, "environment_manager_id", user(TP).id),
     lambda p: setattr(p, "environment_manager_id", None)),
    ("standing_data",
     lambda p: setattr(p, "isd_loaded_on", criteria.today_in_london()),
     lambda p: setattr(p, "isd_loaded_on", None)),
    ("own_environment",
     lambda p: db.session.add(ParticipantEnvironment(participant_id=p.id, name="NWEN-SIT",
                                                     status=EnvironmentStatus.READY,
                                                     environment_id=environment("SIT-A").id)),
     lambda p: setattr(p.environments[0], "status", EnvironmentStatus.UNAVAILABLE)),
    ("connectivity",
     lambda p: db.session.add(ConnectivitySignOff(participant_id=p.id, environment_id=environment("SIT-A").id,
                                                  signed_by_id=user(RM).id, signed_at=utcnow())),
     lambda p: setattr(db.session.query(ConnectivitySignOff).one(), "voided_at", utcnow())),
])
def test_derived_criteria_follow_the_data_and_reopen_when_it_changes(ctx, derived, make_true, undo):
    participant = make_participant()
    criterion = make_criterion(f"Derived {derived}", derived=derived, environment_id=environment("SIT-A").id)
    readiness = criteria.readiness_of(participant)
    assert readiness.standing_of(criterion.id).state == State.OPEN and readiness.standing_of(criterion.id).why
    make_true(participant)
    db.session.commit()
    db.session.refresh(participant)
    assert state(participant, criterion) == State.MET
    undo(participant)
    db.session.commit()
    db.session.expire_all()
    assert state(participant, criterion) == State.OPEN


def test_certificates_criterion_needs_both_dip_certificates_valid_in_its_environment(ctx):
    participant = make_participant()
    criterion = make_criterion("DIP certificates", derived="certificates", environment_id=environment("SIT-A").id)
    make_certificate("Northwold Energy", "SIT-A", kind=Kind.DIP_TLS)
    readiness = criteria.readiness_of(participant)
    assert readiness.standing_of(criterion.id).state == State.OPEN
    assert "JWS" in readiness.standing_of(criterion.id).why
    make_certificate("Northwold Energy", "SIT-A", kind=Kind.DIP_JWS, days=40)
    assert state(participant, criterion) == State.MET
    assert state(participant, criterion, now=utcnow() + timedelta(days=41)) == State.OPEN  # one has expired by then


def test_a_derived_criterion_needs_its_environment(ctx):
    with pytest.raises(Invalid) as refused:
        make_criterion("Connectivity", derived="connectivity")
    assert "environment_id" in refused.value.problems


@pytest.mark.parametrize("until_days, checked_days, expected", [
    (7, 0, State.WAIVED),  # a waiver expiring next week holds today
    (7, 7, State.WAIVED),  # and on its last day
    (7, 8, State.OPEN),  # the day after, the criterion is open again
    (0, 0, State.WAIVED),  # a waiver for today only
])
def test_a_waiver_holds_until_its_last_day_then_the_criterion_reopens(ctx, until_days, checked_days, expected):
    participant = make_participant()
    criterion = make_criterion("Test plan approved")
    today = criteria.today_in_london()
    criteria.waive(user(RM), participant, criterion, "Plan under review", today + timedelta(days=until_days))
    noon = datetime.combine(today + timedelta(days=checked_days), datetime.min.time()) + timedelta(hours=12)
    assert state(participant, criterion, now=noon) == expected


def test_an_expired_waiver_says_so(ctx):
    participant = make_participant()
    criterion = make_criterion("Test plan approved")
    today = criteria.today_in_london()
    criteria.waive(user(RM), participant, criterion, "Plan under review", today)
    later = criteria.readiness_of(participant, now=utcnow() + timedelta(days=2)).standing_of(criterion.id)
    assert later.state == State.OPEN and later.why == f"Waiver expired on {today:%d %b %Y}."


@pytest.mark.parametrize("reason, until_days, field", [
    ("", 3, "reason"),
    ("   ", 3, "reason"),
    ("Plan under review", -1, "until"),
    ("Plan under review", None, "until"),
])
def test_a_waiver_without_reason_or_with_a_past_end_is_refused_and_nothing_is_stored(ctx, reason, until_days, field):
    participant = make_participant()
    criterion = make_criterion("Test plan approved")
    until = None if until_days is None else criteria.today_in_london() + timedelta(days=until_days)
    with pytest.raises(Invalid) as refused:
        criteria.waive(user(RM), participant, criterion, reason, until)
    assert field in refused.value.problems
    db.session.rollback()
    assert state(participant, criterion) == State.OPEN


def test_only_release_managers_waive_and_only_the_participant_meets(ctx):
    participant = make_participant()
    criterion = make_criterion("Test plan approved")
    with pytest.raises(Refused):
        criteria.waive(user(TP), participant, criterion, "Mine", criteria.today_in_london())
    with pytest.raises(Refused):
        criteria.meet(user(RM), participant, criterion, "Done")
    with pytest.raises(Refused):
        criteria.meet(user("dip@demo.test"), participant, criterion, "Done")  # another organisation


def test_evidence_required_needs_a_note_or_a_file(ctx):
    participant = make_participant()
    criterion = make_criterion("Test data loaded", evidence_required=True)
    with pytest.raises(Invalid) as refused:
        criteria.meet(user(TP), participant, criterion, "  ")
    assert "evidence" in refused.value.problems["note"]
    db.session.rollback()
    criteria.meet(user(TP), participant, criterion, "", file=("load.txt", "text/plain", b"12,000 MPANs"))
    assert state(participant, criterion) == State.MET


def test_a_derived_criterion_is_not_met_by_hand(ctx):
    participant = make_participant()
    criterion = make_criterion("EM named", derived="environment_manager")
    with pytest.raises(Refused):
        criteria.meet(user(TP), participant, criterion, "We have one")


def test_readiness_words(ctx):
    participant = make_participant()
    first, second = make_criterion("Test plan approved"), make_criterion("Test data loaded")
    assert criteria.readiness_of(participant).label == "Not ready (2 open)"
    criteria.meet(user(TP), participant, first, "Approved at the SIT board")
    assert criteria.readiness_of(participant).label == "Not ready (1 open)"
    criteria.waive(user(RM), participant, second, "Loaded next week", criteria.today_in_london() + timedelta(days=7))
    assert criteria.readiness_of(participant).label == "Ready with waivers"
    criteria.meet(user(TP), participant, second, "Loaded")
    assert criteria.readiness_of(participant).label == "Ready"


def test_standing_data_declared_for_a_day_to_come_is_refused(ctx):
    participant = make_participant()
    with pytest.raises(Refused) as refused:
        criteria.declare_standing_data(user(TP), participant, criteria.today_in_london() + timedelta(days=1))
    assert refused.value.field == "loaded_on"


def _many(first, last):
    for i in range(first, last):
        make_participant(f"Participant {i:03d}")


def test_the_readiness_of_a_list_costs_the_same_queries_for_3_and_30_participants(ctx, count_queries):
    environment_id = environment("SIT-A").id
    for derived in ("connectivity", "certificates", "pki_officers", "environment_manager", "own_environment",
                    "standing_data"):
        make_criterion(derived, derived=derived, environment_id=environment_id)
    make_criterion("By hand")
    counts, made = [], 0
    for size in (3, 30):
        _many(made, size)
        made = size
        db.session.expire_all()
        with count_queries() as counter:
            found = criteria.readiness_of_many(criteria.participants_of(Route.SIT), Route.SIT)
            assert all(r.label == "Not ready (7 open)" for r in found.values())
        assert len(found) == size
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_the_snapshot_section_is_plain_data_of_the_phases_readiness(ctx):
    participant = make_participant()
    criterion = make_criterion("Test plan approved")
    until = criteria.today_in_london() + timedelta(days=3)
    criteria.waive(user(RM), participant, criterion, "Signed copy to follow", until)
    section = criteria.snapshot_section(environment("SIT-A"))
    assert json.loads(json.dumps(section)) == section  # JSON-able, frozen as it stands
    assert section["title"] == "Participants' readiness for SIT (SIT-A)"
    waived = f"Test plan approved (until {until:%d %b %Y})"
    assert section["rows"] == [["Northwold Energy", "Ready with waivers", waived]]


@pytest.mark.parametrize("environment_name, stage_name, phase", [
    ("SIT-A", "SIT Functional", Route.SIT),
    ("UIT", "Qualification", Route.QUALIFICATION),
    ("UIT", "E2E Sandbox", Route.SANDBOX),
    ("UIT", "", Route.QUALIFICATION),
])
def test_the_phase_of_a_stage(ctx, environment_name, stage_name, phase):
    stage = TestPhase(name=stage_name) if stage_name else None
    assert criteria.phase_of(environment(environment_name), stage) == phase
