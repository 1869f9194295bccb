"""批注: comments on cells, projects, indicators and findings that travel with 退回 and packages

Revision ID: 0008_comments
Revises: 0007_editions
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_comments'
down_revision = '0007_editions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'cell_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('unit_code', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('form', sa.String(length=64), nullable=False, server_default=''),
        sa.Column('row_key', sa.String(length=300), nullable=False, server_default=''),
        sa.Column('column_key', sa.String(length=64), nullable=False, server_default=''),
        sa.Column('project', sa.String(length=300), nullable=False, server_default=''),
        sa.Column('indicator', sa.String(length=300), nullable=False, server_default=''),
        sa.Column('rule', sa.String(length=64), nullable=False, server_default=''),
        sa.Column('anchor', sa.String(length=300), nullable=False, server_default=''),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('side', sa.String(length=16), nullable=False),
        sa.Column('author', sa.String(length=100), nullable=False, server_default=''),
        sa.Column('follow_up', sa.Boolean(), nullable=False, server_default=sa.text('false')),
        sa.Column('status', sa.String(length=16), nullable=False, server_default='open'),
        sa.Column('answer', sa.Text(), nullable=False, server_default=''),
        sa.Column('answered_by', sa.String(length=100), nullable=False, server_default=''),
        sa.Column('fixed', sa.Boolean(), nullable=False, server_default=sa.text('false')),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    op.create_index('ix_cell_comment_unit_year', 'cell_comment', ['unit_code', 'year', 'id'])


def downgrade() -> None:
    op.drop_index('ix_cell_comment_unit_year', table_name='cell_comment')
    op.drop_table('cell_comment')
