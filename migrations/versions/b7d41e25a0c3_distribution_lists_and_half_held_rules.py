"""issue 25 (half-held rules): distribution lists (mail groups and their members), work-off actions, deployment
sign-off, ADO work items, blocking outages, the weekly release slot

Revision ID: b7d41e25a0c3
Revises: c24b5e7d1f30
Create Date: 2026-12-06 20:00:00

"""
from datetime import datetime, time, timezone

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d41e25a0c3'
down_revision = 'c24b5e7d1f30'
branch_labels = None
depends_on = None

# The programme's standing lists (directory/reference_data.py: MAIL_GROUPS), so an installation has them at once.
STANDING = [
    ("ewg", "EWG", "Environments Working Group: environment plans, planned outages and releases (EAP §6.2)."),
    ("sit_participants", "SIT participants", "Everyone who tests in SIT-A or SIT-B: releases, outages and retests."),
    ("uit_participants", "UIT participants", "Everyone who tests in UIT: releases, outages and retests."),
    ("triage", "Defect Triage", "The defect triage teams: known issues and workarounds of each release (RCM 4.3)."),
]


def upgrade():
    groups = op.create_table(
        'mail_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('purpose', sa.Text(), server_default='', nullable=False),
        sa.Column('key', sa.String(length=20), nullable=True),
        sa.Column('weekly_report', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'mail_group_members',
        sa.Column('mail_group_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['mail_group_id'], ['mail_groups.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('mail_group_id', 'user_id'),
    )
    with op.batch_alter_table('mail_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_group_members_user_id'), ['user_id'], unique=False)
    op.create_table(
        'rfc_work_off_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rfc_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.Column('done_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['rfc_id'], ['rfcs.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['done_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('rfc_work_off_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rfc_work_off_actions_rfc_id'), ['rfc_id'], unique=False)
        batch_op.create_index('ix_rfc_work_off_actions_owner_open', ['owner_id', 'done_at', 'due'], unique=False)
    with op.batch_alter_table('rfc_deployments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('smoke_test', sa.String(length=10), server_default='not run', nullable=False))
        batch_op.add_column(sa.Column('confirmed_by', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('instruction_errors', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ado_work_item', sa.String(length=20), server_default='', nullable=False))
    with op.batch_alter_table('outages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocking', sa.Boolean(), server_default='0', nullable=False))
    slots = op.create_table(
        'release_slots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('start', sa.Time(), nullable=False),
        sa.Column('end', sa.Time(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(slots, [{"weekday": 0, "start": time(13), "end": time(17)}])  # RCM Table 3: Monday afternoon
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(groups, [{"key": key, "name": name, "purpose": purpose, "created_at": now}
                            for key, name, purpose in STANDING])


def downgrade():
    op.drop_table('release_slots')
    with op.batch_alter_table('outages', schema=None) as batch_op:
        batch_op.drop_column('blocking')
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.drop_column('ado_work_item')
    with op.batch_alter_table('rfc_deployments', schema=None) as batch_op:
        batch_op.drop_column('instruction_errors')
        batch_op.drop_column('confirmed_by')
        batch_op.drop_column('smoke_test')
    op.drop_table('rfc_work_off_actions')
    with op.batch_alter_table('mail_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_group_members_user_id'))
    op.drop_table('mail_group_members')
    op.drop_table('mail_groups')
