"""notice channel: a notice the job records with no mail server configured is recorded as
`channel = 'log'`, written to the log after its batch commits and never mailed, so it has
no delivery row (what became of it is known when it is recorded). NULL, as on every
notice recorded before this revision, is a notice for the mail: the job delivers it and
records each attempt in `notice_deliveries`. A partial index on the notices still to be
mailed keeps the job's look for them to those. Old rows keep NULL, so their chain digests
are unchanged.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 07:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN: a batch copy would drop the table's append-only triggers on SQLite
    op.add_column('notices', sa.Column('channel', sa.String(length=10), nullable=True))
    op.create_index('ix_notices_by_mail', 'notices', ['id'], unique=False,
                    postgresql_where=sa.text('channel IS NULL'), sqlite_where=sa.text('channel IS NULL'))


def downgrade():
    op.drop_index('ix_notices_by_mail', table_name='notices')
    op.execute("ALTER TABLE notices DROP COLUMN channel")
