"""Demo proving tests, a conditional GO and the EWG's meetings (demo database only), through the same services a
Release Manager's clicks use."""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from ..allocation.models import TestPhase
from ..core.time import london_to_utc
from ..directory.models import Environment, Organisation, User
from ..extensions import db
from ..notifications.models import MailGroup
from . import decisions, ewg, proving_tests
from .models import EwgMeeting, ProvingKind, ReadinessDecision
from .owned import today

# (system name, test): a result other than passed in SIT-A's proving tests
NOT_PASSED = {("DIP", ProvingKind.MONITORING): ("failed", "Alert on the message queue depth did not fire in the "
                                                          "drill; Avanade raised a defect."),
              ("MPRS", ProvingKind.TEST_DATA): ("not_run", "")}
EVIDENCE = {ProvingKind.NETWORK: "Ping and DNS resolution from the SIT jump host, all endpoints answered.",
            ProvingKind.CERTIFICATES: "TLS handshake with the SIT CA chain; certificates valid beyond the stage.",
            ProvingKind.TEST_DATA: "Record counts of the loaded test data set match the manifest.",
            ProvingKind.MONITORING: "Synthetic failure raised the alert to the support mailbox within 5 minutes."}


def seed_demo_decisions():
    """Adds the demo once; returns how many rows were added."""
    if db.session.scalar(select(func.count()).select_from(ReadinessDecision)):
        return 0
    manager = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
    sit_a = db.session.scalar(select(Environment).where(Environment.name == "SIT-A"))
    day = today()
    added = 0
    for system in sit_a.systems:
        for kind in ProvingKind:
            result, evidence = NOT_PASSED.get((system.name, kind), ("passed", EVIDENCE[kind]))
            proving_tests.record_proving(manager, sit_a, system, kind, {
                "result": result, "evidence": evidence, "tested_on": day - timedelta(days=3)})
            added += 1
    stage = db.session.scalar(select(TestPhase).where(TestPhase.environment_id == sit_a.id, TestPhase.first_day > day)
                              .order_by(TestPhase.first_day))
    avanade = db.session.scalar(select(Organisation).where(Organisation.name == "Avanade"))
    ewg_list = db.session.scalar(select(MailGroup).where(MailGroup.key == MailGroup.EWG))
    if stage and avanade and ewg_list:
        decisions.record_decision(manager, stage, {
            "outcome": "conditional_go", "mail_group_id": ewg_list.id,
            "rationale": "SIT-A is ready but for the DIP's monitoring: the stage may start once the alert is proven."},
            [(1, {"text": "Prove the DIP message-queue alert fires, and record the monitoring test again.",
                  "owner": f"organisation:{avanade.id}", "due_on": day + timedelta(days=10)})])
        added += 2
    added += _meetings(manager, day)
    return added


def _meetings(manager, day):
    """The last meeting held (with its minutes and two actions) and the next one (with its generated agenda)."""
    made = ewg.generate(day)
    if ewg.meeting_day(day.year, day.month) > day:  # this month's is still ahead: the last one was last month's
        made += ewg.generate((day.replace(day=1) - timedelta(days=1)).replace(day=1))
    last = db.session.scalar(select(EwgMeeting).where(EwgMeeting.held_on <= day)
                             .order_by(EwgMeeting.held_on.desc()).limit(1))
    for meeting in made:
        meeting.chair_id = manager.id
    db.session.commit()
    if last is not None and last.held_on <= day and not last.minutes:
        # Sent the Tuesday before the meeting, as the agenda stood then (nothing of the days after it).
        ewg.send_agenda(manager, last, now=london_to_utc(datetime.combine(last.held_on - timedelta(days=7),
                                                                          time(10, 0))))
        ewg.save_minutes(manager, last, "Attendance: Avanade, St Clements, Elexon (Helix), the SI test team.\n"
                                        "SIT-A proving is under way; the DIP's monitoring alert is to be proven "
                                        "again. SIT-B's drift is to be closed before SIT Non-Functional.")
        helix = db.session.scalar(select(User).where(User.email == "helix@demo.test"))
        st_clements = db.session.scalar(select(Organisation).where(Organisation.name == "St Clements"))
        ewg.add_action(manager, last, {"text": "Deploy the Helix version SIT-A runs into SIT-B, closing the drift.",
                                       "owner": f"user:{helix.id}", "due_on": day + timedelta(days=5)})
        ewg.add_action(manager, last, {"text": "Load the MPRS test data set into SIT-A and record its verification.",
                                       "owner": f"organisation:{st_clements.id}", "due_on": day + timedelta(days=12)})
        ewg.send_minutes(manager, last)
    return len(made)
