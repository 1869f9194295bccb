"""A 已上报 dataset is frozen against code-table changes too (issue 22, item 5): it shows and prints the
names of the code edition it was submitted with; a new edition for the same year changes drafts only,
and the import says so; the submission's audit row names the editions kept."""

from __future__ import annotations

from app.domain.forms import form_by_id
from app.exchange.interchange import import_document
from app.printing import build_document
from app.store.audit import history
from app.store.service import FROZEN_CODES_NOTE
from tests.conftest import explain_all_findings, run
from tests.test_package import seed_document
from tests.test_printing import Pdf


def renamed_function_list(store, code: str, name: str) -> list[tuple[str, str, str | None]]:
    table = store.code_tables(2023)["function"]
    return [(item.code, name if item.code == code else item.name, item.attribute) for item in table.items.values()]


def test_a_new_code_edition_changes_drafts_only(store, seed_dataset, tmp_path):
    import_document(store, seed_document("360", "某编制中单位"), backup=False)
    explain_all_findings(seed_dataset)
    seed_dataset.set_status("submitted")
    code = sorted(seed_dataset.workbook.code_rows(form_by_id("general_budget_expenditure")))[0]
    old_name = seed_dataset.codes["function"].name(code)
    store.import_code_edition("function", "2023", renamed_function_list(store, code, "改过的名称"), year=2023)

    submitted = store.open_dataset("359", 2023)
    assert submitted.codes["function"].name(code) == old_name  # shown as submitted
    assert "改过的名称" not in submitted.workbook.row_title("general_budget_expenditure", code)
    # and printed as submitted: the 一般公共预算支出表 names the row with the kept edition's words
    build_document(submitted, tmp_path / "submitted.pdf", forms=["general_budget_expenditure"])
    printed = Pdf(tmp_path / "submitted.pdf").flat[0]
    assert old_name.replace(" ", "") in printed and "改过的名称" not in printed
    draft = store.open_dataset("360", 2023)
    assert draft.codes["function"].name(code) == "改过的名称"  # a draft takes the new edition
    build_document(draft, tmp_path / "draft.pdf", forms=["general_budget_expenditure"])
    assert "改过的名称" in Pdf(tmp_path / "draft.pdf").flat[0]
    assert any("上报时的科目表" in entry.place for entry in history(store, "359", 2023))

    # 退回 and 上报 again: now the new edition is the one kept
    submitted.set_status("draft", reason="退回：按新科目表调整")
    submitted = store.open_dataset("359", 2023)
    assert submitted.codes["function"].name(code) == "改过的名称"


def test_a_submitted_package_import_keeps_its_codes(store):
    import_document(store, seed_document(status="submitted"), backup=False)
    dataset = store.open_dataset("359", 2023)
    assert FROZEN_CODES_NOTE not in dataset.notes("explanation:") and dataset.notes("frozen:")


def test_cli_codes_import_says_submitted_budgets_keep_theirs(seeded_db, tmp_path, capsys):
    from app.store.service import Store

    store = Store(str(seeded_db))
    try:
        dataset = store.open_dataset("359", 2023)
        explain_all_findings(dataset)
        dataset.set_status("submitted")
        rows = renamed_function_list(store, "2010101", "行政运行（新）")
    finally:
        store.close()
    csv_path = tmp_path / "function.csv"
    csv_path.write_text("编码,名称\n" + "\n".join(f"{c},{n}" for c, n, _a in rows) + "\n", encoding="utf-8")
    code, _out, err = run(capsys, "--db", str(seeded_db), "codes", "import", "--kind", "function", "--edition", "2023",
                          str(csv_path))
    assert code == 0, err
    assert "已上报的 1 份预算仍按上报时的科目表" in err
