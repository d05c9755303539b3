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
    assert steps(sit_a, "Fenland Networks") == (["done"] * 5, True)
    assert steps(sit_a, "Lanternway Enquiries") == (["done", "done", "done", "not_applicable", "done"], False)
    assert steps(matrix("SIT-B"), "Brightmeter Services") == (["done", "done", "blocked", "blocked", "not_started"],
                                                               False)
    assert steps(matrix("UIT"), "Northwold Energy") == (["done", "in_progress", "blocked", "blocked", "done"], False)
    home = re.sub(r"\s+", " ", as_user("supplier@demo.test").get("/").get_data(as_text=True))
    assert "Connectivity proving: your next step" in home
    assert "UIT</a>: step 2, PKI certificates (TLS and JWS) requested and installed" in home
    assert "No valid DIP TLS certificate for UIT." in home
