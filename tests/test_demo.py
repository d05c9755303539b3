"""The demo database shows a newcomer the distribution lists, a work-off action on its owner's home page and a
UIT-first version owed to SIT (issue 25), in words true to what is stored."""
from mhhs.demo import seed_everything


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


def test_demo_shows_the_allocation(app, as_user):
    """Issue 27: a week of slots with a series, a pending request, a declined one with a waitlisted follow-up, two
    Qualification tranches and the programme's stages, one pair recorded as allowed to overlap."""
    with app.app_context():
        seed_everything(demo=True)
    rm = as_user("rm.sit@demo.test")
    queue = rm.get("/allocation/requests").get_data(as_text=True)
    assert "2 requests to decide or waiting" in queue and "On the waitlist" in queue
    slots = rm.get("/allocation/slots").get_data(as_text=True)
    assert slots.count("part of a weekday series") == 5
    tranches = rm.get("/allocation/tranches").get_data(as_text=True)
    assert "Qualification tranche 1" in tranches and "Qualification tranche 2" in tranches
    assert "Fenland Networks" in tranches
    home = as_user("supplier@demo.test").get("/").get_data(as_text=True)
    assert "Your slots" in home and "5 to come" in home
    assert "1 to decide; 1 on the waitlist." in rm.get("/").get_data(as_text=True)
