"""Issue 24: what the RFC pages offer and say follows the RFC's state (Record deployment once the window started,
no pre-filled time its own check refuses; a refused submit's message on that answer only; control points named)."""
import re
from datetime import timedelta

from mhhs.rfcs.numbers import rfc_number
from tests.rfcs.factory import approve, approved_earlier, make_rfc, next_week

PRIMARY = 'role="button">Record deployment</a>'


def value_of(page, name):
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page).group(1)


def test_record_deployment_is_offered_once_the_window_started_and_prefills_no_time_to_come(app, as_user):
    with app.app_context():
        ahead = make_rfc(window_start=next_week())
        approve(ahead, "rm.sit@demo.test")
        started = make_rfc(version="1.2.0.0")
        approved_earlier(started)  # its window is now past
    dip = as_user("dip@demo.test")
    page = dip.get(f"/rfcs/{ahead}").get_data(as_text=True)
    assert PRIMARY not in page and "Record an early deployment" in page and "The window starts" in page
    form = dip.get(f"/rfcs/{ahead}/deployment").get_data(as_text=True)
    assert value_of(form, "actual_start") == "" and value_of(form, "actual_end") == ""  # no time to come
    page = dip.get(f"/rfcs/{started}").get_data(as_text=True)
    assert PRIMARY in page and "Record an early deployment" not in page
    form = dip.get(f"/rfcs/{started}/deployment").get_data(as_text=True)
    assert value_of(form, "actual_start") and value_of(form, "actual_end")  # the past window's times


def test_a_refused_submit_says_so_in_its_own_answer_and_leaves_nothing_for_the_next_page(app, as_user):
    dip = as_user("dip@demo.test")
    text = dip.post("/rfcs/new", {"title": "Half-written", "action": "submit"}, htmx=True).get_data(as_text=True)
    assert 'class="error-summary"' in text and "Saved as a draft, not submitted" in text
    assert 'href="#system_id"' in text and 'href="#implementation_plan"' in text  # each field in error, linked
    following = dip.get("/rfcs").get_data(as_text=True)  # the flash the htmx answer never showed came here
    assert "Saved as a draft" not in following and "flash-error" not in following


def test_changes_requested_are_shown_on_the_rfc_page_and_home_and_the_resubmission_says_what_changed(app, as_user):
    from mhhs.extensions import db
    from mhhs.rfcs import services
    from mhhs.rfcs.models import Rfc
    from mhhs.rfcs.states import Decision
    from tests.rfcs.factory import content, user
    with app.app_context():
        rfc_id = make_rfc(window_start=next_week())
        rfc = db.session.get(Rfc, rfc_id)
        services.decide(user("rm.sit@demo.test"), rfc, Decision.CHANGES_REQUESTED, "Move the window to Thursday")
    dip = as_user("dip@demo.test")
    page = dip.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    top = page.split('class="lead"')[1].split("<h2")[0]
    assert "Changes requested by" in top and "Move the window to Thursday" in top
    home = dip.get("/").get_data(as_text=True).split('id="to-do"')[1].split("</section>")[0]
    assert rfc_number(rfc_id) in home and "Move the window to Thursday" in home
    with app.app_context():
        rfc = db.session.get(Rfc, rfc_id)
        services.save_draft(user("dip@demo.test"), rfc, content(window_start=next_week() + timedelta(days=2)),
                            submit=True)
    row = as_user("rm.sit@demo.test").get("/approvals").get_data(as_text=True)
    row = row.split(f'id="queue-rfc-{rfc_id}"')[1].split("</tr>")[0]
    assert "revision 2 — window changed" in row


def test_the_queue_row_warns_before_approving_a_version_that_would_go_in_before_a_lower_one(app, as_user):
    with app.app_context():
        lower = make_rfc(version="1.1.0.0", window_start=next_week() + timedelta(days=3))
        approve(lower, "rm.sit@demo.test")
        higher = make_rfc(version="1.2.0.0", window_start=next_week())
    rm = as_user("rm.sit@demo.test")
    row = rm.get("/approvals").get_data(as_text=True).split(f'id="queue-rfc-{higher}"')[1].split("</tr>")[0]
    assert "version order" in row and f"1.1.0.0 ({rfc_number(lower)}" in row \
        and "puts it in before a lower version" in row
    page = rm.get(f"/rfcs/{higher}").get_data(as_text=True)
    assert f"Version order: 1.1.0.0 ({rfc_number(lower)}" in page
    other = rm.get(f"/rfcs/{lower}").get_data(as_text=True)
    assert "puts it in before" not in other  # the lower one's page is not where the approver decides


def test_version_order_names_the_three_nearest_lower_versions_and_says_there_are_more(app, as_user):
    """A system with many approved windows waiting: the warning names the nearest three lower versions, not all."""
    with app.app_context():
        lower = []
        for n in range(4):
            lower.append(make_rfc(version=f"1.{n + 1}.0.0", window_start=next_week() + timedelta(days=1, hours=n)))
            approve(lower[-1], "rm.sit@demo.test")
        higher = make_rfc(version="1.9.0.0", window_start=next_week())
    row = as_user("rm.sit@demo.test").get("/approvals").get_data(as_text=True)
    row = row.split(f'id="queue-rfc-{higher}"')[1].split("</tr>")[0]
    assert all(f"({rfc_number(i)}," in row for i in lower[:3]) and f"({rfc_number(lower[3])}," not in row
    assert "and more approved and not deployed yet" in row and "puts it in before lower versions" in row


def test_the_rfc_page_and_release_email_say_where_it_rolled_back(app, as_user):
    from mhhs.extensions import db
    from mhhs.release_notes import services
    from mhhs.rfcs.models import Rfc
    from mhhs.rfcs.states import Outcome
    from tests.rfcs.factory import deploy
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A", "UIT"))
        approved_earlier(rfc_id, "rm.sit@demo.test", "rm.uit@demo.test")
        deploy(rfc_id, "SIT-A", Outcome.DEPLOYED)
        deploy(rfc_id, "UIT", Outcome.ROLLED_BACK)
        _, body = services.communication_text(db.session.get(Rfc, rfc_id), "release")
    assert "has been deployed" not in body and "deployed in SIT-A; rolled back in UIT." in body
    page = as_user("rm.sit@demo.test").get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    head = page.split('class="page-head"')[1].split("</div>\n</div>")[0]
    assert "deployed in SIT-A; rolled back in UIT" in head  # beside the status, from the same outcomes


def test_the_status_badge_says_where_it_rolled_back_on_the_rfc_page_the_list_and_the_home_page(app, as_user):
    """Deployed in SIT-A, rolled back in UIT: no status badge says "deployed" alone (issue 24)."""
    from mhhs.rfcs.states import Outcome
    from tests.rfcs.factory import deploy
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A", "UIT"))
        approved_earlier(rfc_id, "rm.sit@demo.test", "rm.uit@demo.test")
        deploy(rfc_id, "SIT-A", Outcome.DEPLOYED)
        deploy(rfc_id, "UIT", Outcome.ROLLED_BACK)
    manager = as_user("rm.sit@demo.test")
    badge = '<span class="badge rfc-deployed">deployed · rolled back in UIT</span>'
    assert badge in manager.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert badge in manager.get("/rfcs").get_data(as_text=True)
    assert badge in manager.get("/").get_data(as_text=True)  # the follow-up "awaiting closure" card
    assert '<span class="badge rfc-deployed">deployed</span>' not in manager.get("/rfcs").get_data(as_text=True)
