"""The readiness pages as people use them: refusals by the field with what was typed kept, the report page, the
board's region, the heat map and the outage form pre-filled from an amber check."""
import io
import re
from datetime import datetime, timedelta

from mhhs.core.time import utcnow
from mhhs.extensions import db
from mhhs.participants.models import Route
from mhhs.readiness import counts, criteria, health
from mhhs.readiness.models import CriterionMark, HealthCheck
from tests.readiness.factory import environment, make_criterion, make_participant, report, system, user


def _setup(app):
    with app.app_context():
        participant = make_participant()
        criterion = make_criterion("Test data loaded and verified", evidence_required=True)
        make_criterion("Connectivity to SIT-A", derived="connectivity", environment_id=environment("SIT-A").id)
        return participant.id, criterion.id


def test_the_matrix_shows_each_participant_against_each_criterion(app, as_user):
    _setup(app)
    page = as_user("rm.sit@demo.test").get("/readiness?phase=sit").get_data(as_text=True)
    assert "Northwold Energy" in page and "Not ready (2 open)" in page
    assert "0 of 1 participant ready for SIT" in page
    assert "From the data: Connectivity signed off (SIT-A)" in page


def test_the_matrix_shows_a_page_of_participants_filtered_by_readiness_with_the_counts_of_all(app, as_user):
    with app.app_context():
        criterion = make_criterion("Test plan agreed")  # by hand, without evidence
        for n in range(30):
            participant = make_participant(f"Participant {n:02d}")
            if n < 4:  # these four are ready
                db.session.add(CriterionMark(criterion_id=criterion.id, participant_id=participant.id, mark="met",
                                             note="", by_id=user("rm.sit@demo.test").id, at=utcnow()))
        db.session.commit()
    client = as_user("rm.sit@demo.test")
    first = client.get("/readiness?phase=sit").text
    assert "4 of 30 participants ready for SIT" in first
    assert "All (30)" in first and "Not ready (26)" in first and "Ready without waivers (4)" in first
    assert first.count('class="badge readiness-') == 25  # a page: the app's PER_PAGE
    second = client.get("/readiness?phase=sit&page=2").text
    assert second.count('class="badge readiness-') == 5 and "Participant 29" in second
    assert "Participant 00" not in second
    ready = client.get("/readiness?phase=sit&show=ready").text
    assert ready.count('class="badge readiness-ready"') == 4 and "Participant 03" in ready
    assert "Participant 10" not in ready
    region = client.get("/readiness?phase=sit&show=not-ready", htmx=True).text
    assert 'id="readiness-participants"' not in region and "<html" not in region  # its content, swapped into it
    assert region.count('class="badge readiness-not-ready"') == 25


def test_the_matrix_kept_per_process_shows_each_write_at_the_next_request(app, as_user):
    """The matrix is worked out once and kept until what readiness reads changes: a mark met, reopened, a criterion
    added or a participant's standing data declared must each show on the very next page, not after a restart."""
    participant_id, criterion_id = _setup(app)
    manager, supplier = as_user("rm.sit@demo.test"), as_user("supplier@demo.test")
    assert "Not ready (2 open)" in manager.get("/readiness?phase=sit").text  # read and kept
    assert supplier.post(f"/readiness/participants/{participant_id}/criteria/{criterion_id}/meet",
                         {f"c{criterion_id}-meet-note": "Loaded"}).status_code == 303
    met = manager.get("/readiness?phase=sit").text
    assert "Not ready (1 open)" in met and 'class="badge state-met"' in met
    assert manager.post(f"/readiness/participants/{participant_id}/criteria/{criterion_id}/reopen").status_code == 303
    reopened = manager.get("/readiness?phase=sit").text
    assert "Not ready (2 open)" in reopened and 'class="badge state-met"' not in reopened
    assert manager.post("/readiness/criteria/new", {"phase": "sit", "text": "Standing data loaded", "kind": "",
                                                    "market_role_id": "", "derived": "standing_data",
                                                    "environment_id": ""}).status_code == 303
    added = manager.get("/readiness?phase=sit").text
    assert "Not ready (3 open)" in added and "Industry Standing Data not declared loaded." in added
    assert supplier.post(f"/readiness/participants/{participant_id}/standing-data",
                         {"loaded_on": criteria.today_in_london().isoformat()}).status_code == 303
    assert "Not ready (2 open)" in manager.get("/readiness?phase=sit").text


def test_the_kept_matrix_is_read_again_as_it_stands_at_another_moment(app):
    """What time alone changes (a waiver's last day passing at London midnight) is never hidden by the copy kept per
    process: asked for a later moment, the phase is read as it stands then."""
    participant_id, criterion_id = _setup(app)
    with app.app_context():
        today = criteria.today_in_london()
        db.session.add(CriterionMark(criterion_id=criterion_id, participant_id=participant_id, mark="waived",
                                     note="Slips", waived_until=today, by_id=user("rm.sit@demo.test").id,
                                     at=utcnow()))
        db.session.commit()
        now = counts.phase_summary(Route.SIT).participants[0]
        assert now.label == "Not ready (1 open)" and [c.state for c in now.cells] == ["waived", "open"]
        later = counts.phase_summary(Route.SIT, utcnow() + timedelta(days=2)).participants[0]
        assert later.label == "Not ready (2 open)" and later.cells[0].why == f"Waiver expired on {today:%d %b %Y}."
        assert counts.phase_summary(Route.SIT) == counts.phase_summary(Route.SIT, utcnow())


def test_a_participant_meets_a_criterion_with_evidence_and_a_missing_one_is_refused_by_the_field(app, as_user):
    participant_id, criterion_id = _setup(app)
    supplier = as_user("supplier@demo.test")
    url = f"/readiness/participants/{participant_id}/criteria/{criterion_id}/meet"
    refused = supplier.post(url, {f"c{criterion_id}-meet-note": "  "})
    assert refused.status_code == 200
    assert re.search(r'id="c\d+-meet-note-error" class="field-error">This criterion needs evidence', refused.text)
    with app.app_context():
        assert db.session.query(CriterionMark).count() == 0
    assert supplier.post(url, {f"c{criterion_id}-meet-note": "12,000 MPANs loaded, checks attached"}).status_code == 303
    page = supplier.get(f"/readiness/participants/{participant_id}").get_data(as_text=True)
    assert "12,000 MPANs loaded" in page and "Not ready (1 open)" in page


def test_a_waiver_with_a_past_end_is_refused_by_the_field_keeping_the_reason(app, as_user):
    participant_id, criterion_id = _setup(app)
    yesterday = (criteria.today_in_london() - timedelta(days=1)).isoformat()
    response = as_user("rm.sit@demo.test").post(
        f"/readiness/participants/{participant_id}/criteria/{criterion_id}/waive",
        {f"c{criterion_id}-waive-reason": "Load slips a week", f"c{criterion_id}-waive-until": yesterday})
    assert response.status_code == 200
    assert "last day is in the past" in response.text
    assert "Load slips a week" in response.text


def test_standing_data_declared_by_the_participant(app, as_user):
    participant_id, _ = _setup(app)
    today = criteria.today_in_london().isoformat()
    supplier = as_user("supplier@demo.test")
    assert supplier.post(f"/readiness/participants/{participant_id}/standing-data",
                         {"loaded_on": today}).status_code == 303
    assert "Declared loaded on" in supplier.get(f"/readiness/participants/{participant_id}").text


def _pair_key(app, system_name="DIP", environment_name="SIT-A"):
    with app.app_context():
        return f"{system(system_name).id}-{environment(environment_name).id}"


def test_the_central_party_reports_its_systems_on_one_page(app, as_user):
    dip = as_user("dip@demo.test")
    page = dip.get("/readiness/health/report").text
    assert "DIP" in page and "MPRS" not in page  # St Clements' system is not Avanade's to report
    key, staging = _pair_key(app), _pair_key(app, environment_name="SIT Staging")
    refused = dip.post("/readiness/health/report", {"day": criteria.today_in_london().isoformat(),
                                                    f"{key}-health": "amber", f"{key}-note": ""})
    assert refused.status_code == 200 and "Say what is wrong with DIP in SIT-A" in refused.text
    response = dip.post("/readiness/health/report", {"day": criteria.today_in_london().isoformat(),
                                                     f"{key}-health": "amber", f"{key}-note": "Acks slow",
                                                     f"{staging}-health": "green"})
    assert response.status_code == 303
    with app.app_context():
        assert sorted(c.health.value for c in db.session.query(HealthCheck)) == ["amber", "green"]


def test_a_forged_row_for_another_organisations_system_is_404_and_nothing_is_reported(app, as_user):
    key = _pair_key(app, "MPRS")
    response = as_user("dip@demo.test").post("/readiness/health/report", {
        "day": criteria.today_in_london().isoformat(), f"{key}-health": "green"})
    assert response.status_code == 404  # as if St Clements' system were not there
    with app.app_context():
        assert db.session.query(HealthCheck).count() == 0


def test_a_future_day_is_refused_on_the_page(app, as_user):
    key = _pair_key(app)
    tomorrow = (criteria.today_in_london() + timedelta(days=1)).isoformat()
    response = as_user("dip@demo.test").post("/readiness/health/report", {"day": tomorrow, f"{key}-health": "green"})
    assert "That day is still to come" in response.text


def test_an_amber_check_offers_an_outage_pre_filled(app, as_user):
    with app.app_context():
        report(level="amber", note="Acks slow")
        environment_id, system_id = environment("SIT-A").id, system("DIP").id
    dip = as_user("dip@demo.test")
    page = dip.get("/readiness/health").text
    link = re.search(r'href="(/outages/new\?[^"]+)"', page).group(1).replace("&amp;", "&")
    form = dip.get(link).text
    assert re.search(rf'<option selected value="{environment_id}">|<option value="{environment_id}" selected',
                     form)
    assert re.search(rf'checked[^>]*value="{system_id}"|value="{system_id}"[^>]*checked', form)
    assert "Amber in the morning health check: Acks slow" in form


def test_the_board_shows_todays_health_beside_the_outages(app, as_user):
    with app.app_context():
        report(level="red", note="Queue stuck")
        report("mprs@demo.test", "MPRS", "SIT-A", note="Batch ran at 06:00")
    page = as_user("supplier@demo.test").get("/outages").text
    assert "Morning health check" in page and "Queue stuck" in page
    # Under the board, what needs a look (not green, or missing): a green check is counted, not listed.
    assert "Batch ran at 06:00" not in page and "1 green, 0 amber, 1 red" in page
    # The tiles are the outage log's: a red check beside an "all up" tile says why both are true.
    assert "an amber or red check is not an outage until one is logged" in page
    assert "Batch ran at 06:00" in as_user("supplier@demo.test").get("/readiness/health").text


def test_the_heat_map_reads_each_day(app, as_user):
    with app.app_context():
        report(level="amber", note="Acks slow")
        system_id = system("DIP").id
        today = criteria.today_in_london()
    page = as_user("supplier@demo.test").get(f"/readiness/health/systems/{system_id}").text
    assert f'title="{today:%a %d %b %Y}: Amber – Acks slow">Amber</td>' in page


def test_the_deadline_is_set_on_the_health_page(app, as_user):
    assert as_user("rm.sit@demo.test").post("/readiness/health/deadline", {"due": "10:00"}).status_code == 303
    with app.app_context():
        assert health.deadline().strftime("%H:%M") == "10:00"
    assert "by 10:00" in as_user("dip@demo.test").get("/readiness/health").text


def test_evidence_as_a_file_is_kept_and_downloaded_by_the_participant_and_managers_only(app, as_user):
    participant_id, criterion_id = _setup(app)
    supplier = as_user("supplier@demo.test")
    url = f"/readiness/participants/{participant_id}/criteria/{criterion_id}/meet"
    response = supplier.post(url, {f"c{criterion_id}-meet-file": (io.BytesIO(b"12,000 MPANs"), "load-report.csv")},
                             content_type="multipart/form-data")
    assert response.status_code == 303
    evidence = f"/readiness/participants/{participant_id}/criteria/{criterion_id}/evidence"
    assert supplier.get(evidence).data == b"12,000 MPANs"
    assert as_user("rm.sit@demo.test").get(evidence).data == b"12,000 MPANs"
    assert as_user("dip@demo.test").get(evidence).status_code == 404


def test_a_criterion_is_kept_on_its_form_and_a_derived_one_without_its_environment_is_refused_by_the_field(
        app, as_user):
    manager = as_user("rm.sit@demo.test")
    refused = manager.post("/readiness/criteria/new", {"phase": "sit", "text": "Connectivity to SIT-A", "kind": "",
                                                       "market_role_id": "", "derived": "connectivity",
                                                       "environment_id": ""})
    assert refused.status_code == 200
    assert 'id="environment_id-error" class="field-error">Choose the central environment' in refused.text
    assert "Connectivity to SIT-A" in refused.text  # what was typed is kept
    with app.app_context():
        sit_a = environment("SIT-A").id
    assert manager.post("/readiness/criteria/new", {"phase": "sit", "text": "Connectivity to SIT-A", "kind": "",
                                                    "market_role_id": "", "derived": "connectivity",
                                                    "environment_id": sit_a}).status_code == 303
    assert "From the data: Connectivity signed off (SIT-A)" in manager.get("/readiness?phase=sit").text


def test_todays_checks_kept_per_viewer_show_the_next_change_and_never_another_viewers_links(app, as_user,
                                                                                             monkeypatch):
    """Today's checks are rendered once per process per viewer (readiness.views._today): a check reported, the
    deadline moved and the deadline passing each show on the very next page; the links to log an outage of a system
    are only for who reports on it (a Release Manager, its Central Party), never handed on from their copies."""
    dip, supplier, manager = as_user("dip@demo.test"), as_user("supplier@demo.test"), as_user("rm.sit@demo.test")
    monday = datetime(2024, 12, 2, 8, 0)  # 08:00 in London (a business day every environment is open), before 09:30
    monkeypatch.setattr("mhhs.readiness.views.utcnow", lambda: monday)
    for viewer in (dip, supplier, manager):
        page = viewer.get("/readiness/health").text
        assert "Due by 09:30 today." in page and "Acks slow" not in page  # read and kept
    key = _pair_key(app)
    reported = dip.post("/readiness/health/report", {"day": criteria.today_in_london(monday).isoformat(),
                                                     f"{key}-health": "amber", f"{key}-note": "Acks slow"})
    assert reported.status_code == 303
    log_outage = "Log an outage<span class=\"visually-hidden\"> of DIP in SIT-A"
    for viewer, offered in ((dip, True), (manager, True), (supplier, False), (as_user("mprs@demo.test"), False)):
        page = viewer.get("/readiness/health").text
        assert "Acks slow" in page and (log_outage in page) == offered
    assert manager.post("/readiness/health/deadline", {"due": "10:00"}).status_code == 303
    assert "Due by 10:00 today." in supplier.get("/readiness/health").text
    monkeypatch.setattr("mhhs.readiness.views.utcnow", lambda: monday + timedelta(hours=2, minutes=1))
    assert "missing</strong> after the 10:00 deadline" in supplier.get("/readiness/health").text  # time alone


def test_the_kept_participants_of_the_matrix_show_the_next_change_and_only_to_release_managers(app, as_user):
    """The matrix's participants are rendered once per process per query string (readiness.views._participants): a
    mark met shows on the very next page, whole or swapped in by the filter; a Central Party or a Test Participant
    asking the same is refused, not handed the Release Manager's copy."""
    participant_id, criterion_id = _setup(app)
    manager, supplier = as_user("rm.sit@demo.test"), as_user("supplier@demo.test")
    for url in ("/readiness?phase=sit", "/readiness?phase=sit&show=not-ready"):  # read and kept
        assert "Not ready (2 open)" in manager.get(url).text
    assert supplier.post(f"/readiness/participants/{participant_id}/criteria/{criterion_id}/meet",
                         {f"c{criterion_id}-meet-note": "Loaded"}).status_code == 303
    assert "Not ready (1 open)" in manager.get("/readiness?phase=sit").text
    assert "Not ready (1 open)" in manager.get("/readiness?phase=sit&show=not-ready", htmx=True).text
    for viewer in (supplier, as_user("dip@demo.test")):
        response = viewer.get("/readiness?phase=sit")
        assert response.status_code == 403 and "Not ready (1 open)" not in response.text


def test_the_kept_criteria_carry_each_request_its_own_csrf_token_and_remove_without_javascript(app, as_user):
    """The phase's criteria are rendered once per process (readiness.views._criteria) with a slot for the CSRF token:
    each Release Manager's page carries that request's own token (never the first viewer's), and the form's plain
    post (no JavaScript) removes the criterion, gone from the very next page."""
    _setup(app)
    tokens = {}
    for email in ("rm.sit@demo.test", "rm.uit@demo.test"):
        page = as_user(email).get("/readiness?phase=sit").text
        header = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        forms = re.findall(r'name="csrf_token" value="([^"]*)"', page)
        assert len(forms) == 2 and set(forms) == {header}  # a remove form per criterion, with this request's token
        tokens[email] = header
    assert tokens["rm.sit@demo.test"] != tokens["rm.uit@demo.test"]
    manager = as_user("rm.sit@demo.test")
    page = manager.get("/readiness?phase=sit").text
    action = re.search(r'<form method="post" action="([^"]+/remove)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)
    assert manager.post(action, {"csrf_token": token}, csrf=False).status_code == 303
    assert "Test data loaded and verified" not in manager.get("/readiness?phase=sit").text
