"""Outages logged through the real service, as a person would log them."""
from datetime import timedelta

from sqlalchemy import select

from mhhs.core.time import utc_to_london_naive, utcnow
from mhhs.directory.models import Environment, System, User
from mhhs.extensions import db
from mhhs.outages import services
from mhhs.outages.models import Category, Outage


def make_outage(email, environment="SIT-A", systems=("DIP",), planned=False, category=Category.SOFTWARE_FAILURE,
                start=None, end=None, description="Messages not acknowledged", **extra):
    user = db.session.scalar(select(User).where(User.email == email))
    values = {"environment_id": db.session.scalar(select(Environment.id).where(Environment.name == environment)),
              "planned": planned, "category": category, "start": start or utcnow() - timedelta(hours=1), "end": end,
              "description": description, "impact": extra.get("impact", "SIT Functional tests blocked"),
              "defect_reference": extra.get("defect_reference", ""), "root_cause": "", "rfc_id": None}
    chosen = db.session.scalars(select(System).where(System.name.in_(systems))).all()
    # A planned outage is announced in advance (EAP §12.5.1): one of the past was logged before it began.
    return services.save(user, Outage(), values, list(chosen),
                         now=values["start"] - timedelta(days=1) if planned else None)


def ids(app, model, *names):
    with app.app_context():
        return [db.session.scalar(select(model.id).where(model.name == n)) for n in names]


def local(moment):
    return utc_to_london_naive(moment).strftime("%Y-%m-%dT%H:%M")


def form(app, environment="SIT-A", systems=("DIP",), planned=False, category="software failure", **overrides):
    data = {"environment_id": ids(app, Environment, environment)[0], "system_ids": ids(app, System, *systems),
            "category": category, "start": local(utcnow() - timedelta(hours=2)), "end": "",
            "description": "Acks missing", "impact": "Functional tests blocked", "defect_reference": "ADO-4411",
            "root_cause": "", "rfc_number": ""}
    if planned:
        data["planned"] = "y"
    data.update(overrides)
    return data
