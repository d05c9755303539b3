"""The demo database shows a newcomer the distribution lists, a work-off action on its owner's home page and a
UIT-first version owed to SIT (issue 25), in words true to what is stored."""
import re

from sqlalchemy import func, select

from mhhs.allocation.models import Slot
from mhhs.demo import seed_everything
from mhhs.directory.models import System
from mhhs.extensions import db


def test_demo_shows_lists_work_off_actions_and_a_version_owed_to_sit(app, as_user):
    with app.app_context():
        seed_everything(demo=True)
    lists = as_user("rm.sit@demo.test").get("/mail-groups").get_data(as_text=True)
    for name in ("EWG", "SIT participants", "UIT participants", "Defect Triage", "Settlement test leads"):
        assert f">{name}</a>" in lists
    assert "receives the weekly report" in lists
    helix = as_user("helix@demo.test")
    home = helix.get("/").get_data(as_text=True)
    assert "Your work-off actions" in home and "Add the configuration-key check to the ISDS deployment pipeline" in home
    settings = helix.get("/account/notifications").get_data(as_text=True)
    assert "You are on Defect Triage, EWG, SIT participants, Settlement test leads:" in settings
    grid = as_user("supplier@demo.test").get("/baseline").get_data(as_text=True)
    assert "<strong>MDS</strong> 2.0.1.0 runs in UIT; SIT-A 2.0.0.0, SIT-B 2.0.0.0" in grid


def test_demo_has_a_participant_register_over_intervals_and_routes(app, as_user):
    # participants (issue 26a): a newcomer meets the register, its gap and the demo supplier's own environment.
    with app.app_context():
        seed_everything(demo=True)
        assert seed_everything(demo=True) == 0  # running it again adds nothing
    register = as_user("supplier@demo.test").get("/participants").get_data(as_text=True)
    assert "13 participants; 1 participant without an Environment Manager." in register
    assert "E2E Sandbox<br><small>passed SIT" in register and "EES" in register
    for number in range(1, 7):
        assert f"<td>{number} <small>w/c" in register
    own = as_user("supplier@demo.test")
    assert "Northwold Energy: your entry" in register
    entry = register.split("Northwold Energy: your entry")[0].rsplit('href="', 1)[1].split('"')[0]
    page = own.get(entry).get_data(as_text=True)
    assert "Northwold SIT-A" in page and "dip-sit-a.northwold.example" in page and "data refresh" in page
    connections = own.get("/participants/connections").get_data(as_text=True)
    assert "https://dip-sit-a.avanade.example/api/v1" in connections


def test_demo_shows_consultation_the_rollout_plan_systems_hours_and_technical_contact_gaps(app, as_user):
    """Issue 25: a newcomer meets an RFC consulted before approval with an objection (RCM §13), rollout plans (RCM
    4.1), operable and support hours with St Clements' batch and monitoring (EAP §12.7), and certificates without
    their Technical Contact (EAP §10.3.1)."""
    with app.app_context():
        seed_everything(demo=True)
    manager = as_user("rm.sit@demo.test")
    queue = manager.get("/approvals").get_data(as_text=True)
    assert "Consulted: Avanade (no objection); Northwold Energy (objection: Our SIT-A regression run" in queue
    page = manager.get("/rfcs/1").get_data(as_text=True)
    assert "<dt>Runbook reference</dt><dd>RB-DIP-1.0.1.0</dd>" in page
    hours = as_user("supplier@demo.test").get("/support-hours").get_data(as_text=True)
    assert "<td>15:15</td>" in hours and "Internal monitoring and alerts" in hours
    assert "No Technical Contact (" in as_user("supplier@demo.test").get("/certificates").get_data(as_text=True)
    home = as_user("supplier@demo.test").get("/").get_data(as_text=True)
    assert "Shared with Northwold Energy before approval" in home and "MPRS 1.0.1.0" in home


def test_demo_shows_entry_criteria_and_a_fortnight_of_health_checks(app, as_user):
    with app.app_context():
        seed_everything(demo=True)
        lss = db.session.scalar(select(System.id).where(System.name == "LSS"))
        dip = db.session.scalar(select(System.id).where(System.name == "DIP"))
    manager = as_user("rm.sit@demo.test")
    sit = manager.get("/readiness?phase=sit").get_data(as_text=True)
    assert "Northwold Energy" in sit and "Brightmeter Services" in sit and ">Waived<" in sit and ">Met<" in sit
    assert ">Open<" in sit
    assert "Fenland Networks" in manager.get("/readiness?phase=qualification").get_data(as_text=True)
    mine = as_user("supplier@demo.test").get("/readiness/mine", follow_redirects=True).get_data(as_text=True)
    assert "Waived until" in mine and "Approved at the SIT test planning board" in mine
    assert re.search(r">Amber</td>", as_user("dip@demo.test").get(f"/readiness/health/systems/{dip}").text)
    assert ">Missing</td>" in manager.get(f"/readiness/health/systems/{lss}").text
    assert "Red in the morning health check" in manager.get("/outages").text
def test_demo_shows_connectivity_proving_signed_off_blocked_regressed_and_ees(app, as_user):
    import re

    from sqlalchemy import select

    from mhhs.directory.models import Environment
    from mhhs.extensions import db
    from mhhs.mail.models import OutboxMessage
    with app.app_context():
        seed_everything(demo=True)
        environments = dict(db.session.execute(select(Environment.name, Environment.id)).all())
        told = db.session.scalars(select(OutboxMessage.recipients).where(
            OutboxMessage.subject == "Connectivity proving regressed: Northwold Energy in UIT")).all()
    assert "supplier@demo.test" in told and "rm.sit@demo.test" in told
    manager = as_user("rm.sit@demo.test")

    def matrix(name):
        return re.sub(r"\s+", " ", manager.get(f"/participants/proving?environment={environments[name]}")
                      .get_data(as_text=True))

    def steps(page, name):
        row = re.search(rf'<tr id="participant-\d+"> <th scope="row"><a [^>]*>{name}</a>.*?</tr>', page).group(0)
        return re.findall(r'badge status-(\w+)', row), "Signed off" in row

    sit_a = matrix("SIT-A")
    assert steps(sit_a, "Redbank Networks") == (["done"] * 5, True)
    assert steps(sit_a, "Lanternway Enquiries") == (["done", "done", "done", "not_applicable", "done"], False)
    # Brightmeter is in onboarding interval 1: step 4 (a DIP message) is required from interval 3 only (EAP §11.3.1.3)
    assert steps(matrix("SIT-B"), "Brightmeter Services") == (
        ["done", "done", "blocked", "not_applicable", "not_started"], False)
    assert steps(matrix("UIT"), "Northwold Energy") == (["done", "in_progress", "blocked", "blocked", "done"], False)
    home = re.sub(r"\s+", " ", as_user("supplier@demo.test").get("/").get_data(as_text=True))
    assert "Connectivity proving: your next step" in home
    assert "UIT</a>: step 2, PKI certificates (TLS and JWS) requested and installed" in home
    assert "No valid DIP TLS certificate for UIT." in home


def test_demo_shows_the_allocation(app, as_user):
    """Issue 27: a week of slots with a series, a pending request, a declined one with a waitlisted follow-up, two
    Qualification tranches and the programme's stages, one pair recorded as allowed to overlap."""
    with app.app_context():
        seed_everything(demo=True)
    rm = as_user("rm.sit@demo.test")
    queue = rm.get("/allocation/requests").get_data(as_text=True)
    assert "2 requests to decide or waiting" in queue and "On the waitlist" in queue
    slots = rm.get("/allocation/slots").get_data(as_text=True)
    with app.app_context():  # the series starts on the first weekday and hour no demo RFC window takes
        series = db.session.scalar(select(func.count()).select_from(Slot).where(Slot.series_id.is_not(None)))
    assert series >= 3 and slots.count("part of a weekday series") == series
    tranches = rm.get("/allocation/tranches").get_data(as_text=True)
    assert "Qualification tranche 1" in tranches and "Qualification tranche 2" in tranches
    assert "Fenland Networks" in tranches
    home = as_user("supplier@demo.test").get("/").get_data(as_text=True)
    assert "Your slots" in home and "1 to come" in home  # Northwold's connectivity-proving slot
    series_owner = rm.get("/allocation/slots").get_data(as_text=True)
    assert "Redbank Networks" in series_owner
    assert "1 to decide; 1 on the waitlist." in rm.get("/").get_data(as_text=True)
