"""Notifications at a real SMTP server on loopback: who hears of a submission, a decision, a release communication,
a planned outage and an outage update; each person once; none to who turned the kind off; each with its link and
a List-Unsubscribe header; subscriptions kept on the Notifications page."""
from datetime import timedelta

from sqlalchemy import select

from mhhs.core.time import utc_to_london_naive, utcnow
from mhhs.directory.models import Environment, System
from mhhs.extensions import db
from tests.helpers import approved_rfc, communicate, org_ids, wait_until_settled
from tests.rfcs.factory import form_data, meet_approval_gate


def received(smtp_server):
    return {(tuple(m.envelope_to), str(m["Subject"]).strip()): m for m in smtp_server.messages}


def ids(app, model, *names):
    with app.app_context():
        return [str(i) for i in db.session.scalars(select(model.id).where(model.name.in_(names)))]


def settings(client, kinds, systems=(), environments=()):
    return client.post("/account/notifications", {"kinds": kinds, "system_ids": list(systems),
                                                  "environment_ids": list(environments)})


def test_submission_and_decision_reach_the_right_people_once(app, as_user, smtp_server):
    # Following DIP does not show a Test Participant a submitted RFC, which it may not see.
    settings(as_user("supplier@demo.test"), ["release_communicated"], systems=ids(app, System, "DIP"))
    dip = as_user("dip@demo.test")
    response = dip.post("/rfcs/new", {**form_data(app), "action": "submit"})
    assert response.status_code == 303
    rfc_id = int(response.location.rsplit("/", 1)[1])
    wait_until_settled(app)
    (to, subject), = received(smtp_server)  # the SIT manager only: the RFC targets SIT-A
    assert to == ("rm.sit@demo.test",) and subject.startswith(f"RFC-{rfc_id:06d} DIP 1.1.0.0 waits for your approval")
    message = next(iter(received(smtp_server).values()))
    assert message["List-Unsubscribe"] == "<http://localhost/account/notifications>"
    assert f"http://localhost/rfcs/{rfc_id}" in message.get_content()

    smtp_server.messages.clear()
    with app.app_context():
        meet_approval_gate(rfc_id)
    as_user("rm.sit@demo.test").post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    wait_until_settled(app)
    assert set(received(smtp_server)) == {(("dip@demo.test",), f"RFC-{rfc_id:06d} DIP 1.1.0.0: approved")}


def test_turning_a_kind_off_stops_it(app, as_user, smtp_server):
    rm = as_user("rm.sit@demo.test")
    page = rm.get("/account/notifications").get_data(as_text=True)
    assert "An RFC is submitted (or resubmitted) for a phase I approve" in page
    assert "An RFC of my organisation is approved" not in page  # not a manager's concern
    assert settings(rm, ["release_communicated"]).status_code == 303
    as_user("dip@demo.test").post("/rfcs/new", {**form_data(app), "action": "submit"})
    wait_until_settled(app)
    assert smtp_server.messages == []


def test_release_communication_reaches_followers_each_once(app, as_user, smtp_server):
    helix, supplier = as_user("helix@demo.test"), as_user("supplier@demo.test")
    settings(helix, ["release_communicated"], systems=ids(app, System, "DIP"))
    settings(supplier, ["release_communicated"], environments=ids(app, Environment, "SIT-A"))
    rfc_id = approved_rfc(app)
    communicate(as_user("rm.sit@demo.test"), rfc_id, org_ids(app, "Northwold Energy"))
    wait_until_settled(app)
    by_person = {}
    for (to, subject) in received(smtp_server):
        by_person.setdefault(to, []).append(subject)
    assert by_person[("helix@demo.test",)] == [f"Release note: RFC-{rfc_id:06d} DIP 1.1.0.0"]
    assert by_person[("supplier@demo.test",)] == [f"RFC-{rfc_id:06d} DIP 1.1.0.0: release note"]  # once


def test_planned_outages_and_updates_reach_followers_of_the_environment(app, as_user, smtp_server):
    supplier = as_user("supplier@demo.test")
    settings(supplier, ["outage_planned", "outage_update"], environments=ids(app, Environment, "SIT-A"))
    dip = as_user("dip@demo.test")
    start = utc_to_london_naive(utcnow() + timedelta(days=2))
    form = {"environment_id": ids(app, Environment, "SIT-A")[0], "system_ids": ids(app, System, "DIP"),
            "planned": "y", "category": "data load", "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "description": "DIP data load"}
    assert dip.post("/outages/new", form).status_code == 303
    wait_until_settled(app)
    ((to, subject),) = received(smtp_server)
    assert to == ("supplier@demo.test",) and subject == "Planned outage announced: SIT-A DIP"
    planned_id = dip.post("/outages/new", form).location.rsplit("/", 1)[1]
    wait_until_settled(app)
    smtp_server.messages.clear()
    assert dip.post(f"/outages/{planned_id}/cancel").status_code == 303
    wait_until_settled(app)
    ((to, subject),) = received(smtp_server)
    assert subject == "Planned outage cancelled: SIT-A DIP"
    assert as_user("rm.sit@demo.test").get(f"/outages/{planned_id}").status_code == 404

    smtp_server.messages.clear()
    response = dip.post("/outages/new", {**form, "planned": "", "category": "software failure",
                                         "start": utc_to_london_naive(utcnow()).strftime("%Y-%m-%dT%H:%M"),
                                         "end": "", "description": "DIP rejects messages"})
    outage_id = response.location.rsplit("/", 1)[1]
    dip.post(f"/outages/{outage_id}/updates", {"status": "identified", "note": "Expired certificate"})
    wait_until_settled(app)
    ((to, subject),) = received(smtp_server)  # an unplanned outage is not announced; its update is told
    assert subject == "Identified: SIT-A DIP outage"


def test_following_needs_known_systems_and_environments(as_user):
    page = settings(as_user("supplier@demo.test"), ["outage_update"], systems=["999999"]).get_data(as_text=True)
    assert "Choose from the list: that system is unknown." in page and 'aria-invalid="true"' in page
