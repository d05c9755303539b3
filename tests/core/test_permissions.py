"""Role × route matrix: every route in the URL map states who may call it, and the server enforces it."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mhhs.api.models import ApiToken
from mhhs.api.services import create_token
from mhhs.certificates.models import Certificate, PkiOfficer
from mhhs.core.permissions import PUBLIC, Role
from mhhs.directory.models import Environment, Freeze, MailGroup, MajorRelease, MarketRole, Organisation, System, TestPhase, User
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.mail.services import queue
from mhhs.outages.models import Outage
from mhhs.releases.models import Defect, Rfc, WorkOffAction
from mhhs.schedule.services import add_freeze, add_test_phase, feed_token
from tests.certificates.factory import make_certificate, make_officer
from tests.outages.factory import make_outage
from tests.releases.factory import make_rfc

USERS = {
    Role.RELEASE_MANAGER: "rm.sit@demo.test",
    Role.CENTRAL_PARTY: "dip@demo.test",
    Role.TEST_PARTICIPANT: "supplier@demo.test",
}

# For each route argument, how to find a real object to use in the URL.
ARGUMENTS = {
    ("directory.edit_environment", "obj_id"): lambda: db.session.scalar(select(Environment.id)),
    ("directory.edit_market_role", "obj_id"): lambda: db.session.scalar(select(MarketRole.id)),
    ("directory.edit_major_release", "obj_id"): lambda: db.session.scalar(select(MajorRelease.id)),
    ("directory.edit_organisation", "obj_id"): lambda: db.session.scalar(select(Organisation.id)),
    ("directory.edit_system", "obj_id"): lambda: db.session.scalar(select(System.id)),
    ("directory.edit_user", "user_id"): lambda: db.session.scalar(select(User.id)),
    ("directory.edit_mail_group", "group_id"): lambda: db.session.scalar(select(MailGroup.id)),
    ("directory.reset_password", "user_id"): lambda: db.session.scalar(select(User.id).where(User.email == "supplier@demo.test")),
    ("auth.unlock", "user_id"): lambda: db.session.scalar(select(User.id).where(User.email == "helix@demo.test")),
    ("certificates.detail", "certificate_id"): lambda: sample_certificate(),
    ("certificates.delete", "certificate_id"): lambda: sample_certificate(),
    ("certificates.download", "certificate_id"): lambda: sample_certificate(),
    ("certificates.remove_officer", "officer_id"): lambda: sample_officer(),
    **{(endpoint, "rfc_id"): lambda: sample_rfc() for endpoint in (
        "releases.detail", "releases.edit", "releases.withdraw", "releases.decide", "releases.governance",
        "releases.tick", "releases.deployment", "releases.close", "releases.revision", "releases.rfc_pdf",
        "releases.release_note_pdf", "releases.communicate", "releases.acknowledge", "releases.remind_readers",
        "releases.add_work_off_action")},
    ("releases.finish_work_off_action", "action_id"): lambda: sample_work_off_action(),
    ("releases.communicate", "kind"): lambda: "release",
    **{(endpoint, "outage_id"): lambda: sample_outage() for endpoint in ("outages.edit", "outages.detail",
                                                                          "outages.end", "outages.post_update",
                                                                          "outages.cancel")},
    ("outages.from_rfc", "rfc_id"): lambda: sample_rfc(),
    **{(endpoint, "message_id"): lambda: sample_message() for endpoint in (
        "mail.row", "mail.retry_message", "mail.attachment")},
    ("releases.revision", "number"): lambda: 1,
    ("baseline.cell", "environment_id"): lambda: db.session.scalar(select(Environment.id)),
    ("baseline.cell", "system_id"): lambda: db.session.scalar(select(System.id)),
    ("baseline.retest", "defect_id"): lambda: sample_defect(),
    ("schedule.lift_freeze", "freeze_id"): lambda: sample_freeze(),
    ("schedule.remove_test_phase", "phase_id"): lambda: sample_test_phase(),
    ("schedule.feed", "token"): lambda: sample_feed_token(),
    ("schedule.feed", "environment_id"): lambda: db.session.scalar(select(Environment.id)),
    ("api_pages.revoke_token", "token_id"): lambda: sample_token(),
}
# Where the route admits the role but the sample object is another organisation's: the status expected.
OBJECT_RULES = {
    "certificates.detail": {Role.CENTRAL_PARTY: 404},
    "certificates.download": {Role.CENTRAL_PARTY: 404},
    "certificates.delete": {Role.CENTRAL_PARTY: 404},
    "certificates.remove_officer": {Role.CENTRAL_PARTY: 404},
    "releases.detail": {Role.TEST_PARTICIPANT: 404},
    "releases.revision": {Role.TEST_PARTICIPANT: 404},
    "releases.rfc_pdf": {Role.TEST_PARTICIPANT: 404},
    "outages.edit": {Role.TEST_PARTICIPANT: 404},
    "outages.end": {Role.TEST_PARTICIPANT: 404},
    "outages.post_update": {Role.TEST_PARTICIPANT: 404},
    "outages.cancel": {Role.TEST_PARTICIPANT: 404},
    "releases.release_note_pdf": {Role.TEST_PARTICIPANT: 404},
    "baseline.retest": {Role.TEST_PARTICIPANT: 404},
    "releases.finish_work_off_action": {Role.TEST_PARTICIPANT: 404},  # the Central Party's action
    "releases.acknowledge": {Role.CENTRAL_PARTY: 404, Role.TEST_PARTICIPANT: 404},  # the note was not sent to them
    "api_pages.revoke_token": {Role.RELEASE_MANAGER: 404, Role.TEST_PARTICIPANT: 404},  # the Central Party's token
}
# Routes that need more than a plain GET or an empty POST to show their rule.
SKIP = {"static"}
# The API takes tokens, not the session: its own matrix is in tests/api/test_api.py.
API = "api."


def sample_certificate():
    """A certificate of the supplier's organisation: others must not reach it (404), managers may look."""
    return db.session.scalar(select(Certificate.id)) or make_certificate("Northwold Energy", "SIT-A").id


def sample_rfc():
    """Avanade's submitted RFC: its Central Party and managers see it, a Test Participant gets 404."""
    return db.session.scalar(select(Rfc.id)) or make_rfc()


def sample_defect():
    """A defect of Avanade's submitted RFC (not yet public, not yet ready for retest)."""
    return db.session.scalar(select(Defect.id).where(Defect.rfc_id == sample_rfc()))


def sample_outage():
    """An ongoing DIP outage logged by Avanade: a Test Participant may read it but not change it."""
    return db.session.scalar(select(Outage.id)) or make_outage("dip@demo.test").id


def sample_message():
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.attachment_name.is_not(None)))
    if message is None:
        message = queue(["someone@demo.test"], "Subject", "Body", attachment=("note.pdf", b"%PDF-1.7"))
        db.session.commit()
    return message.id


def sample_work_off_action():
    """An open work-off action owned by the Central Party: a Test Participant does not reach it (404)."""
    action = db.session.scalar(select(WorkOffAction))
    if action is None:
        owner = db.session.scalar(select(User).where(User.email == USERS[Role.CENTRAL_PARTY]))
        action = WorkOffAction(rfc_id=sample_rfc(), text="Automate the check", owner_id=owner.id,
                               due=date.today() + timedelta(days=7), created_by_id=owner.id)
        db.session.add(action)
        db.session.commit()
    return action.id


def sample_officer():
    return db.session.scalar(select(PkiOfficer.id)) or make_officer("Northwold Energy").id


def sample_freeze():
    manager = db.session.scalar(select(User).where(User.email == USERS[Role.RELEASE_MANAGER]))
    return db.session.scalar(select(Freeze.id)) or add_freeze(manager, None, date(2030, 1, 1), date(2030, 1, 2),
                                                              "Sample").id


def sample_test_phase():
    manager = db.session.scalar(select(User).where(User.email == USERS[Role.RELEASE_MANAGER]))
    return db.session.scalar(select(TestPhase.id)) or add_test_phase(
        manager, "SIT Functional", db.session.scalar(select(Environment.id)), date(2030, 1, 1), date(2030, 2, 1)).id


def sample_token():
    """The Central Party's API token: only its owner may revoke it."""
    owner = db.session.scalar(select(User).where(User.email == USERS[Role.CENTRAL_PARTY]))
    return db.session.scalar(select(ApiToken.id)) or create_token(owner, "Sample", ["read"],
                                                                  date.today() + timedelta(days=9))[0].id


def sample_feed_token():
    """The Test Participant's feed: anyone holding the URL reads it, logged in or not."""
    return feed_token(db.session.scalar(select(User).where(User.email == USERS[Role.TEST_PARTICIPANT])))


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


@pytest.mark.parametrize("role", list(Role) + [None], ids=lambda r: r.value if r else "anonymous")
def test_role_route_matrix(app, as_user, client, role):
    http = as_user(USERS[role]) if role else client
    if role is None:
        http._refresh_token()  # an anonymous visitor has the login page's token
    failures = []
    for rule in routes(app):
        access = app.view_functions[rule.endpoint].access
        url = _url(app, rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = http.get(url) if method == "GET" else http.post(url)
        expected_404 = OBJECT_RULES.get(rule.endpoint, {}).get(role) if rule.arguments else None
        if expected_404 is not None:
            ok = response.status_code == expected_404
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


# Object-level refusals: for every route that takes an object, the object belongs to one organisation and a
# user of another organisation (whose role may call the route) asks for it: the answer is 404, as if absent.
FOREIGN_OBJECTS = {
    # A draft of Avanade's: St Clements (a Central Party too) and a Test Participant may not know it exists.
    "rfc_id": (lambda: make_rfc(submit=False), ("mprs@demo.test", "supplier@demo.test")),
    # Northwold's certificate and PKI officer: Avanade's Central Party may not reach them.
    "certificate_id": (lambda: make_certificate("Northwold Energy", "SIT-A").id, ("dip@demo.test",)),
    "officer_id": (lambda: make_officer("Northwold Energy").id, ("dip@demo.test", "mprs@demo.test")),
}
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
            values = {arg: object_id if arg == argument else ARGUMENTS[(rule.endpoint, arg)]()
                      for arg in rule.arguments if arg != argument}
            values[argument] = object_id
            url = rule.build(values)[1]
            response = http.get(url) if "GET" in rule.methods else http.post(url)
            checked += 1
            if response.status_code != 404:
                failures.append(f"{email} {url}: {response.status_code}")
    assert checked > 0 and failures == []


def test_another_organisations_outage_cannot_be_changed(app, as_user):
    with app.app_context():
        outage_id = make_outage("dip@demo.test").id
    for email in ("mprs@demo.test", "supplier@demo.test"):
        http = as_user(email)
        # Positive control: the outage itself is visible to them (the log is public)...
        assert http.get(f"/outages/{outage_id}").status_code == 200
        for endpoint in FOREIGN_OUTAGE_CHANGES:
            url = f"/outages/{outage_id}/{'edit' if endpoint == 'outages.edit' else 'end'}"
            response = http.get(url) if endpoint == "outages.edit" else http.post(url)
            assert response.status_code == 404, (email, url)
    # ...and its own Central Party may change it.
    assert as_user("dip@demo.test").get(f"/outages/{outage_id}/edit").status_code == 200
