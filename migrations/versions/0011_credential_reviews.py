"""credential reviews: a badge imported into the catalog counts for nothing until a state
office or an admin approves it (CONTRACT.md section 3)

`credential_reviews` keeps every review (append-only, linked into the hash chain like the
rest of the history); `credentials.rejected` beside `credentials.reviewed` (approved) is
the latest review's decision, so a credential is approved, pending or rejected.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 20:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('credentials', sa.Column('rejected', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('credential_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('approved', 'rejected')", name=op.f('ck_credential_reviews_decision')),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'],
                            name=op.f('fk_credential_reviews_credential_id_credentials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_reviews'))
    )
    op.create_index(op.f('ix_credential_reviews_credential_id'), 'credential_reviews', ['credential_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER credential_reviews_append_only BEFORE UPDATE OR DELETE ON credential_reviews "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()")
        op.execute("CREATE TRIGGER credential_reviews_no_truncate BEFORE TRUNCATE ON credential_reviews "
                   "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER credential_reviews_no_{verb.lower()} BEFORE {verb} ON credential_reviews "
                       "BEGIN SELECT RAISE(ABORT, 'credential_reviews are append-only'); END")


def downgrade():
    # loses every review and which credentials were rejected
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS credential_reviews_no_truncate ON credential_reviews")
        op.execute("DROP TRIGGER IF EXISTS credential_reviews_append_only ON credential_reviews")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS credential_reviews_no_{verb}")
    op.drop_index(op.f('ix_credential_reviews_credential_id'), table_name='credential_reviews')
    op.drop_table('credential_reviews')
    op.execute("ALTER TABLE credentials DROP COLUMN rejected")
