"""The allocation API (scope `allocation`): slots listed and requested, who holds an environment, the check's three
answers for a participant and for an RFC, and the tranches and stages listed."""
from datetime import date, timedelta

from mhhs.allocation import services
from mhhs.allocation.models import Purpose
from mhhs.core.time import utcnow
from mhhs.participants import proving
from mhhs.participants import services as participant_services
from mhhs.participants.models import Route
from tests.allocation.factory import at, book, environment, make_participant, next_monday, sign_off, user
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


def test_the_check_reads_the_kept_proving_evaluation_afresh_once_a_certificate_expires(app, api, make_token,
                                                                                        monkeypatch):
    """The connectivity step is read off the environment's evaluation kept per process (the matrix's): time alone,
    a certificate it counted expiring, refuses the very next check."""
    with app.app_context():
        northwold = make_participant()
        sign_off(northwold)
        monday = next_monday()
        book([northwold], at(monday, 11), at(monday, 12), purpose=Purpose.TESTING)
    secret = make_token("supplier@demo.test")
    url = f"/allocation/check?participant=Northwold Energy&environment=SIT-A&at={iso(at(monday, 11, 30))}"
    assert api("GET", url.replace("+", "%2B"), secret).json["answer"] == "allowed"  # kept now
    later = utcnow() + timedelta(days=400)  # past the certificates' expiry (a year): nothing written
    monkeypatch.setattr(participant_services, "utcnow", lambda: later)
    monkeypatch.setattr(proving, "utcnow", lambda: later)
    answer = api("GET", url.replace("+", "%2B"), secret).json
    assert answer["answer"] == "refused" and answer["reasons"][0].startswith("SIT-A: Step 2"), answer


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


def test_tranches_are_listed_with_their_participants_as_the_tranches_page_shows_them(app, api, make_token, as_user):
    with app.app_context():
        northwold = make_participant(route=Route.QUALIFICATION)
        make_participant("Brightmeter Services", route=Route.QUALIFICATION)
        first = services.add_tranche(user(), Route.QUALIFICATION, "Tranche 1", environment("UIT").id,
                                     date(2030, 1, 1), date(2030, 2, 1), "Code Bodies' panel")
        services.add_tranche(user(), Route.QUALIFICATION, "Tranche 2", environment("UIT").id, date(2030, 3, 1),
                             date(2030, 4, 1), "Code Bodies' panel")
        services.place_in_tranche(user(), first, northwold.id)
    secret = make_token("supplier@demo.test")
    items = api("GET", "/tranches", secret).json["items"]
    assert [(t["name"], t["kind"], t["environment"], t["first_day"], t["last_day"], t["participants"],
             t["allocated_by"], t["entered_by"]) for t in items] == [
        ("Tranche 1", "qualification", "UIT", "2030-01-01", "2030-02-01", ["Northwold Energy"], "Code Bodies' panel",
         "Sam Ashdown"),
        ("Tranche 2", "qualification", "UIT", "2030-03-01", "2030-04-01", [], "Code Bodies' panel", "Sam Ashdown")]
    # No more than the tranches page shows the same user: the same participants, and nothing of their slots.
    page = as_user("supplier@demo.test").get("/allocation/tranches").get_data(as_text=True)
    assert all(name in page for t in items for name in t["participants"]) and "Brightmeter Services" not in page
    assert not any("slot" in key for t in items for key in t)
    assert api("GET", "/tranches?environment=SIT-A", secret).json["items"] == []
    assert api("GET", "/tranches?kind=sandbox", secret).json["items"] == []
    assert api("GET", "/tranches?environment=Nowhere", secret).status_code == 422
    # The allocation scope is needed.
    assert api("GET", "/tranches", make_token("supplier@demo.test", scopes=["read"], name="narrow")
               ).status_code == 403


def test_stages_are_listed_with_whether_they_run_alone_and_their_recorded_overlaps(app, api, make_token):
    with app.app_context():
        sit_a = environment().id
        services.add_stage(user(), "SIT Functional", sit_a, date(2030, 3, 1), date(2030, 3, 20), exclusive=True)
        services.add_stage(user(), "SIT Migration", sit_a, date(2030, 3, 10), date(2030, 3, 30), exclusive=True,
                           may_overlap=True, overlap_reason="Night runs only")
        services.add_stage(user(), "Qualification", environment("UIT").id, date(2030, 4, 1), date(2030, 6, 1))
    secret = make_token("supplier@demo.test")
    items = api("GET", "/stages", secret).json["items"]
    assert [(s["name"], s["environment"], s["first_day"], s["last_day"], s["exclusive"]) for s in items] == [
        ("SIT Functional", "SIT-A", "2030-03-01", "2030-03-20", True),
        ("SIT Migration", "SIT-A", "2030-03-10", "2030-03-30", True),
        ("Qualification", "UIT", "2030-04-01", "2030-06-01", False)]
    assert [(o["stage"], o["reason"], o["recorded_by"]) for o in items[0]["overlaps"]] == [
        ("SIT Migration", "Night runs only", "Sam Ashdown")]
    assert [o["stage"] for o in items[1]["overlaps"]] == ["SIT Functional"] and items[2]["overlaps"] == []
    assert [s["name"] for s in api("GET", "/stages?environment=UIT", secret).json["items"]] == ["Qualification"]


def test_a_read_with_bad_query_parameters_says_so_and_not_that_nothing_was_saved(app, api, make_token):
    secret = make_token("supplier@demo.test")
    for url in ("/stages?environment=Nowhere", "/tranches?kind=bogus"):
        answer = api("GET", url, secret)
        assert answer.status_code == 422 and answer.json["detail"] == "Some query parameters need attention.", url
        assert answer.json["errors"], url
