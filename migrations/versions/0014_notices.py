"""notices: reminders recorded before they are sent (CONTRACT.md section 8)

`notices` holds each reminder once per (educator or user, kind, cycle, threshold): two
partial unique indexes, since a notice goes to an educator or to a user (a digest).
`notice_deliveries` holds what became of each (sent, logged, no_address, or failed and
tried again), at most one final outcome per notice. Both are history: append-only by
trigger, TRUNCATE refused, linked into the hash chain. `notice_settings` is an
educator's (or a staff user's) choice about optional notices: a plain row, changed in
place.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

HISTORY = ("notices", "notice_deliveries")


def upgrade():
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('cycle', sa.String(length=80), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.String(length=1000), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(educator_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_notices_one_recipient')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_notices_educator_id_educators')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notices_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    op.create_index('uq_notices_educator_once', 'notices', ['educator_id', 'kind', 'cycle', 'threshold'],
                    unique=True, postgresql_where=sa.text('educator_id IS NOT NULL'),
                    sqlite_where=sa.text('educator_id IS NOT NULL'))
    op.create_index('uq_notices_user_once', 'notices', ['user_id', 'kind', 'cycle', 'threshold'],
                    unique=True, postgresql_where=sa.text('user_id IS NOT NULL'),
                    sqlite_where=sa.text('user_id IS NOT NULL'))
    op.create_table('notice_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('sent', 'logged', 'no_address', 'failed')",
                       name=op.f('ck_notice_deliveries_outcome')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_deliveries_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_deliveries'))
    )
    op.create_index(op.f('ix_notice_deliveries_notice_id'), 'notice_deliveries', ['notice_id'], unique=False)
    op.create_index('uq_notice_deliveries_final_once', 'notice_deliveries', ['notice_id'], unique=True,
                    postgresql_where=sa.text("outcome <> 'failed'"), sqlite_where=sa.text("outcome <> 'failed'"))
    op.create_table('notice_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('optional_off', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(educator_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_notice_settings_one_person')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'],
                            name=op.f('fk_notice_settings_educator_id_educators')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_settings_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_settings')),
    sa.UniqueConstraint('educator_id', name=op.f('uq_notice_settings_educator_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_notice_settings_user_id'))
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in HISTORY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()")
    else:
        for table in HISTORY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END")


def downgrade():
    # loses every notice recorded, what became of it, and the educators' choices
    if op.get_bind().dialect.name == "postgresql":
        for table in HISTORY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        for table in HISTORY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_table('notice_settings')
    op.drop_index('uq_notice_deliveries_final_once', table_name='notice_deliveries')
    op.drop_index(op.f('ix_notice_deliveries_notice_id'), table_name='notice_deliveries')
    op.drop_table('notice_deliveries')
    op.drop_index('uq_notices_user_once', table_name='notices')
    op.drop_index('uq_notices_educator_once', table_name='notices')
    op.drop_table('notices')
