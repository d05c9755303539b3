"""Issue 23: a user changes their own password (the current one asked, the policy held, their other sessions
ended); a password a Release Manager set must be changed before anything else; making an API token asks for the
password again. A wrong password given again counts towards the e-mail's lock-out, as a failed login does."""
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from mhhs.api.models import ApiToken
from mhhs.audit.models import AuditEvent
from mhhs.core.passwords import verify_password
from mhhs.directory.models import User
from mhhs.directory.reference_data import DEMO_PASSWORD
from mhhs.extensions import db
from tests.conftest import Client
from tests.rfcs.factory import user

NEW = "correct horse battery staple"
RESET = re.compile(r'id="new-password" type="text" readonly value="([^"]+)"')


def error_of(page, field):
    return page.split(f'id="{field}-error"')[1].split("</small>")[0]


def change(client, current=DEMO_PASSWORD, new=NEW, again=None, **extra):
    return client.post("/account/password", {"current_password": current, "new_password": new,
                                             "again": new if again is None else again, **extra})


def test_a_user_changes_their_password_and_every_other_browser_must_log_in_again(app, as_user, make_token):
    here, elsewhere = as_user("dip@demo.test"), as_user("dip@demo.test")
    secret = make_token()
    assert 'href="/account/password"' in here.get("/").get_data(as_text=True)  # in the account menu
    answer = change(here)
    assert answer.status_code == 303
    assert here.get("/").status_code == 200  # this browser goes on
    assert elsewhere.get("/").status_code == 302  # the other one is sent to log in
    # A pipeline's token goes on working unless they ask for it to end too.
    assert app.test_client().get("/api/v1/rfcs", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert Client(app).login("dip@demo.test").status_code == 200  # the old password is refused
    assert Client(app).login("dip@demo.test", NEW).status_code == 303
    with app.app_context():
        stored = user("dip@demo.test")
        assert stored.password_hash.startswith("$argon2id$") and verify_password(stored.password_hash, NEW)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_changed"))
        assert event.actor_id == stored.id and event.summary == "other sessions ended"


def test_changing_it_can_end_the_api_tokens_and_feed_urls_too(app, as_user, make_token):
    browser, secret = as_user("dip@demo.test"), make_token()
    assert change(browser, end_tokens="y").status_code == 303
    assert app.test_client().get("/api/v1/rfcs", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "no longer work" in browser.get("/").get_data(as_text=True)


def test_the_change_form_says_what_is_wrong_by_each_field_and_changes_nothing(app, as_user):
    browser = as_user("dip@demo.test")
    with app.app_context():
        before = user("dip@demo.test").password_hash
    wrong = change(browser, current="not it").get_data(as_text=True)
    assert "That is not your password." in error_of(wrong, "current_password")
    short = change(browser, new="short").get_data(as_text=True)
    assert "Use at least 8 characters." in error_of(short, "new_password")
    differ = change(browser, again=NEW + "!").get_data(as_text=True)
    assert "The two new passwords differ" in error_of(differ, "again")
    with app.app_context():
        assert user("dip@demo.test").password_hash == before
    assert browser.get("/").status_code == 200  # still signed in


def test_the_new_password_must_differ_from_the_current_one(app, as_user):
    browser = as_user("dip@demo.test")
    page = change(browser, new=DEMO_PASSWORD).get_data(as_text=True)
    assert "Choose a password other than your current one." in error_of(page, "new_password")


def test_wrong_current_passwords_lock_the_email_as_failed_logins_do(app, as_user):
    browser = as_user("dip@demo.test")
    answers = [change(browser, current=f"guess {n}").get_data(as_text=True)
               for n in range(app.config["LOGIN_MAX_FAILURES"])]
    assert "Too many failed attempts for this e-mail" in error_of(answers[-1], "current_password")
    # Locked: even the right password is refused, here and at the login form.
    assert "Too many failed attempts" in error_of(change(browser).get_data(as_text=True), "current_password")
    assert "Too many failed attempts" in Client(app).login("dip@demo.test").get_data(as_text=True)


def test_a_password_a_manager_set_must_be_changed_before_anything_else(app, as_user, api):
    with app.app_context():
        supplier_id = user("supplier@demo.test").id
    reset = as_user("rm.sit@demo.test").post(f"/users/{supplier_id}/reset-password").get_data(as_text=True)
    given = RESET.search(reset).group(1)
    assert "must choose their own password" in reset
    supplier = Client(app)
    assert supplier.login("supplier@demo.test", given).status_code == 303
    for url in ("/", "/rfcs", "/api-tokens", "/calendar"):
        answer = supplier.get(url)
        assert answer.status_code == 303 and answer.headers["Location"].endswith("/account/password"), url
    assert supplier.get("/rfcs", htmx=True).headers["HX-Redirect"] == "/account/password"
    refused = supplier.post("/api-tokens", {"name": "x", "scopes": ["read"], "password": given})
    assert refused.status_code == 303
    page = supplier.get("/account/password").get_data(as_text=True)
    assert "A Release Manager set your password. Choose your own before you go on." in page
    assert supplier.get("/healthz").status_code == 200  # public pages stay public
    assert change(supplier, current=given).status_code == 303
    assert supplier.get("/rfcs").status_code == 200
    with app.app_context():
        assert not user("supplier@demo.test").must_change_password
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_a_new_users_first_password_must_be_changed_and_demo_users_need_not(app, as_user):
    manager = as_user("rm.sit@demo.test")
    with app.app_context():
        organisation_id = user("supplier@demo.test").organisation_id
        assert not db.session.scalar(select(func.count()).select_from(User).where(User.must_change_password))
    made = manager.post("/users/new", {"email": "new.tester@example.test", "name": "New Tester",
                                       "role": "test_participant", "organisation_id": organisation_id,
                                       "password": "first-password", "active": "y"})
    assert made.status_code == 303, made.get_data(as_text=True)[:2000]
    newcomer = Client(app)
    assert newcomer.login("new.tester@example.test", "first-password").status_code == 303
    assert newcomer.get("/").headers["Location"].endswith("/account/password")


def test_making_an_api_token_asks_for_the_password_again(app, as_user):
    page = as_user("dip@demo.test")
    form = {"name": "DIP pipeline", "scopes": ["read", "rfcs"], "password": "not my password",
            "expires_on": (date.today() + timedelta(days=30)).isoformat()}
    answer = page.post("/api-tokens", form).get_data(as_text=True)
    assert "That is not your password." in error_of(answer, "password")
    assert 'value="DIP pipeline"' in answer and "rd_" not in answer.split("Make a token")[0].split("Your tokens")[1]
    assert re.search(r'value="rfcs"[^>]*checked|checked[^>]*value="rfcs"', answer)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    missing = page.post("/api-tokens", {**form, "password": ""}).get_data(as_text=True)
    assert "That is not your password." in error_of(missing, "password")
    made = page.post("/api-tokens", {**form, "password": DEMO_PASSWORD}).get_data(as_text=True)
    assert "it is shown this once" in made
