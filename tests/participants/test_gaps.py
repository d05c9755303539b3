"""A participant without an Environment Manager (EAP §7.1.1) is a gap on the register, on the home pages (the
Release Manager's list, the participant's own card) and in the weekly report."""
from datetime import date

from tests.participants.factory import make_interval, make_participant


def test_a_participant_without_an_environment_manager_is_a_gap_on_home_pages_and_the_weekly_report(app, as_user):
    with app.app_context():
        make_participant("Northwold Energy")
        make_participant("Brightmeter Services", environment_manager_name="Bea Marlow",
                         environment_manager_email="bea@brightmeter.example")
    home = as_user("rm.sit@demo.test").get("/").get_data(as_text=True)
    block = home.split('id="no-environment-manager"')[1].split("</section>")[0]
    assert '<small class="count">1</small>' in block and "Northwold Energy" in block
    assert "Brightmeter Services" not in block
    own = as_user("supplier@demo.test").get("/").get_data(as_text=True)
    assert "Northwold Energy as a participant" in own and "No Environment Manager named" in own
    report = as_user("rm.sit@demo.test").get("/reports/weekly").get_data(as_text=True)
    section = report.split("Participants without an Environment Manager")[1].split("<h2>")[0]
    assert "<small>1</small>" in section and "Northwold Energy (Supplier, SIT)" in section
    assert "Brightmeter" not in section


def test_with_every_environment_manager_named_the_gap_says_none(app, as_user):
    with app.app_context():
        make_participant("Northwold Energy", environment_manager_name="Nia Wold",
                         environment_manager_email="nia@northwold.example")
    assert 'id="no-environment-manager"' not in as_user("rm.sit@demo.test").get("/").get_data(as_text=True)
    own = as_user("supplier@demo.test").get("/").get_data(as_text=True)
    assert "Northwold Energy as a participant" in own and "No Environment Manager named" not in own
    report = as_user("rm.sit@demo.test").get("/reports/weekly").get_data(as_text=True)
    assert "None: every participant on the register has named one." in report


def test_onboarding_intervals_are_on_the_calendar(app, as_user):
    with app.app_context():
        make_interval(4, date(2026, 12, 14))
    week = as_user("supplier@demo.test").get("/calendar?view=week&date=2026-12-14").get_data(as_text=True)
    assert "DIP onboarding interval 4 begins (week commencing)" in week
    month = as_user("supplier@demo.test").get("/calendar?date=2026-12").get_data(as_text=True)
    assert "DIP onboarding interval 4 begins (week commencing)" in month and "DIP onboarding interval 4 ends" in month
    filtered = as_user("supplier@demo.test").get("/calendar?date=2026-12&environment=1").get_data(as_text=True)
    assert "Interval 4" not in filtered


def test_the_weekly_report_lists_the_first_twenty_gaps_and_links_to_the_register_for_all(app, as_user):
    with app.app_context():
        for n in range(22):
            make_participant(f"Gap Energy {n:02d}")
    report = as_user("rm.sit@demo.test").get("/reports/weekly").get_data(as_text=True)
    section = report.split("Participants without an Environment Manager")[1].split("<h2>")[0]
    assert "<small>22</small>" in section and section.count("<li>") == 20  # what an e-mailed PDF carries
    assert "Gap Energy 19 (" in section and "Gap Energy 20" not in section  # by organisation name
    assert "The first 20 of 22" in section and "/participants?gap=no-environment-manager" in section


def test_the_release_managers_gap_card_is_kept_and_shows_the_next_change_at_once(app, as_user, monkeypatch):
    """The card is the same for every Release Manager, rendered once per process behind the register's and the
    names' counters (home._without_manager): a participant registered, a manager named and an organisation renamed
    each show on the next page, and nothing else renders it again."""
    from mhhs import home
    from mhhs.extensions import db
    from mhhs.participants.models import Participant
    rendered, render = [], home._without_manager
    monkeypatch.setattr(home, "_without_manager", lambda: rendered.append(1) or render())
    rm = as_user("rm.sit@demo.test")

    def card():
        home = rm.get("/").get_data(as_text=True)
        return home.split('id="no-environment-manager"')[1].split("</section>")[0] \
            if 'id="no-environment-manager"' in home else None

    assert card() is None and card() is None and len(rendered) == 1  # kept from here on
    with app.app_context():
        participant_id = make_participant("Northwold Energy").id
    assert "Northwold Energy" in card() and len(rendered) == 2
    with app.app_context():
        db.session.get(Participant, participant_id).organisation.name = "Northwold Power"
        db.session.commit()
    assert "Northwold Power" in card()
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        participant.environment_manager_name = "Nia Wold"
        participant.environment_manager_email = "nia@northwold.example"
        db.session.commit()
    assert card() is None
