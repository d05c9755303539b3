"""issue 29: stored change counters (reference data and the outage board read once per process until theirs
moves); indexes on an RFC's system and window start (a SIT-A/SIT-B partner's nearest window) and on deployments'
actual start and end (the calendar's days, the home pages' recent release notes)

Revision ID: 4c8e2a6f9d13
Revises: c7d25a4e9f10
Create Date: 2026-12-06 23:20:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '4c8e2a6f9d13'
down_revision = 'c7d25a4e9f10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('change_counters',
                    sa.Column('name', sa.String(length=40), nullable=False),
                    sa.Column('value', sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint('name', name=op.f('pk_change_counters')))
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.create_index('ix_rfcs_system_window_start', ['system_id', 'window_start'], unique=False)
    with op.batch_alter_table('rfc_deployments', schema=None) as batch_op:
        batch_op.create_index('ix_rfc_deployments_actual_start', ['actual_start'], unique=False)
        batch_op.create_index('ix_rfc_deployments_actual_end', ['actual_end'], unique=False)


def downgrade():
    with op.batch_alter_table('rfc_deployments', schema=None) as batch_op:
        batch_op.drop_index('ix_rfc_deployments_actual_end')
        batch_op.drop_index('ix_rfc_deployments_actual_start')
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.drop_index('ix_rfcs_system_window_start')
    op.drop_table('change_counters')
