"""participants: the central systems' connection details (EAP §7.1.3, §7.3), per central environment and system

Revision ID: b7e2d4c9a1f3
Revises: 9761f3b31ab5
Create Date: 2026-12-06 23:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2d4c9a1f3'
down_revision = '9761f3b31ab5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('central_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('environment_id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('endpoints', sa.Text(), nullable=False),
    sa.Column('host_names', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['environment_id'], ['environments.id'], name=op.f('fk_central_connections_environment_id_environments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['system_id'], ['systems.id'], name=op.f('fk_central_connections_system_id_systems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_central_connections_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_central_connections')),
    sa.UniqueConstraint('environment_id', 'system_id', name=op.f('uq_central_connections_environment_id'))
    )
    with op.batch_alter_table('central_connections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_central_connections_environment_id'), ['environment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_central_connections_system_id'), ['system_id'], unique=False)


def downgrade():
    with op.batch_alter_table('central_connections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_central_connections_system_id'))
        batch_op.drop_index(batch_op.f('ix_central_connections_environment_id'))
    op.drop_table('central_connections')
