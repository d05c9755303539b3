"""Distribution lists (RCM Table 8, RCM §6.3.1, EAP §6.2) and the rules that send to them: release communications
(RCM 4.3: known issues reach Defect Triage), planned outages announced in advance (EAP §12.5.1), the weekly report,
and defects ready for retest told to the testers once (RCM 5.1)."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from mhhs.audit.models import AuditEvent
from mhhs.core.time import utc_to_london_naive, utcnow
from mhhs.directory.models import System
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.notifications.models import MailGroup
from mhhs.rfcs.states import Outcome
from tests.helpers import approved_rfc, communicate, org_ids, wait_until_settled
from tests.rfcs.factory import approve, approved_earlier, deploy, env_ids, make_rfc


def group(name):
    return db.session.scalar(select(MailGroup).where(MailGroup.name == name))


def group_id(app, name):
    with app.app_context():
        return group(name).id


def keep(client, app, name, *emails, weekly_report=False):
    """A Release Manager sets a list's members on its page."""
    form = {"name": name, "purpose": "", "members": "\n".join(emails), **({"weekly_report": "y"} if weekly_report
                                                                           else {})}
    response = client.post(f"/mail-groups/{group_id(app, name)}/edit", form)
    assert response.status_code == 303, response.get_data(as_text=True)


def outbox(app):
    with app.app_context():
        return [(tuple(m.recipients.split(", ")), m.subject) for m in db.session.scalars(select(OutboxMessage)
                                                                               .order_by(OutboxMessage.id))]


def clear_outbox(app):
    with app.app_context():
        db.session.execute(delete(OutboxMessage))
        db.session.commit()


def test_rcm_table_8_the_standing_lists_exist_and_a_release_manager_makes_one(app, as_user):
    """RCM Table 8 / EAP §6.2: EWG, SIT participants, UIT participants and Defect Triage are there; a Release
    Manager makes another with members, and each member sees it among the lists they are on."""
    rm = as_user("rm.sit@demo.test")
    page = rm.get("/mail-groups").get_data(as_text=True)
    for name in ("EWG", "SIT participants", "UIT participants", "Defect Triage"):
        assert f">{name}</a> <small>(standing)</small>" in page
    response = rm.post("/mail-groups/new", {"name": "Settlement leads", "purpose": "SIT Settlement coordination",
                                            "members": "helix@demo.test, Supplier@demo.test"})
    assert response.status_code == 303 and response.location == "/mail-groups"
    with app.app_context():
        assert [u.email for u in group("Settlement leads").members] == ["helix@demo.test", "supplier@demo.test"]
    supplier = as_user("supplier@demo.test")
    mine = supplier.get("/mail-groups").get_data(as_text=True)
    assert "Settlement leads" in mine and "SIT Settlement coordination" in mine
    lists = mine.split("<main", 1)[1]  # the page itself: the navigation has an EWG (meetings) link for everyone
    assert "EWG" not in lists and "helix@demo.test" not in mine and "Helen Hale" not in mine  # not their business
    assert "You are on Settlement leads" in supplier.get("/account/notifications").get_data(as_text=True)
    assert "You are on no distribution list." in as_user("dip@demo.test").get("/mail-groups").get_data(as_text=True)


@pytest.mark.parametrize("members, message", [
    ("helix@demo.test\nnobody@demo.test", "No user of Release Desk has this address: nobody@demo.test."),
    ("x@demo.test y@demo.test", "No user of Release Desk has these addresses: x@demo.test, y@demo.test."),
])
def test_rcm_table_8_a_list_with_an_unknown_member_is_refused_next_to_the_field(app, as_user, members, message):
    """Bad input (issue 25): an unknown member is named next to Members, what was typed stays, nothing is stored."""
    rm = as_user("rm.sit@demo.test")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    page = rm.post("/mail-groups/new", {"name": "Typo list", "purpose": "Kept", "members": members})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<small id="members-error" class="field-error">{message}' in text
    assert "nobody@demo.test" in text or "y@demo.test" in text  # the typed addresses are still in the box
    assert 'value="Typo list"' in text and "\nKept</textarea>" in text
    with app.app_context():
        assert group("Typo list") is None
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
    # And an existing list keeps its members when an edit is refused.
    keep(rm, app, "EWG", "helix@demo.test")
    rm.post(f"/mail-groups/{group_id(app, 'EWG')}/edit", {"name": "EWG", "members": "helix@demo.test ghost@x.test"})
    with app.app_context():
        assert [u.email for u in group("EWG").members] == ["helix@demo.test"]


def test_rcm_table_8_names_are_unique_and_only_release_managers_keep_lists(app, as_user):
    rm = as_user("rm.sit@demo.test")
    text = rm.post("/mail-groups/new", {"name": "ewg", "members": ""}).get_data(as_text=True)
    assert "Another list has this name." in text
    assert as_user("dip@demo.test").post("/mail-groups/new", {"name": "Mine", "members": ""}).status_code == 403


def test_rcm_table_8_a_release_communication_goes_to_the_list_chosen(app, as_user, smtp_server):
    """RCM Table 8 / §6.3.1: the members of a chosen list receive the release note, one message per organisation,
    so no one sees another organisation's addresses."""
    rfc_id = approved_rfc(app)
    rm = as_user("rm.sit@demo.test")
    keep(rm, app, "EWG", "helix@demo.test", "mprs@demo.test", "supplier@demo.test")
    response = communicate(rm, rfc_id, org_ids(app, "Northwold Energy"), list_ids=[group_id(app, "EWG")])
    assert response.status_code == 303
    wait_until_settled(app)
    assert sorted(tuple(m.envelope_to) for m in smtp_server.messages) == [
        ("helix@demo.test",), ("mprs@demo.test",), ("supplier@demo.test",)]  # the supplier once
    with app.app_context():
        summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "rfc.communicated_release"))
    assert "3 organisation(s) and the list(s) EWG" in summary
    # A list alone is enough; neither an organisation nor a list is refused next to Organisations.
    page = rm.post(f"/rfcs/{rfc_id}/communicate/release", {"subject": "S", "body": "B"}).get_data(as_text=True)
    assert '<small id="organisation_ids-error" class="field-error">Choose at least one organisation or ' \
           'distribution list.' in page


def test_rcm_4_3_known_issues_reach_the_defect_triage_list(app, as_user):
    """RCM 4.3: a release communication whose note has known issues and workarounds goes to Defect Triage too."""
    rm = as_user("rm.sit@demo.test")
    keep(rm, app, "Defect Triage", "helix@demo.test")
    with app.app_context():
        quiet = make_rfc()  # the factory's note says "None"
        noisy = make_rfc(version="1.2.0.0", known_issues="Acks may arrive late for an hour; resend after 15 min.")
        for rfc_id in (quiet, noisy):
            approve(rfc_id, "rm.sit@demo.test")
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
    assert "Defect Triage list receives it too (RCM 4.3)" in rm.get(
        f"/rfcs/{noisy}/communicate/release").get_data(as_text=True)
    assert "Defect Triage list receives it" not in rm.get(f"/rfcs/{quiet}/communicate/release").get_data(as_text=True)
    communicate(rm, quiet, org_ids(app, "Northwold Energy"))
    assert [to for to, _ in outbox(app)] == [("supplier@demo.test",)]
    clear_outbox(app)
    communicate(rm, noisy, org_ids(app, "Northwold Energy"))
    assert sorted(to for to, _ in outbox(app)) == [("helix@demo.test",), ("supplier@demo.test",)]


def planned_form(app, start, environment="SIT-A"):
    with app.app_context():
        environment_id = env_ids(environment)[0]
        dip = db.session.scalar(select(System.id).where(System.name == "DIP"))
    return {"environment_id": environment_id, "system_ids": [dip], "planned": "y", "category": "data load",
            "start": start.strftime("%Y-%m-%dT%H:%M"), "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "description": "DIP data load", "impact": "SIT Functional paused"}


def test_eap_12_5_1_a_planned_outage_is_announced_to_the_participants_and_the_ewg(app, as_user):
    """EAP §12.5.1: announced in advance to the environment's participants (the list of its phase, with those who
    follow it) and the EWG list when logged, not only to followers; the UIT list does not hear of SIT-A."""
    rm = as_user("rm.sit@demo.test")
    keep(rm, app, "EWG", "mprs@demo.test")
    keep(rm, app, "SIT participants", "supplier@demo.test")
    keep(rm, app, "UIT participants", "helix@demo.test")
    as_user("supplier@demo.test").post("/account/notifications", {"kinds": []})  # turned announcements off
    start = utc_to_london_naive(utcnow() + timedelta(days=2))
    assert as_user("dip@demo.test").post("/outages/new", planned_form(app, start)).status_code == 303
    assert sorted(outbox(app)) == [(("mprs@demo.test",), "Planned outage announced: SIT-A DIP"),
                                   (("supplier@demo.test",), "Planned outage announced: SIT-A DIP")]


def test_eap_12_5_1_a_planned_outage_cannot_start_in_the_past(app, as_user):
    """EAP §12.5.1: planned outages are announced in advance; one that has begun is logged as unplanned."""
    dip = as_user("dip@demo.test")
    start = utc_to_london_naive(utcnow() - timedelta(hours=1))
    response = dip.post("/outages/new", planned_form(app, start))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<small id="start-error" class="field-error">A planned outage is announced in advance (EAP §12.5.1): ' \
           'its start cannot be in the past.' in text
    assert f'value="{start.strftime("%Y-%m-%dT%H:%M")}"' in text and "DIP data load" in text  # kept as typed
    with app.app_context():
        from mhhs.outages.models import Outage
        assert db.session.scalar(select(func.count()).select_from(Outage)) == 0
    assert outbox(app) == []
    # The same times as an unplanned outage are accepted.
    form = {**planned_form(app, start), "planned": "", "category": "software failure", "end": ""}
    assert dip.post("/outages/new", form).status_code == 303


def test_rcm_table_8_the_weekly_report_goes_to_the_list_chosen(app, as_user):
    """RCM Table 8: a list chosen to receive the weekly report has each member receive it (each alone)."""
    from mhhs.reports.cli import send_weekly
    keep(as_user("rm.sit@demo.test"), app, "EWG", "helix@demo.test", "mprs@demo.test", weekly_report=True)
    with app.app_context():
        assert send_weekly(datetime(2026, 11, 23, 9)) == ["2026-W47"]
    assert sorted(to for to, _ in outbox(app)) == [("helix@demo.test",), ("mprs@demo.test",), ("rm.sit@demo.test",),
                                                   ("rm.uit@demo.test",)]


def test_rcm_5_1_ready_for_retest_tells_the_testers_once(app, as_user):
    """RCM 5.1: when a deployment makes defects ready for retest, the users who test in that environment (its
    phase's participants list, and those who follow it or the system) are told, once, through the outbox."""
    rm = as_user("rm.sit@demo.test")
    keep(rm, app, "SIT participants", "supplier@demo.test")
    keep(rm, app, "UIT participants", "mprs@demo.test")
    helix = as_user("helix@demo.test")
    with app.app_context():
        dip = db.session.scalar(select(System.id).where(System.name == "DIP"))
    helix.post("/account/notifications", {"kinds": ["ready_for_retest"], "system_ids": [dip]})
    with app.app_context():
        sit_a = env_ids("SIT-A")[0]
        rfc_id = make_rfc(environments=("SIT-A", "UIT"), defects=[
            {"defect_id": "DEF-71", "severity": "High", "summary": "Acks lost", "found_in_id": sit_a},
            {"defect_id": "DEF-72", "severity": "Low", "summary": "Typo", "found_in_id": sit_a}])
        approved_earlier(rfc_id, "rm.sit@demo.test", "rm.uit@demo.test")
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
        deploy(rfc_id, "SIT-A", Outcome.DEPLOYED)
    told = outbox(app)
    assert sorted(to for to, _ in told) == [("helix@demo.test",), ("supplier@demo.test",)]
    assert {subject for _, subject in told} == {"Ready for retest in SIT-A: DEF-71, DEF-72"}
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).limit(1))
    assert f"/retests?environment={sit_a}\n" in body and "DEF-71 (High): Acks lost" in body
    clear_outbox(app)
    with app.app_context():
        deploy(rfc_id, "UIT", Outcome.DEPLOYED)  # no defect was found in UIT: nobody is told again
    assert outbox(app) == []


def test_eap_12_5_1_an_unplanned_outage_is_announced_with_its_defect_and_blocking_tells_the_managers(app, as_user):
    """EAP §12.5.1–§12.5.2: an unplanned outage is raised as a defect; its reference is quoted to the environment's
    participants; one that blocks testing is told at once to the Release Managers of that phase (not the other)."""
    rm = as_user("rm.sit@demo.test")
    keep(rm, app, "SIT participants", "supplier@demo.test")
    start = utc_to_london_naive(utcnow() - timedelta(minutes=20))
    form = {**planned_form(app, start), "planned": "", "category": "software failure", "end": "",
            "defect_reference": "DEF-3301", "blocking": "y", "description": "DIP rejects every message"}
    assert as_user("dip@demo.test").post("/outages/new", form).status_code == 303
    told = dict((to, subject) for to, subject in outbox(app))
    assert told == {("supplier@demo.test",): "Unplanned outage: SIT-A DIP (DEF-3301)",
                    ("rm.sit@demo.test",): "Blocking outage: SIT-A DIP (DEF-3301)"}  # not the UIT manager
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipients == "supplier@demo.test"))
    assert "Defect: DEF-3301" in body and "and blocks testing" in body
    clear_outbox(app)
    form = {**form, "blocking": "", "defect_reference": ""}  # not blocking: the managers are not called
    assert as_user("dip@demo.test").post("/outages/new", form).status_code == 303
    assert outbox(app) == [(("supplier@demo.test",), "Unplanned outage: SIT-A DIP")]
    with app.app_context():
        assert "Defect: not raised yet" in db.session.scalar(select(OutboxMessage.body))
