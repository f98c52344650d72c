"""standings: the standing projection (each educator's current and coming cycles and role
cards as the engine last judged them), a cache every write keeps current in its own
transaction. Not history: rows are replaced, never chained. After upgrading a database
with educators, fill it with `flask ledger refresh-standings` (every state).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 01:06:26

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('educators', schema=None) as batch_op:
        batch_op.create_index('ix_educators_name_order', ['last_name', 'first_name', 'id'], unique=False)
    op.create_table('standing_issuers',
    sa.Column('educator_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('state_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('issuer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_standing_issuers_educator_id_educators')),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuers.id'], name=op.f('fk_standing_issuers_issuer_id_issuers')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_standing_issuers_state_id_states')),
    sa.PrimaryKeyConstraint('educator_id', 'state_id', 'issuer_id', name=op.f('pk_standing_issuers'))
    )
    op.create_table('standing_issuer_totals',
    sa.Column('state_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('issuer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuers.id'], name=op.f('fk_standing_issuer_totals_issuer_id_issuers')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_standing_issuer_totals_state_id_states')),
    sa.PrimaryKeyConstraint('state_id', 'issuer_id', name=op.f('pk_standing_issuer_totals'))
    )
    op.create_table('standing_educators',
    sa.Column('educator_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('computed_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'],
                            name=op.f('fk_standing_educators_educator_id_educators')),
    sa.PrimaryKeyConstraint('educator_id', name=op.f('pk_standing_educators'))
    )
    op.create_table('standing_answers',
    sa.Column('educator_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('rulebook_version_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_standing_answers_educator_id_educators')),
    sa.ForeignKeyConstraint(['rulebook_version_id'], ['rulebook_versions.id'],
                            name=op.f('fk_standing_answers_rulebook_version_id_rulebook_versions')),
    sa.PrimaryKeyConstraint('educator_id', name=op.f('pk_standing_answers'))
    )
    op.create_table('standing_states',
    sa.Column('state_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_standing_states_state_id_states')),
    sa.PrimaryKeyConstraint('state_id', name=op.f('pk_standing_states'))
    )
    op.create_table('standing_cards',
    sa.Column('educator_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('card_code', sa.String(length=80), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('designation', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('lapses_on', sa.Date(), nullable=True),
    sa.Column('maintenance_number', sa.Integer(), nullable=True),
    sa.Column('maintenance_end', sa.Date(), nullable=True),
    sa.Column('maintenance_needed', sa.Integer(), nullable=True),
    sa.Column('rulebook_version_id', sa.Integer(), nullable=False),
    sa.Column('computed_on', sa.Date(), nullable=False),
    sa.Column('stale_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_standing_cards_educator_id_educators')),
    sa.ForeignKeyConstraint(['rulebook_version_id'], ['rulebook_versions.id'],
                            name=op.f('fk_standing_cards_rulebook_version_id_rulebook_versions')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_standing_cards_state_id_states')),
    sa.PrimaryKeyConstraint('educator_id', 'card_code', name=op.f('pk_standing_cards'))
    )
    with op.batch_alter_table('standing_cards', schema=None) as batch_op:
        batch_op.create_index('ix_standing_cards_stale_on', ['stale_on'], unique=False)
        batch_op.create_index('ix_standing_cards_state_card', ['state_id', 'card_code', 'status'], unique=False)

    op.create_table('standing_cycles',
    sa.Column('cycle_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('license_id', sa.Integer(), nullable=False),
    sa.Column('license_type', sa.String(length=50), nullable=False),
    sa.Column('cycle_number', sa.Integer(), nullable=False),
    sa.Column('cycle_start', sa.Date(), nullable=False),
    sa.Column('cycle_end', sa.Date(), nullable=False),
    sa.Column('superseded_on', sa.Date(), nullable=True),
    sa.Column('grace_ends', sa.Date(), nullable=True),
    sa.Column('lapses_on', sa.Date(), nullable=True),
    sa.Column('fixed_status', sa.String(length=20), nullable=True),
    sa.Column('renewed', sa.Boolean(), nullable=False),
    sa.Column('required_units', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('earned_units', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('left', sa.String(length=200), nullable=True),
    sa.Column('rulebook_version_id', sa.Integer(), nullable=False),
    sa.Column('computed_on', sa.Date(), nullable=False),
    sa.Column('stale_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['licenses.id'], name=op.f('fk_standing_cycles_cycle_id_licenses')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_standing_cycles_educator_id_educators')),
    sa.ForeignKeyConstraint(['rulebook_version_id'], ['rulebook_versions.id'],
                            name=op.f('fk_standing_cycles_rulebook_version_id_rulebook_versions')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_standing_cycles_state_id_states')),
    sa.PrimaryKeyConstraint('cycle_id', name=op.f('pk_standing_cycles'))
    )
    with op.batch_alter_table('standing_cycles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standing_cycles_educator_id'), ['educator_id'], unique=False)
        batch_op.create_index('ix_standing_cycles_stale_on', ['stale_on'], unique=False)
        batch_op.create_index('ix_standing_cycles_state_version', ['state_id', 'rulebook_version_id'], unique=False)
        batch_op.create_index('ix_standing_cycles_state_current', ['state_id', 'cycle_start', 'superseded_on'],
                              unique=False)



def downgrade():
    with op.batch_alter_table('educators', schema=None) as batch_op:
        batch_op.drop_index('ix_educators_name_order')
    with op.batch_alter_table('standing_cycles', schema=None) as batch_op:
        batch_op.drop_index('ix_standing_cycles_state_current')
        batch_op.drop_index('ix_standing_cycles_state_version')
        batch_op.drop_index('ix_standing_cycles_stale_on')
        batch_op.drop_index(batch_op.f('ix_standing_cycles_educator_id'))

    op.drop_table('standing_cycles')
    with op.batch_alter_table('standing_cards', schema=None) as batch_op:
        batch_op.drop_index('ix_standing_cards_state_card')
        batch_op.drop_index('ix_standing_cards_stale_on')

    op.drop_table('standing_cards')
    op.drop_table('standing_states')
    op.drop_table('standing_answers')
    op.drop_table('standing_educators')
    op.drop_table('standing_issuer_totals')
    op.drop_table('standing_issuers')
