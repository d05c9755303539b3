"""search index: documents kept by the services, SQLite FTS5 / PostgreSQL tsvector + GIN, filled from the objects

Revision ID: c24b5e7d1f30
Revises: b3e5a7c9d1f2
Create Date: 2026-12-06 20:10:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c24b5e7d1f30'
down_revision = 'b3e5a7c9d1f2'
branch_labels = None
depends_on = None

SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE search_index USING fts5(title, body, content='search_documents', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_index(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_index(search_index, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_index(search_index, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_index(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
# Everything but letters and digits becomes a space first, so that both engines cut words alike ("1.2.0.0" is
# four tokens in order, as FTS5's unicode61 cuts it); the headline weighs more than the other words.
POSTGRES_INDEX = [
    "ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')), 'A') || "
    "setweight(to_tsvector('simple', regexp_replace(body, '[^[:alnum:]]+', ' ', 'g')), 'B')) STORED",
    "CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)",
]


def _words(*parts):
    return " ".join(str(p) for p in parts if p)


def _backfill(connection):
    """The documents of the objects that exist, as the services of this revision write them (frozen here)."""
    rows = []
    q = lambda sql: connection.execute(sa.text(sql)).all()  # noqa: E731
    for id_, title, version, rtype, system, org in q(
            "SELECT r.id, r.title, r.version, r.release_type, s.name, o.name FROM rfcs r "
            "LEFT JOIN systems s ON s.id = r.system_id JOIN organisations o ON o.id = r.organisation_id"):
        rows.append(dict(kind="rfc", object_id=id_, parent_id=None, title=_words(f"RFC-{id_:06d}", system, version,
                                                                                 title)[:400],
                         body=_words(org, rtype)))
    for id_, rfc_id, defect_id, severity, summary, env in q(
            "SELECT d.id, d.rfc_id, d.defect_id, d.severity, d.summary, e.name FROM rfc_defects d "
            "LEFT JOIN environments e ON e.id = d.found_in_id WHERE d.defect_id != ''"):
        rows.append(dict(kind="defect", object_id=id_, parent_id=rfc_id, title=_words(defect_id, summary)[:400],
                         body=_words(f"RFC-{rfc_id:06d}", severity, env)))
    systems_of = {}
    for outage_id, name in q("SELECT os.outage_id, s.name FROM outage_systems os JOIN systems s ON s.id = os.system_id "
                             "ORDER BY s.name"):
        systems_of.setdefault(outage_id, []).append(name)
    for id_, env, org, category, planned, description, impact, defect, cause in q(
            "SELECT u.id, e.name, o.name, u.category, u.planned, u.description, u.impact, u.defect_reference, "
            "u.root_cause FROM outages u JOIN environments e ON e.id = u.environment_id "
            "JOIN organisations o ON o.id = u.organisation_id"):
        rows.append(dict(kind="outage", object_id=id_, parent_id=None,
                         title=_words("Planned outage" if planned else "Outage", env, *systems_of.get(id_, []))[:400],
                         body=_words(org, category, description, impact, defect, cause)))
    for id_, kind, mpid, subject, env, org in q(
            "SELECT c.id, c.kind, c.mpid, c.subject, e.name, o.name FROM certificates c "
            "JOIN environments e ON e.id = c.environment_id JOIN organisations o ON o.id = c.organisation_id"):
        rows.append(dict(kind="certificate", object_id=id_, parent_id=None, title=_words(kind, mpid, env)[:400],
                         body=_words(subject, org)))
    for id_, name, org in q("SELECT s.id, s.name, o.name FROM systems s JOIN organisations o ON o.id = s.organisation_id"):
        rows.append(dict(kind="system", object_id=id_, parent_id=None, title=name, body=org))
    if rows:
        documents = sa.table("search_documents", sa.column("kind"), sa.column("object_id"), sa.column("parent_id"),
                             sa.column("title"), sa.column("body"))
        connection.execute(documents.insert(), rows)


def upgrade():
    op.create_table(
        'search_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=400), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
        sa.UniqueConstraint('kind', 'object_id', name='uq_search_documents_kind_object'),
    )
    op.create_index('ix_search_documents_kind_parent', 'search_documents', ['kind', 'parent_id'], unique=False)
    connection = op.get_bind()
    for statement in SQLITE_INDEX if connection.dialect.name == "sqlite" else POSTGRES_INDEX:
        connection.execute(sa.text(statement))
    _backfill(connection)


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for name in ("search_documents_ai", "search_documents_ad", "search_documents_au"):
            connection.execute(sa.text(f"DROP TRIGGER {name}"))
        connection.execute(sa.text("DROP TABLE search_index"))
    op.drop_index('ix_search_documents_kind_parent', table_name='search_documents')
    op.drop_table('search_documents')
