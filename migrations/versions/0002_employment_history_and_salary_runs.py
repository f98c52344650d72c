"""employment history and salary runs (append-only, like the ledger)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 02:33:11.463622

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

APPEND_ONLY = ("salary_runs", "salary_run_rows")


def upgrade():
    op.create_table('salary_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('pay_date', sa.Date(), nullable=False),
    sa.Column('run_by', sa.String(length=200), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rulebook_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_salary_runs_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salary_runs'))
    )
    with op.batch_alter_table('salary_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salary_runs_district_id'), ['district_id'], unique=False)

    op.create_table('employments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_employments_period_order')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_employments_district_id_districts')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_employments_educator_id_educators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employments'))
    )
    with op.batch_alter_table('employments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employments_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employments_educator_id'), ['educator_id'], unique=False)

    op.create_table('salary_run_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('license_number', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=201), nullable=False),
    sa.Column('credits_total', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('credits_new', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('lane', sa.String(length=100), nullable=True),
    sa.Column('lane_changed', sa.Boolean(), nullable=False),
    sa.Column('base_salary_pct', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('designations', sa.JSON(), nullable=False),
    sa.CheckConstraint('credits_new >= 0', name=op.f('ck_salary_run_rows_credits_new_not_negative')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_salary_run_rows_educator_id_educators')),
    sa.ForeignKeyConstraint(['run_id'], ['salary_runs.id'], name=op.f('fk_salary_run_rows_run_id_salary_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salary_run_rows')),
    sa.UniqueConstraint('run_id', 'educator_id', name=op.f('uq_salary_run_rows_run_id_educator_id'))
    )
    with op.batch_alter_table('salary_run_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salary_run_rows_educator_id'), ['educator_id'], unique=False)


    postgresql = op.get_bind().dialect.name == "postgresql"
    # Salary runs are what payroll acted on: never changed, like the ledger.
    for table in APPEND_ONLY:
        if postgresql:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
                )
    # Educators already placed in a district: their employment starts when they were added.
    day = "CAST(created_at AS DATE)" if postgresql else "date(created_at)"
    op.execute(
        "INSERT INTO employments (educator_id, district_id, started_on, recorded_by, recorded_at) "
        f"SELECT id, district_id, {day}, 'migration 0002', created_at FROM educators "
        "WHERE district_id IS NOT NULL"
    )


def downgrade():
    """Downgrading drops the append-only salary runs (what payroll was sent) and the
    employment history; both are lost. Keep the runs' CSVs before downgrading."""
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    with op.batch_alter_table('salary_run_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salary_run_rows_educator_id'))

    op.drop_table('salary_run_rows')
    with op.batch_alter_table('employments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employments_educator_id'))
        batch_op.drop_index(batch_op.f('ix_employments_district_id'))

    op.drop_table('employments')
    with op.batch_alter_table('salary_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salary_runs_district_id'))

    op.drop_table('salary_runs')
