"""Issue 25: the RFC flows hold the RCM exactly where they contradicted it (each test names the section it holds)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from mhhs.core.changes import WINDOWS, ChangeCounter
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment
from mhhs.extensions import db
from mhhs.rfcs.models import ControlPoint, Rfc
from mhhs.rfcs.rules import EMERGENCY_NOT_APPLICABLE
from mhhs.rfcs.services.emergencies import CARRY_OVERS
from mhhs.rfcs.states import ReleaseType, RfcStatus
from tests.rfcs.factory import approve, approved_earlier, deploy, env_ids, form_data, make_rfc

EMERGENCY = ReleaseType.EMERGENCY


def emergency_form(app, defects, **overrides):
    with app.app_context():
        sit_a = env_ids("SIT-A")[0]
    data = form_data(app, release_type=EMERGENCY, version="0.0.0.1", window_start=utcnow() + timedelta(hours=3),
                     defects=[], **overrides)
    for i, (severity, blocking) in enumerate(defects):
        data.update({f"defects-{i}-defect_id": f"DEF-{i + 1}", f"defects-{i}-severity": severity,
                     f"defects-{i}-summary": "Inbound queue stalls", f"defects-{i}-found_in_id": sit_a})
        if blocking:
            data[f"defects-{i}-blocking"] = "y"
    return data


@pytest.mark.parametrize("defects, evidence, refused", [
    ([("High", False)], "Component tests passed in DEV", "defects"),
    ([("Medium", False), ("Low", False)], "Component tests passed in DEV", "defects"),
    ([("Critical", False)], "", "dev_test_evidence"),
    ([("Critical", False)], "Component tests passed in DEV", None),
    ([("High", True)], "Component tests passed in DEV", None),  # blocking, though not Critical
    ([("Low", False), ("Critical", False)], "Component tests passed in DEV", None),
])
def test_rcm_12_8_an_emergency_needs_a_critical_or_blocking_defect_and_dev_test_evidence(
        app, as_user, defects, evidence, refused):
    """RCM §12.8: Emergency releases "should be related to critical or blocking defects"; Table 10 step 1's output is
    "evidence of testing completed in development environments"."""
    dip = as_user("dip@demo.test")
    data = emergency_form(app, defects, dev_test_evidence=evidence)
    response = dip.post("/rfcs/new", {**data, "action": "submit"})
    with app.app_context():
        saved = db.session.scalar(select(Rfc))
        status, typed = saved.status, (saved.dev_test_evidence, [(d.severity, d.blocking) for d in saved.defects])
    if refused is None:
        assert response.status_code == 303 and status == RfcStatus.SUBMITTED
        return
    page = response.get_data(as_text=True)
    assert status == RfcStatus.DRAFT and typed == (evidence, defects)  # nothing typed is lost
    messages = {"defects": "An Emergency release fixes at least one defect of Critical severity or marked blocking "
                           "(RCM §12.8)",
                "dev_test_evidence": "An Emergency release needs the evidence of testing completed in development "
                                     "environments (RCM §12.8, Table 10 step 1)."}
    assert f'id="{refused}-error"' in page and messages[refused] in page.split(f'id="{refused}-error"')[1][:400]


def test_rcm_12_8_table_10_control_points_outside_the_three_steps_are_not_applicable_by_themselves(app, as_user):
    """RCM §12.8, Table 10: an Emergency's process is plan/build/test, deployment, review and closure; control
    points 4 and 5 of Table 9 are not in it, so they are not applicable with the reason, by no one's hand."""
    with app.app_context():
        emergency = make_rfc(release_type=EMERGENCY, version="0.0.0.1", window_start=utcnow() + timedelta(hours=3),
                             gate=False, defects=[{"defect_id": "DEF-9", "severity": "Critical", "summary": "Stall",
                                                   "found_in_id": env_ids("SIT-A")[0]}])
        minor = make_rfc(gate=False)
        points = {c.number: c for c in db.session.scalars(select(ControlPoint).where(ControlPoint.rfc_id == emergency))}
        assert {n for n, c in points.items() if c.not_applicable} == set(EMERGENCY_NOT_APPLICABLE) == {4, 5}
        assert all(points[n].by_id is None and "RCM §12.8, Table 10" in points[n].note for n in (4, 5))
        assert not db.session.scalars(select(ControlPoint).where(ControlPoint.rfc_id == minor,
                                                                 ControlPoint.not_applicable)).all()
    page = as_user("rm.sit@demo.test").get(f"/rfcs/{emergency}").get_data(as_text=True)
    assert "Not part of the Emergency release process" in page


def approved_emergency(app, days_ago=0):
    with app.app_context():
        emergency = make_rfc(release_type=EMERGENCY, version="0.0.0.1", window_start=utcnow() + timedelta(hours=3),
                             defects=[{"defect_id": "DEF-9", "severity": "Critical", "summary": "Inbound queue stalls",
                                       "found_in_id": env_ids("SIT-A")[0]}])
        approve(emergency, "rm.sit@demo.test")
        rfc = db.session.get(Rfc, emergency)
        rfc.window_start -= timedelta(days=days_ago)  # its age
        rfc.window_end -= timedelta(days=days_ago)
        db.session.commit()
    return emergency


@pytest.mark.parametrize("carried, reason, submitted", [
    (False, "", False),  # neither carried nor explained: refused next to the reason, nothing lost
    (True, "", True),    # the emergency's defect listed: carried
    (False, "DEF-9 was fixed differently in 0.1.0.0's new queue module; no code of 0.0.0.1 remains.", True),
])
def test_rcm_12_8_nb_the_next_regular_release_carries_the_emergency_or_says_why_not(
        app, as_user, carried, reason, submitted):
    """RCM §12.8 NB: "All emergency patches/hotfixes must be included into the next available release"; the emergency
    stays "not carried" on its RFC, the environments page and the weekly report until then, whatever its age."""
    emergency = approved_emergency(app, days_ago=200)  # older than the 90 days the warning used to last
    with app.app_context():
        system_name = db.session.get(Rfc, emergency).system.name
    dip, rm = as_user("dip@demo.test"), as_user("rm.sit@demo.test")
    # Read first, as a busy process has them (kept per process): the submission below must still be seen.
    home = rm.get("/").get_data(as_text=True).split('id="emergencies"')[1].split("</section>")[0]
    assert f"RFC-{emergency:06d}" in home and "DEF-9" in home
    assert "emergency release" in dip.get("/environments").get_data(as_text=True)
    data = form_data(app, version="0.1.0.0", defects=[], not_carried_reason=reason)
    if carried:
        data = {**data, **{"defects-0-defect_id": "DEF-9", "defects-0-severity": "Critical",
                           "defects-0-summary": "Inbound queue stalls",
                           "defects-0-found_in_id": data["environment_ids"][0]}}
    response = dip.post("/rfcs/new", {**data, "action": "submit"})
    with app.app_context():
        regular = db.session.scalar(select(Rfc).where(Rfc.id != emergency))
        assert regular.status == (RfcStatus.SUBMITTED if submitted else RfcStatus.DRAFT)
        assert regular.not_carried_reason == reason and regular.title == data["title"]
    pages = (dip.get(f"/rfcs/{emergency}"), dip.get("/environments"), rm.get("/reports/weekly"))
    texts = [p.get_data(as_text=True) for p in pages]
    assert all(p.status_code == 200 for p in pages)
    home = rm.get("/").get_data(as_text=True).split('id="emergencies"')[1].split("</section>")[0]
    if submitted:
        assert response.status_code == 303 \
            and not any("DEF-9 not carried" in t or "not yet carried" in t for t in texts)
        assert f"RFC-{emergency:06d}" not in home and "None." in home
        assert "None: every emergency fix is in a later regular release, or its absence is explained." in texts[2]
        return
    page = response.get_data(as_text=True)
    assert 'id="not_carried_reason-error"' in page
    assert f"RFC-{emergency:06d} (0.0.0.1) fixed DEF-9" in page.split('id="not_carried_reason-error"')[1][:400]
    assert "Emergency fix not yet carried forward" in texts[0]
    assert "not yet carried into a later regular release" in texts[1]
    assert f"{system_name}: emergency release RFC-{emergency:06d} (0.0.0.1) fixed DEF-9" in texts[1]
    assert f"RFC-{emergency:06d}" in home and "DEF-9" in home
    assert "DEF-9 not carried into a later regular release (RCM §12.8)" in texts[2]


def test_rcm_12_8_nb_an_emergency_is_offered_pre_filled_to_the_next_minor(app, as_user):
    """RCM §12.8 NB: the form offers the emergency's defects, and carrying them fills the rows in."""
    emergency = approved_emergency(app)
    dip = as_user("dip@demo.test")
    with app.app_context():
        from tests.rfcs.factory import system_id
        dip_id = system_id("DIP")
    hint = dip.get(f"/rfcs/version-hint?system_id={dip_id}&release_type=Minor&propose=1").get_data(as_text=True)
    assert "fixed DEF-9" in hint and f'value="carry:{emergency}"' in hint
    page = dip.post("/rfcs/new", {**form_data(app, version="0.1.0.0", defects=[]), "action": f"carry:{emergency}"},
                    htmx=True).get_data(as_text=True)
    assert 'value="DEF-9"' in page and 'value="Inbound queue stalls"' in page


@pytest.mark.parametrize("email, tests_in, allowed", [
    ("supplier@demo.test", ("SIT-A",), True),            # a Test Participant that tests in SIT-A
    ("supplier@demo.test", ("SIT-B", "UIT"), False),     # ... that tests elsewhere only
    ("supplier@demo.test", (), False),
    ("mprs@demo.test", ("SIT-A",), True),                # any organisation that tests there, a Central Party too
    ("mprs@demo.test", (), False),
    ("dip@demo.test", (), True),                         # the raising Central Party still may
    ("rm.uit@demo.test", (), True),                      # and Release Managers
])
def test_rcm_14_retests_are_recorded_by_whoever_tests_in_the_environment_where_the_defect_was_found(
        app, as_user, email, tests_in, allowed):
    """RCM §14: the Tester and each participant's Test Defect Manager retest and close defects: a user of any
    organisation that tests in the environment where the defect was found records the result there."""
    from mhhs.directory.models import Environment, User
    from mhhs.rfcs.models import Defect
    from mhhs.rfcs.states import RfcStatus as S
    from tests.rfcs.factory import approved_earlier, deploy
    with app.app_context():
        rfc_id = approved_earlier(make_rfc(environments=("SIT-A",)))
        deploy(rfc_id, "SIT-A", S.DEPLOYED)
        defect_id = db.session.scalar(select(Defect.id).where(Defect.rfc_id == rfc_id))
        organisation = db.session.scalar(select(User).where(User.email == email)).organisation
        organisation.tests_in = db.session.scalars(select(Environment).where(Environment.name.in_(tests_in))).all()
        db.session.commit()
    client = as_user(email)
    page = client.get(f"/retests?environment={env_ids_in(app, 'SIT-A')}").get_data(as_text=True)
    assert ("Record retest" in page) == allowed
    response = client.post(f"/defects/{defect_id}/retest", {f"defect-{defect_id}-result": "passed"})
    assert response.status_code == (303 if allowed else 403)
    with app.app_context():
        assert len(db.session.get(Defect, defect_id).retests) == (1 if allowed else 0)


def env_ids_in(app, name):
    with app.app_context():
        return env_ids(name)[0]


def test_rcm_14_release_managers_keep_the_environments_an_organisation_tests_in(app, as_user):
    """RCM §14: the organisation × environment where it tests is data a Release Manager keeps (and only they)."""
    from mhhs.directory.models import Organisation
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Brightmeter Services"))
        org_id, sit_a, uit = org.id, env_ids("SIT-A")[0], env_ids("UIT")[0]
    rm = as_user("rm.sit@demo.test")
    form = {"name": "Brightmeter Services", "kind": "test_participant", "mpids": "BMSV",
            "tests_in_ids": [str(sit_a), str(uit)]}
    assert rm.post(f"/organisations/{org_id}/edit", form).status_code == 303
    with app.app_context():
        assert [e.name for e in db.session.get(Organisation, org_id).tests_in] == ["SIT-A", "UIT"]
    assert "SIT-A, UIT" in rm.get("/organisations").get_data(as_text=True)
    assert as_user("supplier@demo.test").post(f"/organisations/{org_id}/edit", form).status_code == 403


@pytest.mark.parametrize("system, environments, refused", [
    ("DSP", ("SIT-A",), None),
    ("DSP", ("SIT-B",), "DSP is not present in SIT-B: it runs in SIT-A"),
    ("CSS", ("SIT-A", "UIT"), "CSS is not present in UIT: it runs in SIT-A"),
    ("DTN", ("SIT-A",), "DTN is not present in SIT-A: it runs in no test environment"),
])
def test_eap_9_3_5_an_rfc_targets_only_environments_where_its_system_is_present(app, as_user, system, environments,
                                                                                refused):
    """EAP §9.3.5-§9.3.6, §9.8.2, §10.3.1: DCC offers a single test instance (SIT-A here), Electralink none; an RFC
    for a system where it does not run would make false clashes, drift and version proposals."""
    from mhhs.core.passwords import hash_password
    from mhhs.core.permissions import Role
    from mhhs.directory.models import System, User
    with app.app_context():
        owner = db.session.scalar(select(System).where(System.name == system)).organisation
        db.session.add(User(email="cp@dcc.test", name="Dee Collins", role=Role.CENTRAL_PARTY, organisation_id=owner.id,
                            password_hash=hash_password("demo-pass")))
        db.session.commit()
    data = form_data(app, system=system, version="9.1.0.0", environments=environments)
    response = as_user("cp@dcc.test").post("/rfcs/new", {**data, "action": "submit"})
    if refused is None:
        assert response.status_code == 303
        return
    page = response.get_data(as_text=True)
    assert 'id="environment_ids-error"' in page and refused in page.split('id="environment_ids-error"')[1][:300]
    with app.app_context():
        assert db.session.scalar(select(Rfc)).status == RfcStatus.DRAFT


def test_rcm_12_8_the_rfc_page_shows_the_evidence_the_blocking_flag_and_why_fixes_are_not_carried(app, as_user):
    """RCM §12.8: what the Emergency was accepted on, and a regular release's reason for not carrying, are read
    on the RFC's page."""
    approved_emergency(app)
    dip = as_user("dip@demo.test")
    with app.app_context():
        blocked = make_rfc(release_type=EMERGENCY, version="0.0.0.2", window_start=utcnow() + timedelta(hours=3),
                           defects=[{"defect_id": "DEF-7", "severity": "High", "summary": "Stall", "blocking": True,
                                     "found_in_id": env_ids("SIT-A")[0]}])
        regular = make_rfc(version="0.1.0.0", not_carried_reason="Superseded by the new queue module")
    page = dip.get(f"/rfcs/{blocked}").get_data(as_text=True)
    assert "Unit and component tests passed in DEV" in page and "blocking</span>" in page
    assert "Superseded by the new queue module" in dip.get(f"/rfcs/{regular}").get_data(as_text=True)


def test_the_carry_overs_kept_per_process_move_with_what_they_rest_on_only(app):
    """The carry-overs are read once per process and again when their counter moves: an emergency's approval or a
    defect moves it (so every page sees the change); a title, or a regular release's approval (the commonest
    writes), does not (writers do not queue on it)."""
    def counter():
        return db.session.scalar(select(ChangeCounter.value).where(ChangeCounter.name == CARRY_OVERS)) or 0

    with app.app_context():
        emergency = make_rfc(release_type=EMERGENCY, version="0.0.0.1", window_start=utcnow() + timedelta(hours=3))
        regular = make_rfc(version="0.1.0.0")
        before = counter()
        rfc = db.session.get(Rfc, emergency)
        rfc.title = "Another title"
        db.session.commit()
        assert counter() == before
        approve(emergency, "rm.sit@demo.test")
        assert db.session.get(Rfc, emergency).status == RfcStatus.APPROVED and counter() == before + 1
        approve(regular, "rm.sit@demo.test")
        assert db.session.get(Rfc, regular).status == RfcStatus.APPROVED and counter() == before + 1
        db.session.get(Rfc, emergency).defects[0].summary = "Reworded"
        db.session.commit()
        assert counter() == before + 2


def test_the_schedule_counter_moves_with_what_the_schedule_shows_of_an_rfc_only(app):
    """The WINDOWS counter (what pages that keep the schedule per process watch) moves with an RFC's status, window
    or environments and with a deployment; a change to its texts does not (writers do not queue on it)."""
    def counter():
        return db.session.scalar(select(ChangeCounter.value).where(ChangeCounter.name == WINDOWS)) or 0

    with app.app_context():
        rfc_id = make_rfc(version="0.1.0.0")
        before = counter()
        rfc = db.session.get(Rfc, rfc_id)
        rfc.reason = "Reworded"
        db.session.commit()
        assert counter() == before
        approve(rfc_id, "rm.sit@demo.test")
        assert db.session.get(Rfc, rfc_id).status == RfcStatus.APPROVED and counter() == before + 1
        rfc = db.session.get(Rfc, rfc_id)
        rfc.environments.append(db.session.get(Environment, env_ids("UIT")[0]))
        db.session.commit()
        assert counter() == before + 2
        approved_earlier(rfc_id)  # its window moved into the past
        assert counter() == before + 3
        deploy(rfc_id, "SIT-A", RfcStatus.DEPLOYED)  # the deployment, and the baseline cell it moves
        assert counter() > before + 3
