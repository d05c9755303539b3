"""The reference data as the forms and filters offer it: environments, systems and organisations by name, read once
per process and again only when the reference data's change counter moves (core/changes.py)."""
from markupsafe import Markup
from sqlalchemy import select

from ..core.changes import REFERENCE, cached
from ..extensions import db
from .models import Environment, Organisation, OrgKind, System


def _environments():
    return tuple(db.session.execute(select(Environment.id, Environment.name)
                                    .order_by(Environment.position, Environment.name)).tuples())


def _systems():
    return tuple(db.session.execute(select(System.id, System.name, Organisation.name)
                                    .join(Organisation, Organisation.id == System.organisation_id)
                                    .order_by(System.name, System.id)).tuples())


def _organisations():
    return tuple(db.session.execute(select(Organisation.id, Organisation.name)
                                    .order_by(Organisation.name, Organisation.id)).tuples())


def _central_parties():
    return tuple(db.session.execute(select(Organisation.id, Organisation.name)
                                    .where(Organisation.kind == OrgKind.CENTRAL_PARTY)
                                    .order_by(Organisation.name, Organisation.id)).tuples())


def environments():
    """((id, name)) in the programme's order."""
    return cached(_environments, REFERENCE)


def systems():
    """((id, name, organisation's name)) by name."""
    return cached(_systems, REFERENCE)


def organisations():
    """((id, name)) by name."""
    return cached(_organisations, REFERENCE)


def central_parties():
    """((id, name)) of the Central Parties (whose systems the outages and RFCs are of) by name."""
    return cached(_central_parties, REFERENCE)


def organisation_options(selected):
    """The <option>s of an organisation filter (every organisation by name, `selected` chosen): hundreds of them, so
    rendered once per process per chosen organisation (the last few) until the reference data changes."""
    return cached(_organisation_options, REFERENCE, key=(selected,))


def _organisation_options(selected):
    option = Markup('<option value="{}"{}>{}</option>')
    return Markup("").join(option.format(id, Markup(" selected") if id == selected else "", name)
                           for id, name in organisations())
