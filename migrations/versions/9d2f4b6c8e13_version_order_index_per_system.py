"""version order: RFCs approved since a submission found per system

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


def downgrade():
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.drop_index('ix_rfcs_system_approved_at')
        batch_op.create_index('ix_rfcs_approved_at', ['approved_at'], unique=False)
