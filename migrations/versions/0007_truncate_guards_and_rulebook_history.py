"""history guarded against TRUNCATE too; rulebook versions append-only

Row triggers do not fire on TRUNCATE, so the owner of the tables could empty the audit
trail with one statement (audit finding F-10): a statement trigger now refuses it on every
history table (PostgreSQL; SQLite has no TRUNCATE). Rulebook versions, the rules behind
every past valuation, refuse UPDATE and DELETE like the ledger.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:20:00

"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

HISTORY = ("entries", "voids", "audit_events", "salary_runs", "salary_run_rows", "transcripts",
           "transcript_revocations", "rulebook_versions")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in HISTORY:
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()")
        op.execute("CREATE TRIGGER rulebook_versions_append_only BEFORE UPDATE OR DELETE ON rulebook_versions "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER rulebook_versions_no_{verb.lower()} BEFORE {verb} ON rulebook_versions "
                       "BEGIN SELECT RAISE(ABORT, 'rulebook_versions are append-only'); END")


def downgrade():
    """Downgrading lifts the guards (nothing is lost, but history can be emptied again)."""
    if op.get_bind().dialect.name == "postgresql":
        for table in HISTORY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS rulebook_versions_append_only ON rulebook_versions")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS rulebook_versions_no_{verb}")
