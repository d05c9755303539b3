"""Certificates held: the DIP certificates one organisation holds current in one environment read from a few rows of
an index on (environment, organisation, kind, replaced, valid_to), which also serves what the index on
(environment, organisation) served, so it replaces it

Revision ID: a7c3e5d9b214
Revises: d1e51f4fb380
Create Date: 2026-12-07 06:13:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e5d9b214'
down_revision = 'd1e51f4fb380'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_held', ['environment_id', 'organisation_id', 'kind', 'replaced',
                                                       'valid_to'], unique=False)
        batch_op.drop_index('ix_certificates_environment_organisation')


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_environment_organisation', ['environment_id', 'organisation_id'],
                              unique=False)
        batch_op.drop_index('ix_certificates_held')
