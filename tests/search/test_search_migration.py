"""The search index's migration fills it from the objects already there, exactly as the services keep it."""
import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from mhhs import create_app
from mhhs.config import TestConfig
from mhhs.extensions import db

BEFORE_SEARCH = "9d2f4b6c8e13"
DOCUMENTS = "SELECT kind, object_id, parent_id, title, body FROM search_documents ORDER BY kind, object_id"


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="a throwaway SQLite file of its own")
def test_the_migration_backfills_what_the_services_keep(tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'demo.sqlite'}"

    app = create_app(Config)
    with app.app_context():
        upgrade()
        from mhhs.demo import seed_everything
        seed_everything(demo=True)
        db.session.remove()
        with db.engine.connect() as connection:
            kept = connection.execute(text(DOCUMENTS)).all()
        downgrade(revision=BEFORE_SEARCH)
        upgrade()
        with db.engine.connect() as connection:
            backfilled = connection.execute(text(DOCUMENTS)).all()
            found = connection.execute(text(
                "SELECT d.kind FROM search_index JOIN search_documents d ON d.id = search_index.rowid "
                "WHERE search_index MATCH '\"def 1133\"'")).all()
    assert {kind for kind, *_ in kept} == {"rfc", "defect", "outage", "certificate", "system"}
    assert backfilled == kept
    assert found == [("defect",)]  # the FTS5 index was filled too
