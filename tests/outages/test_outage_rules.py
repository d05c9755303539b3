"""The outage rules the form states, as functions the API asks too: an outage logged through the API meets the same
rules with the same words, and its times go to the service in UTC (to the minute) whatever offset they were sent
with."""
from datetime import timedelta

from sqlalchemy import select

from mhhs.api.services import create_token
from mhhs.core.time import to_london, utcnow
from mhhs.directory.models import Environment, System
from mhhs.directory.reference_data import DEMO_PASSWORD
from mhhs.extensions import db
from mhhs.outages.models import Outage
from mhhs.outages.rules import outage_problems
from tests.rfcs.factory import user


def test_the_rules_by_field(app):
    with app.app_context():
        sit_a = db.session.scalar(select(Environment).where(Environment.name == "SIT-A"))
        dip, mprs = (db.session.scalar(select(System).where(System.name == n)) for n in ("DIP", "MPRS"))
        start = utcnow()
        problems = outage_problems({"planned": False, "category": "data load", "start": start,
                                    "end": start - timedelta(minutes=1), "description": " ", "rfc_number": "RFC-x",
                                    "impact": "i" * 10_001}, [dip, mprs], sit_a)
        assert problems == {
            "system_ids": "Choose systems of one organisation: log one outage per organisation.",
            "category": "An unplanned outage is an infrastructure failure or a software failure.",
            "end": "The outage must end after it starts.", "description": "Describe what is down.",
            "rfc_number": "Enter an RFC number like RFC-000123.",
            "impact": "Field cannot be longer than 10000 characters."}
        assert outage_problems({"planned": False, "category": "software failure", "start": start, "end": None,
                                "description": "Acks time out", "rfc_number": ""}, [dip], sit_a) == {}


def test_through_the_api_times_are_utc_and_the_forms_words_answer(app):
    with app.app_context():
        _token, secret = create_token(user("dip@demo.test"), "DIP pipeline", ["outages"],
                                      to_london(utcnow()).date() + timedelta(days=5), password=DEMO_PASSWORD)
    http, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
    start = (utcnow() - timedelta(hours=3)).replace(second=0, microsecond=0)
    body = {"environment": "SIT-A", "systems": ["DIP"], "category": "software failure",
            # the same moment in India, 30 seconds in: taken to the minute, as the page takes it
            "start": (start + timedelta(hours=5, minutes=30, seconds=30)).isoformat() + "+05:30",
            "end": (start + timedelta(hours=1)).isoformat() + "Z", "description": "Acks time out"}
    logged = http.post("/api/v1/outages", json=body, headers=headers)
    assert logged.status_code == 201, logged.json
    assert logged.json["start"] == start.isoformat() + "+00:00"
    with app.app_context():
        stored = db.session.get(Outage, logged.json["id"])
        assert (stored.start, stored.end) == (start, start + timedelta(hours=1))
    refused = http.post("/api/v1/outages", json={**body, "end": (start - timedelta(hours=1)).isoformat() + "Z",
                                                 "rfc": "RFC-x"}, headers=headers)
    assert refused.status_code == 422
    assert {e["field"]: e["detail"] for e in refused.json["errors"]} == {
        "end": "The outage must end after it starts.", "rfc": "Enter an RFC number like RFC-000123."}
