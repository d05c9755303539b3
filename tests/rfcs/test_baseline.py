"""The configuration baseline: cells kept true by deployments per environment, drift, proposals, gates, retests."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mhhs.baseline import services as baseline
from mhhs.baseline.models import BaselineChange
from mhhs.core import changes
from mhhs.core.services import Invalid, Refused
from mhhs.core.time import utc_to_london_naive, utcnow
from mhhs.directory.models import Environment, System
from mhhs.extensions import db
from mhhs.rfcs import services
from mhhs.rfcs.models import Defect, RetestResult, Rfc
from mhhs.rfcs.states import ReleaseType, RfcStatus
from mhhs.rfcs.targets import builds_on
from tests.rfcs.factory import approve, approved_earlier, deploy, env_ids, form_data, make_rfc, system_id, user

DEPLOYED, ROLLED_BACK, FIXED_FORWARD = RfcStatus.DEPLOYED, RfcStatus.ROLLED_BACK, RfcStatus.FIXED_FORWARD


def record(system, environment, version, days_ago=30, reason="Supplier release note"):
    baseline.record_baseline(user("rm.sit@demo.test"), system_id(system), env_ids(environment)[0], version,
                             utcnow() - timedelta(days=days_ago), reason)


def cell(system, environment):
    found = baseline.current_cells([system_id(system)]).get((env_ids(environment)[0], system_id(system)))
    return found.version if found else None


def local(moment):
    return utc_to_london_naive(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("outcomes, versions, status", [
    ((DEPLOYED, DEPLOYED), ("1.1.0.0", "1.1.0.0"), DEPLOYED),
    ((DEPLOYED, ROLLED_BACK), ("1.1.0.0", "1.0.0.0"), DEPLOYED),
    ((ROLLED_BACK, ROLLED_BACK), ("1.0.0.0", "1.0.0.0"), ROLLED_BACK),
    ((FIXED_FORWARD, DEPLOYED), ("1.1.0.1", "1.1.0.0"), FIXED_FORWARD),
    ((FIXED_FORWARD, ROLLED_BACK), ("1.1.0.1", "1.0.0.0"), FIXED_FORWARD),
])
def test_each_environment_outcome_sets_its_own_cell(ctx, outcomes, versions, status):
    record("DIP", "SIT-A", "1.0.0.0")
    record("DIP", "SIT-B", "1.0.0.0")
    rfc_id = approved_earlier(make_rfc(environments=("SIT-A", "SIT-B")))
    deploy(rfc_id, "SIT-A", outcomes[0], version="1.1.0.1" if outcomes[0] == FIXED_FORWARD else "")
    assert db.session.get(Rfc, rfc_id).status == RfcStatus.APPROVED  # SIT-B has no outcome yet
    deploy(rfc_id, "SIT-B", outcomes[1])
    rfc = db.session.get(Rfc, rfc_id)
    assert (cell("DIP", "SIT-A"), cell("DIP", "SIT-B")) == versions
    assert rfc.status == rfc.outcome == status
    assert 8 in {c.number for c in rfc.control_points}
    assert bool(rfc.deviations) == (outcomes != (DEPLOYED, DEPLOYED))
    history = baseline.cell_history(env_ids("SIT-B")[0], system_id("DIP"))
    assert [h.what for h in history] == [outcomes[1].value, "recorded"]
    drifting = versions[0] != versions[1]
    assert (system_id("DIP") in baseline.grid().drift) == drifting


def test_only_defects_found_where_the_version_arrived_become_ready_for_retest(ctx):
    defects = [{"defect_id": "DEF-A", "severity": "High", "summary": "A", "found_in_id": env_ids("SIT-A")[0]},
               {"defect_id": "DEF-B", "severity": "High", "summary": "B", "found_in_id": env_ids("SIT-B")[0]}]
    rfc_id = approved_earlier(make_rfc(environments=("SIT-A", "SIT-B"), defects=defects))
    deploy(rfc_id, "SIT-A", DEPLOYED)
    deploy(rfc_id, "SIT-B", ROLLED_BACK)
    ready = {d.defect_id: d.ready_for_retest for d in db.session.get(Rfc, rfc_id).defects}
    assert ready == {"DEF-A": True, "DEF-B": False}


def test_drift_says_since_when_sit_a_and_sit_b_differ(ctx):
    record("DIP", "SIT-A", "1.0.0.0", days_ago=40)
    record("DIP", "SIT-B", "1.0.0.0", days_ago=40)
    record("DIP", "SIT-A", "1.2.0.0", days_ago=10)
    record("DIP", "SIT-B", "1.3.0.0", days_ago=2)
    drift = baseline.grid().drift[system_id("DIP")]
    assert drift.versions == {"SIT-A": "1.2.0.0", "SIT-B": "1.3.0.0"}
    assert (utcnow() - drift.since).days == 10  # they differ since SIT-A moved, not since SIT-B's last change
    record("DIP", "SIT-B", "1.2.0.0", days_ago=1)
    assert system_id("DIP") not in baseline.grid().drift
    assert [s.name for s in baseline.grid(drift_only=True).systems] == []


def test_proposals_build_on_the_recorded_baseline_and_skip_a_rolled_back_version(ctx, as_user):
    dip = as_user("dip@demo.test")

    def proposal(release_type):
        page = dip.get(f"/rfcs/version-hint?system_id={system_id('DIP')}&release_type={release_type}&propose=1")
        return page.get_data(as_text=True)

    assert 'value="0.1.0.0"' in proposal("Minor")
    record("DIP", "SIT-B", "3.4.2.0")
    assert 'value="3.5.0.0"' in proposal("Minor") and 'value="3.4.3.0"' in proposal("Patch")
    rfc_id = approved_earlier(make_rfc(version="3.5.0.0", environments=("SIT-A",)))
    assert 'value="3.6.0.0"' in proposal("Minor")
    deploy(rfc_id, "SIT-A", ROLLED_BACK)
    # 3.5.0.0 was rolled back everywhere: it no longer counts, and its number is not used twice.
    assert services.system_versions(system_id("DIP"))[0] == "3.4.2.0"
    assert 'value="3.6.0.0"' in proposal("Minor") and 'value="3.4.3.0"' in proposal("Patch")


def test_recording_a_baseline_refuses_bad_input_next_to_the_field(app, as_user):
    rm = as_user("rm.sit@demo.test")
    with app.app_context():
        ids = {"system_id": system_id("DIP"), "environment_id": env_ids("SIT-A")[0]}
        record("DIP", "SIT-A", "2.0.0.0")
    since = local(utcnow() - timedelta(days=1))
    cases = [({"version": "2.1", "since": since, "reason": "x"}, "four numeric parts"),
             ({"version": "1.9.0.0", "since": since, "reason": ""}, "1.9.0.0 is lower than 2.0.0.0, running now"),
             ({"version": "2.1.0.0", "since": local(utcnow() + timedelta(days=2)), "reason": "x"},
              "Since cannot be in the future"),
             ({"version": "2.1.0.0", "since": since, "reason": ""}, "Say where this version comes from")]
    for values, message in cases:
        page = rm.post("/baseline/record", {**ids, **values}).get_data(as_text=True)
        assert message in page and f'value="{values["version"]}"' in page
    with app.app_context():
        assert cell("DIP", "SIT-A") == "2.0.0.0"
    assert rm.post("/baseline/record", {**ids, "version": "1.9.0.0", "since": since,
                                        "reason": "Supplier reverted"}).status_code == 303
    history = rm.get(f"/baseline/{ids['environment_id']}/{ids['system_id']}", htmx=True).get_data(as_text=True)
    assert "1.9.0.0" in history and "Supplier reverted" in history and "Sam Ashdown" in history
    assert as_user("supplier@demo.test").post("/baseline/record", {**ids, "version": "9.0.0.0"}).status_code == 403
    assert as_user("dip@demo.test").post("/baseline/record", {**ids, "version": "9.0.0.0"}).status_code == 403
    with app.app_context():
        assert cell("DIP", "SIT-A") == "1.9.0.0"


def test_baseline_import_is_all_or_nothing_with_line_numbers(app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_text("system,environment,version,since\nDIP,SIT-A,1.2.0.0,2026-10-01\nNOPE,SIT-A,1.0.0.0,2026-10-01\n"
                   "DIP,SIT-A,1.3.0.0,2026-10-02\nMPRS,SIT-B,1.x,01/10/2026\nDTN,SIT Staging,1.0.0.0,2026-10-01\n")
    result = runner.invoke(args=["baseline", "import", str(bad)])
    assert result.exit_code != 0 and "Nothing was imported" in result.output
    assert "line 3: unknown system 'NOPE'" in result.output
    assert "line 4: repeats line 2 (DIP in SIT-A)" in result.output
    assert "line 5:" in result.output and "four numeric parts" in result.output and "'01/10/2026' is not a date" \
        in result.output
    assert "line 6: DTN is not deployed in SIT Staging" in result.output
    with app.app_context():
        assert db.session.scalar(select(BaselineChange)) is None
    good = tmp_path / "good.csv"
    good.write_text("system,environment,version,since\nDIP,SIT-A,1.2.0.0,2026-10-01\n"
                    "DIP,SIT-B,1.2.0.0,2026-10-01 09:30\n")
    result = runner.invoke(args=["baseline", "import", str(good)])
    assert result.exit_code == 0 and "2 baseline cell(s) imported" in result.output
    with app.app_context():
        assert (cell("DIP", "SIT-A"), cell("DIP", "SIT-B")) == ("1.2.0.0", "1.2.0.0")


# Deployment outcomes ---------------------------------------------------------------------------

def test_deployment_times_and_fix_forward_version_are_checked_by_the_field(app, as_user):
    with app.app_context():
        rfc_id = approved_earlier(make_rfc())
        rfc = db.session.get(Rfc, rfc_id)
        approved, sit_a = rfc.approved_at, env_ids("SIT-A")[0]
    dip = as_user("dip@demo.test")
    ok_start = local(approved + timedelta(hours=1))
    cases = [
        ({"actual_start": local(utcnow() + timedelta(hours=2)), "actual_end": local(utcnow() + timedelta(hours=3)),
          "outcome": "deployed"}, "cannot start in the future"),
        ({"actual_start": ok_start, "actual_end": local(approved + timedelta(minutes=30)), "outcome": "deployed"},
         "must end after it starts"),
        ({"actual_start": local(approved - timedelta(hours=1)), "actual_end": ok_start, "outcome": "deployed"},
         "cannot start before"),
        ({"actual_start": ok_start, "actual_end": local(approved + timedelta(hours=2)), "outcome": "fixed forward"},
         "Enter the version running after the fix"),
        ({"actual_start": ok_start, "actual_end": local(approved + timedelta(hours=2)), "outcome": "fixed forward",
          "version": "1.0.9.0"}, "must be higher than 1.1.0.0"),
    ]
    for values, message in cases:
        page = dip.post(f"/rfcs/{rfc_id}/deployment", {"environment_id": sit_a, "issues": "Kept text", **values})
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and message in text and "Kept text" in text, message
    with app.app_context():
        assert db.session.get(Rfc, rfc_id).deployments == []
    response = dip.post(f"/rfcs/{rfc_id}/deployment", {
        "environment_id": sit_a, "actual_start": ok_start, "actual_end": local(approved + timedelta(hours=2)),
        "outcome": "fixed forward", "version": "1.1.0.1", "issues": "Queue stalled", "resolutions": "Hotfix"})
    assert response.status_code == 303
    page = dip.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert "now 1.1.0.1" in page and "Deviation: SIT-A fixed forward and outside the approved window" in page


def test_a_fix_forward_organisation_is_not_offered_rolled_back(app, as_user):
    with app.app_context():
        rfc_id = approved_earlier(make_rfc(email="mprs@demo.test", system="MPRS", version="1.0.1.0",
                                           release_type=ReleaseType.PATCH, rollback_plan=""))
        approved, sit_a = db.session.get(Rfc, rfc_id).approved_at, env_ids("SIT-A")[0]
    mprs = as_user("mprs@demo.test")
    form = mprs.get(f"/rfcs/{rfc_id}/deployment").get_data(as_text=True)
    assert ">Success<" in form and ">Fixed forward<" in form and "Rolled back" not in form
    page = mprs.post(f"/rfcs/{rfc_id}/deployment", {
        "environment_id": sit_a, "outcome": "rolled back",
        "actual_start": local(approved + timedelta(hours=1)), "actual_end": local(approved + timedelta(hours=2))})
    assert "Not a valid choice" in page.get_data(as_text=True)
    with app.app_context():
        with pytest.raises(Invalid, match="St Clements fixes forward and supplies no rollback plan"):
            deploy(rfc_id, "SIT-A", ROLLED_BACK, email="mprs@demo.test")


def test_each_environment_is_recorded_once(ctx):
    rfc_id = approved_earlier(make_rfc(environments=("SIT-A", "SIT-B")))
    deploy(rfc_id, "SIT-A", DEPLOYED)
    with pytest.raises(Invalid, match="not recorded yet"):
        deploy(rfc_id, "SIT-A", DEPLOYED)


# Gates -----------------------------------------------------------------------------------------------

def test_approval_is_refused_while_control_points_1_to_6_are_open(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(gate=False)
    rm = as_user("rm.sit@demo.test")
    response = rm.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve"})
    message = rm.get(response.location).get_data(as_text=True)
    assert "Control points 3 (Environments are built" in message and "4 (Release package" in message
    assert "6 (Release plans" in message and "before approving" in message
    assert " 2 (Programme governance" not in message  # not a Major release: 2 does not apply
    page = rm.get("/approvals").get_data(as_text=True)
    row = page.split(f'id="queue-rfc-{rfc_id}"')[1].split("</tr>")[0]
    assert all(f'name="numbers" value="{n}" >' in row for n in (3, 4, 5, 6)) and 'value="2"' not in row  # none ticked
    assert "3 Baseline" in row and "6 Release plan" in row  # each named, not a bare number
    row = rm.post(f"/rfcs/{rfc_id}/control-points", {"numbers": ["4", "5"], "action": "not_applicable",
                                                     "from": "queue"}, htmx=True).get_data(as_text=True)
    assert "Say why it does not apply." in row and row.lstrip().startswith(f'<tr id="queue-rfc-{rfc_id}"')
    assert 'value="3" >' in row and 'value="4" checked' in row  # the choice made is kept with the message
    row = rm.post(f"/rfcs/{rfc_id}/control-points", {"numbers": ["4", "5", "6"], "note": "Agreed at the release call",
                                                     "from": "queue"}, htmx=True).get_data(as_text=True)
    assert 'name="numbers" value="3" >' in row and 'name="numbers" value="4"' not in row
    # Control point 3 asks for evidence when the baseline does not show it.
    row = rm.post(f"/rfcs/{rfc_id}/control-points", {"numbers": "3", "from": "queue"}, htmx=True).get_data(as_text=True)
    assert "Give the evidence (the baseline does not show control point 3)." in row
    assert rm.post(f"/rfcs/{rfc_id}/control-points", {"numbers": "7", "note": "x"}).status_code == 303
    with app.app_context():
        assert db.session.get(Rfc, rfc_id).status == RfcStatus.SUBMITTED


def test_control_point_3_is_ticked_from_the_baseline(app, as_user):
    with app.app_context():
        record("DIP", "SIT-A", "1.0.0.0")
        rfc_id = make_rfc(gate=False)
    rm = as_user("rm.sit@demo.test")
    page = rm.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert "SIT-A runs 1.0.0.0; this release builds on 1.0.0.0 — matches" in page
    section = rm.post(f"/rfcs/{rfc_id}/control-points", {"numbers": "4", "note": ""}, htmx=True).get_data(as_text=True)
    assert section.lstrip().startswith('<section id="control-points">') and "Give the evidence" in section
    response = rm.post(f"/rfcs/{rfc_id}/control-points", {"numbers": "3", "note": ""}, htmx=True)
    assert response.headers["HX-Redirect"] == f"/rfcs/{rfc_id}"  # the whole page: its forms' row version changed
    assert "Baseline: SIT-A runs 1.0.0.0" in rm.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    response = rm.post(f"/rfcs/{rfc_id}/control-points", {"numbers": "3", "note": "again"})
    assert "Control point 3 is closed already" in rm.get(response.location).get_data(as_text=True)
    response = rm.post(f"/rfcs/{rfc_id}/control-points", {"numbers": "7", "note": "x"})
    assert "met by their own step" in rm.get(response.location).get_data(as_text=True)


def test_closure_needs_control_points_8_and_10(app, as_user):
    with app.app_context():
        rfc_id = approved_earlier(make_rfc(environments=("SIT-A", "SIT-B")))
        deploy(rfc_id, "SIT-A", DEPLOYED)
        with pytest.raises(Refused, match="it closes once every deployment outcome is recorded"):
            services.close(user("rm.sit@demo.test"), db.session.get(Rfc, rfc_id), "Report", "", "")
        deploy(rfc_id, "SIT-B", DEPLOYED, late=True)
    rm = as_user("rm.sit@demo.test")
    page = rm.post(f"/rfcs/{rfc_id}/close", {"action": "close", "work_off_actions": "Kept actions"}
                   ).get_data(as_text=True)
    assert "Write the rollout report (control point 10)." in page and "Kept actions" in page
    assert "SIT-B outside the approved window): record the lessons learnt before closing." in page
    rm.post(f"/rfcs/{rfc_id}/close", {"action": "close", "rollout_report": "Both done",
                                      "lessons_learnt": "Start on time"})
    with app.app_context():
        rfc = db.session.get(Rfc, rfc_id)
        assert rfc.status == RfcStatus.CLOSED and {8, 9, 10} <= {c.number for c in rfc.control_points}


def test_a_clean_deployment_closes_with_a_rollout_report_and_no_lessons(ctx):
    rfc_id = approved_earlier(make_rfc())
    deploy(rfc_id, "SIT-A", DEPLOYED)
    services.close(user("rm.sit@demo.test"), db.session.get(Rfc, rfc_id), "Deployed cleanly", "", "")
    assert db.session.get(Rfc, rfc_id).status == RfcStatus.CLOSED


# Rules an RFC meets at submission and approval ----------------------------------------------------

def test_found_in_must_be_a_target_environment(ctx):
    with pytest.raises(Invalid) as refused:
        make_rfc(environments=("SIT-A",), defects=[{"defect_id": "DEF-7", "severity": "High", "summary": "S",
                                                     "found_in_id": env_ids("UIT")[0]}])
    assert "Found in must be one of the target environments" in refused.value.problems["defects"]
    assert "row 1 (UIT)" in refused.value.problems["defects"]


def test_uit_first_needs_a_reason_and_the_queue_shows_it(app, as_user):
    uit_defect = [{"defect_id": "DEF-8", "severity": "High", "summary": "S", "found_in_id": None}]
    with app.app_context():
        uit_defect[0]["found_in_id"] = env_ids("UIT")[0]
        with pytest.raises(Invalid) as refused:
            make_rfc(environments=("UIT",), defects=uit_defect)
        assert "is not running in SIT-A or SIT-B" in refused.value.problems["promotion_reason"]
        make_rfc(environments=("UIT",), version="1.2.0.0", defects=uit_defect,
                 promotion_reason="UIT first: defect found in UIT")
        record("DIP", "SIT-A", "1.3.0.0")
        # The build SIT-A tested goes on to UIT under its own version: a promotion, no reason needed.
        make_rfc(environments=("UIT",), version="1.3.0.0", defects=uit_defect)
    page = as_user("rm.uit@demo.test").get("/approvals").get_data(as_text=True)
    assert "UIT first</span> <small>UIT first: defect found in UIT" in page


def test_one_of_sit_a_and_sit_b_warns_of_drift_on_the_rfc_and_in_the_queue(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A",))
        both = make_rfc(environments=("SIT-A", "SIT-B"), version="1.2.0.0")
    dip = as_user("dip@demo.test")
    assert "SIT-B will differ from SIT-A" in dip.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert "will differ" not in dip.get(f"/rfcs/{both}").get_data(as_text=True)
    queue = as_user("rm.sit@demo.test").get("/approvals").get_data(as_text=True)
    assert queue.count("SIT-B will differ from SIT-A") == 1


def test_a_higher_version_approved_since_submission_needs_a_confirming_comment(app, as_user):
    with app.app_context():
        lower = make_rfc(version="1.1.0.0")
        higher = [make_rfc(version=version) for version in ("1.2.0.0", "1.10.0.0")]
        for rfc_id in higher:  # both approved since; the highest is named, in version order (10 > 2)
            approve(rfc_id, "rm.sit@demo.test")
    rm = as_user("rm.sit@demo.test")
    assert "1.10.0.0 approved since" in rm.get("/approvals").get_data(as_text=True)
    row = rm.post(f"/rfcs/{lower}/decide", {"decision": "approve", "from": "queue"}, htmx=True).get_data(as_text=True)
    assert "DIP 1.10.0.0 (RFC-" in row and "confirm with a comment that 1.1.0.0 should still go ahead" in row
    rm.post(f"/rfcs/{lower}/decide", {"decision": "approve", "comment": "Fixes needed in SIT-B first"})
    with app.app_context():
        assert db.session.get(Rfc, lower).status == RfcStatus.APPROVED


def test_a_bad_checksum_is_refused_by_its_field(app, as_user):
    data = form_data(app, build_reference="dip-1.1.0.0.tar.gz", build_sha256="not-a-checksum")
    page = as_user("dip@demo.test").post("/rfcs/new", {**data, "action": "submit"}).get_data(as_text=True)
    assert "A SHA-256 checksum is 64 hexadecimal characters." in page and 'value="dip-1.1.0.0.tar.gz"' in page


# Retests ----------------------------------------------------------------------------------------------

def test_retests_are_recorded_by_the_raising_party_where_the_defect_was_found(app, as_user):
    with app.app_context():
        rfc_id = approved_earlier(make_rfc(environments=("SIT-A",)))
        defect_id = db.session.scalar(select(Defect.id).where(Defect.rfc_id == rfc_id))
        sit_a = env_ids("SIT-A")[0]
    dip = as_user("dip@demo.test")
    assert "Nothing is waiting for a retest here." in dip.get(f"/retests?environment={sit_a}").get_data(as_text=True)
    with app.app_context():
        deploy(rfc_id, "SIT-A", DEPLOYED)
    page = dip.get(f"/retests?environment={sit_a}").get_data(as_text=True)
    assert "DEF-101" in page and "Record retest" in page
    assert "SIT-A <small>(1 to retest)</small>" in page  # the tab's count
    assert '<option selected value="">Choose the result</option>' in page or \
        '<option value="" selected>Choose the result</option>' in page  # nothing pre-chosen
    refused = dip.post(f"/defects/{defect_id}/retest", {}, htmx=True).get_data(as_text=True)
    assert "Choose Passed or Failed." in refused
    field = f"defect-{defect_id}-"
    assert as_user("mprs@demo.test").post(f"/defects/{defect_id}/retest",  # St Clements tests in no environment
                                          {field + "result": "passed"}).status_code == 403
    page = dip.post(f"/defects/{defect_id}/retest", {field + "result": "failed", field + "note": "Still times out"},
                    htmx=True).get_data(as_text=True)
    assert "A failed retest needs its follow-up" in page and 'value="Still times out"' in page
    dip.post(f"/defects/{defect_id}/retest", {field + "result": "failed", field + "note": "Still times out",
                                              field + "follow_up": "DEF-2001 <b>, RFC-000042"})
    page = dip.get(f"/retests?environment={sit_a}").get_data(as_text=True)
    assert "Nothing is waiting for a retest here." in page
    assert 'follow-up: DEF-2001 &lt;b&gt;, <a href="/rfcs/42">RFC-000042</a>' in page  # linked, and escaped
    response = dip.post(f"/defects/{defect_id}/retest", {field + "result": "passed"})
    assert "DEF-101 is not waiting for a retest" in dip.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert [r.result for r in db.session.get(Defect, defect_id).retests] == [RetestResult.FAILED]


def test_retests_statements_kept_per_viewer_show_no_one_what_another_may_see(app, as_user):
    """The page's statements are built once per viewer and environment (rfcs/retests.py): a defect of an RFC that is
    not public (here set so directly) is listed for its own organisation and the Release Managers, and not for
    another organisation or a Test Participant reading the page after them."""
    with app.app_context():
        rfc_id = approved_earlier(make_rfc(environments=("SIT-A",)))
        deploy(rfc_id, "SIT-A", DEPLOYED)
        db.session.get(Rfc, rfc_id).status = RfcStatus.REJECTED
        db.session.commit()
        sit_a = env_ids("SIT-A")[0]
    for email, sees in (("dip@demo.test", True), ("rm.sit@demo.test", True), ("mprs@demo.test", False),
                        ("supplier@demo.test", False), ("dip@demo.test", True)):
        client = as_user(email)
        for url in ("/retests", f"/retests?environment={sit_a}"):
            assert ("DEF-101" in client.get(url).get_data(as_text=True)) == sees, (email, url)


def test_the_retests_lists_kept_per_viewer_carry_each_sessions_token(app, as_user):
    """The page's lists are kept per viewer, environment and query string (rfcs/retests.py): two Release Managers share
    the copy, each with their own CSRF token in the retest forms."""
    with app.app_context():
        deploy(approved_earlier(make_rfc(environments=("SIT-A",))), "SIT-A", DEPLOYED)
        sit_a = env_ids("SIT-A")[0]
    for manager in (as_user("rm.sit@demo.test"), as_user("rm.uit@demo.test")):
        page = manager.get(f"/retests?environment={sit_a}").get_data(as_text=True)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        form = page.split('id="retest-ready"')[1].split("</form>")[0]
        assert "Record retest" in form and f'type="hidden" value="{token}"' in form


# The grid ----------------------------------------------------------------------------------------

def test_grid_shows_cells_next_versions_and_filters_for_everyone(app, as_user):
    with app.app_context():
        record("DIP", "SIT-A", "1.0.0.0")
        record("DIP", "SIT-B", "1.0.1.0")
        approve(make_rfc(environments=("SIT-A",)), "rm.sit@demo.test")
    page = as_user("supplier@demo.test").get("/baseline").get_data(as_text=True)
    assert "1.0.0.0" in page and "next 1.1.0.0" in page and "SIT-A and SIT-B differ (1)" in page
    assert "record</a>" not in page  # only a Release Manager records a baseline
    with app.app_context():
        mprs = db.session.scalar(select(System).where(System.name == "MPRS"))
        org, mprs_id, dip_id = mprs.organisation_id, mprs.id, system_id("DIP")
    rows = as_user("supplier@demo.test").http.get(f"/baseline?organisation={org}", headers={
        "HX-Request": "true", "HX-Target": "baseline-grid"}).get_data(as_text=True)
    assert f'id="baseline-{mprs_id}"' in rows and f'id="baseline-{dip_id}"' not in rows and "<html" not in rows
    drift_only = as_user("rm.sit@demo.test").get("/baseline?drift=1").get_data(as_text=True)
    assert f'id="baseline-{dip_id}"' in drift_only and f'id="baseline-{mprs_id}"' not in drift_only


def test_grid_queries_do_not_grow_with_systems_or_history(app, as_user, count_queries):
    rm = as_user("rm.sit@demo.test")
    rm.get("/baseline")
    changes.forget()  # the grid read again, as after a change (the rendered copy is kept per process)
    with count_queries() as small:
        rm.get("/baseline")
    with app.app_context():
        for system in db.session.scalars(select(System)).all():
            for environment in system.environments:
                for days in (30, 20, 10):
                    baseline.set_cell(environment.id, system.id, f"1.{days}.0.0", utcnow() - timedelta(days=days),
                                      "recorded", reason="bulk")
        sit_b = db.session.scalar(select(Environment).where(Environment.name == "SIT-B"))
        for system in sit_b.systems:
            baseline.set_cell(sit_b.id, system.id, "9.0.0.0", utcnow(), "recorded", reason="drift")
        db.session.commit()
    changes.forget()
    with count_queries() as large:
        page = rm.get("/baseline").get_data(as_text=True)
    assert "9.0.0.0" in page and "SIT-A and SIT-B differ" in page
    assert large.count <= small.count + 1  # the drift history is one query whatever the number of drifting systems


def test_the_kept_grid_shows_a_change_on_the_very_next_page(app, as_user):
    rm, supplier = as_user("rm.sit@demo.test"), as_user("supplier@demo.test")
    with app.app_context():
        record("DIP", "SIT-A", "1.0.0.0")
    assert "1.0.0.0" in rm.get("/baseline").get_data(as_text=True)  # kept from here on
    assert "next 1.1.0.0" not in supplier.get("/baseline").get_data(as_text=True)
    with app.app_context():
        record("DIP", "SIT-A", "1.0.2.0", days_ago=1)  # a cell recorded
        rfc_id = approved_earlier(make_rfc(environments=("SIT-A",)))  # an RFC approved above it
    page = supplier.get("/baseline").get_data(as_text=True)
    assert "1.0.2.0" in page and "next 1.1.0.0" in page
    with app.app_context():
        deploy(rfc_id, "SIT-A", DEPLOYED)  # deployed: the cell moves, nothing is next
        db.session.get(System, system_id("DIP")).name = "DIP hub"  # the reference data renamed
        db.session.commit()
    page = rm.get("/baseline").get_data(as_text=True)
    assert "1.1.0.0" in page and "next 1.1.0.0" not in page and "DIP hub" in page


def test_a_managers_kept_grid_does_not_reach_other_viewers(app, as_user):
    rm = as_user("rm.sit@demo.test").get("/baseline").get_data(as_text=True)
    assert "Record the baseline of" in rm
    for email in ("supplier@demo.test", "dip@demo.test"):
        for url in ("/baseline", "/baseline?drift=1"):
            assert "Record the baseline of" not in as_user(email).get(url).get_data(as_text=True)
        rows = as_user(email).http.get("/baseline", headers={"HX-Request": "true", "HX-Target": "baseline-grid"})
        assert "Record the baseline of" not in rows.get_data(as_text=True)


def test_the_kept_grid_counts_drift_days_as_they_turn(app, as_user, monkeypatch):
    with app.app_context():
        record("DIP", "SIT-A", "1.0.0.0", days_ago=3)
        record("DIP", "SIT-B", "1.0.1.0", days_ago=2)
    rm = as_user("rm.sit@demo.test")
    assert "(2 days)" in rm.get("/baseline").get_data(as_text=True)
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr("mhhs.baseline.views.utcnow", lambda: tomorrow)
    assert "(3 days)" in rm.get("/baseline").get_data(as_text=True)  # no counter moved: time alone did


def test_a_cells_history_names_its_cell_and_who_recorded_each_line(app, as_user):
    with app.app_context():
        record("DIP", "SIT-A", "1.0.0.0", reason="Avanade release note")
        baseline.import_baseline("DIP,SIT-A,1.0.1.0,2026-01-05\n", "old register.csv")
        ids = env_ids("SIT-A")[0], system_id("DIP")
    supplier = as_user("supplier@demo.test")
    page = supplier.get("/baseline/{}/{}".format(*ids)).get_data(as_text=True)
    assert "<title>DIP in SIT-A" in page and "Sam Ashdown" in page and "import" in page and "1.0.1.0" in page
    with app.app_context():
        db.session.get(System, ids[1]).name = "DIP hub"  # the reference data renamed: the next page says so
        db.session.commit()
    assert "DIP hub in SIT-A: history" in supplier.get("/baseline/{}/{}".format(*ids)).get_data(as_text=True)
    assert supplier.get(f"/baseline/{ids[0]}/999999").status_code == 404
    assert supplier.get(f"/baseline/999999/{ids[1]}").status_code == 404


def test_the_central_party_saves_the_rollout_report_and_only_a_manager_closes(app, as_user):
    with app.app_context():
        rfc_id = approved_earlier(make_rfc())
        deploy(rfc_id, "SIT-A", DEPLOYED)
    dip = as_user("dip@demo.test")
    response = dip.post(f"/rfcs/{rfc_id}/close", {"action": "lessons", "rollout_report": "Deployed in 20 minutes"})
    assert "Rollout report and lessons learnt saved." in dip.get(response.location).get_data(as_text=True)
    page = dip.post(f"/rfcs/{rfc_id}/close", {"action": "close", "rollout_report": "Deployed in 20 minutes"}
                    ).get_data(as_text=True)
    assert "A Release Manager closes the RFC" in page and "Deployed in 20 minutes" in page
    with app.app_context():
        rfc = db.session.get(Rfc, rfc_id)
        assert rfc.status == RfcStatus.DEPLOYED and 10 in {c.number for c in rfc.control_points}
    as_user("rm.sit@demo.test").post(f"/rfcs/{rfc_id}/close", {"action": "close",
                                                               "rollout_report": "Deployed in 20 minutes"})
    with app.app_context():
        assert db.session.get(Rfc, rfc_id).status == RfcStatus.CLOSED


def test_retests_page_queries_do_not_grow_with_defects(app, as_user, count_queries):
    with app.app_context():
        sit_a = env_ids("SIT-A")[0]
        deploy(approved_earlier(make_rfc()), "SIT-A", DEPLOYED)
    rm = as_user("rm.sit@demo.test")
    rm.get(f"/retests?environment={sit_a}")
    with app.app_context():  # read again, as after a retest (the page's lists are kept per process)
        changes.bump(changes.TESTING)
        db.session.commit()
    with count_queries() as few:
        rm.get(f"/retests?environment={sit_a}")
    with app.app_context():
        defects = [{"defect_id": f"DEF-{i}", "severity": "Low", "summary": "S", "found_in_id": sit_a}
                   for i in range(30)]
        deploy(approved_earlier(make_rfc(version="1.2.0.0", defects=defects)), "SIT-A", DEPLOYED)
    with count_queries() as many:  # read again: the defects made ready moved what it is kept behind
        page = rm.get(f"/retests?environment={sit_a}").get_data(as_text=True)
    assert "Ready to retest (31)" in page and ">Next</a>" in page
    assert many.count == few.count
    with count_queries() as kept:
        assert rm.get(f"/retests?environment={sit_a}").get_data(as_text=True) == page
    assert kept.count < few.count


def test_an_rfc_builds_on_its_systems_highest_standing_version_below_its_own_in_version_order(app):
    """Versions compare part by part (1.10 above 1.9), through the stored version key kept on every write; a draft
    or a release rolled back everywhere is not built on."""
    with app.app_context():
        def stored(version, status, outcome=None):
            rfc = db.session.get(Rfc, make_rfc(submit=False, version=version))
            rfc.status, rfc.outcome = status, outcome
            db.session.commit()
            return rfc

        stored("1.9.0.0", RfcStatus.APPROVED)
        ten = stored("1.10.0.0", RfcStatus.DEPLOYED)
        stored("1.10.1.0", RfcStatus.DEPLOYED, RfcStatus.ROLLED_BACK)
        stored("1.10.0.5", RfcStatus.DRAFT)
        stored("2.0.0.0", RfcStatus.APPROVED)
        own = db.session.get(Rfc, make_rfc(submit=False, version="1.11.0.0"))
        assert builds_on(own, {}) == "1.10.0.0"
        ten.version = "1.12.0.0"
        db.session.commit()
        assert builds_on(own, {}) == "1.9.0.0"
