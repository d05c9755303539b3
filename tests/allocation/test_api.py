"""The allocation API (scope `allocation`): slots listed and requested, who holds an environment, and the check's
three answers for a participant and for an RFC."""
from datetime import timedelta

from mhhs.allocation.models import Purpose
from mhhs.core.time import utcnow
from tests.allocation.factory import at, book, make_participant, next_monday, sign_off
from tests.helpers import iso
from tests.rfcs.factory import approve, make_rfc


def test_a_participant_requests_a_slot_and_lists_its_own(app, api, make_token):
    with app.app_context():
        make_participant()
        make_participant("Brightmeter Services")
        monday = next_monday()
    secret = make_token("supplier@demo.test")
    body = {"environment": "SIT-A", "participants": ["Northwold Energy"], "purpose": "connectivity",
            "start": iso(at(monday, 10)), "end": iso(at(monday, 11))}
    response = api("POST", "/allocation/slots", secret, body)
    assert response.status_code == 201, response.json
    assert response.json["items"][0]["status"] == "requested"
    assert api("POST", "/allocation/slots", secret, dict(body, participants=["Brightmeter Services"])
               ).status_code == 404
    refused = api("POST", "/allocation/slots", secret, dict(body, purpose="testing", start=iso(at(monday, 14)),
                                                            end=iso(at(monday, 15))))
    assert refused.status_code == 422
    assert any("SIT-A: Step 1, PKI officers determined, is not done" in p["detail"] for p in refused.json["errors"])
    listed = api("GET", "/allocation/slots", secret).json["items"]
    assert [(s["participants"], s["purpose"]) for s in listed] == [(["Northwold Energy"], "connectivity")]


def test_the_check_answers_refused_wait_and_allowed_for_a_participant(app, api, make_token):
    with app.app_context():
        make_participant()
        monday = next_monday()
    secret = make_token("supplier@demo.test")
    url = f"/allocation/check?participant=Northwold Energy&environment=SIT-A&at={iso(at(monday, 10))}"
    answer = api("GET", url.replace("+", "%2B"), secret).json
    assert answer["answer"] == "refused"
    assert answer["reasons"][0].startswith("SIT-A: Step 1, PKI officers determined, is not done")
    with app.app_context():
        northwold = make_participant()
        sign_off(northwold)
        book([northwold], at(monday, 11), at(monday, 12), purpose=Purpose.TESTING)
    answer = api("GET", url.replace("+", "%2B"), secret).json
    assert answer["answer"] == "wait" and answer["until"].startswith(iso(at(monday, 11))[:16])
    answer = api("GET", url.replace(iso(at(monday, 10)), iso(at(monday, 11, 30))).replace("+", "%2B"), secret).json
    assert answer["answer"] == "allowed" and answer["until"].startswith(iso(at(monday, 12))[:16])


def test_the_check_answers_for_an_rfc_and_who_holds_an_environment(app, api, make_token):
    with app.app_context():
        monday = next_monday()
        rfc = make_rfc(window_start=at(monday, 10), window_end=at(monday, 11))
    secret = make_token("dip@demo.test")
    url = f"/allocation/check?rfc=RFC-{rfc:06d}&at="
    assert api("GET", url + iso(at(monday, 10)).replace("+", "%2B"), secret).json["answer"] == "refused"
    with app.app_context():
        approve(rfc, "rm.sit@demo.test")
    early = api("GET", url + iso(at(monday, 9)).replace("+", "%2B"), secret).json
    assert early["answer"] == "wait" and early["until"].startswith(iso(at(monday, 10))[:16])
    assert api("GET", url + iso(at(monday, 10, 30)).replace("+", "%2B"), secret).json["answer"] == "allowed"
    now = api("GET", f"/environments/SIT-A/allocation?at={iso(utcnow() + timedelta(minutes=1))}".replace("+", "%2B"),
              secret)
    assert now.status_code == 200 and now.json["environment"] == "SIT-A" and "stages" in now.json
