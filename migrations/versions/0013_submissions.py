"""submissions: an educator reports, HR or the state office approves (CONTRACT.md section 7)

`evidence_files` (each file kept once, by its SHA-256) and `entry_evidence` (the file an
entry was approved on) are history: append-only by trigger and linked into the hash
chain. A submission changes once, from pending to approved or rejected, with who decided
and when; a trigger refuses any other change and every DELETE on both engines.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

HISTORY = ("evidence_files", "entry_evidence")
# What a decision leaves as it was (everything but status and the decision's own columns).
KEPT = ("id", "educator_id", "kind", "credential_id", "title", "hours", "measure", "earned_on", "external_id",
        "evidence_url", "evidence_id", "evidence_name", "submitted_by", "submitted_at")


def upgrade():
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('stored_by', sa.String(length=200), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
    sa.UniqueConstraint('sha256', name=op.f('uq_evidence_files_sha256'))
    )
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=True),
    sa.Column('badge', sa.JSON(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('hours', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('measure', sa.String(length=40), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('earned_on', sa.Date(), nullable=False),
    sa.Column('external_id', sa.String(length=500), nullable=True),
    sa.Column('evidence_url', sa.String(length=2000), nullable=True),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('evidence_name', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('microcredential', 'activity')", name=op.f('ck_submissions_kind')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_submissions_status')),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'],
                            name=op.f('fk_submissions_credential_id_credentials')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_submissions_educator_id_educators')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_submissions_entry_id_entries')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_files.id'],
                            name=op.f('fk_submissions_evidence_id_evidence_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions'))
    )
    op.create_index(op.f('ix_submissions_educator_id'), 'submissions', ['educator_id'], unique=False)
    op.create_index('ix_submissions_status_id', 'submissions', ['status', 'id'], unique=False)
    op.create_table('entry_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_entry_evidence_entry_id_entries')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_files.id'],
                            name=op.f('fk_entry_evidence_evidence_id_evidence_files')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                            name=op.f('fk_entry_evidence_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_evidence')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_entry_evidence_entry_id'))
    )
    op.create_index(op.f('ix_entry_evidence_evidence_id'), 'entry_evidence', ['evidence_id'], unique=False)
    _guards()


def _guards():
    if op.get_bind().dialect.name == "postgresql":
        for table in HISTORY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()")
        kept = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in KEPT)
        op.execute(
            "CREATE FUNCTION ledger_submission_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'UPDATE' AND OLD.status = 'pending' AND NEW.status <> 'pending' AND {kept} "
            "THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'a submission is decided once, from pending (% refused)', TG_OP "
            "USING ERRCODE = 'restrict_violation'; END $$")
        op.execute("CREATE TRIGGER submissions_decided_once BEFORE UPDATE OR DELETE ON submissions "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_submission_decided_once()")
    else:
        for table in HISTORY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END")
        kept = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT)
        op.execute("CREATE TRIGGER submissions_decided_once BEFORE UPDATE ON submissions "
                   f"WHEN NOT (OLD.status = 'pending' AND NEW.status <> 'pending' AND {kept}) "
                   "BEGIN SELECT RAISE(ABORT, 'a submission is decided once, from pending'); END")
        op.execute("CREATE TRIGGER submissions_no_delete BEFORE DELETE ON submissions "
                   "BEGIN SELECT RAISE(ABORT, 'submissions are kept: DELETE refused'); END")


def downgrade():
    # loses every submission, every evidence file's record (the stored bytes stay in the
    # store) and which entries were recorded on which evidence
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS submissions_decided_once ON submissions")
        op.execute("DROP FUNCTION IF EXISTS ledger_submission_decided_once()")
        for table in HISTORY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        op.execute("DROP TRIGGER IF EXISTS submissions_decided_once")
        op.execute("DROP TRIGGER IF EXISTS submissions_no_delete")
        for table in HISTORY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    # (their links stay in the append-only chain; verify-ledger then names the rows gone)
    op.drop_index(op.f('ix_entry_evidence_evidence_id'), table_name='entry_evidence')
    op.drop_table('entry_evidence')
    op.drop_index('ix_submissions_status_id', table_name='submissions')
    op.drop_index(op.f('ix_submissions_educator_id'), table_name='submissions')
    op.drop_table('submissions')
    op.drop_table('evidence_files')
