"""the programme's rules held exactly (issue 25): SIT-A/SIT-B purposes (RCM §7.4), where central systems exist
(EAP §9.3.5-§9.3.6, §9.8.2), the environments each organisation tests in (RCM §14), PKI officers per registration
scheme (EAP §10.3.1), blocking defects and development test evidence of Emergency releases (RCM §12.8), and the
reason a regular release does not carry an emergency's fixes (RCM §12.8 NB)

Revision ID: e25a7c4d1b90
Revises: 9d2f4b6c8e13
Create Date: 2026-12-06 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e25a7c4d1b90'
down_revision = '9d2f4b6c8e13'
branch_labels = None
depends_on = None

OLD_PURPOSES = {
    "SIT-A": ("SIT Component Integration and SIT Functional testing.",
              "SIT Component Integration, SIT Functional, SIT Migration and SIT Functional Regression testing "
              "(RCM §7.4, Table 2)."),
    "SIT-B": ("SIT Migration, SIT Non-Functional and SIT Operational testing.",
              "SIT Functional Settlement testing, followed by SIT Non-Functional and SIT Operational testing "
              "(RCM §7.4, Table 2)."),
}


def upgrade():
    op.create_table(
        'organisation_environments',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('environment_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['environment_id'], ['environments.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'environment_id'),
    )
    with op.batch_alter_table('organisation_environments', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_environments_environment_id', ['environment_id'], unique=False)
    with op.batch_alter_table('rfc_defects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocking', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dev_test_evidence', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('not_carried_reason', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('pki_officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme', sa.String(length=10), nullable=False, server_default='DIP'))
    # A Nominating Officer is the DCC CSS scheme's (EAP §11.3.1.1); every other officer was appointed for the DIP.
    op.execute("UPDATE pki_officers SET scheme = 'DCC CSS' WHERE role = 'Nominating Officer'")

    # The RCM (§7.4, Table 2) stands for test stages: Migration runs in SIT-A, Settlement in SIT-B. Purposes a
    # Release Manager has rewritten are left as they are.
    for name, (old, new) in OLD_PURPOSES.items():
        op.execute(sa.text("UPDATE environments SET purpose = :new WHERE name = :name AND purpose = :old")
                   .bindparams(new=new, name=name, old=old))
    # The EAP stands for environments: DCC's single test instance serves SIT-A only; Electralink provides none.
    op.execute(sa.text(
        "DELETE FROM environment_systems WHERE system_id IN (SELECT id FROM systems WHERE name = 'DTN') "
        "OR (system_id IN (SELECT id FROM systems WHERE name IN ('DSP', 'CSS')) "
        "AND environment_id NOT IN (SELECT id FROM environments WHERE name = 'SIT-A'))"))


def downgrade():
    with op.batch_alter_table('pki_officers', schema=None) as batch_op:
        batch_op.drop_column('scheme')
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.drop_column('not_carried_reason')
        batch_op.drop_column('dev_test_evidence')
    with op.batch_alter_table('rfc_defects', schema=None) as batch_op:
        batch_op.drop_column('blocking')
    with op.batch_alter_table('organisation_environments', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_environments_environment_id')
    op.drop_table('organisation_environments')
