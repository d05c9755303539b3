"""version order per system, a system's versions from one index, recent emergency releases by type and window

Revision ID: 9d2f4b6c8e13
Revises: 7b3e9f1a2c45
Create Date: 2026-12-04 06:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d2f4b6c8e13'
down_revision = '7b3e9f1a2c45'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.drop_index('ix_rfcs_approved_at')
        batch_op.create_index('ix_rfcs_system_approved_at', ['system_id', 'approved_at'], unique=False)
        batch_op.drop_index('ix_rfcs_release_type')
        batch_op.drop_index('ix_rfcs_system_version')
        batch_op.create_index('ix_rfcs_system_version', ['system_id', 'version', 'status', 'outcome'], unique=False)
        batch_op.create_index('ix_rfcs_type_window_start', ['release_type', 'window_start'], unique=False)


def downgrade():
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.drop_index('ix_rfcs_type_window_start')
        batch_op.create_index('ix_rfcs_release_type', ['release_type'], unique=False)
        batch_op.drop_index('ix_rfcs_system_version')
        batch_op.create_index('ix_rfcs_system_version', ['system_id', 'version'], unique=False)
        batch_op.drop_index('ix_rfcs_system_approved_at')
        batch_op.create_index('ix_rfcs_approved_at', ['approved_at'], unique=False)
