"""Issue 23: a password reset, a deactivation and the user's own "sign out everywhere" end every session, API token
and calendar feed URL of that user, for good; feed secrets are stored as digests and masked in the log."""
import hashlib
import logging
import re
from datetime import date, timedelta

from mhhs.api.services import create_token
from mhhs.directory import services as directory
from mhhs.directory.reference_data import DEMO_PASSWORD
from tests.rfcs.factory import user

FEED = re.compile(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics")


def credentials(app, as_user, email):
    """A logged-in client, an API token's secret and a feed URL of this user, each shown to work."""
    browser = as_user(email)
    page = browser.post("/calendar/feeds").get_data(as_text=True)
    feed = f"/calendar/feed/{FEED.search(page).group(1)}.ics"
    with app.app_context():
        secret = create_token(user(email), "Pipeline", ["read"], date.today() + timedelta(days=30),
                              password=DEMO_PASSWORD)[1]
    assert browser.get("/calendar").status_code == 200
    assert app.test_client().get("/api/v1/rfcs", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert app.test_client().get(feed).status_code == 200
    return browser, secret, feed


def all_ended(app, browser, secret, feed):
    assert browser.get("/calendar").status_code == 302  # to the login page
    assert app.test_client().get("/api/v1/rfcs", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert app.test_client().get(feed).status_code == 404


def test_a_password_reset_ends_sessions_tokens_and_feed_urls(app, as_user):
    browser, secret, feed = credentials(app, as_user, "dip@demo.test")
    with app.app_context():
        dip_id = user("dip@demo.test").id
    assert as_user("rm.sit@demo.test").post(f"/users/{dip_id}/reset-password").status_code == 200
    all_ended(app, browser, secret, feed)


def test_deactivation_ends_them_and_reactivation_brings_none_back(app, as_user):
    browser, secret, feed = credentials(app, as_user, "dip@demo.test")
    with app.app_context():
        manager, dip = user("rm.sit@demo.test"), user("dip@demo.test")
        values = {name: getattr(dip, name) for name in directory.USER_FIELDS}
        directory.save_user(manager, dip, dict(values, role=dip.role.value, active=False))
        directory.save_user(manager, user("dip@demo.test"), dict(values, role=dip.role.value, active=True))
    all_ended(app, browser, secret, feed)


def test_sign_out_everywhere_ends_them_and_feed_secrets_are_digests_masked_in_the_log(app, as_user, caplog):
    browser, secret, feed = credentials(app, as_user, "supplier@demo.test")
    token = feed.split("/")[-1].removesuffix(".ics")
    with app.app_context():
        assert user("supplier@demo.test").calendar_token == hashlib.sha256(token.encode()).hexdigest()
    with caplog.at_level(logging.INFO, logger="mhhs.requests"):
        app.test_client().get(feed)
    assert "/calendar/feed/***.ics" in caplog.text and token not in caplog.text
    other = as_user("supplier@demo.test")
    response = other.post("/logout", {"everywhere": "1"})
    assert response.status_code == 303
    all_ended(app, browser, secret, feed)
    # The feeds page no longer offers URLs it cannot show: only a digest was ever kept.
    again = as_user("supplier@demo.test").get("/calendar/feeds").get_data(as_text=True)
    assert "Make my feed URLs" in again and token not in again
