"""The weekly testing and readiness report: its figures against hand-computed ones, its bad weeks, what each role
sees, and `flask reports weekly --send`: once per week, catching up a missed week, through a real SMTP server."""
from datetime import datetime, timedelta

from sqlalchemy import select

from mhhs.core.time import london_to_utc
from mhhs.directory.models import Environment
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.mail.services import deliver_pending
from mhhs.outages.models import Category
from tests.certificates.factory import make_certificate
from tests.outages.factory import make_outage


def london(*args):
    return london_to_utc(datetime(*args))


def test_figures_match_the_hand_computed_ones(app, as_user):
    with app.app_context():
        db.session.scalar(select(Environment).where(Environment.name == "SIT-A")).availability_target = 99
        db.session.commit()
        # 2026-W45 runs from Monday 2 November (GMT). DIP down 6 hours on Tuesday, inside its 09:00-17:00 desk hours;
        # a 2-hour planned data load on Wednesday counts as planned downtime only.
        make_outage("dip@demo.test", start=london(2026, 11, 3, 10), end=london(2026, 11, 3, 16))
        make_outage("dip@demo.test", planned=True, category=Category.DATA_LOAD, start=london(2026, 11, 4, 20),
                    end=london(2026, 11, 4, 22))
    page = as_user("rm.sit@demo.test").get("/reports/weekly?week=2026-W45").get_data(as_text=True)
    sit_a = page.split("<td>SIT-A</td>")[1].split("</tr>")[0]
    assert "96.43%" in sit_a and "below target" in sit_a  # 1 - 6 / 168
    assert "<td>2.00</td><td>6.00</td>" in sit_a.replace("\n", "").replace("      ", "")
    dip = page.split("<td>SIT-A</td><td>DIP</td>")[1].split("</tr>")[0]
    # DIP runs (operable hours) and is supported weekdays 09:00-17:00 (EAP §12.7.1): both figures are 1 - 6 / 40.
    assert dip.count("85.00%") == 2 and "96.43%" not in dip
    assert page.index("<td>SIT-A</td><td>DIP</td>") < page.index('class="always-up"')  # the exceptions first
    assert "<td>SIT-A</td><td>MPRS</td>" not in page  # never down: folded into one line, not a row of 100.00 %
    up = page.split('class="always-up"')[1].split("</p>")[0]
    assert "Every other system was available 100.00 % of the time" in up and "MPRS" in up.split("SIT-A:")[1]
    assert "Monday 02 November to Sunday 08 November 2026" in page
    pdf = as_user("rm.sit@demo.test").get("/reports/weekly.pdf?week=2026-W45")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_bad_weeks_are_named_by_the_field(as_user):
    rm = as_user("rm.sit@demo.test")
    for week, message in (("2026-W60", "2026-W60 is no week"), ("soon", "Enter a week as YYYY-Www"),
                          ("2099-W10", "2099-W10 has not begun yet")):
        page = rm.get(f"/reports/weekly?week={week}").get_data(as_text=True)
        assert message in page and f'value="{week}"' in page and "Availability per environment" not in page


def test_each_role_sees_only_its_own_certificates(app, as_user):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=10)
        make_certificate("Avanade", "SIT-A", days=10, mpid="AVAN")
    supplier = as_user("supplier@demo.test").get("/reports/weekly").get_data(as_text=True)
    assert "Northwold Energy, SIT-A" in supplier and "Avanade, SIT-A" not in supplier
    manager = as_user("rm.sit@demo.test").get("/reports/weekly").get_data(as_text=True)
    assert "Northwold Energy, SIT-A" in manager and "Avanade, SIT-A" in manager


def test_sent_once_per_week_and_a_missed_week_catches_up(app, as_user, smtp_server):
    from mhhs.reports.cli import send_weekly  # after the app has mapped every model
    supplier = as_user("supplier@demo.test")
    supplier.post("/account/notifications", {"weekly_report": "y"})
    as_user("rm.uit@demo.test").post("/account/notifications", {"kinds": ["rfc_submitted"]})  # turned it off
    monday = datetime(2026, 11, 23, 9)  # Monday of 2026-W48, by cron
    with app.app_context():
        assert send_weekly(monday) == ["2026-W47"]
        assert send_weekly(monday + timedelta(hours=1)) == []  # a second run sends nothing
        assert send_weekly(monday + timedelta(days=14)) == ["2026-W48", "2026-W49"]  # W48's run was missed
        sent, failed = deliver_pending()
        assert failed == 0
    subjects = {}
    for message in smtp_server.messages:
        subjects.setdefault(str(message["Subject"]), set()).update(message.envelope_to)
    assert set(subjects) == {f"Testing and readiness report, 2026-W{n}" for n in (47, 48, 49)}
    assert subjects["Testing and readiness report, 2026-W47"] == {"rm.sit@demo.test", "supplier@demo.test"}
    body = next(m for m in smtp_server.messages if "W47" in str(m["Subject"])).get_content()
    assert "week=2026-W47" in body and "Northwold" not in body  # certificates and readers stay on the page
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.unsubscribe_url).where(
            OutboxMessage.kind == "weekly_report").limit(1)).endswith("/account/notifications")


def test_an_availability_target_is_a_percentage(app, as_user):
    with app.app_context():
        sit_a = db.session.scalar(select(Environment).where(Environment.name == "SIT-A"))
        form = {"name": "SIT-A", "phase": "SIT", "purpose": sit_a.purpose, "availability_target": "120"}
        environment_id = sit_a.id
    page = as_user("rm.sit@demo.test").post(f"/environments/{environment_id}/edit", form).get_data(as_text=True)
    assert "Enter a percentage from 0 to 100" in page
    with app.app_context():
        assert db.session.get(Environment, environment_id).availability_target is None


def test_a_past_week_is_reported_as_it_stood_then_and_expired_certificates_are_listed(app, as_user):
    from mhhs.core.time import utcnow
    from mhhs.reports.weekly import last_complete_week, week_name
    today = utcnow().date()
    monday = last_complete_week(today) - timedelta(days=14)  # three weeks ago
    week_end = london(monday.year, monday.month, monday.day) + timedelta(days=7)
    with app.app_context():
        # Expired since, but expiring within 30 days of that week's end: the past week lists it as expiring.
        then_soon = make_certificate("Northwold Energy", "SIT-A", days=(week_end - utcnow()).days + 10,
                                    common_name="then-soon.test")
        expired = make_certificate("Northwold Energy", "UIT", days=-3, common_name="expired.test")  # 3 days ago
        subjects = then_soon.subject, expired.subject
    rm = as_user("rm.sit@demo.test")
    past = rm.get(f"/reports/weekly?week={week_name(monday)}").get_data(as_text=True)
    listed = past.split("Certificates expired or expiring within 30 days")[1].split("<h2")[0]
    assert subjects[0] in listed and "expires" in listed.split(subjects[0])[1][:120]
    assert "Releases planned for the week after" in past and "SIT-A and SIT-B differ" not in past  # not today's
    assert "Release notes not yet read" not in past and "today's state" in past
    this_week = today - timedelta(days=today.weekday())  # not over yet: as it stands now
    current = rm.get(f"/reports/weekly?week={week_name(this_week)}").get_data(as_text=True)
    listed = current.split("Certificates expired or expiring within 30 days")[1].split("<h2")[0]
    assert subjects[1] in listed and "expired" in listed.split(subjects[1])[1][:120]  # missing before
    assert "SIT-A and SIT-B differ" in current and "Releases planned for next week" in current


def test_a_kept_week_shows_the_next_change_on_the_page_and_the_pdf_and_keeps_nothing_of_a_viewer(app, as_user):
    """An ended week's figures are kept per process (reports/weekly.py): an outage, a slot and a freeze of the week
    show on the very next page and PDF; a Test Participant reading the week a Release Manager's request kept sees the
    week's figures, and of the rest only its own part."""
    from mhhs.core.time import utcnow
    from mhhs.schedule.services import add_freeze
    from tests.allocation.factory import at, book, make_participant, user
    from tests.helpers import pdf_pages
    monday = london(2026, 11, 2).date()  # 2026-W45 (GMT), long ended
    rm, supplier = as_user("rm.sit@demo.test"), as_user("supplier@demo.test")

    def sit_a(page):
        return page.split("<td>SIT-A</td>")[1].split("</tr>")[0]

    def utilisation(page):
        return page.split("Environment utilisation")[1].split("Slots of the week")[0].split("<td>SIT-A</td>")[1]

    with app.app_context():  # expiring within 30 days of the week's end, as the week is reported
        make_certificate("Avanade", "SIT-A", days=(london(2026, 11, 9) - utcnow()).days + 10, mpid="AVAN")
        make_participant()
    before = rm.get("/reports/weekly?week=2026-W45").get_data(as_text=True)  # kept from here on
    assert "100.00%" in sit_a(before) and "No slots allocated in the week." in before
    with app.app_context():
        make_outage("dip@demo.test", start=london(2026, 11, 3, 10), end=london(2026, 11, 3, 16))
    page = rm.get("/reports/weekly?week=2026-W45").get_data(as_text=True)
    assert "96.43%" in sit_a(page) and "<td>SIT-A</td><td>DIP</td>" in page  # 1 - 6 / 168
    assert "Outages of the week <small>1</small>" in page and "Connectivity proving" in page
    _, texts = pdf_pages(rm.get("/reports/weekly.pdf?week=2026-W45"))
    assert "96.43%" in "".join(texts)
    with app.app_context():
        book([make_participant()], at(monday + timedelta(days=1), 10), at(monday + timedelta(days=1), 12),
             now=at(monday, 9) - timedelta(days=14))
    page = rm.get("/reports/weekly?week=2026-W45").get_data(as_text=True)
    assert "Northwold Energy: 1 slot, 2.0 h" in page
    open_before = utilisation(page)
    with app.app_context():
        add_freeze(user(), None, monday + timedelta(days=3), monday + timedelta(days=3), "Data refresh")
    page = rm.get("/reports/weekly?week=2026-W45").get_data(as_text=True)
    assert utilisation(page) != open_before  # a frozen day is not open
    _, texts = pdf_pages(rm.get("/reports/weekly.pdf?week=2026-W45"))
    assert "Northwold Energy: 1 slot, 2.0 h" in "".join(texts)
    theirs = supplier.get("/reports/weekly?week=2026-W45").get_data(as_text=True)
    assert "96.43%" in sit_a(theirs) and "Northwold Energy: 1 slot, 2.0 h" in theirs  # the week's, everyone's
    assert "Connectivity proving" not in theirs and "Avanade, SIT-A" not in theirs  # a Release Manager's part
    page = rm.get("/reports/weekly?week=2026-W45").get_data(as_text=True)
    assert "Avanade, SIT-A" in page and "Connectivity proving" in page


def test_an_rfc_approved_for_next_week_is_planned_on_the_very_next_report(app, as_user):
    """The RFCs planned for the week after are kept per process behind the schedule's counter (reports/weekly.py):
    one approved shows on the next page at once."""
    from mhhs.core.time import to_london, utcnow
    from mhhs.reports.weekly import week_name
    from mhhs.rfcs.models import Rfc
    from tests.rfcs.factory import approve, make_rfc
    today = to_london(utcnow()).date()
    monday = today - timedelta(days=today.weekday())
    url = f"/reports/weekly?week={week_name(monday)}"
    rm = as_user("rm.sit@demo.test")

    def planned(page):
        return page.split("Releases planned for next week")[1].split("<h2")[0]

    before = planned(rm.get(url).get_data(as_text=True))  # kept from here on
    with app.app_context():
        wednesday = monday + timedelta(days=9)
        rfc_id = make_rfc(window_start=london(wednesday.year, wednesday.month, wednesday.day, 10))
        approve(rfc_id, "rm.sit@demo.test")
        number = db.session.get(Rfc, rfc_id).number
    assert number not in before and number in planned(rm.get(url).get_data(as_text=True))


def test_a_worker_keeps_a_bounded_number_of_weeks_the_latest_read(app):
    """Memory per worker is bounded: past KEPT_WEEKS weeks read, the least recently read is dropped first."""
    from mhhs.core import changes
    from mhhs.core.time import utcnow
    from mhhs.reports import weekly
    with app.app_context():
        now = utcnow()
        first = weekly.last_complete_week(now.date())
        mondays = [first - timedelta(days=7 * n) for n in range(weekly.KEPT_WEEKS + 5)]
        for monday in mondays:
            weekly.build(None, monday, now)
            weekly.build(None, first, now)  # read again: the latest read
        kept = {monday for monday, _end in changes._copies[weekly._week_figures]}
    assert len(kept) == weekly.KEPT_WEEKS and first in kept and mondays[-1] in kept and mondays[1] not in kept


def test_what_stands_today_shows_on_the_very_next_report(app, as_user):
    """The versions owed to SIT and the participants without an Environment Manager are kept per process behind the
    baseline's, the reference data's and the register's counters (reports/weekly.py): a version recorded and a
    participant registered show on the next report at once."""
    from mhhs.baseline.services import record_baseline
    from mhhs.core.time import utcnow
    from mhhs.directory.models import System, User
    from tests.participants.factory import make_participant
    rm = as_user("rm.sit@demo.test")
    before = rm.get("/reports/weekly").get_data(as_text=True)  # kept from here on
    assert "Owed to SIT <small>0</small>" in before and "Gap Energy" not in before
    with app.app_context():
        system, uit = (db.session.scalar(select(model.id).where(model.name == name))
                       for model, name in ((System, "DIP"), (Environment, "UIT")))
        record_baseline(db.session.scalar(select(User).where(User.email == "rm.uit@demo.test")), system, uit,
                        "3.0.0.0", utcnow() - timedelta(days=1), "Adopting the tool")
    report = rm.get("/reports/weekly").get_data(as_text=True)
    assert "Owed to SIT <small>1</small>" in report and "DIP 3.0.0.0 runs in UIT" in report
    with app.app_context():
        make_participant("Gap Energy")
    report = rm.get("/reports/weekly").get_data(as_text=True)
    section = report.split("Participants without an Environment Manager")[1].split("<h2>")[0]
    assert "Gap Energy (Supplier, SIT)" in section


def test_an_ended_weeks_report_is_kept_whole_and_shows_how_testing_goes_on_the_very_next_page(app, as_user):
    """An ended week's report is kept rendered per process per viewer (reports/views.py) behind the counters of all it
    reads: a retest, an environment proving test passed, a decision's condition done, an EWG action's owner renamed
    and the action done each show on the very next page, and one viewer's copy never reaches another."""
    from mhhs.core.time import to_london, utcnow
    from mhhs.directory.models import System, User
    from mhhs.readiness.models import EwgAction, ProvingKind, ProvingResult, ProvingTest
    from mhhs.reports.weekly import last_complete_week
    from mhhs.rfcs.models import Defect, Retest, RetestResult
    from tests.readiness.decisions_factory import condition, make_decision, make_meeting
    from tests.rfcs.factory import make_rfc
    monday = last_complete_week(to_london(utcnow()).date())
    with app.app_context():
        sit_a = db.session.scalar(select(Environment).where(Environment.name == "SIT-A"))
        manager, owner = (db.session.scalar(select(User).where(User.email == email))
                          for email in ("rm.sit@demo.test", "helix@demo.test"))
        rfc_id = make_rfc()
        defect = Defect(rfc_id=rfc_id, defect_id="DEF-77", found_in_id=sit_a.id, ready_for_retest=True)
        decision = make_decision(conditions=[condition(owner="organisation:Avanade")])
        decision.decided_at = london(monday.year, monday.month, monday.day, 12)  # taken in the week reported
        meeting = make_meeting(monday - timedelta(days=40))
        action = EwgAction(meeting_id=meeting.id, text="Refresh the SIT-A data", owner_user_id=owner.id,
                           due_on=monday, created_by_id=manager.id)  # overdue by the week's end
        db.session.add_all([defect, action])
        db.session.commit()
        ids = {"defect": defect.id, "condition": decision.conditions[0].id, "action": action.id, "owner": owner.id,
               "manager": manager.id, "sit_a": sit_a.id,
               "dip": db.session.scalar(select(System.id).where(System.name == "DIP"))}
    rm, supplier = as_user("rm.sit@demo.test"), as_user("supplier@demo.test")

    def section(title, page=None):
        page = page or rm.get("/reports/weekly").get_data(as_text=True)
        return page.split(title)[1].split("<h2")[0]

    assert "SIT-A: 1" in section("Defects ready for retest")  # kept from here on
    assert "(1 of 1 condition open)" in section("GO / NO-GO decisions")
    proving = section("Environment proving tests passed")
    assert "SIT-A: 0 of" in proving
    overdue = section("EWG actions overdue")
    assert "Refresh the SIT-A data: Helen Hale" in overdue
    theirs = supplier.get("/reports/weekly").get_data(as_text=True)  # a Test Participant's own copy
    assert "Connectivity proving" not in theirs and "SIT-A: 1" not in section("Defects ready for retest", theirs)
    with app.app_context():
        db.session.add(Retest(defect_id=ids["defect"], result=RetestResult.PASSED, by_id=ids["manager"]))
        db.session.commit()
    assert "None waiting." in section("Defects ready for retest")
    with app.app_context():
        db.session.add(ProvingTest(environment_id=ids["sit_a"], system_id=ids["dip"], kind=list(ProvingKind)[0],
                                   result=ProvingResult.PASSED, tested_on=monday, recorded_by_id=ids["manager"]))
        db.session.commit()
    assert "SIT-A: 1 of" in section("Environment proving tests passed")
    with app.app_context():
        from mhhs.readiness.models import DecisionCondition
        db.session.get(DecisionCondition, ids["condition"]).done_at = utcnow()
        db.session.commit()
    assert "(0 of 1 condition open)" in section("GO / NO-GO decisions")
    with app.app_context():
        db.session.get(User, ids["owner"]).name = "Hana Renamed"
        db.session.commit()
    assert "Hana Renamed" in section("EWG actions overdue")
    with app.app_context():
        db.session.get(EwgAction, ids["action"]).done_at = utcnow()
        db.session.commit()
    assert "Refresh the SIT-A data" not in section("EWG actions overdue")
    page = rm.get("/reports/weekly").get_data(as_text=True)
    assert "Connectivity proving" in page  # the Release Manager's part, never the Test Participant's copy


def test_the_current_weeks_report_reads_the_release_notes_not_yet_read_in_the_same_queries_however_many(
        app, as_user, count_queries):
    """The current week's report is read at each request: the readers of every release note sent in the last 30
    days are read together (acknowledgements.readers_of), not a few queries per note."""
    from mhhs.core.time import to_london, utcnow
    from mhhs.reports.weekly import week_name
    from mhhs.rfcs.models import Rfc
    from tests.rfcs.factory import approve, make_rfc
    today = to_london(utcnow()).date()
    url = f"/reports/weekly?week={week_name(today - timedelta(days=today.weekday()))}"
    rm = as_user("rm.sit@demo.test")

    def send_a_note(minor):
        from mhhs.release_notes.models import ReleaseAudience
        with app.app_context():
            rfc_id = make_rfc(version=f"1.{minor}.0.0", window_start=utcnow() + timedelta(days=7 + minor))
            approve(rfc_id, "rm.sit@demo.test")
            organisation_id = db.session.get(Rfc, rfc_id).organisation_id
            db.session.add(ReleaseAudience(rfc_id=rfc_id, organisation_id=organisation_id, communicated_at=utcnow()))
            db.session.commit()
            return db.session.get(Rfc, rfc_id).number

    def queries():
        rm.get(url)
        with count_queries() as counter:
            page = rm.get(url).get_data(as_text=True)
        return counter.count, page

    first = send_a_note(1)
    one, page = queries()
    assert first in page.split("Release notes not yet read")[1]
    others = [send_a_note(minor) for minor in (2, 3, 4)]
    four, page = queries()
    unread = page.split("Release notes not yet read")[1]
    assert all(number in unread for number in [first, *others]) and four == one


def test_a_kept_report_is_read_again_once_the_readiness_it_shows_has_changed_with_time_alone(
        as_user, count_queries, monkeypatch):
    """The participants ready per phase are told as they stand now, and time alone changes them (a waiver ends at
    midnight, a certificate expires: readiness.counts), with no counter moving: a kept report whose counts no longer
    stand is read again."""
    rm = as_user("rm.sit@demo.test")
    rm.get("/reports/weekly")  # kept from here on

    def queries():
        with count_queries() as counter:
            assert rm.get("/reports/weekly").status_code == 200
        return counter.count

    kept = queries()
    monkeypatch.setattr("mhhs.reports.views.ready_counts", lambda: [])  # as if they had changed since
    assert queries() > kept
