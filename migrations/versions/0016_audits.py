"""audits: the state office's random sample of renewed cycles, its cases and findings

`audits` (the sample as drawn: state, period, share or count, seed) and `audit_findings`
(an entry disallowed, the void it made) are history: append-only by trigger, TRUNCATE
refused, linked into the hash chain. A case (`audit_cases`) changes once, from open to
passed or findings, with who decided and when; a trigger refuses any other change and
every DELETE, on both engines.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 23:32:33

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

HISTORY = ("audits", "audit_findings")
# What a decision leaves as it was (everything but status and the decision's own columns).
KEPT = ("id", "audit_id", "educator_id", "license_id", "cycle_id", "renewal_id")


def upgrade():
    op.create_table('audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('share', sa.Numeric(precision=7, scale=6), nullable=True),
    sa.Column('count_asked', sa.Integer(), nullable=True),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('candidates', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(share IS NULL) <> (count_asked IS NULL)', name=op.f('ck_audits_share_or_count')),
    sa.CheckConstraint('period_from <= period_to', name=op.f('ck_audits_period')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_audits_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audits'))
    )
    op.create_index(op.f('ix_audits_state_id'), 'audits', ['state_id'], unique=False)
    op.create_table('audit_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('license_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('renewal_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'passed', 'findings')", name=op.f('ck_audit_cases_status')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_cases_audit_id_audits')),
    sa.ForeignKeyConstraint(['cycle_id'], ['licenses.id'], name=op.f('fk_audit_cases_cycle_id_licenses')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_audit_cases_educator_id_educators')),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'], name=op.f('fk_audit_cases_license_id_licenses')),
    sa.ForeignKeyConstraint(['renewal_id'], ['license_events.id'],
                            name=op.f('fk_audit_cases_renewal_id_license_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_cases')),
    sa.UniqueConstraint('audit_id', 'cycle_id', name=op.f('uq_audit_cases_audit_id_cycle_id'))
    )
    op.create_index(op.f('ix_audit_cases_audit_id'), 'audit_cases', ['audit_id'], unique=False)
    op.create_index(op.f('ix_audit_cases_educator_id'), 'audit_cases', ['educator_id'], unique=False)
    op.create_table('audit_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('void_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['audit_cases.id'], name=op.f('fk_audit_findings_case_id_audit_cases')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_audit_findings_entry_id_entries')),
    sa.ForeignKeyConstraint(['void_id'], ['voids.id'], name=op.f('fk_audit_findings_void_id_voids')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_findings')),
    sa.UniqueConstraint('case_id', 'entry_id', name=op.f('uq_audit_findings_case_id_entry_id'))
    )
    op.create_index(op.f('ix_audit_findings_case_id'), 'audit_findings', ['case_id'], unique=False)
    op.create_index(op.f('ix_audit_findings_entry_id'), 'audit_findings', ['entry_id'], unique=False)
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
            "CREATE FUNCTION ledger_audit_case_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'UPDATE' AND OLD.status = 'open' AND NEW.status <> 'open' AND {kept} "
            "THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'an audit case is decided once, from open (% refused)', TG_OP "
            "USING ERRCODE = 'restrict_violation'; END $$")
        op.execute("CREATE TRIGGER audit_cases_decided_once BEFORE UPDATE OR DELETE ON audit_cases "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_audit_case_decided_once()")
        op.execute("CREATE TRIGGER audit_cases_no_truncate BEFORE TRUNCATE ON audit_cases "
                   "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()")
    else:
        for table in HISTORY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END")
        kept = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT)
        op.execute("CREATE TRIGGER audit_cases_decided_once BEFORE UPDATE ON audit_cases "
                   f"WHEN NOT (OLD.status = 'open' AND NEW.status <> 'open' AND {kept}) "
                   "BEGIN SELECT RAISE(ABORT, 'an audit case is decided once, from open'); END")
        op.execute("CREATE TRIGGER audit_cases_no_delete BEFORE DELETE ON audit_cases "
                   "BEGIN SELECT RAISE(ABORT, 'audit cases are kept: DELETE refused'); END")


def downgrade():
    # loses every audit drawn, its cases and what was found (the voids the findings made
    # stay: they are the ledger's, with their "Audit N:" reasons)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_cases_no_truncate ON audit_cases")
        op.execute("DROP TRIGGER IF EXISTS audit_cases_decided_once ON audit_cases")
        op.execute("DROP FUNCTION IF EXISTS ledger_audit_case_decided_once()")
        for table in HISTORY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_cases_decided_once")
        op.execute("DROP TRIGGER IF EXISTS audit_cases_no_delete")
        for table in HISTORY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    # (their links stay in the append-only chain; verify-ledger then names the rows gone)
    op.drop_index(op.f('ix_audit_findings_entry_id'), table_name='audit_findings')
    op.drop_index(op.f('ix_audit_findings_case_id'), table_name='audit_findings')
    op.drop_table('audit_findings')
    op.drop_index(op.f('ix_audit_cases_educator_id'), table_name='audit_cases')
    op.drop_index(op.f('ix_audit_cases_audit_id'), table_name='audit_cases')
    op.drop_table('audit_cases')
    op.drop_index(op.f('ix_audits_state_id'), table_name='audits')
    op.drop_table('audits')
