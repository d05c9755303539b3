"""RCM §8.1: code goes to UIT through SIT; a version that went to UIT first (a defect found in UIT) is owed to SIT
and stays "owed to SIT" on the baseline grid and the weekly report until SIT-A or SIT-B runs it or a later one."""
from sqlalchemy import select

from mhhs.extensions import db
from mhhs.rfcs.states import Outcome, ReleaseType
from tests.rfcs.factory import approved_earlier, deploy, env_ids, make_rfc


def uit_first(app, version="1.0.1.0"):
    with app.app_context():
        rfc_id = make_rfc(release_type=ReleaseType.PATCH, version=version, environments=("UIT",),
                          promotion_reason="UIT first: defect found in UIT",
                          defects=[{"defect_id": "DEF-9", "severity": "High", "summary": "Read rejected",
                                    "found_in_id": env_ids("UIT")[0]}])
        approved_earlier(rfc_id, "rm.uit@demo.test")
        deploy(rfc_id, "UIT", Outcome.DEPLOYED)
    return rfc_id


def test_rcm_8_1_a_uit_first_version_is_owed_to_sit_on_the_grid_and_the_weekly_report(app, as_user):
    """RCM §8.1: shown to everyone (the grid is public) until SIT-A or SIT-B runs it."""
    supplier = as_user("supplier@demo.test")
    assert "Owed to SIT" not in supplier.get("/baseline").get_data(as_text=True)
    uit_first(app)
    grid = supplier.get("/baseline").get_data(as_text=True)
    assert "Owed to SIT (1)" in grid
    assert "<strong>DIP</strong> 1.0.1.0 runs in UIT; SIT-A nothing recorded, SIT-B nothing recorded" in grid
    assert '<span class="badge badge-warn">owed to SIT</span>' in grid
    report = supplier.get("/reports/weekly").get_data(as_text=True)
    assert "Owed to SIT <small>1</small>" in report and "DIP 1.0.1.0 runs in UIT" in report

    with app.app_context():  # SIT-A takes a later version: no longer owed (SIT-B behind is drift)
        rfc_id = make_rfc(release_type=ReleaseType.PATCH, version="1.0.2.0", environments=("SIT-A",))
        approved_earlier(rfc_id)
        deploy(rfc_id, "SIT-A", Outcome.DEPLOYED)
    grid = supplier.get("/baseline").get_data(as_text=True)
    assert "Owed to SIT" not in grid and "owed to SIT" not in grid


def test_rcm_8_1_the_weekly_email_names_what_is_owed_to_sit(app):
    from datetime import datetime

    from mhhs.mail.models import OutboxMessage
    from mhhs.reports.cli import send_weekly
    uit_first(app)
    with app.app_context():
        send_weekly(datetime(2026, 11, 23, 9))
        body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "weekly_report").limit(1))
    assert "Owed to SIT (UIT first, RCM §8.1): DIP." in body
