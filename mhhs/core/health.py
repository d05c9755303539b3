"""`/healthz` for monitoring: 200 when the database answers and its schema is at the migrations' head."""
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .permissions import is_manager, public

bp = Blueprint("health", __name__)


def migration_heads():
    directory = Path(current_app.extensions["migrate"].directory)
    return set(ScriptDirectory.from_config(_alembic_config(directory)).get_heads())


def _alembic_config(directory):
    config = AlembicConfig()
    config.set_main_option("script_location", str(directory))
    return config


def database_revisions():
    return set(db.session.scalars(text("SELECT version_num FROM alembic_version")))


@bp.route("/healthz")
@public
def healthz():
    """ok / not ok for anyone (a monitor); the database and schema details only to a logged-in Release Manager."""
    body, status = _health()
    if not (current_user.is_authenticated and is_manager(current_user)):
        body = {"status": "ok" if status == 200 else "not ok"}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status


def _health():
    try:
        current = database_revisions()
    except SQLAlchemyError as error:
        db.session.rollback()
        return dict(status="unavailable", database=f"unreachable: {error.__class__.__name__}"), 503
    heads = migration_heads()
    if current != heads:
        schema = f"at {', '.join(sorted(current)) or 'nothing'}, migrations at {', '.join(sorted(heads))}"
        return dict(status="unavailable", database="reachable", schema=f"{schema}: run flask db upgrade"), 503
    return dict(status="ok", database="reachable", schema=", ".join(sorted(heads))), 200
