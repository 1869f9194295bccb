"""local 一级/二级 indicator levels in the database (they were a side file beside the default database)

Revision ID: 0010_indicator_level
Revises: 0009_applied_return
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_indicator_level'
down_revision = '0009_applied_return'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'indicator_level',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('parent', sa.String(length=16), nullable=True),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )


def downgrade() -> None:
    op.drop_table('indicator_level')
