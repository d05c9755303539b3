"""Issue 23's findings that span the app: links never made from the Host header, refused hosts, and the inputs
that used to answer 500."""
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from sqlalchemy import select

from tests.api.test_api import api, make_token, rfc_body  # noqa: F401  (fixtures)


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
        message, = db.session.scalars(select(OutboxMessage).where(OutboxMessage.rfc_id == created["id"]))
        assert f"https://release-desk.example.org/rfcs/{created['id']}" in message.body
        assert "127.0.0.1" not in message.body and "evil.test" not in message.body
        assert message.unsubscribe_url == "https://release-desk.example.org/account/notifications"
