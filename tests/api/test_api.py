"""The pipeline API: tokens and their scopes, every endpoint through the same rules as the pages, problem details
for every kind of bad input, idempotent creates, conditional polls, the audit trail and the OpenAPI description."""
import base64
import hashlib
import json
import sqlite3
from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from openapi_spec_validator import validate
from sqlalchemy import event, func, select

from mhhs.api import schemas
from mhhs.api import services as tokens
from mhhs.api.permissions import SCOPES
from mhhs.audit.models import AuditEvent
from mhhs.core.permissions import Role
from mhhs.core.time import utcnow
from mhhs.extensions import db
from mhhs.outages.models import Outage
from mhhs.rfcs.models import Rfc
from tests.certificates.factory import key, make_x509
from tests.helpers import iso, rfc_body
from tests.rfcs.factory import approve, approved_earlier, make_rfc, meet_approval_gate, user

ALL = list(SCOPES)
PROBLEM = "application/problem+json"


def fields(response):
    assert response.status_code == 422 and response.content_type == PROBLEM, response.get_data(as_text=True)
    return {e["field"]: e["detail"] for e in response.json["errors"]}


def rfc_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Rfc))


# Tokens ---------------------------------------------------------------------------------------

def test_a_token_is_made_on_its_page_shown_once_and_stops_when_revoked(app, as_user, api):
    page = as_user("dip@demo.test")
    made = page.post("/api-tokens", {"name": "DIP pipeline", "scopes": ["read", "rfcs"], "password": "demo-pass",
                                     "expires_on": (date.today() + timedelta(days=30)).isoformat()})
    text = made.get_data(as_text=True)
    secret = text.split('id="new-secret">')[1].split("<")[0]
    assert made.status_code == 200 and "it is shown this once" in text and secret.startswith("rd_")
    assert api("GET", "/rfcs", secret).status_code == 200
    listing = page.get("/api-tokens").get_data(as_text=True)
    assert secret not in listing and secret[:10] in listing and "read, rfcs" in listing
    with app.app_context():
        stored = db.session.scalar(select(tokens.ApiToken))
        # Only the secret's SHA-256 and its first characters are kept; the secret itself is stored nowhere.
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest() and stored.hint == secret[:10]
        assert secret not in {str(value) for value in vars(stored).values()} and stored.last_used_at is not None
        token_id = stored.id
    assert page.post(f"/api-tokens/{token_id}/revoke").status_code == 303
    refused = api("GET", "/rfcs", secret)
    assert refused.status_code == 401 and refused.content_type == PROBLEM
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in page.get("/api-tokens").get_data(as_text=True)
    # Another user cannot revoke it (it is not theirs to know of).
    assert as_user("mprs@demo.test").post(f"/api-tokens/{token_id}/revoke").status_code == 404


def test_a_token_form_says_what_is_wrong_by_each_field(as_user):
    page = as_user("dip@demo.test")
    answer = page.post("/api-tokens", {"name": " ", "expires_on": (date.today() + timedelta(days=400)).isoformat()})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Name the token after what uses it" in text.split('id="name-error"')[1].split("</small>")[0]
    assert "Choose at least one scope." in text.split('id="scopes-error"')[1].split("</small>")[0]
    assert "at most a year ahead" in text.split('id="expires_on-error"')[1].split("</small>")[0]
    assert "rd_" not in text.split("Your tokens")[1].split("Make a token")[0]


def test_missing_wrong_expired_revoked_and_deactivated_tokens_answer_401(app, api, make_token, as_user):
    assert api("GET", "/rfcs").status_code == 401
    assert api("GET", "/rfcs", "rd_not-a-token").status_code == 401
    assert api("GET", "/rfcs", headers={"Authorization": "Basic abc"}).status_code == 401
    expiring = make_token(days=1)
    with app.app_context():
        token = db.session.scalar(select(tokens.ApiToken))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert api("GET", "/rfcs", expiring).status_code == 401
    secret = make_token("helix@demo.test")
    assert api("GET", "/rfcs", secret).status_code == 200
    with app.app_context():
        user("helix@demo.test").active = False
        db.session.commit()
    assert api("GET", "/rfcs", secret).status_code == 401
    # A logged-in browser's session cookie is no token.
    browser = as_user("dip@demo.test")
    assert browser.http.get("/api/v1/rfcs").status_code == 401


def test_a_token_is_held_to_its_scopes_and_its_users_role(api, make_token):
    reader = make_token(scopes=["read"])
    refused = api("POST", "/rfcs", reader, rfc_body())
    assert refused.status_code == 403 and "lacks the “rfcs” scope" in refused.json["detail"]
    participant = make_token("supplier@demo.test")
    assert api("POST", "/rfcs", participant, rfc_body()).status_code == 403
    manager = make_token("rm.sit@demo.test")
    assert api("POST", "/rfcs", manager, rfc_body()).status_code == 403
    assert api("POST", "/certificates", manager, {}).status_code == 403


# RFCs ------------------------------------------------------------------------------------------

def test_create_is_idempotent_with_a_key_and_refuses_the_key_for_another_body(app, api, make_token):
    secret = make_token()
    first = api("POST", "/rfcs", secret, rfc_body(), headers={"Idempotency-Key": "build-812"})
    assert first.status_code == 201 and first.json["status"] == "draft" and first.json["number"].startswith("RFC-")
    again = api("POST", "/rfcs", secret, rfc_body(), headers={"Idempotency-Key": "build-812"})
    assert again.status_code == 201 and again.json["id"] == first.json["id"]
    assert again.headers["Idempotent-Replayed"] == "true" and rfc_count(app) == 1
    other = api("POST", "/rfcs", secret, rfc_body(title="Another"), headers={"Idempotency-Key": "build-812"})
    assert "Idempotency-Key" in fields(other) and rfc_count(app) == 1
    assert api("POST", "/rfcs", secret, rfc_body()).json["id"] != first.json["id"]  # no key: a second RFC


def test_update_submit_poll_and_withdraw(app, api, make_token):
    secret = make_token()
    created = api("POST", "/rfcs", secret, rfc_body(title="First title")).json
    changed = api("PATCH", f"/rfcs/{created['id']}", secret, {"title": "Second title"})
    assert changed.status_code == 200 and changed.json["title"] == "Second title"
    assert changed.json["version"] == "1.1.0.0" and changed.json["defects"][0]["found_in"] == "SIT-A"
    submitted = api("POST", f"/rfcs/{created['id']}/submit", secret)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert submitted.json["waiting_for"] == ["SIT"] and submitted.json["revision"] == 1
    frozen = api("PATCH", f"/rfcs/{created['id']}", secret, {"title": "Third"})
    assert frozen.status_code == 409 and "frozen" in frozen.json["detail"]
    poll = api("GET", f"/rfcs/{created['id']}", secret)
    assert poll.status_code == 200 and poll.headers["ETag"]
    assert api("GET", f"/rfcs/{created['id']}", secret, headers={"If-None-Match": poll.headers["ETag"]}
               ).status_code == 304
    with app.app_context():
        meet_approval_gate(created["id"])
        approve(created["id"], "rm.sit@demo.test")
    approved = api("GET", f"/rfcs/{created['id']}", secret, headers={"If-None-Match": poll.headers["ETag"]})
    assert approved.status_code == 200 and approved.json["status"] == "approved" and approved.json["waiting_for"] == []
    assert approved.json["approvals"][0]["phase"] == "SIT" and approved.json["approvals"][0]["decision"] == "approved"
    withdrawn = api("POST", f"/rfcs/{created['id']}/withdraw", secret)
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    again = api("POST", f"/rfcs/{created['id']}/withdraw", secret)
    assert again.status_code == 409 and "can no longer be withdrawn" in again.json["detail"]


def test_bad_input_gets_problem_details_by_field_and_stores_nothing(app, api, make_token):
    secret = make_token()
    malformed = api("POST", "/rfcs", secret, '{"title": ')
    assert malformed.status_code == 400 and malformed.content_type == PROBLEM
    wrong_type = api("POST", "/rfcs", secret, "title=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert wrong_type.status_code == 415 and "application/json" in wrong_type.json["detail"]
    assert fields(api("POST", "/rfcs", secret, rfc_body(colour="blue")))["colour"] == "Unknown field."
    problems = fields(api("POST", "/rfcs", secret, rfc_body(expected_downtime="soon", environments="SIT-A",
                                                           window_start="tomorrow")))
    assert set(problems) == {"expected_downtime", "environments", "window_start"}
    too_long = fields(api("POST", "/rfcs", secret, rfc_body(title="x" * 201)))
    assert too_long["title"] == "Field cannot be longer than 200 characters."  # the RFC form's own words
    problems = fields(api("POST", "/rfcs", secret, rfc_body(system="MPRS", environments=["SIT-Z"])))
    assert problems["system"] == "Choose one of your organisation's systems."
    assert "There is no environment “SIT-Z”" in problems["environments[0]"]
    oversized = api("POST", "/rfcs", secret, rfc_body(reason="x" * (1024 * 1024)))
    assert oversized.status_code == 413 and oversized.content_type == PROBLEM
    assert rfc_count(app) == 0


def test_submission_rules_answer_with_the_forms_words(app, api, make_token):
    secret = make_token()
    soon = utcnow() + timedelta(minutes=30)
    draft = api("POST", "/rfcs", secret, rfc_body(version="0.9", window_start=iso(soon),
                                                  window_end=iso(soon + timedelta(hours=1)),
                                                  defects=[{"defect_id": "DEF-1", "severity": "High",
                                                            "summary": "x", "found_in": "UIT"}])).json
    problems = fields(api("POST", f"/rfcs/{draft['id']}/submit", secret))
    assert "four" in problems["version"]
    assert "business day's notice: the earliest allowed window start is" in problems["window_start"]
    assert "Found in must be one of the target environments" in problems["defects"]
    assert api("GET", f"/rfcs/{draft['id']}", secret).json["status"] == "draft"


def test_another_organisations_draft_is_not_there(app, api, make_token):
    mine = api("POST", "/rfcs", make_token(), rfc_body()).json
    theirs = make_token("mprs@demo.test", name="MPRS pipeline")
    for method, url in (("GET", ""), ("PATCH", ""), ("POST", "/submit"), ("POST", "/withdraw")):
        answer = api(method, f"/rfcs/{mine['id']}{url}", theirs, {} if method == "PATCH" else None)
        assert answer.status_code == 404 and answer.content_type == PROBLEM, (method, url)
    assert api("GET", f"/rfcs/{mine['id']}", make_token("supplier@demo.test", name="x")).status_code == 404
    listed = api("GET", "/rfcs", theirs).json["items"]
    assert mine["id"] not in [r["id"] for r in listed]


def test_lists_page_by_cursor_and_filter(app, api, make_token):
    with app.app_context():
        ids = [make_rfc(version=f"1.{i}.0.0", submit=False) for i in range(1, 28)]
    secret = make_token()
    first = api("GET", "/rfcs?system=DIP&status=draft", secret).json
    assert [r["id"] for r in first["items"]] == ids[::-1][:25]
    second = api("GET", first["next"].split("/api/v1")[1], secret).json
    assert [r["id"] for r in second["items"]] == ids[::-1][25:] and second["next"] is None
    assert api("GET", "/rfcs?status=approved", secret).json["items"] == []
    assert "system" in fields(api("GET", "/rfcs?system=NOPE", secret))
    assert "status" in fields(api("GET", "/rfcs?status=lost", secret))


def test_the_next_version_is_proposed(api, make_token):
    answer = api("GET", "/versions/next?system=DIP&release_type=Patch", make_token())
    assert answer.status_code == 200 and answer.json["proposal"].count(".") == 3


# Deployments, baseline, outages, certificates --------------------------------------------------------

def test_a_deployment_recorded_through_the_api_sets_the_baseline(app, api, make_token):
    with app.app_context():
        rfc_id = approved_earlier(make_rfc(version="1.5.0.0"))
        approved_at = db.session.get(Rfc, rfc_id).approved_at
    secret = make_token(scopes=["read", "deployments"])
    early = api("POST", f"/rfcs/{rfc_id}/deployments", secret, {
        "environment": "SIT-A", "outcome": "success", "actual_start": iso(approved_at - timedelta(hours=1)),
        "actual_end": iso(approved_at + timedelta(hours=1))})
    assert "cannot start before" in fields(early)["actual_start"]
    start = approved_at + timedelta(days=1)
    recorded = api("POST", f"/rfcs/{rfc_id}/deployments", secret, {
        "environment": "SIT-A", "outcome": "success", "actual_start": iso(start),
        "actual_end": iso(start + timedelta(hours=1))})
    assert recorded.status_code == 201 and recorded.json["status"] == "deployed"
    cells = api("GET", "/baseline?system=DIP&environment=SIT-A", secret).json
    assert [(c["system"], c["environment"], c["version"]) for c in cells] == [("DIP", "SIT-A", "1.5.0.0")]


def test_an_rfc_is_sent_as_its_schema_describes_it_in_the_list_and_alone(app, api, make_token):
    """The list and the poll serialise through plain functions made from the schema (api.plain): the JSON is what
    the schema's own dump gives, for an RFC with every kind of field (defects, change requests, approvals, a
    deployment, times, names)."""
    secret = make_token(scopes=["read", "rfcs", "deployments"])
    created = api("POST", "/rfcs", secret, rfc_body(
        change_requests=[{"cr_id": "CR-7", "title": "Ack timeout", "summary": "Longer wait"}])).json
    submitted = api("POST", f"/rfcs/{created['id']}/submit", secret)
    assert submitted.status_code == 200, submitted.json
    with app.app_context():
        meet_approval_gate(created["id"])
        rfc_id = approved_earlier(created["id"])
        start = db.session.get(Rfc, rfc_id).approved_at + timedelta(days=1)
    assert api("POST", f"/rfcs/{rfc_id}/deployments", secret, {
        "environment": "SIT-A", "outcome": "success", "actual_start": iso(start),
        "actual_end": iso(start + timedelta(hours=1))}).status_code == 201
    alone = api("GET", f"/rfcs/{rfc_id}", secret).json
    listed = next(r for r in api("GET", "/rfcs?system=DIP", secret).json["items"] if r["id"] == rfc_id)
    with app.test_request_context():
        described = json.loads(json.dumps(schemas.Rfc().dump(db.session.get(Rfc, rfc_id))))
    assert alone == listed == described
    assert described["deployments"][0]["environment"] == "SIT-A" and described["approvals"]
    assert described["defects"][0]["found_in"] == "SIT-A" and described["change_requests"][0]["cr_id"] == "CR-7"


def test_outages_are_logged_listed_and_ended(app, api, make_token):
    secret = make_token(scopes=["read", "outages"])
    start = utcnow() - timedelta(hours=1)
    body = {"environment": "SIT-A", "systems": ["DIP"], "category": "software failure", "start": iso(start),
            "description": "Acks time out"}
    logged = api("POST", "/outages", secret, body)
    assert logged.status_code == 201 and logged.json["end"] is None and logged.json["organisation"] == "Avanade"
    assert fields(api("POST", "/outages", secret, {**body, "category": "data load"}))["category"].endswith(
        "An unplanned outage is an infrastructure failure or a software failure.")
    assert "not yours" in fields(api("POST", "/outages", secret, {**body, "systems": ["MPRS"]}))["systems"]
    listed = api("GET", "/outages?environment=SIT-A", secret).json["items"]
    assert [o for o in listed if o["id"] == logged.json["id"]] == [logged.json]  # as the schema sends it alone
    assert api("POST", f"/outages/{logged.json['id']}/end", make_token("mprs@demo.test", name="m")).status_code == 404
    ended = api("POST", f"/outages/{logged.json['id']}/end", secret)
    assert ended.status_code == 200 and ended.json["end"] is not None
    with app.app_context():
        assert db.session.get(Outage, logged.json["id"]).end is not None


def test_certificates_are_uploaded_as_pem_or_der_and_keys_are_refused(app, api, make_token):
    secret = make_token("supplier@demo.test", scopes=["read", "certificates"])
    pem = make_x509().public_bytes(serialization.Encoding.PEM).decode()
    body = {"certificate": pem, "environment": "SIT-A", "kind": "DIP TLS", "mpid": "NWEN"}
    uploaded = api("POST", "/certificates", secret, body)
    assert uploaded.status_code == 201 and uploaded.json["status"] == "valid", uploaded.json
    assert "stored already" in fields(api("POST", "/certificates", secret, body))["certificate"]
    der = base64.b64encode(make_x509("second.test").public_bytes(serialization.Encoding.DER)).decode()
    assert api("POST", "/certificates", secret, {**body, "certificate": der}).status_code == 201
    private = key().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()).decode()
    refused = fields(api("POST", "/certificates", secret, {**body, "certificate": private}))
    assert "private key" in refused["certificate"]
    assert "MPID" in fields(api("POST", "/certificates", secret, {**body, "certificate": der, "mpid": "x"}))["mpid"]
    listed = api("GET", "/certificates", secret).json["items"]
    assert len(listed) == 2 and {c["mpid"] for c in listed} == {"NWEN"}
    assert [c for c in listed if c["id"] == uploaded.json["id"]] == [uploaded.json]  # as the schema sends it alone
    assert api("GET", "/certificates", make_token("mprs@demo.test", name="m")).json["items"] == []


# Audit, rate, description ------------------------------------------------------------------------

def test_changes_through_the_api_are_audited_with_the_tokens_name(app, api, make_token, as_user):
    created = api("POST", "/rfcs", make_token(name="DIP pipeline"), rfc_body()).json
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "rfcs",
                                                            AuditEvent.object_id == created["id"]))
        assert event.via == "the API (token “DIP pipeline”)" and event.actor.email == "dip@demo.test"
    page = as_user("dip@demo.test").get(f"/rfcs/{created['id']}").get_data(as_text=True)
    assert "saved the draft, through the API (token “DIP pipeline”)" in page


def test_a_token_beyond_its_rate_gets_429_with_retry_after(app, api, make_token):
    secret = make_token()
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        answers = [api("GET", "/baseline", secret) for _ in range(4)]
    finally:
        app.config["API_RATE_LIMIT"] = "300 per minute"
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].content_type == PROBLEM and int(answers[-1].headers["Retry-After"]) > 0


def test_the_openapi_description_validates_and_the_reference_shows_it(app, as_user):
    document = app.test_client().get("/api/v1/openapi.json").json
    validate(document)
    assert document["openapi"].startswith("3.1") and "/api/v1/rfcs/{rfc_id}/deployments" in document["paths"]
    assert list(document["components"]["responses"]["DEFAULT_ERROR"]["content"]) == [PROBLEM]
    assert "application/json" in document["paths"]["/api/v1/rfcs"]["post"]["responses"]["201"]["content"]
    page = as_user("supplier@demo.test").get("/api-reference").get_data(as_text=True)
    assert "POST /api/v1/rfcs" in page and 'id="schema-RfcIn"' in page


# Role × route matrix of the API ----------------------------------------------------------------------

USERS = {Role.RELEASE_MANAGER: "rm.sit@demo.test", Role.CENTRAL_PARTY: "dip@demo.test",
         Role.TEST_PARTICIPANT: "supplier@demo.test"}


def test_every_api_route_is_held_to_its_roles_and_scope(app, api, make_token):
    secrets = {role: make_token(email, name=role.value) for role, email in USERS.items()}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert len(rules) >= 10
    failures = []
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        url = (rule.rule.replace("/api/v1", "").replace("<int:rfc_id>", "999999").replace("<int:outage_id>", "999999")
               .replace("<int:participant_id>", "999999"))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if api(method, url).status_code != 401:
                failures.append(f"{method} {url} anonymous")
            for role, secret in secrets.items():
                status = api(method, url, secret, {} if method != "GET" else None).status_code
                if (role in view.access) == (status == 403):
                    failures.append(f"{method} {url} {role.value}: {status}")
            narrow = make_token(USERS[next(iter(view.access))], scopes=[s for s in ALL if s != view.scope] or ["read"],
                                name="narrow")
            if view.scope != "read" and api(method, url, narrow, {} if method != "GET" else None).status_code != 403:
                failures.append(f"{method} {url} without scope {view.scope}")
    assert failures == []


# Fuzz ------------------------------------------------------------------------------------------

def test_a_read_records_the_tokens_use_while_another_request_writes(app, api, make_token):
    """SQLite: a reading transaction cannot become a writing one once another connection has committed, so the
    token's "last used" is written in a transaction of its own that takes the write lock first."""
    secret = make_token()
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's locking only")
    fired = []

    def another_request_writes(connection, cursor, statement, *args):
        if not fired and "FROM api_tokens" in statement:
            fired.append(statement)
            other = sqlite3.connect(engine.url.database, timeout=5)
            other.execute("UPDATE organisations SET name = name")
            other.commit()
            other.close()

    event.listen(engine, "after_cursor_execute", another_request_writes)
    try:
        answer = api("GET", "/baseline", secret)
    finally:
        event.remove(engine, "after_cursor_execute", another_request_writes)
    assert fired and answer.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(tokens.ApiToken.last_used_at)) is not None


def test_rcm_12_8_an_emergency_through_the_api_needs_a_blocking_or_critical_defect_and_dev_evidence(app, api,
                                                                                                    make_token):
    """RCM §12.8: the API takes the pages' rules: the refusals come back by field, and a blocking defect counts."""
    secret = make_token()
    start = utcnow() + timedelta(hours=3)
    body = rfc_body(release_type="Emergency", version="0.0.0.1", window_start=iso(start),
                    window_end=iso(start + timedelta(hours=1)))
    draft = api("POST", "/rfcs", secret, body).json
    problems = fields(api("POST", f"/rfcs/{draft['id']}/submit", secret))
    assert "Critical severity or marked blocking" in problems["defects"]
    assert "evidence of testing completed in development environments" in problems["dev_test_evidence"]
    changed = api("PATCH", f"/rfcs/{draft['id']}", secret, {
        "dev_test_evidence": "Replay in DEV passed",
        "defects": [{"defect_id": "DEF-101", "severity": "High", "summary": "Stall", "found_in": "SIT-A",
                     "blocking": True}]})
    assert changed.status_code == 200 and changed.json["defects"][0]["blocking"] is True
    submitted = api("POST", f"/rfcs/{draft['id']}/submit", secret)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"


def test_an_address_sending_invalid_tokens_is_throttled_and_other_addresses_are_not(app, api, make_token):
    """Changing invalid tokens (each its own per-token count) are counted per address: past
    LOGIN_MAX_ADDRESS_FAILURES the address gets 429 with Retry-After, a valid token from it too; a valid token from
    another address goes on."""
    secret, guesser = make_token(), {"REMOTE_ADDR": "203.0.113.9"}
    app.config["LOGIN_MAX_ADDRESS_FAILURES"] = 3
    try:
        guesses = [api(method, "/rfcs", f"rd_guess{n}", rfc_body(), environ_base=guesser).status_code
                   for n, method in enumerate(["GET", "POST", "POST"])]
        refused = api("GET", "/baseline", "rd_guess4", environ_base=guesser)
        valid_from_guesser = api("GET", "/baseline", secret, environ_base=guesser)
        valid_elsewhere = api("GET", "/baseline", secret, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    finally:
        app.config["LOGIN_MAX_ADDRESS_FAILURES"] = 30
    assert guesses == [401, 401, 401]
    assert refused.status_code == 429 and refused.content_type == PROBLEM
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Too many requests without a valid API token from your network address" in refused.json["detail"]
    assert valid_from_guesser.status_code == 429
    assert valid_elsewhere.status_code == 200


def test_each_rfc_links_its_own_page_in_the_list_and_the_api(app, api, make_token, as_user):
    """The links of a page of RFCs (made once per app and route, the id put in) each lead to that RFC's own page:
    the list's rows and the API's `page` (under PUBLIC_URL)."""
    with app.app_context():
        first, second = (make_rfc(title="Linked one", version="9.81.0.0"),
                         make_rfc(title="Linked two", version="9.82.0.0"))
        submitted = [rfc.id for rfc in db.session.scalars(select(Rfc).where(Rfc.submitted_at.is_not(None))
                                                                         .order_by(Rfc.id))]
    listed = api("GET", "/rfcs", make_token())
    assert listed.status_code == 200
    for item in listed.json["items"]:
        assert item["page"] == f"http://localhost/rfcs/{item['id']}"
    assert {first, second} <= {item["id"] for item in listed.json["items"]}
    one = api("GET", f"/rfcs/{first}", make_token())
    assert one.json["page"] == f"http://localhost/rfcs/{first}"
    html = as_user("rm.sit@demo.test").get("/rfcs").get_data(as_text=True)
    for rfc_id in submitted[-3:]:
        assert f'<a href="/rfcs/{rfc_id}">' in html
