"""The same core on PostgreSQL, for a bureau's shared server.

Runs when BUDGETDESK_TEST_POSTGRES_URL names an empty scratch database (``.ci/run`` sets one up
when it can install PostgreSQL); skipped otherwise.
"""

import json
import os
from decimal import Decimal

import pytest

from tests.conftest import SEED004

URL = os.environ.get("BUDGETDESK_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="BUDGETDESK_TEST_POSTGRES_URL not set")


@pytest.fixture
def pg_store():
    from sqlalchemy import text

    from app.store.service import Store
    from db.models import Base

    store = Store(URL)
    yield store
    with store.engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    store.close()


def test_seed004_round_trip_and_edits_on_postgres(pg_store):
    from app.exchange.interchange import dumps, export_document, import_file

    dataset = import_file(pg_store, SEED004)
    assert dataset.value("expenditure_summary", "total", "total") == Decimal("1206.65")
    assert json.loads(dumps(export_document(dataset))) == json.loads(SEED004.read_text(encoding="utf-8"))
    dataset.set_cell("general_budget_basic_expenditure", "30201", "public", "99999999999.99")
    reopened = pg_store.open_dataset("359", 2023)
    assert reopened.value("general_budget_basic_expenditure", "30201", "public") == Decimal("99999999999.99")
