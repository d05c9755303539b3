"""Release Desk: releases, environments and PKI certificates of the MHHS test programme."""
import logging
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import INSTANCE, NO_SECRET_KEY, Config
from .core.forms import MAX_ID
from .core.jinja import Environment
from .extensions import compress, csrf, db, htmx, limiter, login_manager, migrate


class DatabaseId(IntegerConverter):
    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, max=MAX_ID, **kwargs)


def _configure_logging(app):
    logger = logging.getLogger("mhhs")
    logger.setLevel(app.config["LOG_LEVEL"].upper())
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)


def create_app(config=None):
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_path=str(INSTANCE))
    app.jinja_environment = Environment  # before anything makes app.jinja_env
    app.config.from_object(config or Config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(NO_SECRET_KEY)
    os.makedirs(app.instance_path, exist_ok=True)
    from .core.urls import trusted_hosts
    # A request naming another host is refused with 400 (Flask's TRUSTED_HOSTS), whatever links it would make.
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)

    if app.config["PROXY_COUNT"]:
        # Client address, scheme and host as the reverse proxy saw them (only as many hops as configured).
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    # An id in a URL beyond a 32-bit integer is no object of ours: 404, never an overflow in the database.
    app.url_map.converters["int"] = DatabaseId

    db.init_app(app)
    from .core.search import included_in_autogenerate
    migrate.init_app(app, db, directory=str(INSTANCE.parent / "migrations"), render_as_batch=True,
                     include_name=included_in_autogenerate)
    csrf.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)
    from .core import rate_limits  # noqa: F401  (the "database://" storage, before the limiter looks its scheme up)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to see that page."
    login_manager.session_protection = "strong"

    from . import models  # noqa: F401  (every model registered before Alembic looks)
    from .core import backup  # noqa: F401  (adds `flask db backup` and `flask db restore`)
    from .core.db import configure_engine

    with app.app_context():
        configure_engine(db.engine)

    _register_blueprints(app)
    _register_hooks(app)
    _register_template_globals(app)
    from .api import init_api
    from .core.errors import register_error_handlers
    from .core.security import register_security
    init_api(app)
    register_error_handlers(app)
    register_security(app)
    from .auth.views import must_change_password_first
    app.before_request(must_change_password_first)  # after the session's lifetimes: an ended session is nobody
    _configure_logging(app)
    return app


def _register_blueprints(app):
    from .allocation.views import bp as allocation_bp
    from .api.views import bp as api_pages_bp
    from .auth.views import bp as auth_bp
    from .baseline.cli import cli as baseline_cli
    from .baseline.views import bp as baseline_bp
    from .certificates.cli import cli as certificates_cli
    from .certificates.views import bp as certificates_bp
    from .core.health import bp as health_bp
    from .directory.cli import cli as directory_cli
    from .directory.views import bp as directory_bp
    from .home import bp as home_bp
    from .mail.cli import cli as mail_cli
    from .mail.views import bp as mail_bp
    from .notifications.views import bp as notifications_bp
    from .outages.cli import cli as outages_cli
    from .outages.views import bp as outages_bp
    from .participants.cli import cli as participants_cli
    from .participants.proving_views import bp as proving_bp
    from .participants.views import bp as participants_bp
    from .readiness.cli import cli as readiness_cli
    from .readiness.decisions_views import bp as decisions_bp
    from .readiness.views import bp as readiness_bp
    from .release_notes.views import bp as release_notes_bp
    from .reports.cli import cli as reports_cli
    from .reports.environments import bp as environments_bp
    from .reports.views import bp as reports_bp
    from .rfcs.retests import bp as retests_bp
    from .rfcs.views import bp as rfcs_bp
    from .schedule.views import bp as schedule_bp
    from .search.cli import cli as search_cli
    from .search.views import bp as search_bp
    from .seed_cli import cli as demo_cli

    for blueprint in (health_bp, api_pages_bp, auth_bp, directory_bp, notifications_bp, home_bp, certificates_bp,
                      rfcs_bp, retests_bp, release_notes_bp, baseline_bp, environments_bp, mail_bp, outages_bp,
                      schedule_bp, reports_bp, search_bp, participants_bp, proving_bp, readiness_bp, decisions_bp,
                      directory_cli, readiness_cli,
                      demo_cli, certificates_cli, mail_cli, baseline_cli, outages_cli, reports_cli, search_cli,
                      participants_cli):
        app.register_blueprint(blueprint)
    app.register_blueprint(allocation_bp)  # environment allocation (issue 27)


def _register_hooks(app):
    """What a lower package calls without importing the higher one that provides it (core/registry.py)."""
    from .baseline.services import NEXT_IN_CELL
    from .certificates import services as certificates
    from .core.registry import register
    from .core.search import RENAMED
    from .directory.seed import SEED_REFERENCE
    from .notifications.mail_groups import seed_standing_lists
    from .outages import services as outages
    from .outages.services import planned_outage_clashes
    from .outages.views import BOARD_REGIONS
    from .participants import views as participants
    from .participants.proving import certificates_changed
    from .readiness import decisions_views
    from .readiness import views as readiness
    from .release_notes import views as release_notes
    from .rfcs import services as rfc_services
    from .rfcs.clashes import scheduled_windows
    from .rfcs.targets import next_in_cells
    from .windows.clashes import SOURCES
    from .windows.release_slot import seed_slot

    register(app, SOURCES, scheduled_windows)
    register(app, SOURCES, planned_outage_clashes)
    register(app, NEXT_IN_CELL, next_in_cells)
    register(app, SEED_REFERENCE, seed_standing_lists)  # the programme's standing distribution lists
    register(app, SEED_REFERENCE, seed_slot)  # the weekly release slot's default (RCM Table 3)
    for domain in (rfc_services, outages, certificates):  # renaming a system or organisation re-indexes what names it
        register(app, RENAMED, domain.reindex_named)
    release_notes.register(app)
    # Under the status board on the outages page: participants' own environments (apart from central systems), then
    # today's morning health check.
    register(app, BOARD_REGIONS, participants.board_region)
    register(app, BOARD_REGIONS, readiness.board_region)
    # Connectivity proving rests on the PKI officers and certificates: a change to them may regress it.
    register(app, certificates.CHANGED, certificates_changed)
    decisions_views.register(app)  # the decision's and the EWG's PDFs attached at delivery
    _watch_changes()


def _watch_changes():
    """What moves the stored change counters (core/changes.py): the reference data, the outage board, what a
    participant's readiness reads, what connectivity proving rests on (the proving matrix), the emergency fixes still
    to be carried forward, the slots, the schedule's windows, what else the calendar shows, the day's health
    checks and how testing goes (the weekly report)."""
    from .allocation.models import Slot, StageOverlap, TestPhase
    from .baseline.models import BaselineChange, DeployedVersion
    from .certificates.models import Certificate, PkiOfficer
    from .core.changes import OUTAGES, PROVING, REFERENCE, SCHEDULE, SLOTS, TESTING, WINDOWS, changed, watch
    from .directory.models import Environment, MajorRelease, MarketRole, Organisation, System, User
    from .outages.models import DowntimeState, Outage, OutageUpdate
    from .participants.models import (
        ConnectivitySignOff,
        OnboardingInterval,
        Participant,
        ParticipantEnvironment,
        ParticipantOutage,
        ProvingStep,
        Tranche,
    )
    from .readiness.counts import READINESS
    from .readiness.counts import WATCHED as READINESS_WATCHED
    from .readiness.health import HEALTH
    from .readiness.models import (
        DecisionCondition,
        EwgAction,
        EwgMeeting,
        HealthCheck,
        HealthCheckDeadline,
        ProvingTest,
        ReadinessDecision,
    )
    from .rfcs.clashes import moves_windows, shares_rfc
    from .rfcs.models import Consultation, Defect, Deployment, Retest, Rfc
    from .rfcs.services.emergencies import CARRY_OVERS, moves_carry_overs
    from .windows.models import Freeze, ReleaseSlot

    for model in (Environment, System, Organisation, MarketRole, MajorRelease):
        watch(model, REFERENCE)
    for model in (Outage, OutageUpdate, DowntimeState):  # the stored downtime made complete to a later day too
        watch(model, OUTAGES)
    watch(Slot, SLOTS)
    for model in READINESS_WATCHED:
        watch(model, READINESS)
    for model in (HealthCheck, HealthCheckDeadline):  # a Central Party's morning checks: a few a day
        watch(model, HEALTH)
    for model in (Participant, ParticipantEnvironment, OnboardingInterval, Tranche, ProvingStep, ConnectivitySignOff,
                  PkiOfficer, Certificate):
        watch(model, PROVING)
    watch(Rfc, CARRY_OVERS, when=moves_carry_overs)
    watch(Defect, CARRY_OVERS)
    watch(Rfc, WINDOWS, when=moves_windows)
    for model in (Deployment, DeployedVersion, BaselineChange):  # the schedule, and the cells deployments moved
        watch(model, WINDOWS)
    watch(Consultation, WINDOWS, when=shares_rfc)
    for model in (Freeze, ReleaseSlot, TestPhase, StageOverlap, ParticipantOutage, ReadinessDecision, EwgMeeting):
        watch(model, SCHEDULE)
    for model in (Retest, ProvingTest, DecisionCondition, EwgAction):
        watch(model, TESTING)
    watch(User, TESTING, when=lambda user: changed(user, "name")[0])  # an owner's name, not each login


def _register_template_globals(app):
    """Every object rule is a Jinja global, so a template asks the rule instead of re-deriving it."""
    from .audit.sentences import sentence
    from .auth.services import locked_until
    from .certificates import permissions as certificate_rules
    from .certificates.views import cert_date
    from .core import links
    from .core import permissions as core_rules
    from .core.pagination import link_args
    from .core.time import day_span, format_london
    from .core.urls import fixed_url, public_url, url_of_id
    from .mail.services import counted, kind_words
    from .outages import permissions as outage_rules
    from .outages.views import hours
    from .participants import permissions as participant_rules
    from .readiness import permissions as readiness_rules
    from .readiness import views as readiness_views
    from .rfcs import permissions as rfc_rules
    from .rfcs import views as rfc_views
    from .rfcs.numbers import rfc_number
    from .rfcs.retests import follow_up

    for rules in (core_rules, rfc_rules, outage_rules, certificate_rules, rfc_views, participant_rules, readiness_rules,
                  readiness_views):
        app.jinja_env.globals.update(rules.JINJA_GLOBALS)
    app.jinja_env.globals.update(participant_rules.JINJA_GLOBALS)
    from .allocation import permissions as allocation_rules
    app.jinja_env.globals.update(allocation_rules.JINJA_GLOBALS)  # environment allocation (issue 27)
    app.jinja_env.globals.update(links.JINJA_GLOBALS)
    app.jinja_env.globals.update(zip=zip, login_locked_until=locked_until, public_url=public_url, link_args=link_args,
                                 fixed_url=fixed_url, url_of_id=url_of_id,
                                 counted=counted)  # counted: "4 messages", never "message(s)"
    app.jinja_env.filters.update(london=format_london, day_span=day_span, follow_up=follow_up,
                                 revision_time=rfc_views.revision_time, audit_sentence=sentence, rfc_number=rfc_number,
                                 cert_date=cert_date, hours=hours, kind_words=kind_words)
