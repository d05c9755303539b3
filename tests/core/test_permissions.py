"""Role × route matrix: every route in the URL map states who may call it, and the server enforces it."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from mhhs.core.permissions import PUBLIC, Role
from mhhs.core.time import utcnow
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.outages.models import Outage
from tests.allocation.factory import at, book, next_monday
from tests.certificates.factory import make_certificate, make_officer
from tests.helpers import API, ARGUMENTS, SKIP, USERS
from tests.outages.factory import make_outage
from tests.participants.factory import (
    OTHER_PARTICIPANT,
    make_environment,
    make_other_participant_user,
    make_participant,
    make_participant_outage,
)
from tests.readiness import decisions_factory as readiness
from tests.rfcs.factory import make_rfc

# Where the route admits the role but the sample object is another organisation's: the status expected.
OBJECT_RULES = {
    "certificates.detail": {Role.CENTRAL_PARTY: 404},
    "certificates.download": {Role.CENTRAL_PARTY: 404},
    "certificates.delete": {Role.CENTRAL_PARTY: 404},
    "certificates.remove_officer": {Role.CENTRAL_PARTY: 404},
    "rfcs.detail": {Role.TEST_PARTICIPANT: 404},
    "rfcs.revision": {Role.TEST_PARTICIPANT: 404},
    "rfcs.rfc_pdf": {Role.TEST_PARTICIPANT: 404},
    "rfcs.answer_consultation": {Role.TEST_PARTICIPANT: 404},  # a participant not consulted does not see it
    "outages.edit": {Role.TEST_PARTICIPANT: 404},
    "outages.end": {Role.TEST_PARTICIPANT: 404},
    "outages.post_update": {Role.TEST_PARTICIPANT: 404},
    "outages.cancel": {Role.TEST_PARTICIPANT: 404},
    "release_notes.release_note_pdf": {Role.TEST_PARTICIPANT: 404},
    "retests.retest": {Role.TEST_PARTICIPANT: 404},
    "rfcs.finish_work_off_action": {Role.TEST_PARTICIPANT: 404},  # the Central Party's action
    "release_notes.acknowledge": {Role.CENTRAL_PARTY: 404, Role.TEST_PARTICIPANT: 404},  # the note was not sent to them
    "api_pages.revoke_token": {Role.RELEASE_MANAGER: 404, Role.TEST_PARTICIPANT: 404},  # the Central Party's token
    # participants (issue 26a): the sample is the supplier's; a Central Party keeps only its own organisation's
    "participants.environment_manager": {Role.CENTRAL_PARTY: 404},
    "participants.add_environment": {Role.CENTRAL_PARTY: 404},
    "participants.edit_environment": {Role.CENTRAL_PARTY: 404},
    "participants.log_outage": {Role.CENTRAL_PARTY: 404},
    "participants.end_outage": {Role.CENTRAL_PARTY: 404},
    "participants.remove_environment": {Role.CENTRAL_PARTY: 404},
    # Northwold's readiness: Avanade's Central Party may not reach it.
    **{endpoint: {Role.CENTRAL_PARTY: 404} for endpoint in (
        "readiness.participant", "readiness.meet", "readiness.reopen", "readiness.evidence",
        "readiness.standing_data")},
    # Northwold Energy's connectivity proving: a Central Party (another organisation) does not reach it.
    "proving.page": {Role.CENTRAL_PARTY: 404},
    "proving.record_step": {Role.CENTRAL_PARTY: 404},
    "proving.evidence": {Role.CENTRAL_PARTY: 404},
    # The programme's condition and EWG action: only its owner (or a Release Manager) marks it done.
    "decisions.finish_condition": {Role.CENTRAL_PARTY: 404, Role.TEST_PARTICIPANT: 404},
    "decisions.finish_action": {Role.CENTRAL_PARTY: 404, Role.TEST_PARTICIPANT: 404},
    # A Test Participant's slot: a Central Party sees it, but cancels or takes only its own organisation's.
    "allocation.cancel": {Role.CENTRAL_PARTY: 404},
    "allocation.accept": {Role.CENTRAL_PARTY: 404},
    "allocation.cancel_series": {Role.CENTRAL_PARTY: 404},
}

# Where the route admits the role for one method only: the status expected for the other.
METHOD_RULES = {
    # A manager reads every organisation's PKI officers; only the organisation's own keepers appoint them.
    ("certificates.officers", "POST"): {Role.RELEASE_MANAGER: 403},
    # Everyone reads the central systems' connection details they may see; only Central Parties set their own.
    ("participants.connections", "POST"): {Role.RELEASE_MANAGER: 403, Role.TEST_PARTICIPANT: 403},
}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in SKIP and not rule.endpoint.startswith(API):
            yield rule


def test_every_route_states_who_may_call_it(app):
    missing = [rule.rule for rule in routes(app) if not hasattr(app.view_functions[rule.endpoint], "access")]
    assert missing == [], f"routes without an access rule: {missing}"


def test_every_route_argument_has_a_sample(app):
    missing = [(rule.endpoint, arg) for rule in routes(app) for arg in rule.arguments
               if (rule.endpoint, arg) not in ARGUMENTS]
    assert missing == [], f"add these to ARGUMENTS: {missing}"


def _url(app, rule):
    with app.app_context():
        values = {arg: ARGUMENTS[(rule.endpoint, arg)]() for arg in rule.arguments}
        return rule.build(values)[1]


def test_every_endpoint_the_matrix_lists_exists(app):
    # A sample or an object rule for an endpoint that is gone (or renamed) would be a line nobody requests.
    endpoints = {rule.endpoint: rule for rule in routes(app)}
    listed = {endpoint for endpoint, _ in ARGUMENTS} | set(OBJECT_RULES) | set(FOREIGN_OUTAGE_CHANGES)
    assert sorted(listed - set(endpoints)) == []
    stale = [(endpoint, arg) for endpoint, arg in ARGUMENTS
             if not any(arg in rule.arguments for rule in routes(app) if rule.endpoint == endpoint)]
    assert stale == []


def _requests(app):
    """Every route with every method it answers. A form page is also posted to (empty) after the rest, as an empty
    draft saved would leave the sample RFC without the defect another route needs; logging out comes last."""
    pairs = [(rule, method) for rule in routes(app) for method in ("GET", "POST") if method in rule.methods]
    return sorted(pairs, key=lambda pair: (pair[0].endpoint == "auth.logout",
                                           pair[1] == "POST" and "GET" in pair[0].methods))


@pytest.mark.parametrize("role", list(Role) + [None], ids=lambda r: r.value if r else "anonymous")
def test_role_route_matrix(app, as_user, client, role):
    http = as_user(USERS[role]) if role else client
    if role is None:
        http._refresh_token()  # an anonymous visitor has the login page's token
    failures, requested = [], set()
    for rule, method in _requests(app):
        access = app.view_functions[rule.endpoint].access
        url = _url(app, rule)
        response = http.get(url) if method == "GET" else http.post(url)
        requested.add((rule.endpoint, method))
        expected_404 = OBJECT_RULES.get(rule.endpoint, {}).get(role) if rule.arguments else None
        expected = METHOD_RULES.get((rule.endpoint, method), {}).get(role, expected_404)
        if expected is not None:
            ok = response.status_code == expected
        elif access == PUBLIC:
            ok = response.status_code in (200, 302)
        elif role is None:
            ok = response.status_code == 302 and "/login" in response.location
        elif role in access:
            ok = response.status_code in (200, 303)
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append(f"{method} {url}: {response.status_code}")
    assert failures == []
    # Every endpoint of the URL map (the API aside), with each of its methods, was asked as this role.
    assert requested == {(rule.endpoint, m) for rule in routes(app) for m in ("GET", "POST") if m in rule.methods}


# Object-level refusals: for every route that takes an object, the object belongs to one organisation and a
# user of another organisation (whose role may call the route) asks for it: the answer is 404, as if absent.
FOREIGN_OBJECTS = {
    # A draft of Avanade's: St Clements (a Central Party too) and a Test Participant may not know it exists.
    "rfc_id": (lambda: make_rfc(submit=False), ("mprs@demo.test", "supplier@demo.test")),
    # Northwold's certificate and PKI officer: Avanade's Central Party may not reach them.
    "certificate_id": (lambda: make_certificate("Northwold Energy", "SIT-A").id, ("dip@demo.test",)),
    "officer_id": (lambda: make_officer("Northwold Energy").id, ("dip@demo.test", "mprs@demo.test")),
    # Northwold's register entry, own environment and its outage: another participant, and a Central Party for what
    # only the organisation keeps, find nothing there.
    "participant_id": (lambda: _other_participant_and(make_participant), (OTHER_PARTICIPANT,)),
    "participant_environment_id": (lambda: _other_participant_and(make_environment),
                                   (OTHER_PARTICIPANT, "mprs@demo.test", "dip@demo.test")),
    "participant_outage_id": (lambda: _other_participant_and(make_participant_outage),
                              (OTHER_PARTICIPANT, "dip@demo.test")),
    # Northwold's condition of a decision and EWG action: no other organisation marks them done.
    "condition_id": (lambda: readiness.make_decision(conditions=[readiness.condition(
        owner="organisation:Northwold Energy")]).conditions[0].id, ("dip@demo.test", "mprs@demo.test")),
    "action_id": (lambda: sample_northwold_action(), ("dip@demo.test", "mprs@demo.test")),
    # Brightmeter's slot request: Northwold's Test Participant may not know it exists.
    "slot_id": (lambda: book([make_participant("Brightmeter Services")], at(next_monday(), 15),
                             at(next_monday(), 16))[0].id, ("supplier@demo.test",)),
}


def _other_participant_and(make):
    make_other_participant_user()
    return make().id


def sample_northwold_action():
    from mhhs.readiness import ewg
    return ewg.add_action(readiness.user(), readiness.make_meeting(),
                          readiness.condition(owner="organisation:Northwold Energy")).id


# Outages are readable by everyone (SPEC §5); changing another organisation's is what is refused.
FOREIGN_OUTAGE_CHANGES = ("outages.edit", "outages.end", "outages.post_update", "outages.cancel")


def _object_routes(app, argument):
    return [rule for rule in routes(app) if argument in rule.arguments]


@pytest.mark.parametrize("argument", sorted(FOREIGN_OBJECTS))
def test_another_organisations_object_answers_404_on_every_route(app, as_user, argument):
    make, outsiders = FOREIGN_OBJECTS[argument]
    with app.app_context():
        object_id = make()
    checked, failures = 0, []
    for email in outsiders:
        http = as_user(email)
        with app.app_context():
            user_role = db.session.scalar(select(User.role).where(User.email == email))
        for rule in _object_routes(app, argument):
            if user_role not in app.view_functions[rule.endpoint].access:
                continue  # the role itself is refused (403): the matrix above covers it
            with app.app_context():  # the other arguments' samples may be rows to find or make
                values = {arg: ARGUMENTS[(rule.endpoint, arg)]() for arg in rule.arguments if arg != argument}
            values[argument] = object_id
            url = rule.build(values)[1]
            response = http.get(url) if "GET" in rule.methods else http.post(url)
            checked += 1
            if response.status_code != 404:
                failures.append(f"{email} {url}: {response.status_code}")
    assert checked > 0 and failures == []


def _outage_urls(app, endpoint, outage_id):
    rule = next(rule for rule in routes(app) if rule.endpoint == endpoint and "outage_id" in rule.arguments)
    return [(method, rule.build({"outage_id": outage_id})[1]) for method in ("GET", "POST") if method in rule.methods]


def _outage_state(app, outage_id):
    with app.app_context():
        outage = db.session.get(Outage, outage_id)
        return outage and (outage.end, outage.description, [u.note for u in outage.updates])


def test_another_organisations_outage_cannot_be_changed(app, as_user):
    with app.app_context():
        ongoing = make_outage("dip@demo.test").id
        planned = make_outage("dip@demo.test", planned=True, start=utcnow() + timedelta(days=3),
                              end=utcnow() + timedelta(days=3, hours=2)).id
    before = {outage_id: _outage_state(app, outage_id) for outage_id in (ongoing, planned)}
    # What a valid request would carry: the refusal is about whose outage it is, not about a missing field.
    form = {"status": "identified", "note": "Cause found", "description": "Changed by another organisation"}
    for email in ("mprs@demo.test", "supplier@demo.test"):
        http = as_user(email)
        # Positive control: the outage itself is visible to them (the log is public)...
        assert http.get(f"/outages/{ongoing}").status_code == 200
        for endpoint in FOREIGN_OUTAGE_CHANGES:
            # Cancelling applies to a planned outage that has not begun; the rest to the one in progress.
            outage_id = planned if endpoint == "outages.cancel" else ongoing
            for method, url in _outage_urls(app, endpoint, outage_id):
                response = http.get(url) if method == "GET" else http.post(url, form)
                assert response.status_code == 404, (email, method, url)
    # ...nothing of either outage changed...
    assert {outage_id: _outage_state(app, outage_id) for outage_id in (ongoing, planned)} == before
    # ...and its own Central Party may change it: post an update, then cancel the planned one.
    dip = as_user("dip@demo.test")
    assert dip.get(f"/outages/{ongoing}/edit").status_code == 200
    assert dip.post(f"/outages/{ongoing}/updates", form).status_code == 303
    assert _outage_state(app, ongoing)[2] == ["Cause found"]
    assert dip.post(f"/outages/{planned}/cancel").status_code == 303
    assert _outage_state(app, planned) is None
