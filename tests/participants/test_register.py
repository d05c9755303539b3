"""The participant register and the onboarding intervals: kept by Release Managers, refused by the field with what
was typed kept and nothing stored, read by everyone without anything private, its CSV, and its query count."""
import re
from datetime import date

from sqlalchemy import func, select

from mhhs.directory.models import MarketRole, Organisation
from mhhs.extensions import db
from mhhs.participants.models import OnboardingInterval, Participant, Route
from tests.participants.factory import make_environment, make_interval, make_participant, make_tranche


def _ids(app):
    with app.app_context():
        organisation = db.session.scalar(select(Organisation.id).where(Organisation.name == "Fenland Networks"))
        ees = db.session.scalar(select(MarketRole.id).where(MarketRole.code == "EES"))
        return organisation, ees


def _count(app, model=Participant):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_release_manager_adds_a_participant_with_interval_tranche_and_market_roles(app, as_user):
    with app.app_context():
        interval, tranche = make_interval(3).id, make_tranche().id
    organisation, ees = _ids(app)
    rm = as_user("rm.sit@demo.test")
    response = rm.post("/participants/new", {"organisation_id": organisation, "kind": "dno", "route": "qualification",
                                             "market_role_ids": [ees], "interval_id": interval,
                                             "qualification_tranche_id": tranche})
    assert response.status_code == 303
    page = rm.get("/participants").get_data(as_text=True)
    assert "Fenland Networks" in page and "Qualification tranche 1" in page and "EES" in page
    with app.app_context():
        participant = db.session.scalar(select(Participant))
        assert (participant.route, participant.interval.number, [r.code for r in participant.market_roles]) == \
            (Route.QUALIFICATION, 3, ["EES"])


def test_bad_register_entries_are_refused_by_the_field_keeping_what_was_typed(app, as_user):
    with app.app_context():
        sandbox_tranche = make_tranche(Route.SANDBOX, "Sandbox tranche 1").id
    organisation, _ = _ids(app)
    rm = as_user("rm.sit@demo.test")
    form = {"organisation_id": organisation, "kind": "supplier", "route": "sandbox", "interval_id": 4242,
            "qualification_tranche_id": sandbox_tranche, "passed_on": "2026-11-02"}
    page = rm.post("/participants/new", form).get_data(as_text=True)
    assert 'id="interval_id-error" class="field-error">That onboarding interval does not exist' in page
    assert 'id="qualification_tranche_id-error" class="field-error">That Qualification tranche does not exist' in page
    assert 'id="passed_route-error" class="field-error">The E2E Sandbox is open only to a participant that passed' \
        in page
    assert 'value="2026-11-02"' in page  # what was typed is kept
    assert _count(app) == 0  # nothing stored
    # With SIT passed the Sandbox is accepted.
    form.update(passed_route="sit", interval_id="", qualification_tranche_id="")
    assert rm.post("/participants/new", form).status_code == 303
    with app.app_context():
        participant = db.session.scalar(select(Participant))
        assert (participant.route, participant.passed_route, participant.passed_on) == \
            (Route.SANDBOX, Route.SIT, date(2026, 11, 2))


def test_an_organisation_is_on_the_register_once(app, as_user):
    with app.app_context():
        make_participant("Fenland Networks")
    organisation, _ = _ids(app)
    page = as_user("rm.sit@demo.test").post("/participants/new", {"organisation_id": organisation, "kind": "dno",
                                                                  "route": "sit"}).get_data(as_text=True)
    assert 'id="organisation_id-error" class="field-error">Fenland Networks is on the register already' in page
    assert _count(app) == 1


def test_only_release_managers_keep_the_register(app, as_user):
    organisation, _ = _ids(app)
    for email in ("dip@demo.test", "supplier@demo.test"):
        assert as_user(email).post("/participants/new", {"organisation_id": organisation, "kind": "dno",
                                                         "route": "sit"}).status_code == 403
    assert _count(app) == 0


def test_intervals_are_numbered_1_to_6_from_a_monday(app, as_user):
    rm = as_user("rm.sit@demo.test")
    page = rm.post("/participants/intervals", {"number": 7, "first_day": "2026-12-08",
                                               "last_day": "2026-12-01"}).get_data(as_text=True)
    assert "numbered 1 to 6" in page and "The week commencing is a Monday; Tuesday 08 Dec 2026 is not." in page
    assert "The last day cannot be before the week commencing." in page and 'value="2026-12-08"' in page
    assert _count(app, OnboardingInterval) == 0
    assert rm.post("/participants/intervals", {"number": 2, "first_day": "2026-12-07",
                                               "last_day": "2026-12-18"}).status_code == 303
    # Saving the number again moves its dates; it is still one interval.
    assert rm.post("/participants/intervals", {"number": 2, "first_day": "2026-12-14",
                                               "last_day": "2026-12-25"}).status_code == 303
    with app.app_context():
        assert [(i.number, i.first_day) for i in db.session.scalars(select(OnboardingInterval))] == \
            [(2, date(2026, 12, 14))]


def test_everyone_reads_the_register_and_its_gaps_but_nothing_private(app, as_user):
    with app.app_context():
        make_environment("Northwold Energy")
        make_participant("Brightmeter Services", environment_manager_name="Bea Marlow",
                         environment_manager_email="bea@brightmeter.example")
    for email in ("rm.sit@demo.test", "dip@demo.test", "supplier@demo.test"):
        page = as_user(email).get("/participants").get_data(as_text=True)
        assert "2 participants; 1 participant without an Environment Manager." in page
        assert "Northwold Energy" in page and "Brightmeter Services" in page
        assert "secret-" not in page and "bea@brightmeter.example" not in page
    gaps = as_user("supplier@demo.test").get("/participants?gap=no-environment-manager").get_data(as_text=True)
    assert "1 participant; 1 participant without an Environment Manager." in gaps
    assert "Northwold Energy" in gaps and "Brightmeter Services" not in gaps
    csv = as_user("supplier@demo.test").get("/participants/register.csv").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("Organisation,Kind,Market roles,Route")
    assert "Northwold Energy,Supplier,,SIT" in csv and "No Environment Manager" in csv and "secret-" not in csv


def test_the_register_costs_the_same_queries_at_2_and_40_participants(app, as_user, count_queries):
    rm = as_user("rm.sit@demo.test")
    with app.app_context():
        interval, tranche = make_interval(1).id, make_tranche().id
        roles = db.session.scalars(select(MarketRole).limit(2)).all()
        for i in range(2):
            make_participant(f"Small {i}", interval_id=interval, qualification_tranche_id=tranche).market_roles = roles
        db.session.commit()
    with count_queries() as few:
        assert "2 participants" in rm.get("/participants").get_data(as_text=True)
    with app.app_context():
        roles = db.session.scalars(select(MarketRole).limit(2)).all()
        for i in range(38):
            make_participant(f"Large {i}", interval_id=interval, qualification_tranche_id=tranche).market_roles = roles
        db.session.commit()
    with count_queries() as many:
        assert "40 participants" in rm.get("/participants").get_data(as_text=True)
    assert many.count == few.count


def test_the_register_shows_a_page_at_a_time_in_interval_order_and_counts_them_all(app, as_user):
    with app.app_context():
        first, second = make_interval(1).id, make_interval(2).id
        roles = db.session.scalars(select(MarketRole).order_by(MarketRole.code).limit(2)).all()
        for i in range(30):  # 25 a page: interval 2 before none, each by name
            make_participant(f"Later {i:02}", interval_id=second).market_roles = roles
        for i in range(5):
            make_participant(f"Unplaced {i}", environment_manager_name="Em", environment_manager_email="em@x.test")
        make_participant("Zed First", interval_id=first)
        db.session.commit()
        codes = ", ".join(role.code for role in roles)
    rm = as_user("rm.sit@demo.test")
    page = rm.get("/participants").get_data(as_text=True)
    assert "36 participants; 31 participants without an Environment Manager." in page
    assert page.count("<tr>") == 1 + 25 and page.index("Zed First") < page.index("Later 00")
    assert "Later 23" in page and "Later 24" not in page and f"<td>{codes}</td>" in page
    next_page = re.search(r'<a href="([^"]+)"[^>]*>Next</a>', page).group(1).replace("&amp;", "&")
    page = rm.get(next_page).get_data(as_text=True)
    assert page.count("<tr>") == 1 + 11 and "Later 24" in page and page.index("Later 29") < page.index("Unplaced 0")
    assert "36 participants; 31 participants without an Environment Manager." in page
    gaps = rm.get(f"/participants?gap=no-environment-manager&interval={second}").get_data(as_text=True)
    assert "30 participants; 30 participants without an Environment Manager." in gaps


def test_editing_an_entry_to_the_sandbox_needs_what_was_passed_and_keeps_the_rest(app, as_user):
    with app.app_context():
        participant = make_participant("Northwold Energy", interval_id=make_interval(2).id)
        participant_id, interval_id = participant.id, participant.interval_id
        ees = db.session.scalar(select(MarketRole.id).where(MarketRole.code == "EES"))
    rm = as_user("rm.sit@demo.test")
    form = {"kind": "supplier", "route": "sandbox", "interval_id": interval_id, "market_role_ids": [ees]}
    page = rm.post(f"/participants/{participant_id}/edit", form).get_data(as_text=True)
    assert "The E2E Sandbox is open only to a participant that passed SIT or Qualification" in page
    assert "Give the day it passed." in page
    with app.app_context():
        assert db.session.get(Participant, participant_id).route == Route.SIT  # nothing stored
    form.update(passed_route="qualification", passed_on="2026-10-30")
    assert rm.post(f"/participants/{participant_id}/edit", form).status_code == 303
    page = rm.get(f"/participants/{participant_id}").get_data(as_text=True)
    assert "E2E Sandbox (passed Qualification on 30 Oct 2026)" in page and "EES" in page
    # Leaving every market role unticked clears them.
    form.pop("market_role_ids")
    assert rm.post(f"/participants/{participant_id}/edit", form).status_code == 303
    with app.app_context():
        assert db.session.get(Participant, participant_id).market_roles == []


def test_the_kept_register_shows_the_next_change_and_each_viewer_its_own_links(app, as_user):
    """The register is rendered once per process per viewer and query string (participants.views._register): a
    change to an entry, to its market roles or to its organisation's name shows on the very next page, whole or
    swapped in; a Test Participant never gets the links a Release Manager's or a Central Party's copy holds."""
    with app.app_context():
        northwold = make_participant().id
        brightmeter = make_participant("Brightmeter Services").id
    link = f'href="/participants/{brightmeter}"'
    viewers = {email: as_user(email) for email in ("rm.sit@demo.test", "dip@demo.test", "supplier@demo.test")}
    for email, viewer in viewers.items():  # read and kept
        page = viewer.get("/participants").get_data(as_text=True)
        assert "2 participants; 2 participants without an Environment Manager." in page
        assert (link in page) == (email != "supplier@demo.test")
        assert ("Northwold Energy: your entry" in page) == (email == "supplier@demo.test")
    with app.app_context():
        entry = db.session.get(Participant, brightmeter)
        entry.environment_manager_name, entry.environment_manager_email = "Bea Marlow", "bea@brightmeter.example"
        entry.market_roles.append(db.session.scalar(select(MarketRole).where(MarketRole.code == "EES")))
        db.session.get(Participant, northwold).organisation.name = "Southwold Energy"
        db.session.commit()
    for email, viewer in viewers.items():
        for page in (viewer.get("/participants").get_data(as_text=True),
                     viewer.get("/participants", htmx=True).get_data(as_text=True)):
            assert "2 participants; 1 participant without an Environment Manager." in page
            assert "Southwold Energy" in page and "Northwold Energy" not in page and "EES" in page
            assert (link in page) == (email != "supplier@demo.test")
        assert "bea@brightmeter.example" not in page
