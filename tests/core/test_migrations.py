"""A migration that moves data is run on data: an installation at the previous schema upgrades with its rows."""
import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from mhhs import create_app
from mhhs.baseline.versions import sort_key
from mhhs.config import TestConfig
from mhhs.extensions import db

BEFORE_BASELINE = "37f4e68fa368"
ROWS = """
INSERT INTO organisations (id, name, kind, fix_forward, mpids) VALUES (1, 'Avanade', 'central_party', 0, '');
INSERT INTO users (id, email, name, password_hash, role, organisation_id, scope_sit, scope_uit, active, created_at,
                   session_token)
  VALUES (1, 'dip@example.test', 'Dana', 'x', 'CENTRAL_PARTY', 1, 0, 0, 1, '2026-01-01', 'token');
INSERT INTO systems (id, name, organisation_id, support_hours, backup_regime) VALUES (1, 'DIP', 1, '', '');
INSERT INTO environments (id, name, phase, purpose, position) VALUES (1, 'SIT-A', 'SIT', '', 1), (2, 'UIT', 'UIT',
                                                                                                  '', 2);
INSERT INTO rfcs (id, organisation_id, system_id, release_type, version, title, reason, implementation_plan,
                  rollback_plan, stakeholders_impacted, known_issues, installation_instructions, status, revision,
                  created_by_id, created_at, updated_at, row_version, outcome, actual_start, actual_end,
                  deployment_issues, deployment_resolutions)
  VALUES (1, 1, 1, 'Minor', '1.1.0.0', 'T', 'R', '', '', '', '', '', 'rolled back', 1, 1, '2026-01-01', '2026-01-01',
          1, 'rolled back', '2026-01-02 10:00', '2026-01-02 11:00', 'Smoke test failed', 'Redeployed 1.0'),
         (2, 1, 1, 'Minor', '1.2.0.0', 'T', 'R', '', '', '', '', '', 'deployed', 1, 1, '2026-01-01', '2026-01-01',
          1, 'deployed', '2026-01-09 10:00', '2026-01-09 11:00', NULL, NULL),
         (3, 1, 1, 'Emergency', '1.2.0.1', 'T', 'R', '', '', '', '', '', 'submitted', 1, 1, '2026-01-01', '2026-01-01',
          1, NULL, NULL, NULL, NULL, NULL);
UPDATE rfcs SET window_start = '2026-02-01 09:00', window_end = '2026-02-01 11:30' WHERE id = 3;
INSERT INTO rfc_environments (rfc_id, environment_id) VALUES (1, 1), (1, 2), (2, 1), (3, 1), (3, 2);
INSERT INTO rfc_approvals (id, rfc_id, revision, phase, decision, by_id, at, comment)
  VALUES (1, 3, 1, 'SIT', 'approved', 1, '2026-01-10', '');
INSERT INTO deployed_versions (id, environment_id, system_id, version, rfc_id, deployed_at)
  VALUES (1, 1, 1, '1.2.0.0', 2, '2026-01-09 11:00');
"""


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="a throwaway SQLite file of its own")
def test_deployments_and_the_baseline_survive_the_upgrade(tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'old.sqlite'}"

    app = create_app(Config)
    with app.app_context():
        upgrade(revision=BEFORE_BASELINE)
        with db.engine.begin() as connection:
            for statement in ROWS.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        upgrade()
        with db.engine.connect() as connection:
            deployments = connection.execute(text(
                "SELECT rfc_id, environment_id, outcome, version, issues, resolutions FROM rfc_deployments "
                "ORDER BY rfc_id, environment_id")).all()
            history = connection.execute(text(
                "SELECT environment_id, system_id, version, what, rfc_id FROM baseline_changes")).all()
            minutes = connection.execute(text("SELECT id, window_minutes FROM rfcs ORDER BY id")).all()
            keys = connection.execute(text("SELECT version, version_key FROM rfcs ORDER BY id")).all()
            pending = connection.execute(text(
                "SELECT rfc_id, phase, priority, window_start FROM rfc_pending_approvals")).all()
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    # One deployment per target environment, a rollback running no version of its own; the cell's history begins.
    assert deployments == [(1, 1, "rolled back", "", "Smoke test failed", "Redeployed 1.0"),
                           (1, 2, "rolled back", "", "Smoke test failed", "Redeployed 1.0"),
                           (2, 1, "deployed", "1.2.0.0", "", "")]
    assert history == [(1, 1, "1.2.0.0", "deployed", 2)]
    # The submitted emergency waits for UIT only (SIT approved its revision), first in that queue.
    assert pending == [(3, "UIT", 0, "2026-02-01 09:00")]
    assert minutes == [(1, None), (2, None), (3, 151)]  # 150 minutes, rounded up as the model keeps it
    assert keys == [(version, sort_key(version)) for version in ("1.1.0.0", "1.2.0.0", "1.2.0.1")]  # as it keeps it


ISSUE_25_ROWS = """
INSERT INTO organisations (id, name, kind, fix_forward, mpids) VALUES (1, 'DCC', 'central_party', 0, ''),
  (2, 'Electralink', 'central_party', 0, ''), (3, 'Northwold', 'test_participant', 0, 'NWEN');
INSERT INTO systems (id, name, organisation_id, support_hours, backup_regime) VALUES (1, 'DSP', 1, '', ''),
  (2, 'CSS', 1, '', ''), (3, 'DTN', 2, '', '');
INSERT INTO environments (id, name, phase, purpose, position) VALUES
  (1, 'SIT-A', 'SIT', 'SIT Component Integration and SIT Functional testing.', 1),
  (2, 'SIT-B', 'SIT', 'Our own words for SIT-B.', 2), (3, 'UIT', 'UIT', '', 3);
INSERT INTO environment_systems (environment_id, system_id) VALUES (1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (1, 3),
  (2, 3);
INSERT INTO pki_officers (id, organisation_id, role, name, email) VALUES (1, 3, 'Nominating Officer', 'N', 'n@x.test'),
  (2, 3, 'SRO', 'S', 's@x.test');
"""


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="a throwaway SQLite file of its own")
def test_issue_25_upgrade_places_central_systems_per_the_eap_and_officers_in_their_scheme(tmp_path):
    """EAP §9.3.5-§9.3.6 (DCC in SIT-A only, DTN nowhere), RCM §7.4 (SIT-A's purpose, unless a Release Manager
    rewrote it) and EAP §10.3.1 (a Nominating Officer is DCC CSS's) on an installation's existing rows."""
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'old.sqlite'}"

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="9d2f4b6c8e13")
        with db.engine.begin() as connection:
            for statement in ISSUE_25_ROWS.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        upgrade()
        with db.engine.connect() as connection:
            presence = connection.execute(text("SELECT system_id, environment_id FROM environment_systems "
                                               "ORDER BY system_id, environment_id")).all()
            purposes = dict(connection.execute(text("SELECT name, purpose FROM environments")).all())
            schemes = connection.execute(text("SELECT role, scheme FROM pki_officers ORDER BY id")).all()
    assert presence == [(1, 1), (2, 1)]
    assert "SIT Migration" in purposes["SIT-A"] and purposes["SIT-B"] == "Our own words for SIT-B."
    assert schemes == [("Nominating Officer", "DCC CSS"), ("SRO", "DIP")]
