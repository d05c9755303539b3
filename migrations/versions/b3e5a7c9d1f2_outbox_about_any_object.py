"""The outbox names what a message is about as (object type, object id), as the audit trail does, instead of a
foreign key into the RFCs, which sit in a higher layer

Revision ID: b3e5a7c9d1f2
Revises: e25a7c4d1b90
Create Date: 2026-12-06 20:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b3e5a7c9d1f2'
down_revision = 'e25a7c4d1b90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('object_type', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('object_id', sa.Integer(), nullable=True))
    op.execute("UPDATE outbox_messages SET object_type = 'rfcs', object_id = rfc_id WHERE rfc_id IS NOT NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_rfc_id_rfcs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_rfc_id'))
        batch_op.drop_column('rfc_id')
        batch_op.create_index('ix_outbox_messages_object', ['object_type', 'object_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rfc_id', sa.Integer(), nullable=True))
    op.execute("UPDATE outbox_messages SET rfc_id = object_id WHERE object_type = 'rfcs'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_object')
        batch_op.drop_column('object_id')
        batch_op.drop_column('object_type')
        batch_op.create_index(batch_op.f('ix_outbox_messages_rfc_id'), ['rfc_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_rfc_id_rfcs'), 'rfcs', ['rfc_id'], ['id'],
                                    ondelete='SET NULL')
