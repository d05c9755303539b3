"""Consulted before approval (RCM §13): a Release Manager shares a submitted RFC with the impacted Central Parties and
participants for awareness; they are told through the outbox, see it, and record no objection or an objection with
its reason; the queue, the RFC page and the PDF show it; an objection does not block approval, the approval names it."""
import pytest
from sqlalchemy import func, select

from mhhs.audit.models import AuditEvent
from mhhs.audit.sentences import WORDS
from mhhs.core.passwords import hash_password
from mhhs.core.permissions import Role
from mhhs.directory.models import Organisation, User
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.rfcs.models import Consultation, ConsultationResponse, Rfc
from mhhs.rfcs.states import RfcStatus
from tests.helpers import org_ids, pdf_pages
from tests.rfcs.factory import make_rfc

OUTSIDER = "tester@brightmeter.test"  # Brightmeter Services tests in SIT-B only


@pytest.fixture
def submitted(app):
    """DIP's Minor release to SIT-A, submitted; and a user of a participant that does not test in SIT-A."""
    with app.app_context():
        rfc_id = make_rfc()
        brightmeter = db.session.scalar(select(Organisation.id).where(Organisation.name == "Brightmeter Services"))
        db.session.add(User(email=OUTSIDER, name="Bea Mercer", role=Role.TEST_PARTICIPANT, organisation_id=brightmeter,
                            password_hash=hash_password("demo-pass")))
        db.session.commit()
    return rfc_id


def consultations(app):
    with app.app_context():
        return [(c.organisation.name, c.response, c.reason) for c in db.session.scalars(select(Consultation))]


def test_rcm_13_the_impacted_organisations_are_offered_ticked(app, as_user, submitted):
    """RCM §13: the form offers those that test in the RFC's target environments (Organisation.tests_in) and the
    owners of the systems running there ticked; the raising organisation is not offered at all."""
    page = as_user("rm.sit@demo.test").get(f"/rfcs/{submitted}").get_data(as_text=True)
    form = page.split(f'action="/rfcs/{submitted}/consult"')[1].split("</form>")[0]
    ticked = {label.split("</label>")[0].split(">")[-1].strip().rsplit(" (", 1)[0]
              for label in form.split("<li>")[1:] if "checked" in label}
    assert {"Northwold Energy", "Fenland Networks", "St Clements", "Elexon (Helix)", "DCC"} <= ticked
    assert "Brightmeter Services" not in ticked and "Electralink" not in ticked  # SIT-B only; no environment of its own
    assert "Avanade (" not in form  # the raising organisation


def test_rcm_13_a_consulted_participant_is_told_sees_the_rfc_and_objects_without_blocking_approval(
        app, as_user, submitted):
    """RCM §13: told through the outbox, it can see the RFC (an unconsulted participant still cannot), records an
    objection with its reason; the queue and the PDF show it; the approval goes ahead and names it."""
    supplier, outsider, manager = as_user("supplier@demo.test"), as_user(OUTSIDER), as_user("rm.sit@demo.test")
    assert supplier.get(f"/rfcs/{submitted}").status_code == 404  # not public, not consulted
    northwold = org_ids(app, "Northwold Energy")
    assert manager.post(f"/rfcs/{submitted}/consult", {"organisation_ids": northwold}).status_code == 303
    with app.app_context():
        told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.like("For your awareness%"))).all()
        assert [m.recipients for m in told] == ["supplier@demo.test"]
    assert supplier.get(f"/rfcs/{submitted}").status_code == 200
    home = supplier.get("/").get_data(as_text=True)
    assert "Shared with Northwold Energy before approval" in home and f"/rfcs/{submitted}#consultation" in home
    assert supplier.get(f"/rfcs/{submitted}/pdf").status_code == 200
    assert outsider.get(f"/rfcs/{submitted}").status_code == 404  # still not visible to a participant not consulted
    assert outsider.post(f"/rfcs/{submitted}/consultation", {"response": "no objection"}).status_code == 404

    reason = "Our SIT-A regression run is booked for that window"
    assert supplier.post(f"/rfcs/{submitted}/consultation",
                         {"response": "objection", "reason": reason}).status_code == 303
    assert consultations(app) == [("Northwold Energy", ConsultationResponse.OBJECTION, reason)]
    assert "Shared with Northwold Energy before approval" not in supplier.get("/").get_data(as_text=True)  # answered
    row = manager.get("/approvals").get_data(as_text=True).split(f'id="queue-rfc-{submitted}"')[1].split("</tr>")[0]
    assert "objection</span>" in row and f"Consulted: Northwold Energy (objection: {reason})" in row
    page = manager.get(f"/rfcs/{submitted}").get_data(as_text=True)
    assert f"Objection from a consulted organisation (RCM §13), which does not block approval: Northwold Energy: " \
           f"{reason}" in page

    approved = manager.post(f"/rfcs/{submitted}/decide", {"decision": "approve"})
    assert approved.status_code == 303
    assert f"Objection noted: Northwold Energy: {reason}." in manager.get(approved.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Rfc, submitted).status == RfcStatus.APPROVED
        summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "rfc.approved"))
        assert f"over the objection of Northwold Energy: {reason}" in summary
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == submitted)))
        assert {"rfc.consulted", "rfc.consultation_answered"} <= actions <= set(WORDS) | {"rfc.saved"}
        managers_told = db.session.scalar(select(OutboxMessage.recipients).where(
            OutboxMessage.subject.like("Objection to%")))
        assert "rm.sit@demo.test" in managers_told
    _, pages = pdf_pages(manager.get(f"/rfcs/{submitted}/pdf"))
    text = " ".join(" ".join(pages).split())
    assert "Consulted before approval (RCM §13)" in text and "Northwold Energy" in text and reason in text


@pytest.mark.parametrize("form, field, message", [
    ({"response": "objection", "reason": "  "}, "reason", "Say why you object"),
    ({"response": ""}, "response", "Choose No objection or Objection."),
    ({"response": "maybe"}, "response", "Choose No objection or Objection."),
    ({"response": "objection", "reason": "x" * 2001}, "reason", "2000 characters"),
])
def test_rcm_13_a_bad_answer_is_refused_by_its_field_and_nothing_is_stored(app, as_user, submitted, form, field,
                                                                           message):
    """RCM §13: an objection needs its reason; the answer is one of the two; what was typed stays."""
    northwold = org_ids(app, "Northwold Energy")
    as_user("rm.sit@demo.test").post(f"/rfcs/{submitted}/consult", {"organisation_ids": northwold})
    response = as_user("supplier@demo.test").post(f"/rfcs/{submitted}/consultation", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page.split(f'id="{field}-error"')[1][:300]
    if form.get("reason", "").strip():
        assert form["reason"][:50] in page
    assert consultations(app) == [("Northwold Energy", None, "")]


@pytest.mark.parametrize("chosen, message", [
    ((), "Tick the organisations to consult."),
    (("Avanade",), "other than the raising organisation"),  # the RFC's own organisation
    (("MHHS Programme (SI)",), "other than the raising organisation"),
])
def test_rcm_13_sharing_with_no_one_or_the_wrong_organisation_is_refused_by_the_field(app, as_user, submitted,
                                                                                      chosen, message):
    response = as_user("rm.sit@demo.test").post(f"/rfcs/{submitted}/consult",
                                                 {"organisation_ids": org_ids(app, *chosen)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page.split('id="organisation_ids-error"')[1][:300]
    assert consultations(app) == []


def test_rcm_13_the_queue_shares_in_place_and_not_after_approval(app, as_user, submitted):
    """RCM §13, in place on the queue (htmx): the row comes back naming who was consulted; once the RFC is decided
    there is nothing to share."""
    manager = as_user("rm.sit@demo.test")
    row = manager.post(f"/rfcs/{submitted}/consult", {"organisation_ids": org_ids(app, "Fenland Networks"),
                                                      "from": "queue"}, htmx=True)
    text = row.get_data(as_text=True)
    assert row.status_code == 200 and text.lstrip().startswith(f'<tr id="queue-rfc-{submitted}"')
    assert "Consulted: Fenland Networks (no answer yet)" in text
    again = manager.post(f"/rfcs/{submitted}/consult", {"organisation_ids": org_ids(app, "Fenland Networks"),
                                                        "from": "queue"}, htmx=True)
    assert "Tick at least one organisation not consulted yet." in again.get_data(as_text=True)
    manager.post(f"/rfcs/{submitted}/decide", {"decision": "approve"})
    late = manager.post(f"/rfcs/{submitted}/consult", {"organisation_ids": org_ids(app, "Northwold Energy")})
    assert "while it awaits approval" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 1


def test_rcm_13_a_queue_row_offers_the_impacted_organisations_and_the_rfc_page_any_other(app, as_user, submitted):
    """A queue row does not list every participant of the programme: it offers the impacted organisations ticked and
    links to the RFC page, whose form offers any other (Brightmeter tests in SIT-B only: not impacted by SIT-A)."""
    manager = as_user("rm.sit@demo.test")
    queue = manager.get("/approvals").get_data(as_text=True)
    row = queue.split(f'<tr id="queue-rfc-{submitted}"')[1].split("</tr>")[0]
    consult = row.split("Consult before approval")[1]
    assert "Northwold Energy" in consult and "Fenland Networks" in consult
    assert "Brightmeter Services" not in consult
    assert f'href="/rfcs/{submitted}#consultation">Any other organisation: on the RFC page' in consult
    page = manager.get(f"/rfcs/{submitted}").get_data(as_text=True)
    assert "Brightmeter Services" in page.split(f'action="/rfcs/{submitted}/consult"')[1].split("</form>")[0]
    refused = manager.post(f"/rfcs/{submitted}/consult", {"organisation_ids": [], "from": "queue"}, htmx=True)
    text = refused.get_data(as_text=True)  # the row comes back with its message, offering what it offered
    assert "Tick the organisations to consult." in text and "Northwold Energy" in text
    assert "Brightmeter Services" not in text
