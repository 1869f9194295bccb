"""绩效自评: project self-evaluation (seed 001) and department self-evaluation (seed 003)

Revision ID: 0005_selfeval
Revises: 0004_package
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_selfeval'
down_revision = '0004_package'
branch_labels = None
depends_on = None


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=True)


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False)


def upgrade() -> None:
    op.create_table(
        'project_self_evaluation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('unit_name', sa.String(length=200), nullable=False),
        sa.Column('project_name', sa.String(length=300), nullable=False),
        _money('budget_hundredths'), _money('actual_total_hundredths'), _money('actual_general_hundredths'),
        _money('actual_fund_hundredths'), _money('actual_nonfiscal_hundredths'),
        sa.Column('stated_rate', sa.String(length=16), nullable=False),
        _text('initial_goal'), _text('overall_result'), _text('problems'), _text('rectification'),
        sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dataset_id', 'project_name', name='uq_project_self_evaluation_name'),
    )
    op.create_index(op.f('ix_project_self_evaluation_dataset_id'), 'project_self_evaluation', ['dataset_id'])
    op.create_table(
        'project_self_evaluation_indicator',
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        _text('content'), _text('result'),
        sa.ForeignKeyConstraint(['evaluation_id'], ['project_self_evaluation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('evaluation_id', 'kind'),
    )
    op.create_table(
        'department_self_evaluation',
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        _money('fiscal_budget_hundredths'), _money('fiscal_actual_hundredths'),
        _money('other_budget_hundredths'), _money('other_actual_hundredths'),
        _money('basic_budget_hundredths'), _money('basic_actual_hundredths'),
        _money('project_budget_hundredths'), _money('project_actual_hundredths'),
        _text('stated_rates'), _text('initial_goal'), _text('result'),
        sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('dataset_id'),
    )
    op.create_table(
        'department_self_evaluation_group',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        _money('weight_hundredths'),
        sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_department_self_evaluation_group_dataset_id'), 'department_self_evaluation_group',
                    ['dataset_id'])
    op.create_table(
        'department_self_evaluation_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        _money('weight_hundredths'),
        _text('level3'), _text('target_value'), _text('actual_value'),
        _money('score_hundredths'),
        _text('deviation'),
        sa.ForeignKeyConstraint(['group_id'], ['department_self_evaluation_group.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_department_self_evaluation_item_group_id'), 'department_self_evaluation_item',
                    ['group_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_department_self_evaluation_item_group_id'), table_name='department_self_evaluation_item')
    op.drop_table('department_self_evaluation_item')
    op.drop_index(op.f('ix_department_self_evaluation_group_dataset_id'),
                  table_name='department_self_evaluation_group')
    op.drop_table('department_self_evaluation_group')
    op.drop_table('department_self_evaluation')
    op.drop_table('project_self_evaluation_indicator')
    op.drop_index(op.f('ix_project_self_evaluation_dataset_id'), table_name='project_self_evaluation')
    op.drop_table('project_self_evaluation')
