"""Editions of the form definitions: every definition names one, a dataset records its own, and a new
edition that renames a key moves the stored cells while one that drops a key with data refuses."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.base.errors import ConflictError
from app.base.paths import resource
from app.domain.cells import CellChange
from app.domain.forms import all_forms
from app.exchange.year_cycle import new_year
from app.store.editions import Step, current_edition, dataset_edition, migrate_dataset, plan


def test_every_definition_names_its_edition():
    assert {form.edition for form in all_forms()} == {current_edition()} == {"2023"}
    for folder in ("rules",):
        for path in resource(folder).glob("*.json"):
            assert json.loads(path.read_text(encoding="utf-8"))["edition"], path
    assert json.loads(resource("forms", "quantities.json").read_text(encoding="utf-8"))["edition"] == "2023"


def test_a_dataset_records_its_edition(store, seed_dataset):
    assert dataset_edition(seed_dataset) == "2023"  # made before editions were recorded: the first one
    new_year(store, "359", 2023, 2024)
    assert store.open_dataset("359", 2024).editions["forms"] == current_edition()
    assert plan(seed_dataset).moves == [] and plan(seed_dataset).refused == []


RENAME = (Step("2023", "2024", renames=(("three_public_expenses", "row", "reception_2023", "reception"),)),)
DROP = (Step("2023", "2024", drops=(("three_public_expenses", "row", "reception"),)),)


def test_a_renamed_key_moves_the_stored_cells(seed_dataset):
    old_key = ("three_public_expenses", "reception", "general_budget")
    value = seed_dataset.entered_values()[old_key]
    # the dataset as the 2023 edition stored it, under the key that edition used
    seed_dataset.apply_changes([CellChange(*old_key, None),
                                CellChange("three_public_expenses", "reception_2023", "general_budget", value)])
    result = migrate_dataset(seed_dataset, RENAME, "2024")
    assert result.moves == [(("three_public_expenses", "reception_2023", "general_budget"), old_key)]
    assert seed_dataset.entered_values()[old_key] == value == Decimal("0.43")
    assert ("three_public_expenses", "reception_2023", "general_budget") not in seed_dataset.entered_values()
    assert dataset_edition(seed_dataset) == "2024"


def test_a_dropped_key_with_data_is_refused_and_listed(seed_dataset):
    before = seed_dataset.entered_values()
    with pytest.raises(ConflictError, match="three_public_expenses/reception/general_budget"):
        migrate_dataset(seed_dataset, DROP, "2024")
    assert seed_dataset.entered_values() == before and dataset_edition(seed_dataset) == "2023"


def test_an_unknown_key_is_refused_without_a_step(seed_dataset):
    seed_dataset.apply_changes([CellChange("three_public_expenses", "hospitality", "general_budget", Decimal(1))])
    with pytest.raises(ConflictError, match="hospitality"):
        migrate_dataset(seed_dataset)
