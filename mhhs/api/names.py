"""Names in the API, ids in the services: environments, systems and market roles found by name (case aside); an
unknown name is a problem by the field it came in."""
from flask_login import current_user
from sqlalchemy import func, select

from ..directory.models import Environment, MarketRole, System
from ..extensions import db
from .errors import invalid


class Names:
    """Collects every unknown name of a request, then check() answers 422 with all of them at once."""

    def __init__(self):
        self.problems = []
        self._environments = None

    def environment(self, name, field):
        if self._environments is None:
            self._environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
        found = next((e for e in self._environments if e.name.lower() == (name or "").strip().lower()), None)
        if found is None:
            self.problems.append({"field": field, "detail": f"There is no environment “{name}”: choose one of "
                                                            f"{', '.join(e.name for e in self._environments)}."})
        return found

    def system(self, name, field, own=False):
        query = select(System).where(func.lower(System.name) == (name or "").strip().lower())
        found = db.session.scalar(query.where(System.organisation_id == current_user.organisation_id) if own
                                  else query)
        if found is None:
            self.problems.append({"field": field, "detail": "Choose one of your organisation's systems." if own
                                  else f"There is no system “{name}”."})
        return found

    def market_role(self, code, field):
        found = db.session.scalar(select(MarketRole).where(MarketRole.code == code))
        if found is None:
            self.problems.append({"field": field, "detail": f"There is no market role “{code}”."})
        return found

    def check(self):
        if self.problems:
            invalid(self.problems)


def filtered_by(filters):
    """The system and the environment a list is filtered by (None when not given); an unknown name is a 422."""
    names = Names()
    system = names.system(filters["system"], "system") if filters.get("system") else None
    environment = names.environment(filters["environment"], "environment") if filters.get("environment") else None
    names.check()
    return system, environment
