"""The readiness API: a Central Party's monitor posts a health check (own systems only: 404 otherwise; a future
day refused by field), reads an environment's last health, and a participant's readiness is read by itself or a
Release Manager."""
from datetime import timedelta

from mhhs.readiness import criteria
from tests.readiness.factory import make_criterion, make_participant


def test_a_central_party_posts_a_health_check_and_reads_the_environments_last_health(app, api, make_token):
    secret = make_token("dip@demo.test", scopes=["readiness", "read"])
    posted = api("POST", "/health-checks", secret, {"system": "DIP", "environment": "SIT-A", "health": "amber",
                                                   "note": "Acks slow"})
    assert posted.status_code == 201, posted.json
    assert posted.json["health"] == "amber" and posted.json["day"] == criteria.today_in_london().isoformat()
    last = api("GET", "/environments/SIT-A/health", secret)
    assert last.status_code == 200
    assert [(c["system"], c["health"], c["note"]) for c in last.json["checks"]] == [("DIP", "amber", "Acks slow")]


def test_a_system_of_another_organisation_is_404_and_a_future_day_422(app, api, make_token):
    secret = make_token("dip@demo.test", scopes=["readiness"])
    assert api("POST", "/health-checks", secret, {"system": "MPRS", "environment": "SIT-A",
                                                 "health": "green"}).status_code == 404
    tomorrow = (criteria.today_in_london() + timedelta(days=1)).isoformat()
    refused = api("POST", "/health-checks", secret, {"system": "DIP", "environment": "SIT-A", "health": "green",
                                                    "day": tomorrow})
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json["errors"]} == {"day"}


def test_a_test_participant_may_not_post_a_health_check(app, api, make_token):
    secret = make_token("supplier@demo.test", scopes=["readiness"])
    assert api("POST", "/health-checks", secret, {"system": "DIP", "environment": "SIT-A",
                                                 "health": "green"}).status_code == 403


def test_a_participants_readiness_is_read_by_itself_and_release_managers_only(app, api, make_token):
    with app.app_context():
        participant_id = make_participant().id
        make_criterion("Test plan approved")
    mine = api("GET", f"/participants/{participant_id}/readiness", make_token("supplier@demo.test", scopes=["read"]))
    assert mine.status_code == 200
    assert mine.json["readiness"] == "Not ready (1 open)"
    assert [(c["text"], c["state"]) for c in mine.json["criteria"]] == [("Test plan approved", "open")]
    assert api("GET", f"/participants/{participant_id}/readiness",
               make_token("rm.sit@demo.test", scopes=["read"])).status_code == 200
    assert api("GET", f"/participants/{participant_id}/readiness",
               make_token("dip@demo.test", scopes=["read"])).status_code == 404


def test_the_readiness_operations_are_in_the_openapi_description(app):
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    assert "post" in paths["/api/v1/health-checks"]
    assert "get" in paths["/api/v1/participants/{participant_id}/readiness"]
    assert "get" in paths["/api/v1/environments/{name}/health"]
