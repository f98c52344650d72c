"""license events: cycles renewed, extended and opened, each with who, when and why

A license is its type in its state; its cycles are the rows of `licenses` for that
(educator, state, type), as they always were (CONTRACT.md section 6). What happens to a
cycle from now on is an event: `opened`, `renewed` (with what the cycle had earned,
frozen) or `extended` (a new end). Append-only and linked into the hash chain like the
rest of the history; a cycle is renewed at most once (a unique partial index). The
cycles already recorded get no events: they were opened before events were kept.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('license_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('license_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('renewed_on', sa.Date(), nullable=True),
    sa.Column('cycle_end', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('opened', 'renewed', 'extended')", name=op.f('ck_license_events_kind')),
    sa.ForeignKeyConstraint(['cycle_id'], ['licenses.id'], name=op.f('fk_license_events_cycle_id_licenses')),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'], name=op.f('fk_license_events_license_id_licenses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_license_events'))
    )
    op.create_index(op.f('ix_license_events_cycle_id'), 'license_events', ['cycle_id'], unique=False)
    op.create_index(op.f('ix_license_events_license_id'), 'license_events', ['license_id'], unique=False)
    op.create_index('uq_license_events_renewed_once', 'license_events', ['cycle_id'], unique=True,
                    postgresql_where=sa.text("kind = 'renewed'"), sqlite_where=sa.text("kind = 'renewed'"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER license_events_append_only BEFORE UPDATE OR DELETE ON license_events "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()")
        op.execute("CREATE TRIGGER license_events_no_truncate BEFORE TRUNCATE ON license_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER license_events_no_{verb.lower()} BEFORE {verb} ON license_events "
                       "BEGIN SELECT RAISE(ABORT, 'license_events are append-only'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS license_events_no_truncate ON license_events")
        op.execute("DROP TRIGGER IF EXISTS license_events_append_only ON license_events")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS license_events_no_{verb}")
    op.drop_index('uq_license_events_renewed_once', table_name='license_events')
    op.drop_index(op.f('ix_license_events_license_id'), table_name='license_events')
    op.drop_index(op.f('ix_license_events_cycle_id'), table_name='license_events')
    op.drop_table('license_events')
