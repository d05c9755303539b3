"""The demo database shows a newcomer the distribution lists, a work-off action on its owner's home page and a
UIT-first version owed to SIT (issue 25), in words true to what is stored."""
import re

from sqlalchemy import select

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
