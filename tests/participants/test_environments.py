"""A participant's own users name its Environment Manager, keep its environments with their connection details and
log their unavailability; who sees the connection details (its organisation, Release Managers, the Central Parties
connected) and who never does (other participants: 404, and absent from lists and CSV); the central systems'
connection details; the status board's participants region."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from mhhs.audit.models import AuditEvent
from mhhs.certificates.models import Certificate
from mhhs.core.time import add_business_days, utc_to_london_naive, utcnow
from mhhs.directory.models import Environment, System, User
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.participants.models import CentralConnection, Participant, ParticipantEnvironment, ParticipantOutage
from tests.certificates.factory import make_certificate, make_officer
from tests.participants.factory import (
    OTHER_PARTICIPANT,
    make_environment,
    make_other_participant_user,
    make_participant,
    make_participant_outage,
)

SUPPLIER = "supplier@demo.test"


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _ids(app, environment="Northwold SIT-A"):
    with app.app_context():
        env = make_environment("Northwold Energy", name=environment)
        return env.participant_id, env.id


def _sit_a(app):
    with app.app_context():
        return db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A"))


def test_a_participant_names_its_environment_manager_a_user_or_a_contact(app, as_user):
    with app.app_context():
        participant_id = make_participant("Northwold Energy").id
        sunil = db.session.scalar(select(User.id).where(User.email == SUPPLIER))
    supplier = as_user(SUPPLIER)
    url = f"/participants/{participant_id}/environment-manager"
    page = supplier.post(url, {"environment_manager_name": "Nia Wold"}).get_data(as_text=True)
    assert "Give the Environment Manager&#39;s e-mail address." in page and 'value="Nia Wold"' in page
    page = supplier.post(url, {"environment_manager_id": 4242, "environment_manager_name": "",
                               "environment_manager_email": ""}).get_data(as_text=True)
    assert 'id="environment_manager_id-error" class="field-error">Choose one of your organisation' in page
    with app.app_context():
        assert not db.session.get(Participant, participant_id).has_environment_manager
    assert supplier.post(url, {"environment_manager_name": "Nia Wold",
                               "environment_manager_email": "Nia@Northwold.example"}).status_code == 303
    page = supplier.get(f"/participants/{participant_id}").get_data(as_text=True)
    assert "Nia Wold &lt;nia@northwold.example&gt;" in page and "No Environment Manager named" not in page
    # Choosing a user (the contact's name still in its field) makes the user the Environment Manager.
    assert supplier.post(url, {"environment_manager_id": sunil, "environment_manager_name": "Nia Wold",
                               "environment_manager_email": "nia@northwold.example"}).status_code == 303
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        assert (participant.environment_manager.email, participant.environment_manager_name) == (SUPPLIER, "")


def test_an_environment_with_bad_connection_details_is_refused_by_the_field_and_nothing_stored(app, as_user):
    with app.app_context():
        participant_id = make_participant("Northwold Energy").id
    supplier = as_user(SUPPLIER)
    form = {"name": "Northwold SIT-A", "serves": "SIT Functional", "environment_id": _sit_a(app), "status": "ready",
            "endpoints": "https://dip-sit-a.northwold.example/webhooks",
            "host_names": "dip-sit-a.northwold.example\nbad_host.example", "addresses": "203.0.113.16/29\n10.0.0.300"}
    page = supplier.post(f"/participants/{participant_id}/environments/new", form).get_data(as_text=True)
    assert 'id="host_names-error" class="field-error">“bad_host.example” is not a host name' in page
    assert 'id="addresses-error" class="field-error">“10.0.0.300” is not an IPv4 or IPv6 address' in page
    assert "bad_host.example</textarea>" in page and 'value="Northwold SIT-A"' in page  # kept as typed
    assert _count(app, ParticipantEnvironment) == 0
    form.update(host_names="dip-sit-a.northwold.example", addresses="203.0.113.16/29, 2001:db8:1::/48")
    assert supplier.post(f"/participants/{participant_id}/environments/new", form).status_code == 303
    with app.app_context():
        environment = db.session.scalar(select(ParticipantEnvironment))
        assert environment.addresses == "203.0.113.16/29\n2001:db8:1::/48"
    # The same name twice is refused by the name.
    page = supplier.post(f"/participants/{participant_id}/environments/new", form).get_data(as_text=True)
    assert "Northwold SIT-A is the name of another of your environments." in page
    assert _count(app, ParticipantEnvironment) == 1


def test_connection_details_reach_the_organisation_managers_and_connected_central_parties_only(app, as_user):
    participant_id, environment_id = _ids(app)
    with app.app_context():
        secret = db.session.get(ParticipantEnvironment, environment_id).host_names
        make_other_participant_user()
    # Its own users, the Release Managers and Avanade (the DIP runs in SIT-A) see them on every page and the CSV.
    for email in (SUPPLIER, "rm.sit@demo.test", "dip@demo.test"):
        http = as_user(email)
        assert secret in http.get(f"/participants/{participant_id}").get_data(as_text=True)
        assert secret in http.get("/participants/environments").get_data(as_text=True)
        assert secret in http.get("/participants/environments.csv").get_data(as_text=True)
    # Another participant: the participant page, the environment's forms and its outage form are 404; lists and the
    # CSV do not name it.
    other = as_user(OTHER_PARTICIPANT)
    assert other.get(f"/participants/{participant_id}").status_code == 404
    for url in (f"/participants/environments/{environment_id}/edit",
                f"/participants/environments/{environment_id}/outages/new",
                f"/participants/{participant_id}/environments/new",
                f"/participants/{participant_id}/environment-manager"):
        assert other.get(url).status_code == 404, url
        assert other.post(url, {"name": "Taken over", "reason": "x"}).status_code == 404, url
    for url in ("/participants/environments", "/participants/environments.csv", "/participants", "/outages"):
        assert secret not in other.get(url).get_data(as_text=True), url
        assert secret not in other.get(url, htmx=True).get_data(as_text=True), url  # the partials too
    # A Central Party whose systems do not run in SIT-A: the environment is absent for it.
    with app.app_context():
        dip = db.session.scalar(select(System).where(System.name == "DIP"))
        dip.environments = [e for e in dip.environments if e.name != "SIT-A"]
        db.session.commit()
    avanade = as_user("dip@demo.test")
    assert secret not in avanade.get(f"/participants/{participant_id}").get_data(as_text=True)
    assert secret not in avanade.get("/participants/environments.csv").get_data(as_text=True)
    # Nobody but its own users changes it, not even a Release Manager or a connected Central Party.
    assert as_user("rm.sit@demo.test").post(f"/participants/environments/{environment_id}/edit").status_code == 403
    with app.app_context():
        assert db.session.get(ParticipantEnvironment, environment_id).name == "Northwold SIT-A"


def _local(moment):
    return utc_to_london_naive(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_data_refresh_needs_notice_and_is_announced_to_the_connected_central_parties(app, as_user):
    _, environment_id = _ids(app)
    supplier = as_user(SUPPLIER)
    url = f"/participants/environments/{environment_id}/outages/new"
    too_soon = utcnow() + timedelta(hours=2)
    page = supplier.post(url, {"data_refresh": "y", "starts": _local(too_soon),
                               "ends": _local(too_soon + timedelta(hours=4)),
                               "reason": "Refresh from production copy"}).get_data(as_text=True)
    assert 'id="starts-error" class="field-error">A data refresh needs 2 business days&#39; notice' in page
    assert "Refresh from production copy</textarea>" in page
    assert _count(app, ParticipantOutage) == 0 and _count(app, OutboxMessage) == 0
    starts = add_business_days(utcnow(), 3)
    assert supplier.post(url, {"data_refresh": "y", "starts": _local(starts),
                               "ends": _local(starts + timedelta(hours=4)),
                               "reason": "Refresh from production copy"}).status_code == 303
    with app.app_context():
        outage = db.session.scalar(select(ParticipantOutage))
        assert outage.planned and outage.data_refresh
        told = {r for m in db.session.scalars(select(OutboxMessage)) for r in m.recipients.split(",")}
        subjects = set(db.session.scalars(select(OutboxMessage.subject)))
    # Avanade (the DIP runs in SIT-A), Helix (MDS and more run there) and the SIT Release Manager; not the supplier,
    # not the UIT Release Manager, not St Clements' MPRS unless it runs in SIT-A.
    assert {"dip@demo.test", "helix@demo.test", "rm.sit@demo.test"} <= told
    assert SUPPLIER not in told and "rm.uit@demo.test" not in told
    assert subjects == {"Data refresh announced: Northwold Energy Northwold SIT-A (SIT-A)"}


def test_an_unplanned_outage_is_logged_ended_and_shown_apart_on_the_status_board(app, as_user):
    _, environment_id = _ids(app)
    supplier = as_user(SUPPLIER)
    page = supplier.post(f"/participants/environments/{environment_id}/outages/new",
                         {"starts": _local(utcnow() - timedelta(minutes=30)), "reason": ""}).get_data(as_text=True)
    assert 'id="reason-error" class="field-error">Say what is happening' in page
    assert supplier.post(f"/participants/environments/{environment_id}/outages/new",
                         {"starts": _local(utcnow() - timedelta(minutes=30)),
                          "reason": "Firewall change broke inbound webhooks"}).status_code == 303
    board = as_user("dip@demo.test").get("/outages").get_data(as_text=True)
    region = board.split('id="participant-board-title"')[1]
    assert "Northwold Energy</a> Northwold SIT-A" in region and "unavailable now" in region
    assert "Firewall change broke inbound webhooks" in region
    # Another participant does not see it on the board.
    with app.app_context():
        make_other_participant_user()
    assert "Northwold SIT-A" not in as_user(OTHER_PARTICIPANT).get("/outages").get_data(as_text=True)
    with app.app_context():
        outage_id = db.session.scalar(select(ParticipantOutage.id))
    assert as_user("dip@demo.test").post(f"/participants/outages/{outage_id}/end").status_code == 404  # not its own
    assert as_user("rm.sit@demo.test").post(f"/participants/outages/{outage_id}/end").status_code == 403
    assert supplier.post(f"/participants/outages/{outage_id}/end").status_code == 303
    with app.app_context():
        assert db.session.get(ParticipantOutage, outage_id).ends is not None
    assert "No participant environment you may see is unavailable" in supplier.get("/outages").get_data(as_text=True)


def test_central_connection_details_are_kept_by_the_owner_and_seen_where_participants_test(app, as_user):
    with app.app_context():
        dip, mprs = (db.session.scalar(select(System.id).where(System.name == n)) for n in ("DIP", "MPRS"))
    sit_a = _sit_a(app)
    avanade = as_user("dip@demo.test")
    page = avanade.post("/participants/connections", {"target": f"{dip}-{sit_a}", "endpoints": "dip-sit-a/api",
                                                      "notes": "Port 443"}).get_data(as_text=True)
    assert 'id="endpoints-error" class="field-error">“dip-sit-a/api” is not an endpoint URL' in page
    assert 'Port 443</textarea>' in page
    page = avanade.post("/participants/connections", {"target": f"{mprs}-{sit_a}",
                                                      "endpoints": "https://x.example"}).get_data(as_text=True)
    assert 'id="target-error" class="field-error">Choose one of your organisation' in page
    assert _count(app, CentralConnection) == 0
    assert avanade.post("/participants/connections", {"target": f"{dip}-{sit_a}",
                                                      "endpoints": "https://dip-sit-a.avanade.example/api",
                                                      "host_names": "dip-sit-a.avanade.example"}).status_code == 303
    # Northwold tests in SIT-A (the directory's demo data) and sees them; Brightmeter tests in SIT-B only.
    assert "https://dip-sit-a.avanade.example/api" in as_user(SUPPLIER).get("/participants/connections").get_data(
        as_text=True)
    with app.app_context():
        make_other_participant_user()
    assert "dip-sit-a.avanade.example" not in as_user(OTHER_PARTICIPANT).get("/participants/connections").get_data(
        as_text=True)
    assert as_user(SUPPLIER).post("/participants/connections", {"target": f"{dip}-{sit_a}"}).status_code == 403


def test_its_own_users_change_an_environment_and_the_audit_trail_says_so(app, as_user):
    participant_id, environment_id = _ids(app)
    supplier = as_user(SUPPLIER)
    form = supplier.get(f"/participants/environments/{environment_id}/edit").get_data(as_text=True)
    assert 'value="Northwold SIT-A"' in form
    assert supplier.post(f"/participants/environments/{environment_id}/edit", {
        "name": "Northwold SIT-A", "serves": "SIT Functional", "environment_id": _sit_a(app), "status": "unavailable",
        "endpoints": "", "host_names": "", "addresses": "198.51.100.7"}).status_code == 303
    with app.app_context():
        environment = db.session.get(ParticipantEnvironment, environment_id)
        assert (environment.status.value, environment.endpoints, environment.addresses) == \
            ("unavailable", "", "198.51.100.7")
        assert db.session.scalar(select(AuditEvent.summary).where(
            AuditEvent.action == "participant_environment.changed")) == "Northwold SIT-A → SIT-A, Unavailable"


def test_only_its_own_users_remove_an_environment_and_its_outages_go_with_it(app, as_user):
    with app.app_context():
        environment_id = make_participant_outage().participant_environment_id
    for email in ("dip@demo.test", "mprs@demo.test"):
        assert as_user(email).post(f"/participants/environments/{environment_id}/remove").status_code == 404
    assert as_user("rm.sit@demo.test").post(f"/participants/environments/{environment_id}/remove").status_code == 403
    assert _count(app, ParticipantEnvironment) == 1
    assert as_user(SUPPLIER).post(f"/participants/environments/{environment_id}/remove").status_code == 303
    assert (_count(app, ParticipantEnvironment), _count(app, ParticipantOutage)) == (0, 0)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.summary).where(
            AuditEvent.action == "participant_environment.removed")) == "Northwold SIT-A → SIT-A"


def test_a_participants_page_costs_the_same_queries_with_1_or_12_environments(app, as_user, count_queries):
    participant_id, _ = _ids(app)
    with app.app_context():
        make_participant_outage()
        make_certificate("Northwold Energy", "SIT-A")
        make_officer("Northwold Energy")
    rm = as_user("rm.sit@demo.test")
    # Each first request after a change also evaluates the proving of the central environments it shows (once per
    # process and change, shared with the proving matrix): the requests counted are those that follow.
    rm.get(f"/participants/{participant_id}")
    with count_queries() as few:
        assert "Webhooks down" in rm.get(f"/participants/{participant_id}").get_data(as_text=True)
    with app.app_context():
        for i in range(11):
            environment = make_environment("Northwold Energy", name=f"Northwold extra {i}",
                                           central=("SIT-A", "SIT-B", "UIT")[i % 3])
            db.session.add(ParticipantOutage(participant_environment_id=environment.id, planned=False,
                                             reason=f"Down {i}", starts=utcnow() - timedelta(hours=1),
                                             logged_by_id=db.session.scalar(select(User.id).where(
                                                 User.email == SUPPLIER)), logged_at=utcnow()))
            make_certificate("Northwold Energy", ("SIT-A", "SIT-B", "UIT")[i % 3])
            make_officer("Northwold Energy")
        db.session.commit()
    rm.get(f"/participants/{participant_id}")
    with count_queries() as many:
        page = rm.get(f"/participants/{participant_id}").get_data(as_text=True)
    assert "Northwold extra 10" in page and "Down 10" in page
    assert many.count == few.count


def test_a_participants_page_lists_its_first_current_certificates_and_links_to_all(app, as_user):
    from mhhs.participants.views import CERTIFICATES_SHOWN
    participant_id, _ = _ids(app)
    with app.app_context():
        for i in range(CERTIFICATES_SHOWN + 1):  # the last made expires soonest
            make_certificate("Northwold Energy", ("SIT-A", "SIT-B", "UIT")[i % 3], common_name=f"c{i}.northwold.test",
                             days=400 - i)
        total = db.session.scalar(select(func.count()).select_from(Certificate).where(
            Certificate.organisation_id == db.session.get(Participant, participant_id).organisation_id,
            ~Certificate.replaced))
        soonest = db.session.scalar(select(Certificate.id).where(Certificate.subject.contains("c20.northwold.test")))
        organisation_id = db.session.get(Participant, participant_id).organisation_id
    for email in ("rm.sit@demo.test", SUPPLIER):
        page = as_user(email).get(f"/participants/{participant_id}").get_data(as_text=True)
        assert len(re.findall(r'href="/certificates/\d+"', page)) == CERTIFICATES_SHOWN
        assert f"The {CERTIFICATES_SHOWN} that expire soonest of its {total} current certificates are shown" in page
        assert re.findall(r'href="/certificates/(\d+)"', page)[0] == str(soonest)
        assert re.search(rf'href="/certificates/?\?organisation={organisation_id}">every current certificate', page)


def test_the_kept_environments_officers_and_certificates_show_the_next_change_to_who_may_see_them(app, as_user):
    """A participant's environments, officers and certificates are rendered once per process per viewer
    (participants.views._private): each added shows on the very next page; a Central Party never gets the
    certificates or the edit links that the Release Manager's or the participant's own copy holds, and another
    participant gets 404."""
    with app.app_context():
        participant_id = make_participant().id
        make_other_participant_user()
    viewers = {email: as_user(email) for email in (SUPPLIER, "rm.sit@demo.test", "dip@demo.test")}
    for viewer in viewers.values():  # read and kept
        page = viewer.get(f"/participants/{participant_id}").get_data(as_text=True)
        assert "Northwold SIT-A" not in page and "Tom Contact" not in page
    with app.app_context():
        environment_id = make_environment().id
        participant = db.session.get(Participant, participant_id)
        make_officer(participant.organisation.name, name="Tom Contact")
        make_certificate(participant.organisation.name, "SIT-A")
    edit = f"/participants/environments/{environment_id}/edit"
    for email, viewer in viewers.items():
        page = viewer.get(f"/participants/{participant_id}").get_data(as_text=True)
        assert "Northwold SIT-A" in page  # the DIP runs in SIT-A: Avanade sees the environment it connects to
        assert (edit in page) == (email == SUPPLIER)
        assert ("Tom Contact" in page and ", valid to " in page) == (email != "dip@demo.test")
    assert as_user(OTHER_PARTICIPANT).get(f"/participants/{participant_id}").status_code == 404


def test_a_participants_unavailability_is_kept_per_viewer_and_moves_with_time_and_each_sessions_token(
        app, as_user, monkeypatch):
    """A participant's page keeps its outages from now on rendered per viewer (participants.views._outages) behind the
    counters of what they read, until one listed starts or ends: an outage logged shows at the next page, its End now
    button comes when it starts and it goes when it ends, with no write; two sessions of its own users share the copy,
    each with their own CSRF token; a Release Manager sees it without the button."""
    from mhhs.participants import views
    participant_id, environment_id = _ids(app)
    supplier, rm = as_user(SUPPLIER), as_user("rm.sit@demo.test")

    def unavailability(client):
        page = client.get(f"/participants/{participant_id}").get_data(as_text=True)
        return page, page.split('id="outages-title"')[1].split("</section>")[0]

    assert "No unavailability logged from now on" in unavailability(supplier)[1]  # kept from here on
    start = utcnow() + timedelta(hours=1)
    with app.app_context():
        db.session.add(ParticipantOutage(participant_environment_id=environment_id, planned=True, starts=start,
                                         ends=start + timedelta(hours=2), reason="Replatforming the gateway",
                                         logged_by_id=db.session.scalar(select(User.id).where(User.email == SUPPLIER)),
                                         logged_at=utcnow()))
        db.session.commit()
    _, listed = unavailability(supplier)
    assert "Replatforming the gateway" in listed and "End now" not in listed  # not begun
    monkeypatch.setattr(views, "utcnow", lambda: start + timedelta(minutes=1))
    for client in (supplier, as_user(SUPPLIER)):
        page, listed = unavailability(client)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        assert ">End now</button>" in listed and f'value="{token}"' in listed
    _, listed = unavailability(rm)
    assert "Replatforming the gateway" in listed and "End now" not in listed  # not a Release Manager's to end
    monkeypatch.setattr(views, "utcnow", lambda: start + timedelta(hours=2, minutes=1))
    assert "No unavailability logged from now on" in unavailability(supplier)[1]
