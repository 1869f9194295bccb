"""Opening a dataset 编制中 stored under an older form edition moves it to the current one first
(``app.store.editions.migrate_dataset``: one audited transaction), or says in a dialog which cells stop it.
A dataset 已上报 keeps its edition (it prints as submitted). The window calls this with one line."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from app.base.errors import BudgetDeskError
from app.store.editions import current_edition, dataset_edition, migrate_dataset


def bring_to_current_edition(window, dataset) -> bool:
    """True when the dataset was migrated now."""
    edition = dataset_edition(dataset)
    if edition == current_edition():
        return False
    if dataset.status == "submitted":
        window.statusBar().showMessage(
            f"{dataset.label}按 {edition} 版表样上报，打印时按上报时的版本；现行表样为 {current_edition()} 版。", 15000)
        return False
    if not dataset.editable:
        return False
    try:
        result = migrate_dataset(dataset)
    except BudgetDeskError as exc:
        QMessageBox.warning(window, "表样版本", str(exc))
        return False
    window.statusBar().showMessage(
        f"已将{dataset.label}从 {result.source} 版表样迁移到 {result.target} 版（{len(result.moves)} 个单元格换了位置）。", 15000)
    return True
