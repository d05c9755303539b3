"""issue 23: rate-limit counts in the database, so every server process counts against one limit

Revision ID: 8be0f71415a4
Revises: b7e2d4c9a1f3
Create Date: 2026-12-06 23:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8be0f71415a4'
down_revision = 'b7e2d4c9a1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_counts',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counts')),
    )
    with op.batch_alter_table('rate_limit_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_counts_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('rate_limit_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_counts_expires_at'))
    op.drop_table('rate_limit_counts')
