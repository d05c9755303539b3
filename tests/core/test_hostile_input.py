"""Issue 23's findings that span the app: links never made from the Host header, refused hosts, and the inputs
that used to answer 500."""
from mhhs.extensions import db
from mhhs.mail.services import messages_about
from mhhs.rfcs.models import Rfc
from tests.helpers import rfc_body
from tests.outages.factory import form as outage_form
from tests.rfcs.factory import form_data


def test_links_in_mail_and_api_bodies_come_from_public_url_and_other_hosts_get_400(app, api, make_token):  # noqa: F811
    secret = make_token()
    created = api("POST", "/rfcs", secret, rfc_body()).json
    refused = api("POST", f"/rfcs/{created['id']}/submit", secret, headers={"Host": "evil.test"})
    assert refused.status_code == 400
    app.config["PUBLIC_URL"] = "https://release-desk.example.org"
    try:
        # 127.0.0.1 is an allowed name for this server, yet not where people reach it: the links say PUBLIC_URL.
        submitted = api("POST", f"/rfcs/{created['id']}/submit", secret, headers={"Host": "127.0.0.1:8000"})
        assert submitted.status_code == 200, submitted.get_data(as_text=True)
        assert submitted.json["page"] == f"https://release-desk.example.org/rfcs/{created['id']}"
    finally:
        app.config["PUBLIC_URL"] = "http://localhost"
    with app.app_context():
        message, = messages_about(db.session.get(Rfc, created["id"]))
        assert f"https://release-desk.example.org/rfcs/{created['id']}" in message.body
        assert "127.0.0.1" not in message.body and "evil.test" not in message.body
        assert message.unsubscribe_url == "https://release-desk.example.org/account/notifications"


def test_a_page_asked_of_another_host_answers_the_400_page_with_links_never_from_that_host(client, caplog):
    response = client.http.get("/rfcs", headers={"Host": "evil.test"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "<h1>Not understood</h1>" in page and 'href="/login"' in page and 'href="/static/css/app.css"' in page
    assert "evil.test" not in page
    assert "failed to render" not in caplog.text


ANSWERED = (200, 303, 400, 404, 422)  # anything but a 5xx (the test client raises what would be a 500)


def test_odd_query_strings_cursors_and_parameters_never_answer_500(as_user, api, make_token):  # noqa: F811
    rm = as_user("rm.sit@demo.test")
    for path in ("/rfcs", "/outages", "/certificates", "/retests", "/users", "/outbox", "/"):
        for cursor in ("after=99999999999999999999", "after=9223372036854775808", "before=1e308", "after=-1e308",
                       "after=NaN", "_method=POST", "endpoint=x", "_external=1", "rfc_number=0"):
            response = rm.get(f"{path}?{cursor}")
            assert response.status_code in ANSWERED, (path, cursor, response.status_code)
    secret = make_token()
    for query in ("_external=1", "after=99999999999999999999", "after=1e308", "_method=DELETE"):
        assert api("GET", f"/rfcs?{query}", secret).status_code in ANSWERED


def test_odd_api_bodies_get_a_message_not_a_500(api, make_token):  # noqa: F811
    secret = make_token()
    window = api("POST", "/rfcs", secret, rfc_body(window_start="0001-01-01T00:00:00Z"))
    assert window.status_code == 422 and "window_start" in {e["field"] for e in window.json["errors"]}
    deep = api("POST", "/rfcs", secret, "[" * 5000 + "]" * 5000)
    assert deep.status_code == 400 and "nested too deeply" in deep.json["detail"]
    outage = api("POST", "/outages", secret, {"rfc": "RFC-0", "systems": ["DIP"], "environment": "SIT-A",
                                             "category": "software failure", "start": "2026-12-01T10:00:00Z",
                                             "description": "x", "impact": "y"})
    assert outage.status_code == 422
    # A draft may be incomplete: missing text is empty text (201), and submitting it names each missing field.
    body = rfc_body()
    for name in ("title", "reason", "implementation_plan", "rollback_plan"):
        del body[name]
    created = api("POST", "/rfcs", secret, body)
    assert created.status_code == 201, created.get_data(as_text=True)
    submitted = api("POST", f"/rfcs/{created.json['id']}/submit", secret)
    assert submitted.status_code == 422 and {"title", "reason"} <= {e["field"] for e in submitted.json["errors"]}


def test_a_form_missing_its_text_fields_is_answered_with_messages(app, as_user):
    dip = as_user("dip@demo.test")
    for name in ("title", "reason", "implementation_plan", "rollback_plan"):
        data = form_data(app)
        del data[name]
        response = dip.post("/rfcs/new", {**data, "action": "submit"})
        assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True), name
        assert dip.post("/rfcs/new", {**data, "action": "save"}).status_code == 303, name  # a draft keeps the rest
    supplier = as_user("supplier@demo.test")
    for name in ("impact", "root_cause", "description", "defect_reference"):
        data = outage_form(app)
        del data[name]
        assert supplier.post("/outages/new", data).status_code in (200, 303), name
    assert supplier.post("/outages/new", outage_form(app, rfc_number="RFC-0")).status_code == 200
