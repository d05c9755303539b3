"""The RFC lifecycle through the web: drafts, submission refusals, approval per phase, changes, deployment, closure."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from mhhs.audit.models import AuditEvent
from mhhs.core.services import Conflict
from mhhs.core.time import format_london, utcnow
from mhhs.extensions import db
from mhhs.rfcs import services
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import Decision, ReleaseType, RfcStatus
from tests.rfcs.factory import approve, env_ids, form_data, make_rfc, next_week, user


def rfc(app, rfc_id=None):
    with app.app_context():
        found = db.session.get(Rfc, rfc_id) if rfc_id else db.session.scalar(select(Rfc).order_by(Rfc.id.desc()))
        _ = found.defects, found.environments, found.approvals, found.control_points  # loaded before the session closes
        return found


def test_save_draft_keeps_anything(app, as_user):
    dip = as_user("dip@demo.test")
    response = dip.post("/rfcs/new", {"title": "Half an idea", "action": "save"})
    assert response.status_code == 303
    saved = rfc(app)
    assert (saved.status, saved.title, saved.system_id) == (RfcStatus.DRAFT, "Half an idea", None)


def test_submit_reports_every_problem_next_to_its_field_and_keeps_the_draft(app, as_user):
    dip = as_user("dip@demo.test")
    page = dip.post("/rfcs/new", {"title": "<b>Bold</b> try", "release_type": "Patch", "version": "1.2.3",
                                  "action": "submit"}, htmx=True).get_data(as_text=True)
    for field, text in [("system_id", "Choose the system"), ("reason", "Say why"),
                        ("environment_ids", "at least one target environment"),
                        ("window_start", "Enter when the deployment window starts"),
                        ("rollback_plan", "Add a rollback plan"), ("defects", "A Patch release lists at least one")]:
        assert f'id="{field}-error"' in page and text in page, field
    assert 'value="&lt;b&gt;Bold&lt;/b&gt; try"' in page  # kept, and shown as text
    assert rfc(app).status == RfcStatus.DRAFT and rfc(app).title == "<b>Bold</b> try"


def test_version_refusals(app, as_user):
    dip = as_user("dip@demo.test")
    page = dip.post("/rfcs/new", {**form_data(app, version="1.2.3"), "action": "submit"}).get_data(as_text=True)
    assert "four numeric parts" in page
    with app.app_context():
        first = make_rfc(version="1.0.0.0")
        approve(first, "rm.sit@demo.test")
    page = dip.post("/rfcs/new", {**form_data(app, version="1.0.0.0"), "action": "submit"}).get_data(as_text=True)
    assert "1.0.0.0 is already used for this system." in page
    hint = dip.get(f"/rfcs/version-hint?system_id={form_data(app)['system_id']}&release_type=Emergency&propose=1"
                   ).get_data(as_text=True)
    assert 'value="1.0.0.1"' in hint and "Builds on 1.0.0.0" in hint
    hint = dip.get(f"/rfcs/version-hint?system_id={form_data(app)['system_id']}&release_type=Minor&version=0.9.0.0"
                   ).get_data(as_text=True)
    assert "higher than the system&#39;s last approved release, 1.0.0.0" in hint


def test_window_rules(app, as_user):
    dip = as_user("dip@demo.test")
    past = utcnow() - timedelta(days=1)
    page = dip.post("/rfcs/new", {**form_data(app, window_start=past), "action": "submit"}).get_data(as_text=True)
    assert "The window starts in the past" in page
    soon = utcnow() + timedelta(minutes=20)
    page = dip.post("/rfcs/new", {**form_data(app, window_start=soon), "action": "submit"}).get_data(as_text=True)
    assert "A Minor release needs 1 business day&#39;s notice: the earliest allowed window start is" in page
    start = next_week()
    page = dip.post("/rfcs/new", {**form_data(app, window_start=start, window_end=start - timedelta(hours=1)),
                                  "action": "submit"}).get_data(as_text=True)
    assert "The window must end after it starts." in page
    page = dip.post("/rfcs/new", {**form_data(app), "window_start": "24/11/2026 10:00", "action": "submit"}
                    ).get_data(as_text=True)
    assert "Not a valid datetime value." in page


def test_rollback_plan_is_needed_except_from_fix_forward_organisations(app, as_user):
    page = as_user("dip@demo.test").post("/rfcs/new", {**form_data(app, rollback_plan=""), "action": "submit"}
                                         ).get_data(as_text=True)
    assert "Add a rollback plan: only fix-forward organisations may leave it out, and Avanade is not one." in page
    mprs = as_user("mprs@demo.test")
    response = mprs.post("/rfcs/new", {**form_data(app, system="MPRS", rollback_plan=""), "action": "submit"})
    assert response.status_code == 303 and rfc(app).status == RfcStatus.SUBMITTED


def test_emergency_and_patch_need_defects_and_rows_must_be_complete(app, as_user):
    dip = as_user("dip@demo.test")
    page = dip.post("/rfcs/new", {**form_data(app, release_type=ReleaseType.EMERGENCY, version="0.0.0.1",
                                              defects=[]), "action": "submit"}).get_data(as_text=True)
    assert "An Emergency release lists the Critical or blocking defect it fixes (RCM §12.8)." in page
    data = form_data(app)
    data["defects-0-severity"] = ""
    page = dip.post("/rfcs/new", {**data, "action": "submit"}).get_data(as_text=True)
    assert "Complete defect row 1" in page


def test_another_organisations_system_is_refused_even_by_editing_the_form(app, as_user):
    page = as_user("dip@demo.test").post("/rfcs/new", {**form_data(app, system="MPRS"), "action": "save"}
                                         ).get_data(as_text=True)
    assert 'id="system_id-error"' in page and "Not a valid choice" in page
    with app.app_context():
        assert db.session.scalar(select(Rfc)) is None


def test_rows_are_added_and_removed_in_place_without_saving(app, as_user):
    dip = as_user("dip@demo.test")
    data = form_data(app)
    page = dip.post("/rfcs/new", {**data, "action": "add_defect"}, htmx=True).get_data(as_text=True)
    assert 'name="defects-1-defect_id"' in page and 'value="DEF-101"' in page
    page = dip.post("/rfcs/new", {**data, "action": "add_change_request"}, htmx=True).get_data(as_text=True)
    assert 'name="change_requests-0-cr_id"' in page
    page = dip.post("/rfcs/new", {**data, "action": "remove_defect:0"}, htmx=True).get_data(as_text=True)
    # Positive control: the form came back with what was typed; only the removed row is gone.
    assert 'id="defect-rows"' in page and f'value="{data["title"]}"' in page
    assert "DEF-101" not in page
    with app.app_context():
        assert db.session.scalar(select(Rfc)) is None


def test_who_sees_drafts(app, as_user):
    """Each viewer's statement that finds one RFC is kept per process (rfcs.services.common): the owner's, used
    first, lets no one else find the draft."""
    with app.app_context():
        draft = make_rfc(submit=False)
    assert as_user("dip@demo.test").get(f"/rfcs/{draft}").status_code == 200
    for email in ("supplier@demo.test", "rm.sit@demo.test", "mprs@demo.test"):
        assert as_user(email).get(f"/rfcs/{draft}").status_code == 404, email
        assert "RFC-" not in as_user(email).get("/rfcs").get_data(as_text=True).split("<tbody>")[1]


def test_submitted_content_is_frozen(app, as_user):
    with app.app_context():
        rfc_id = make_rfc()
    dip = as_user("dip@demo.test")
    response = dip.post(f"/rfcs/{rfc_id}/edit", {**form_data(app, title="Sneaky change"), "action": "save"})
    assert response.status_code == 303 and "frozen" in dip.get(response.location).get_data(as_text=True)
    assert rfc(app, rfc_id).title != "Sneaky change"


def test_approval_needs_every_phase(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A", "UIT"))
    as_user("rm.sit@demo.test").post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    assert rfc(app, rfc_id).status == RfcStatus.SUBMITTED
    sit = as_user("rm.sit@demo.test")
    again = sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    assert "Your phase has already approved revision 1" in sit.get(again.location).get_data(as_text=True)
    as_user("rm.uit@demo.test").post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    done = rfc(app, rfc_id)
    assert done.status == RfcStatus.APPROVED and 7 in {c.number for c in done.control_points}
    assert as_user("supplier@demo.test").get(f"/rfcs/{rfc_id}").status_code == 200  # now public


def test_a_manager_outside_the_phase_is_refused(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A",))
    uit = as_user("rm.uit@demo.test")
    response = uit.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    assert "outside your phase scope" in uit.get(response.location).get_data(as_text=True)
    assert rfc(app, rfc_id).status == RfcStatus.SUBMITTED


def test_reject_and_request_changes_need_a_comment(app, as_user):
    with app.app_context():
        rfc_id = make_rfc()
    sit = as_user("rm.sit@demo.test")
    for decision in ("reject", "request_changes"):
        response = sit.post(f"/rfcs/{rfc_id}/decide", {"decision": decision, "comment": "  "})
        assert "a comment is needed" in sit.get(response.location).get_data(as_text=True)
    sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "reject", "comment": "Clashes with IR7 cut-over"})
    assert rfc(app, rfc_id).status == RfcStatus.REJECTED
    response = sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    assert "is rejected: there is nothing to decide" in sit.get(response.location).get_data(as_text=True)


def test_changes_requested_then_resubmitted_as_a_new_revision(app, as_user):
    with app.app_context():
        rfc_id = make_rfc()
    sit, dip = as_user("rm.sit@demo.test"), as_user("dip@demo.test")
    sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "request_changes", "comment": "Add the CR"})
    assert rfc(app, rfc_id).status == RfcStatus.CHANGES_REQUESTED
    edit_page = dip.get(f"/rfcs/{rfc_id}/edit").get_data(as_text=True)
    assert "Changes requested by Sam Ashdown (SIT): Add the CR" in edit_page
    data = form_data(app, title="DIP 1.1.0.0 with CR")
    data.update({"change_requests-0-cr_id": "CR-7", "change_requests-0-title": "New ack",
                 "change_requests-0-summary": "S"})
    assert dip.post(f"/rfcs/{rfc_id}/edit", {**data, "action": "submit"}).status_code == 303
    again = rfc(app, rfc_id)
    assert (again.status, again.revision) == (RfcStatus.SUBMITTED, 2)
    page = dip.get(f"/rfcs/{rfc_id}/revisions/2").get_data(as_text=True)
    assert "Changed since revision 1" in page and "title" in page and "change requests" in page
    assert '<tr class="changed">\n      <th scope="row">Title <small>(changed)</small>' in page
    start = format_london(rfc(app, rfc_id).window_start)
    assert f"{start} (Europe/London)" in page and "T10:00:00" not in page  # times as people write them
    first = dip.get(f"/rfcs/{rfc_id}/revisions/1")
    assert first.status_code == 200 and "revision 1</h1>" in first.get_data(as_text=True)
    assert "CR-7" not in first.get_data(as_text=True)
    sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    assert rfc(app, rfc_id).status == RfcStatus.APPROVED


def test_major_needs_governance_before_approval(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(release_type=ReleaseType.MAJOR, version="1.0.0.0", defects=[])
    sit = as_user("rm.sit@demo.test")
    response = sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    assert "needs the programme governance (GNG) approval" in sit.get(response.location).get_data(as_text=True)
    sit.post(f"/rfcs/{rfc_id}/governance", {"gng_reference": "GNG-2026-11", "gng_date": "2026-11-20"})
    sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    done = rfc(app, rfc_id)
    assert done.status == RfcStatus.APPROVED and {2, 7} <= {c.number for c in done.control_points}


def test_two_managers_at_once_one_succeeds_the_other_sees_a_conflict(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A",))
        seen_version = db.session.get(Rfc, rfc_id).row_version
    first, second = as_user("rm.sit@demo.test"), as_user("rm.sit@demo.test")
    first.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve", "row_version": seen_version})
    response = second.post(f"/rfcs/{rfc_id}/decide", {"decision": "reject", "comment": "No",
                                                      "row_version": seen_version}, htmx=True)
    assert response.headers["HX-Redirect"] == f"/rfcs/{rfc_id}"
    assert "changed while you had it open (it is now approved)" in second.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert rfc(app, rfc_id).status == RfcStatus.APPROVED


def test_withdraw(app, as_user):
    with app.app_context():
        rfc_id = make_rfc()
    dip = as_user("dip@demo.test")
    assert as_user("mprs@demo.test").post(f"/rfcs/{rfc_id}/withdraw").status_code == 404
    dip.post(f"/rfcs/{rfc_id}/withdraw")
    assert rfc(app, rfc_id).status == RfcStatus.WITHDRAWN
    response = dip.post(f"/rfcs/{rfc_id}/withdraw")
    assert "can no longer be withdrawn" in dip.get(response.location).get_data(as_text=True)


def test_every_step_is_in_the_audit_trail(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(gate=False)
    as_user("rm.sit@demo.test").post(f"/rfcs/{rfc_id}/decide", {"decision": "request_changes",
                                                                "comment": "More detail"})
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "rfcs", AuditEvent.object_id == rfc_id).order_by(AuditEvent.id)))
    assert actions == ["rfc.saved", "rfc.submitted", "rfc.changes_requested"]
    page = as_user("dip@demo.test").get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    # Read as sentences: the person, then what they did.
    assert "Dana Ingram submitted revision 1" in page
    assert "Sam Ashdown requested changes to SIT, revision 1: More detail" in page
    assert "rfc.submitted" not in page


def test_emergency_fixes_are_warned_until_a_regular_release_carries_them(app, as_user):
    with app.app_context():
        emergency = make_rfc(release_type=ReleaseType.EMERGENCY, version="0.0.0.1",
                             window_start=utcnow() + timedelta(hours=3),
                             defects=[{"defect_id": "DEF-9", "severity": "Critical", "summary": "Blocking",
                                       "found_in_id": env_ids("SIT-A")[0]}])
        approve(emergency, "rm.sit@demo.test")
        draft = make_rfc(release_type=ReleaseType.EMERGENCY, version="0.0.0.2", submit=False,
                         defects=[{"defect_id": "DEF-10", "severity": "High", "summary": "Draft only",
                                   "found_in_id": env_ids("SIT-A")[0]}])
    dip = as_user("dip@demo.test")
    assert "not yet carried into a later regular release" in dip.get("/environments").get_data(as_text=True)
    assert "Emergency fix not yet carried forward" in dip.get(f"/rfcs/{emergency}").get_data(as_text=True)
    assert "not yet carried" not in dip.get(f"/rfcs/{draft}").get_data(as_text=True)  # a draft fixes nothing yet
    hint = dip.get(f"/rfcs/version-hint?system_id={form_data(app)['system_id']}&release_type=Patch&propose=1"
                   ).get_data(as_text=True)
    assert "fixed DEF-9" in hint and f'value="carry:{emergency}"' in hint and 'value="0.0.1.0"' in hint
    data = form_data(app, release_type=ReleaseType.PATCH, version="0.0.1.0", defects=[])
    page = dip.post("/rfcs/new", {**data, "action": f"carry:{emergency}"}, htmx=True).get_data(as_text=True)
    assert 'value="DEF-9"' in page
    with app.app_context():
        data.update({"defects-0-defect_id": "DEF-9", "defects-0-severity": "Critical", "defects-0-summary": "Blocking",
                     "defects-0-found_in_id": env_ids("SIT-A")[0]})
    assert dip.post("/rfcs/new", {**data, "action": "submit"}).status_code == 303
    environments = dip.get("/environments")
    # Positive control: the page answered with its environments; only the warning has gone.
    assert environments.status_code == 200 and "SIT-A" in environments.get_data(as_text=True)
    assert "not yet carried" not in environments.get_data(as_text=True)


def test_control_points_of_a_withdrawn_rfc_cannot_be_ticked(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(gate=False)
    assert as_user("dip@demo.test").post(f"/rfcs/{rfc_id}/withdraw").status_code == 303
    rm = as_user("rm.sit@demo.test")
    response = rm.post(f"/rfcs/{rfc_id}/control-points", {"numbers": "4", "note": "Approved by e-mail"})
    assert "its control points can no longer be changed" in rm.get(response.location).get_data(as_text=True)
    page = rm.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert ">withdrawn<" in page and '<tr id="control-point-4">\n        <td>☐' in page and ">Tick<" not in page


def test_a_lost_update_found_at_an_autoflush_is_a_conflict_not_a_crash(app):
    # Found by scripts/load.py on PostgreSQL: two requests approve the same RFC; the later one's flush (while it
    # ticks control points, before its commit) matches no row. Two sessions reproduce it without timing.
    with app.app_context():
        rfc_id = make_rfc()
    first, second = app.app_context(), app.app_context()
    with second:
        stale = db.session.get(Rfc, rfc_id)
        stale.approvals  # noqa: B018  (loaded now, as the second request had them)
        manager = user("rm.sit@demo.test")
        db.session().expire_on_commit = False
        db.session.commit()  # ends the read (SQLite lets one writer at a time) but keeps what it read
        with first:
            services.decide(user("rm.sit@demo.test"), db.session.get(Rfc, rfc_id), Decision.APPROVED)
            db.session.remove()
        with pytest.raises(Conflict):
            services.decide(manager, stale, Decision.APPROVED)
        db.session.remove()
    with app.app_context():
        rfc = db.session.get(Rfc, rfc_id)
        assert rfc.status == RfcStatus.APPROVED and len(rfc.approvals) == 1
