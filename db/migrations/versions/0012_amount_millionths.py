"""amounts exact to the 分: integer hundredths of the money unit become integer millionths (×10^4)

Every ``*_hundredths`` money column is renamed ``*_millionths`` and its figures multiplied by 10 000, so a
database opened after the upgrade shows the same figures. The self-evaluation weights and scores
(``weight_hundredths``, ``score_hundredths``) are points, not money, and stay as they are. The largest figure the
old code accepted (999 999 999 999.99) becomes 10^18 millionths, inside a signed 64-bit column.

Revision ID: 0012_amount_millionths
Revises: 0011_dataset_summary
"""
from alembic import op

revision = '0012_amount_millionths'
down_revision = '0011_dataset_summary'
branch_labels = None
depends_on = None

FACTOR = 10_000

# table -> its money columns, by their old names
MONEY_COLUMNS = {
    'cell_value': ('hundredths',),
    'project': ('hundredths', 'fiscal_appropriation_hundredths', 'fiscal_special_account_hundredths',
                'local_fiscal_hundredths', 'higher_level_hundredths', 'other_funds_hundredths',
                'period_total_hundredths', 'executed_before_hundredths'),
    'procurement_item': ('unit_price_hundredths', 'general_budget_hundredths', 'government_fund_hundredths',
                         'state_capital_hundredths', 'special_account_hundredths', 'unit_funds_hundredths',
                         'fiscal_carryover_hundredths', 'nonfiscal_carryover_hundredths', 'sme_reserved_hundredths'),
    'asset_table': ('planned_purchases_hundredths',),
    'asset_row': ('hundredths',),
    'project_self_evaluation': ('budget_hundredths', 'actual_total_hundredths', 'actual_general_hundredths',
                                'actual_fund_hundredths', 'actual_nonfiscal_hundredths'),
    'department_self_evaluation': ('fiscal_budget_hundredths', 'fiscal_actual_hundredths', 'other_budget_hundredths',
                                   'other_actual_hundredths', 'basic_budget_hundredths', 'basic_actual_hundredths',
                                   'project_budget_hundredths', 'project_actual_hundredths'),
}


def _new_name(old: str) -> str:
    return old[: -len('hundredths')] + 'millionths'


def _rename(table: str, pairs: list[tuple[str, str]]) -> None:
    # ALTER TABLE … RENAME COLUMN (SQLite 3.25+, PostgreSQL) renames in place: a batch copy of the table would
    # rebuild it with its foreign keys in an arbitrary order, so two migrated databases would differ in DDL.
    for old, new in pairs:
        op.execute(f'ALTER TABLE {table} RENAME COLUMN {old} TO {new}')


def upgrade() -> None:
    for table, columns in MONEY_COLUMNS.items():
        _rename(table, [(old, _new_name(old)) for old in columns])
        assignments = ', '.join(f'{_new_name(old)} = {_new_name(old)} * {FACTOR}' for old in columns)
        op.execute(f'UPDATE {table} SET {assignments}')


def downgrade() -> None:
    # Back to hundredths: a figure finer than 0.01 of its unit loses those digits (integer division).
    for table, columns in MONEY_COLUMNS.items():
        assignments = ', '.join(f'{_new_name(old)} = {_new_name(old)} / {FACTOR}' for old in columns)
        op.execute(f'UPDATE {table} SET {assignments}')
        _rename(table, [(_new_name(old), old) for old in columns])
