"""issue 23: credentials that end together, hashed calendar feed tokens, must-change passwords, certificates'
fingerprints unique per organisation

Revision ID: e23a5c0f1b7d
Revises: b7d41e25a0c3
Create Date: 2026-12-06 20:15:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e23a5c0f1b7d'
down_revision = 'b7d41e25a0c3'
branch_labels = None
depends_on = None

users = sa.table('users', sa.column('id', sa.Integer), sa.column('calendar_token', sa.String))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credentials_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Feed URLs given out so far keep working: their secrets are replaced by their SHA-256 digests.
    connection = op.get_bind()
    for user_id, token in connection.execute(sa.select(users.c.id, users.c.calendar_token)
                                             .where(users.c.calendar_token.is_not(None))).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(calendar_token=hashlib.sha256(token.encode()).hexdigest()))
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('uq_certificates_fingerprint', type_='unique')
        batch_op.create_unique_constraint('uq_certificates_organisation_fingerprint', ['organisation_id', 'fingerprint'])


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('uq_certificates_organisation_fingerprint', type_='unique')
        batch_op.create_unique_constraint('uq_certificates_fingerprint', ['fingerprint'])
    # The digests cannot be turned back into secrets: every feed URL has to be made again.
    op.execute(users.update().values(calendar_token=None))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('credentials_since')
