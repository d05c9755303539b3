"""Release-note acknowledgements: the organisations a release communication went to read the note and mark it
read; a change to the note asks again; managers see who has and remind the rest, through the outbox by SMTP."""
from sqlalchemy import select

from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.rfcs.states import RfcStatus
from tests.helpers import communicate, org_ids, wait_until_settled
from tests.rfcs.factory import approved_earlier, deploy, make_rfc


def test_read_changed_read_again_and_reminders(app, as_user, smtp_server):
    with app.app_context():
        rfc_id = make_rfc()
        approved_earlier(rfc_id)
    rm = as_user("rm.sit@demo.test")
    assert communicate(rm, rfc_id, org_ids(app, "Northwold Energy", "Avanade", "Fenland Networks")) \
        .status_code == 303
    supplier = as_user("supplier@demo.test")
    page = supplier.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert "was sent to Northwold Energy: read it, then mark it read" in page
    acknowledgements = rm.get(f"/rfcs/{rfc_id}").get_data(as_text=True).split('id="acknowledgements"')[1] \
        .split("</section>")[0]
    rows = acknowledgements.split("<tr>")
    assert "Avanade" in rows[2] and "Dana Ingram" in rows[2] and "Northwold Energy" in rows[3]
    assert "Fenland Networks" not in acknowledgements  # no active users: nobody to ask

    assert supplier.post(f"/rfcs/{rfc_id}/acknowledge").status_code == 303
    assert "You marked this release note read on" in supplier.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    northwold = rm.get(f"/rfcs/{rfc_id}").get_data(as_text=True).split("Northwold Energy</td>")[1].split("</tr>")[0]
    assert "Sunil Patel <small>" in northwold.split("</td>")[1] and "—" in northwold.split("</td>")[2]

    with app.app_context():  # the deployment changes what the note says: read it again
        deploy(rfc_id, "SIT-A", RfcStatus.DEPLOYED)
    page = supplier.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert "The release note has changed since you read it" in page
    assert "(read an earlier version" in rm.get(f"/rfcs/{rfc_id}").get_data(as_text=True)

    wait_until_settled(app)
    smtp_server.messages.clear()
    response = rm.post(f"/rfcs/{rfc_id}/acknowledgements/remind")
    assert response.status_code == 303
    assert "Reminder queued for 2 people." in rm.get(response.location).get_data(as_text=True)
    wait_until_settled(app)
    reminders = {tuple(m.envelope_to): m for m in smtp_server.messages}
    assert set(reminders) == {("supplier@demo.test",), ("dip@demo.test",)}  # one message per organisation
    reminder = reminders[("supplier@demo.test",)]
    body = reminder["Subject"] + reminder.get_content()
    assert "Please read the release note of RFC-" in body and f"/rfcs/{rfc_id}" in body

    supplier.post(f"/rfcs/{rfc_id}/acknowledge")
    as_user("dip@demo.test").post(f"/rfcs/{rfc_id}/acknowledge")
    response = rm.post(f"/rfcs/{rfc_id}/acknowledgements/remind")
    assert "no reminder needed" in rm.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "acknowledgement_reminder")
                                 .order_by(OutboxMessage.id.desc())).recipients == "supplier@demo.test"


def test_only_those_sent_the_note_may_acknowledge_it(app, as_user):
    with app.app_context():
        submitted = make_rfc()
        communicated = make_rfc(version="1.2.0.0")
        approved_earlier(communicated)
    communicate(as_user("rm.sit@demo.test"), communicated, org_ids(app, "Northwold Energy"))
    assert as_user("supplier@demo.test").post(f"/rfcs/{submitted}/acknowledge").status_code == 404  # not visible
    assert as_user("mprs@demo.test").post(f"/rfcs/{communicated}/acknowledge").status_code == 404  # not sent to it
    page = as_user("mprs@demo.test").get(f"/rfcs/{communicated}").get_data(as_text=True)
    assert "Mark the release note read" not in page
