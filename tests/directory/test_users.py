"""Release Managers manage users: create, change, deactivate, reset passwords; bad input is kept and explained."""
from sqlalchemy import func, select

from mhhs.audit.models import AuditEvent
from mhhs.directory.models import Organisation, User
from mhhs.extensions import db


def org_id(app, name):
    with app.app_context():
        return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def user_by_email(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def new_user_data(app, **overrides):
    data = {"email": "new.tester@northwold.test", "name": "New Tester", "role": "test_participant",
            "organisation_id": org_id(app, "Northwold Energy"), "active": "y", "password": "first-password"}
    data.update(overrides)
    return data


def test_manager_creates_a_user_who_can_log_in(app, as_user, client):
    rm = as_user("rm.sit@demo.test")
    response = rm.post("/users/new", new_user_data(app))
    assert response.status_code == 303
    assert client.login("new.tester@northwold.test", "first-password").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created")) is not None


def test_htmx_create_redirects_with_a_header(app, as_user):
    response = as_user("rm.sit@demo.test").post("/users/new", new_user_data(app), htmx=True)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/users"


def test_duplicate_email_is_explained_next_to_the_field_and_input_kept(app, as_user):
    response = as_user("rm.sit@demo.test").post("/users/new", new_user_data(app, email="DIP@demo.test",
                                                                             name="Kept Name"), htmx=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="email-error"' in page and "Another user already has this e-mail address." in page
    assert 'value="Kept Name"' in page
    assert "<html" not in page  # htmx gets the form partial only


def test_role_and_organisation_must_fit(app, as_user):
    rm = as_user("rm.sit@demo.test")
    page = rm.post("/users/new", new_user_data(app, role="central_party")).get_data(as_text=True)
    assert "A Central Party belongs to a Central Party organisation." in page
    page = rm.post("/users/new", new_user_data(app, role="release_manager",
                                              organisation_id=org_id(app,
                                                                     "MHHS Programme (SI)"))).get_data(as_text=True)
    assert "tick at least one" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email.like("new.tester%"))) == 0


def test_short_password_and_bad_email(app, as_user):
    page = as_user("rm.sit@demo.test").post("/users/new", new_user_data(app, email="not-an-email", password="short")
                                            ).get_data(as_text=True)
    assert "Enter a valid e-mail address." in page and "Use at least 8 characters." in page


def test_other_roles_cannot_create_users(app, as_user):
    for email in ("dip@demo.test", "supplier@demo.test"):
        assert as_user(email).post("/users/new", new_user_data(app)).status_code == 403
    assert user_by_email(app, "new.tester@northwold.test") is None


def test_deactivating_a_user_stops_their_login(app, as_user, client):
    rm = as_user("rm.uit@demo.test")
    supplier = user_by_email(app, "supplier@demo.test")
    response = rm.post(f"/users/{supplier.id}/edit", {
        "email": supplier.email, "name": supplier.name, "role": "test_participant",
        "organisation_id": supplier.organisation_id})  # "active" unticked
    assert response.status_code == 303
    assert "do not match an active account" in client.login("supplier@demo.test").get_data(as_text=True)


def test_changing_role_and_phase_scope(app, as_user):
    rm = as_user("rm.sit@demo.test")
    target = user_by_email(app, "rm.uit@demo.test")
    rm.post(f"/users/{target.id}/edit", {"email": target.email, "name": target.name, "role": "release_manager",
                                         "organisation_id": target.organisation_id, "scope_sit": "y",
                                         "scope_uit": "y", "active": "y"})
    assert user_by_email(app, "rm.uit@demo.test").scope_label == "SIT + UIT"


def test_reset_password_shows_a_new_one_once(app, as_user, client):
    rm = as_user("rm.sit@demo.test")
    target = user_by_email(app, "helix@demo.test")
    helix = as_user("helix@demo.test")
    response = rm.post(f"/users/{target.id}/reset-password")
    # Shown once on the page itself: not in a flash message or the cookie, and not cached.
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = response.get_data(as_text=True).split('id="new-password" type="text" readonly value="')[1].split('"')[0]
    assert len(password) >= 16 and password not in response.headers.get("Set-Cookie", "")
    assert client.login("helix@demo.test").status_code == 200  # the old one no longer works
    assert client.login("helix@demo.test", password).status_code == 303
    # The reset ended helix's existing session, and nothing shows the password again.
    assert helix.get("/rfcs").status_code == 302
    edit = rm.get(f"/users/{target.id}/edit")
    assert edit.status_code == 200 and "helix@demo.test" in edit.get_data(as_text=True)
    assert password not in edit.get_data(as_text=True)


def test_unknown_user_is_a_404_and_an_htmx_toast(as_user):
    rm = as_user("rm.sit@demo.test")
    assert rm.get("/users/99999/edit").status_code == 404
    response = rm.get("/users/99999/edit", htmx=True)
    assert response.status_code == 404 and response.headers["HX-Retarget"] == "#toasts"
    assert "<html" not in response.get_data(as_text=True)


def test_user_search_returns_the_rows_partial_to_htmx(as_user):
    response = as_user("rm.sit@demo.test").get("/users?q=st+clements", htmx=True)
    page = response.get_data(as_text=True)
    assert "mprs@demo.test" in page and "dip@demo.test" not in page and "<html" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_user_list_queries_do_not_grow_with_users(app, as_user, count_queries):
    rm = as_user("rm.sit@demo.test")
    with count_queries() as small:
        rm.get("/users")
    with app.app_context():
        orgs = db.session.scalars(select(Organisation)).all()
        for i in range(80):
            org = orgs[i % len(orgs)]
            db.session.add(User(email=f"bulk{i}@demo.test", name=f"Bulk {i}", role="test_participant",
                                organisation_id=org.id, password_hash="x"))
        db.session.commit()
    with count_queries() as large:
        page = rm.get("/users").get_data(as_text=True)
    assert ">Next</a>" in page and ">Previous</a>" not in page
    assert large.count == small.count
