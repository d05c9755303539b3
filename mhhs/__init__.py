"""Release Desk: releases, environments and PKI certificates of the MHHS test programme."""
import os

from flask import Flask

from .config import INSTANCE, Config
from .extensions import csrf, db, htmx, login_manager, migrate


def create_app(config=None):
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_path=str(INSTANCE))
    app.config.from_object(config or Config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE.parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to see that page."
    login_manager.session_protection = "strong"

    from . import models  # noqa: F401  (every model registered before Alembic looks)
    from .core.db import configure_engine
    from .core.errors import register_error_handlers
    from .certificates import permissions as certificate_rules
    from .core import permissions as core_rules
    from .core.time import format_london
    from .outages import permissions as outage_rules
    from .releases import permissions as rfc_rules

    with app.app_context():
        configure_engine(db.engine)

    from .auth.views import bp as auth_bp
    from .certificates.cli import cli as certificates_cli
    from .certificates.views import bp as certificates_bp
    from .demo import cli as demo_cli
    from .directory.cli import cli as directory_cli
    from .directory.views import bp as directory_bp
    from .home import bp as home_bp
    from .mail.cli import cli as mail_cli
    from .mail.views import bp as mail_bp
    from .outages.views import bp as outages_bp
    from .releases.views import bp as releases_bp

    for blueprint in (auth_bp, directory_bp, home_bp, certificates_bp, releases_bp, mail_bp, outages_bp, directory_cli, demo_cli, certificates_cli, mail_cli):
        app.register_blueprint(blueprint)

    register_error_handlers(app)
    # Every object rule is a Jinja global too, so a template asks the rule instead of re-deriving it.
    for rules in (core_rules, rfc_rules, outage_rules, certificate_rules):
        app.jinja_env.globals.update(rules.JINJA_GLOBALS)
    app.jinja_env.globals["zip"] = zip
    app.jinja_env.filters["london"] = format_london
    return app
