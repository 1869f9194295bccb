"""stored 进度 / 筛查 results per dataset (dataset_summary), so the bureau's tabs recompute only what changed

Revision ID: 0011_dataset_summary
Revises: 0010_indicator_level
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_dataset_summary'
down_revision = '0010_indicator_level'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dataset_summary',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('dataset_token', sa.String(length=32), nullable=False),
        sa.Column('dataset_version', sa.Integer(), nullable=False),
        sa.Column('basis', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dataset_id', 'kind', name='uq_dataset_summary_kind'),
    )
    op.create_index('ix_dataset_summary_dataset_id', 'dataset_summary', ['dataset_id'])


def downgrade() -> None:
    op.drop_index('ix_dataset_summary_dataset_id', table_name='dataset_summary')
    op.drop_table('dataset_summary')
