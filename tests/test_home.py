"""Home pages as work lists: what waits for each role, each block linking to its full list; their queries do not
grow with the data."""
import re
from datetime import timedelta

from sqlalchemy import select

from mhhs.baseline import services as baseline
from mhhs.certificates.models import Kind
from mhhs.certificates.services import gaps
from mhhs.core import changes
from mhhs.core.time import to_london, utcnow
from mhhs.directory.models import Environment, User
from mhhs.extensions import db
from mhhs.outages.models import Category
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.rules import earliest_start
from mhhs.rfcs.states import ReleaseType, RfcStatus
from mhhs.schedule.services import add_freeze
from tests.certificates.factory import make_certificate
from tests.helpers import communicate, org_ids
from tests.outages.factory import make_outage
from tests.participants.factory import make_other_participant_user
from tests.rfcs.factory import approve, approved_earlier, deploy, make_rfc, next_week


def section(page, block_id):
    return page.split(f'id="{block_id}"')[1].split("</section>")[0]


def test_a_release_managers_work_list(app, as_user):
    with app.app_context():
        waiting = make_rfc()
        # The earliest window the notice rule allows (on a Friday, three days on is a few moments too early).
        soon = make_rfc(version="1.2.0.0", window_start=earliest_start(ReleaseType.MINOR,
                                                                       utcnow()) + timedelta(hours=1))
        approve(soon, "rm.sit@demo.test")
        later = make_rfc(version="1.3.0.0", window_start=utcnow() + timedelta(days=20))
        approve(later, "rm.sit@demo.test")
        make_outage("mprs@demo.test", environment="SIT-B", systems=("MPRS",))
        make_certificate("Northwold Energy", "SIT-A", days=10)
    page = as_user("rm.sit@demo.test").get("/").get_data(as_text=True)
    assert f"RFC-{waiting:06d}" in section(page, "waiting") and "1 in all" in section(page, "waiting")
    assert 'href="/approvals"' in section(page, "waiting")
    deployments = section(page, "deployments")
    assert f"RFC-{soon:06d}" in deployments and f"RFC-{later:06d}" not in deployments
    assert "SIT-B: MPRS" in section(page, "outages-now")
    expiring = section(page, "certificates").split('id="expiring"')[1].split('id="missing"')[0]
    assert "Northwold Energy" in expiring and '<small class="count">1</small>' in expiring
    assert "None: both run the same versions." in section(page, "drift")


def test_a_central_partys_work_list(app, as_user):
    with app.app_context():
        draft = make_rfc(submit=False)
        upcoming = make_rfc(version="1.2.0.0", window_start=next_week())
        theirs = make_rfc(system="MPRS", email="mprs@demo.test", release_type=ReleaseType.PATCH, version="1.0.1.0",
                          rollback_plan="",
                          window_start=next_week())
        make_outage("dip@demo.test")
        make_outage("mprs@demo.test", systems=("MPRS",))
    page = as_user("dip@demo.test").get("/").get_data(as_text=True)
    assert f"RFC-{draft:06d}" in section(page, "to-do")
    windows = section(page, "windows")
    assert f"RFC-{upcoming:06d}" in windows and f"RFC-{theirs:06d}" not in windows
    outages = section(page, "outages-now")
    assert "DIP" in outages and "MPRS" not in outages  # only its own systems' outages


def test_a_test_participant_reads_release_notes_from_home(app, as_user):
    with app.app_context():
        read_later = make_rfc()
        approved_earlier(read_later)
        deploy(read_later, "SIT-A", RfcStatus.DEPLOYED)
        not_sent = make_rfc(version="1.2.0.0")
        approved_earlier(not_sent)
        deploy(not_sent, "SIT-A", RfcStatus.DEPLOYED)
    communicate(as_user("rm.sit@demo.test"), read_later, org_ids(app, "Northwold Energy"))
    supplier = as_user("supplier@demo.test")
    notes = section(supplier.get("/").get_data(as_text=True), "notes")
    assert notes.index(f"RFC-{read_later:06d}") < notes.index(f"RFC-{not_sent:06d}")  # waiting for reading first
    assert "not read yet" in notes and "not sent to Northwold Energy" in notes
    response = supplier.post(f"/rfcs/{read_later}/acknowledge", {"from": "home"})
    assert response.status_code == 303 and response.location == "/"
    notes = section(supplier.get("/").get_data(as_text=True), "notes")
    assert "· read" in notes and "Mark read" not in notes


def test_home_queries_do_not_grow(app, as_user, count_queries):
    with app.app_context():  # from the start: two windows that clash, and a release note deployed
        make_rfc()
        make_rfc(release_type=ReleaseType.PATCH, version="1.1.1.0")
        deployed = make_rfc(release_type=ReleaseType.PATCH, version="1.0.1.0")
        approved_earlier(deployed)
        deploy(deployed, "SIT-A", RfcStatus.DEPLOYED)
    clients = {email: as_user(email) for email in ("rm.sit@demo.test", "dip@demo.test", "supplier@demo.test")}
    few = {}
    for email, client in clients.items():
        changes.forget()  # read afresh both times (what the process keeps, as the carry-overs, is read again too)
        with count_queries() as counter:
            client.get("/")
        few[email] = counter.count
    with app.app_context():
        for i in range(12):
            rfc_id = make_rfc(version=f"1.{i + 2}.0.0", window_start=next_week() + timedelta(hours=i))
            if i % 2:
                approved_earlier(rfc_id)
                deploy(rfc_id, "SIT-A", RfcStatus.DEPLOYED)
    for email, client in clients.items():
        changes.forget()
        with count_queries() as counter:
            client.get("/")
        assert counter.count == few[email], email


def test_a_test_participants_release_notes_are_those_where_it_tests_and_counted_as_listed(app, as_user):
    with app.app_context():
        both = make_rfc(environments=("SIT-A", "SIT-B"))
        approved_earlier(both)
        deploy(both, "SIT-A", RfcStatus.DEPLOYED)
        deploy(both, "SIT-B", RfcStatus.DEPLOYED)
        elsewhere = make_rfc(version="1.2.0.0", environments=("SIT-B",))
        approved_earlier(elsewhere)
        deploy(elsewhere, "SIT-B", RfcStatus.DEPLOYED)
    supplier = as_user("supplier@demo.test")
    notes = section(supplier.get("/").get_data(as_text=True), "notes")  # tests nowhere yet: every environment
    assert "deployed in the last 14 days" in notes and '<small class="count">3 deployments</small>' in notes
    assert notes.count("<li>") == 3 and "<h3>SIT-A</h3>" in notes and "<h3>SIT-B</h3>" in notes
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A")  # Northwold Energy now tests in SIT-A
    notes = section(supplier.get("/").get_data(as_text=True), "notes")
    assert "deployed where you test" in notes and '<small class="count">1 deployment</small>' in notes
    assert notes.count("<li>") == 1 and f"RFC-{both:06d}" in notes and f"RFC-{elsewhere:06d}" not in notes
    assert "<h3>SIT-B</h3>" not in notes


def test_a_central_party_sees_the_release_notes_it_must_read(app, as_user):
    with app.app_context():
        theirs = make_rfc(system="MPRS", email="mprs@demo.test", release_type=ReleaseType.PATCH, version="1.0.1.0",
                          rollback_plan="")
        approved_earlier(theirs)
        deploy(theirs, "SIT-A", RfcStatus.DEPLOYED, email="mprs@demo.test")
    communicate(as_user("rm.sit@demo.test"), theirs, org_ids(app, "Avanade"))
    dip = as_user("dip@demo.test")
    to_read = section(dip.get("/").get_data(as_text=True), "to-read")
    assert f"RFC-{theirs:06d}" in to_read and "not read yet" in to_read and '<small class="count">1</small>' in to_read
    dip.post(f"/rfcs/{theirs}/acknowledge", {"from": "home"})
    to_read = section(dip.get("/").get_data(as_text=True), "to-read")
    assert f"RFC-{theirs:06d}" not in to_read and "you have read every release note" in to_read


def test_outages_now_lists_the_first_going_on_and_counts_them_all(app, as_user):
    now = utcnow()
    with app.app_context():
        going_on = [make_outage("mprs@demo.test", environment="SIT-B", systems=("MPRS",),
                                start=now - timedelta(hours=10 - i), description=f"Down {i}").id for i in range(7)]
        open_ended = make_outage("dip@demo.test", start=now - timedelta(hours=20)).id  # no end yet: the earliest
        make_outage("dip@demo.test", start=now - timedelta(hours=5), end=now - timedelta(hours=1))  # over
        make_outage("dip@demo.test", planned=True, category=Category.DATA_LOAD, start=now + timedelta(days=2),
                    end=now + timedelta(days=2, hours=2))  # to come
    card = section(as_user("rm.sit@demo.test").get("/").get_data(as_text=True), "outages-now")
    assert '<small class="count">8</small>' in card and card.count("<li>") == 5 and "3 more" in card
    listed = [int(n) for n in re.findall(r'href="/outages/(\d+)"', card)]
    assert listed == [open_ended, *going_on[:4]]  # the earliest start first
    assert "SIT-B: MPRS" in card and "SIT-A: DIP" in card
    assert 'href="/outages?state=ongoing"' in card


def test_a_test_participants_next_planned_outages_per_environment(app, as_user):
    now = utcnow()
    with app.app_context():
        sit_a = [make_outage("dip@demo.test", planned=True, category=Category.DATA_LOAD,
                             start=now + timedelta(days=1 + i), end=now + timedelta(days=1 + i, hours=1)).id
                 for i in range(4)]
        sit_b = make_outage("mprs@demo.test", environment="SIT-B", systems=("MPRS",), planned=True,
                            category=Category.DATA_LOAD, start=now + timedelta(days=3),
                            end=now + timedelta(days=3, hours=1)).id
        make_outage("dip@demo.test", environment="SIT-B")  # going on, not planned
        make_outage("dip@demo.test", environment="UIT", planned=True, category=Category.DATA_LOAD,
                    start=now + timedelta(days=70), end=now + timedelta(days=70, hours=1))  # beyond the board's reach
    card = section(as_user("supplier@demo.test").get("/").get_data(as_text=True), "planned")
    assert card.index("<h3>SIT-A</h3>") < card.index("<h3>SIT-B</h3>") and "<h3>UIT</h3>" not in card
    ids = [int(n) for n in re.findall(r'href="/outages/(\d+)"', card)]
    assert ids == [*sit_a[:3], sit_b]  # three per environment, the soonest first
    assert "DIP: data load" in card and "MPRS: data load" in card


def test_participants_ready_per_phase_follow_the_data_and_the_time(app, as_user):
    """The card's counts are read once per process: again when what readiness reads changes, and when a certificate
    it rests on has expired since."""
    from mhhs.certificates.models import Kind
    from mhhs.participants.models import Route
    from mhhs.readiness import counts, criteria
    from tests.readiness.factory import environment, make_criterion, make_participant

    rm = as_user("rm.sit@demo.test")

    def sandbox():
        card = section(rm.get("/").get_data(as_text=True), "readiness-phases")
        return dict(re.findall(r'>([^<]+)</a>: (\d+ of \d+)', card))["E2E Sandbox"]

    with app.app_context():
        make_participant("Ready Energy", route=Route.SANDBOX)
        make_criterion("DIP certificates", phase=Route.SANDBOX, derived="certificates",
                       environment_id=environment("SIT-A").id)
    assert sandbox() == "0 of 1"
    with app.app_context():
        make_certificate("Ready Energy", "SIT-A", kind=Kind.DIP_TLS, days=40)
        make_certificate("Ready Energy", "SIT-A", kind=Kind.DIP_JWS, days=40)
    assert sandbox() == "1 of 1"  # read again: a certificate was stored
    with app.app_context():
        later = utcnow() + timedelta(days=41)  # both have expired by then
        assert counts.ready_counts(later) == criteria.ready_counts(later)
        assert dict((phase, (ready, total)) for phase, ready, total in counts.ready_counts(later))[
            Route.SANDBOX] == (0, 1)
    assert sandbox() == "1 of 1"


def test_the_missing_certificate_cards_see_a_new_certificate_and_an_expiry(app, as_user):
    """The cards' gaps are kept per process: a certificate uploaded since is seen at once, and one expiring makes
    its kind missing again from that moment, with no write at all."""
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=100, kind=Kind.DIP_TLS)
    supplier, rm = as_user("supplier@demo.test"), as_user("rm.sit@demo.test")
    gap = "SIT-A: Northwold Energy has no valid DIP JWS certificate."
    for client in (supplier, rm):
        assert gap in section(client.get("/").get_data(as_text=True), "certificates")
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=50, kind=Kind.DIP_JWS)
    for client in (supplier, rm):
        card = section(client.get("/").get_data(as_text=True), "certificates").split('id="missing"')[1]
        assert "SIT-A: Northwold Energy has no valid" not in card and "None: a valid certificate" in card
    with app.app_context(), app.test_request_context():
        later = utcnow() + timedelta(days=75)  # the JWS certificate has expired, the TLS one not
        user = db.session.scalar(select(User).where(User.email == "supplier@demo.test"))
        missing, _ = gaps(user, later)
        assert [(e.name, o.name, [k.value for k in kinds]) for e, o, kinds in missing] == \
            [("SIT-A", "Northwold Energy", ["DIP JWS"])]


def test_a_card_that_lists_its_first_few_says_how_many_more(app, as_user):
    """The Release Manager's card of participants without an Environment Manager lists five and counts the rest,
    as every card does ("n more"), so 5 shown of 7 never reads as all of them."""
    from tests.participants.factory import make_participant
    with app.app_context():
        for n in range(7):
            make_participant(f"Gapfield {n} Energy")  # no Environment Manager named
    page = as_user("rm.sit@demo.test").get("/").get_data(as_text=True)
    card = page[page.index('id="no-environment-manager"'):]
    card = card[:card.index("</section>")]
    assert card.count("Gapfield") == 5 and "2 more" in card


def test_a_release_managers_kept_cards_show_each_change_at_the_next_page_and_to_no_other_role(app, as_user):
    """The cards the same for every Release Manager are rendered once per process (home._kept): a change made
    since shows on the very next page (RFC windows, outages, freezes, the baseline, certificates), and what a
    Release Manager's copy holds reaches no Central Party nor Test Participant."""
    rm = as_user("rm.sit@demo.test")
    page = rm.get("/").get_data(as_text=True)  # kept from here
    assert "<p>None.</p>" in section(page, "deployments") and "None: both run the same versions." in page
    with app.app_context():
        soon = make_rfc(version="1.2.0.0",
                        window_start=earliest_start(ReleaseType.MINOR, utcnow()) + timedelta(hours=1))
        approve(soon, "rm.sit@demo.test")
    assert f"RFC-{soon:06d}" in section(rm.get("/").get_data(as_text=True), "deployments")
    with app.app_context():
        outage = make_outage("mprs@demo.test", environment="SIT-B", systems=("MPRS",)).id
    assert f'href="/outages/{outage}"' in section(rm.get("/").get_data(as_text=True), "outages-now")
    with app.app_context():
        rfc = db.session.get(Rfc, soon)
        day = to_london(rfc.window_start).date()
        add_freeze(db.session.scalar(select(User).where(User.email == "rm.sit@demo.test")),
                   rfc.environments[0].id, day, day, "Quarter-end freeze")
    assert "Quarter-end freeze" in section(rm.get("/").get_data(as_text=True), "deployments")
    with app.app_context():
        sit_a, sit_b = (db.session.scalar(select(Environment).where(Environment.name == name))
                        for name in ("SIT-A", "SIT-B"))
        system = next(s for s in sit_a.systems if s in sit_b.systems)
        for environment, version in ((sit_a, "1.0.0.0"), (sit_b, "9.0.0.0")):
            baseline.set_cell(environment.id, system.id, version, utcnow(), "recorded", reason="drift")
        db.session.commit()
        name = system.name
    assert f"{name}: SIT-A 1.0.0.0, SIT-B 9.0.0.0" in section(rm.get("/").get_data(as_text=True), "drift")
    with app.app_context():
        subject = make_certificate("Northwold Energy", "SIT-A", days=10).subject
    assert subject in section(rm.get("/").get_data(as_text=True), "expiring")
    # Another Release Manager: the same kept cards, its own queue.
    uit = as_user("rm.uit@demo.test").get("/").get_data(as_text=True)
    assert f"RFC-{soon:06d}" in section(uit, "deployments") and "Waiting for your approval (UIT)" in uit
    for email in ("dip@demo.test", "supplier@demo.test"):
        page = as_user(email).get("/").get_data(as_text=True)
        assert not any(f'id="{card}"' in page for card in ("deployments", "outcome-due", "drift", "emergencies",
                                                           "slot-requests"))
        assert "Everyone's certificates" not in page


def test_an_organisations_kept_cards_show_each_change_at_the_next_page_and_to_no_other_organisation(app, as_user):
    """A Central Party's and a Test Participant's cards the same for their whole organisation are rendered once per
    process (home._kept): a change made since shows on the very next page, and another organisation's page never
    shows what they hold."""
    with app.app_context():
        other = make_other_participant_user()
    dip, mprs, supplier, brightmeter = (as_user(email) for email in ("dip@demo.test", "mprs@demo.test",
                                                                     "supplier@demo.test", other))
    for client in (dip, mprs, supplier, brightmeter):
        client.get("/")  # kept from here
    with app.app_context():
        rfc_id = make_rfc(version="1.2.0.0", window_start=next_week())  # Avanade's (DIP)
        subject = make_certificate("Northwold Energy", "SIT-B", days=10).subject  # Northwold tests in SIT-B now
        outage = make_outage("dip@demo.test", environment="SIT-B").id  # DIP down in SIT-B
        planned = make_outage("mprs@demo.test", environment="SIT-A", systems=("MPRS",), planned=True,
                              category=Category.DATA_LOAD, start=utcnow() + timedelta(days=2),
                              end=utcnow() + timedelta(days=2, hours=2)).id
    page = dip.get("/").get_data(as_text=True)
    assert f"RFC-{rfc_id:06d}" in section(page, "windows")
    assert f'href="/outages/{outage}"' in section(page, "outages-now")
    page = supplier.get("/").get_data(as_text=True)
    assert subject in section(page, "certificates") and f'href="/outages/{outage}"' in section(page, "outages-now")
    assert f'href="/outages/{planned}"' in section(page, "planned")
    page = mprs.get("/").get_data(as_text=True)  # another Central Party: neither Avanade's windows nor its outage
    assert f"RFC-{rfc_id:06d}" not in page and f'href="/outages/{outage}"' not in page
    page = brightmeter.get("/").get_data(as_text=True)  # another participant: not Northwold's certificate nor SIT-B
    assert subject not in page and f'href="/outages/{outage}"' not in page
    assert f'href="/outages/{planned}"' in section(page, "planned")  # the planned outages are everyone's


def test_the_health_check_cards_show_a_report_at_the_next_page_and_only_to_its_organisation(app, as_user):
    """The readiness cards are kept rendered per viewer (home._kept): a morning check reported since shows on the
    very next page, and a Central Party's card lists its own systems only."""
    from tests.readiness.factory import report

    with app.app_context():  # every environment open today (the demo's dates may have passed)
        for environment in db.session.scalars(select(Environment)):
            environment.available_from = environment.available_to = None
        db.session.commit()
    dip, mprs = as_user("dip@demo.test"), as_user("mprs@demo.test")
    before = section(dip.get("/").get_data(as_text=True), "health-owed")  # kept from here
    others = section(mprs.get("/").get_data(as_text=True), "health-owed")
    assert "DIP in" not in others
    with app.app_context():
        report()  # DIP in SIT-A, green
    after = section(dip.get("/").get_data(as_text=True), "health-owed")
    if "not a business day" in before:  # nothing is owed today either way
        assert after == before
    else:
        assert "DIP in SIT-A" in before and "DIP in SIT-A" not in after
    assert section(mprs.get("/").get_data(as_text=True), "health-owed") == others


def test_a_central_partys_kept_drafts_card_shows_each_change_at_the_next_page_and_to_no_other_organisation(
        app, as_user, monkeypatch):
    """The drafts and changes requested are kept rendered per organisation and its first rows as they are now
    (home._to_do): a draft edited, one added, changes requested with a manager's comment and a rename of that manager
    each show on the very next page, and an unchanged card is not rendered again; another organisation's card never
    shows them."""
    from mhhs import home
    from mhhs.rfcs import services
    from mhhs.rfcs.states import Decision
    from tests.rfcs.factory import content, user
    with app.app_context():
        first = make_rfc(submit=False)
        second = make_rfc(version="1.2.0.0", submit=False)
    dip, mprs = as_user("dip@demo.test"), as_user("mprs@demo.test")
    rendered, render = [], home._render_to_do
    monkeypatch.setattr(home, "_render_to_do", lambda *args: rendered.append(args) or render(*args))

    def to_do(client=dip):
        return section(client.get("/").get_data(as_text=True), "to-do")

    card = to_do()  # kept from here on
    assert to_do() == card and len(rendered) == 1
    assert card.index(f"RFC-{second:06d}") < card.index(f"RFC-{first:06d}") and "2 in all" in card
    with app.app_context():  # the one leading edited: its new title, in the same place
        services.save_draft(user("dip@demo.test"), db.session.get(Rfc, second),
                            content(version="1.2.0.0", title="DIP 1.2.0.0 with the batch fix"))
    assert "DIP 1.2.0.0 with the batch fix" in to_do()
    with app.app_context():  # the other edited: it leads
        services.save_draft(user("dip@demo.test"), db.session.get(Rfc, first), content(title="DIP 1.1.0.0 again"))
    card = to_do()
    assert card.index(f"RFC-{first:06d}") < card.index(f"RFC-{second:06d}")
    with app.app_context():
        third = make_rfc(version="1.3.0.0")  # submitted: not a draft
        services.decide(user("rm.sit@demo.test"), db.session.get(Rfc, third), Decision.CHANGES_REQUESTED,
                        "Add the rollback timings")
    card = to_do()
    assert "3 in all" in card and "Add the rollback timings" in card
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
        manager.name = "Sam Renamed"
        db.session.commit()
    assert "Sam Renamed: “Add the rollback timings”" in to_do()
    assert f"RFC-{first:06d}" not in to_do(mprs) and "Add the rollback timings" not in to_do(mprs)


def test_a_release_managers_kept_waiting_card_shows_each_change_at_the_next_page(app, as_user, monkeypatch):
    """The RFCs waiting for a manager's phases are kept rendered per set of phases and its first rows as they are
    now (home._waiting): an RFC submitted, a window clashing with one and a phase approved each show on the very next
    page, and an unchanged card is not rendered again."""
    from mhhs import home
    rendered, render = [], home._render_waiting
    monkeypatch.setattr(home, "_render_waiting", lambda *args: rendered.append(args) or render(*args))
    with app.app_context():
        first = make_rfc(window_start=next_week())
    rm = as_user("rm.sit@demo.test")

    def waiting():
        return section(rm.get("/").get_data(as_text=True), "waiting")

    card = waiting()  # kept from here on
    assert f"RFC-{first:06d}" in card and "1 in all" in card and waiting() == card and len(rendered) == 1
    with app.app_context():  # another organisation's window on the same environment and hour: a clash
        clashing = make_rfc(system="MPRS", email="mprs@demo.test", release_type=ReleaseType.PATCH, version="1.0.1.0",
                            rollback_plan="", window_start=next_week() + timedelta(days=1))
        db.session.get(Rfc, clashing).window_start = next_week()
        db.session.get(Rfc, clashing).window_end = next_week() + timedelta(hours=2)
        db.session.commit()
    card = waiting()
    assert "2 in all" in card and f"RFC-{clashing:06d}" in card.split(f"RFC-{first:06d}")[1]  # named as its clash
    with app.app_context():
        approve(first, "rm.sit@demo.test")  # SIT's phase approved: no longer waiting for this manager
    card = waiting()
    assert f'<li><a href="/rfcs/{first}">' not in card and "1 in all" in card
    assert f"RFC-{first:06d}, DIP 1.1.0.0" in card  # still the other's clash
    with app.app_context():  # a planned outage in that window: a clash, the card's rows as they were
        make_outage("dip@demo.test", planned=True, category=Category.DATA_LOAD, start=next_week(),
                    end=next_week() + timedelta(hours=1))
    assert "planned data load outage of SIT-A" in waiting() and len(rendered) == 4
    monkeypatch.setattr(home, "utcnow", lambda: next_week() + timedelta(hours=3))  # its window over: no clash left
    card = waiting()
    assert f"RFC-{clashing:06d}" in card and "Clashes with" not in card
