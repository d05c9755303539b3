"""certificates: replaced kept as a flag; indexes for the dashboard's counts and coverage

Revision ID: 7b3e9f1a2c45
Revises: 0c4d2e6f8a11
Create Date: 2026-12-04 06:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e9f1a2c45'
down_revision = '0c4d2e6f8a11'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_index('ix_certificates_environment_id')
        batch_op.create_index('ix_certificates_current',
                              ['replaced', 'valid_to', 'environment_id', 'organisation_id', 'kind'], unique=False)
        batch_op.create_index('ix_certificates_environment_organisation', ['environment_id', 'organisation_id'],
                              unique=False)
    op.execute("UPDATE certificates SET replaced = TRUE WHERE id IN "
               "(SELECT replaces_id FROM certificates WHERE replaces_id IS NOT NULL)")


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_environment_organisation')
        batch_op.drop_index('ix_certificates_current')
        batch_op.create_index('ix_certificates_environment_id', ['environment_id'], unique=False)
        batch_op.drop_column('replaced')
