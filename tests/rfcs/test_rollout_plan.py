"""The rollout plan (RCM 4.1, Table 10 step 2): resources required, timings, communications required and the
runbook reference are fields of the RFC's plan, required for Major and Minor releases and optional for a Patch; on
the form, the page, the PDF, the API (OpenAPI) and the revision diff."""
import pytest
from sqlalchemy import select

from mhhs.extensions import db
from mhhs.rfcs import rules, services
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import ReleaseType, RfcStatus
from tests.helpers import pdf_pages, rfc_body
from tests.rfcs.factory import content, form_data, make_rfc, user

ROLLOUT = ("resources_required", "timings", "communications_required", "runbook_reference")


@pytest.mark.parametrize("release_type, version, left_out, refused", [
    (ReleaseType.MINOR, "1.1.0.0", "resources_required", True),
    (ReleaseType.MINOR, "1.1.0.0", "timings", True),
    (ReleaseType.MAJOR, "2.0.0.0", "communications_required", True),
    (ReleaseType.MAJOR, "2.0.0.0", "runbook_reference", True),
    (ReleaseType.PATCH, "1.0.1.0", "resources_required", False),
    (ReleaseType.PATCH, "1.0.1.0", "runbook_reference", False),
])
def test_rcm_4_1_the_rollout_plan_is_required_for_major_and_minor_and_optional_for_a_patch(
        app, release_type, version, left_out, refused):
    """RCM 4.1, Table 10 step 2: "optional for Patch, required for Major and Minor" (states.ROLLOUT_PLAN_REQUIRED)."""
    with app.app_context():
        rfc = Rfc(revision=0)
        services.save_draft(user("dip@demo.test"), rfc, {**content(release_type=release_type, version=version),
                                                         left_out: "  "})
        problems = rules.rollout_plan_problems(rfc)
        assert (left_out in problems) is refused
        if refused:
            assert f"A {release_type.value} release's rollout plan needs it (RCM 4.1, Table 10)." in problems[left_out]
        assert set(problems) <= {left_out}


def test_rcm_4_1_a_minor_without_timings_is_refused_by_the_field_keeping_what_was_typed(app, as_user):
    """Bad input: the message next to Timings, the runbook typed kept, nothing submitted."""
    data = {**form_data(app), "timings": "", "runbook_reference": "RB-DIP-77", "action": "submit"}
    page = as_user("dip@demo.test").post("/rfcs/new", data).get_data(as_text=True)
    assert "Give the rollout&#39;s timings" in page.split('id="timings-error"')[1][:300]
    assert 'value="RB-DIP-77"' in page
    with app.app_context():
        assert db.session.scalar(select(Rfc.status)) == RfcStatus.DRAFT


def test_rcm_4_1_the_rollout_plan_is_on_the_page_the_pdf_and_the_revision_diff(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(runbook_reference="RB-DIP-1.1", timings="T+0 deploy; T+40 smoke test")
    sit, dip = as_user("rm.sit@demo.test"), as_user("dip@demo.test")
    page = dip.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert "<dt>Runbook reference</dt><dd>RB-DIP-1.1</dd>" in page and "T+0 deploy; T+40 smoke test" in page
    _, pages = pdf_pages(dip.get(f"/rfcs/{rfc_id}/pdf"))
    text = " ".join(" ".join(pages).split())
    for words in ("Resources required Release engineer and on-call support", "Timings T+0 deploy; T+40 smoke test",
                  "Communications required Start and end messages to SIT participants",
                  "Runbook reference RB-DIP-1.1"):
        assert words in text
    sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "request_changes", "comment": "Give the rollback timings"})
    data = form_data(app, runbook_reference="RB-DIP-1.1", timings="T+0 deploy; T+40 smoke test; T+60 rollback")
    assert dip.post(f"/rfcs/{rfc_id}/edit", {**data, "action": "submit"}).status_code == 303
    revision = dip.get(f"/rfcs/{rfc_id}/revisions/2").get_data(as_text=True)
    assert "Changed since revision 1 (highlighted): <strong>timings</strong>." in revision
    row = sit.get("/approvals").get_data(as_text=True).split(f'id="queue-rfc-{rfc_id}"')[1].split("</tr>")[0]
    assert "revision 2 — timings changed" in row


def test_rcm_4_1_the_api_takes_and_describes_the_rollout_plan(app, api, make_token):
    secret = make_token()
    schema = app.test_client().get("/api/v1/openapi.json").json["components"]["schemas"]["Rfc"]["properties"]
    assert set(ROLLOUT) <= set(schema)
    created = api("POST", "/rfcs", secret, rfc_body(runbook_reference="RB-API-9", timings="T+0 deploy",
                                                       resources_required="", communications_required=""))
    assert created.status_code == 201 and created.json["runbook_reference"] == "RB-API-9"
    problems = api("POST", f"/rfcs/{created.json['id']}/submit", secret).json["errors"]
    assert {p["field"] for p in problems} == {"resources_required", "communications_required"}
