"""Screenshots of 财政局 mode for ``make screenshots``: the overview after a folder import with two
refused packages, a 汇总 (a 部门 with its 所属单位) and the tree 按部门. Packages are made on the spot from seed 004."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.base.errors import BudgetDeskError
from app.bureau.consolidate import consolidate
from app.bureau.intake import import_packages
from app.checks.rules import check_dataset, set_explanation
from app.exchange.interchange import export_document, import_document
from app.exchange.package.reader import open_package
from app.exchange.package.writer import write_package
from app.store.service import Store
from ui.bureau.window import BureauWindow

ROOT = Path(__file__).resolve().parent.parent
SEED004 = ROOT / "tests" / "fixtures" / "seed004_2023.json"
UNITS = [("35", "秦皇岛经济技术开发区宣传部", None), ("351", "开发区融媒体中心", "35"),
         ("352", "开发区互联网舆情信息中心", "35"), ("353", "开发区文化馆", "35"), ("36", "开发区教育局", None)]


def _explanations(document: dict) -> list:
    """A 说明 for every 提示: a package may say 已上报 only then (as a clerk's 上报 requires)."""
    scratch = Store.scratch()
    try:
        dataset = import_document(scratch, {**document, "status": "draft",
                                            "unit": {**document["unit"], "parent_code": None}}, backup=False)
        for finding in check_dataset(dataset):
            if finding.severity == "warning":
                set_explanation(dataset, finding.key, "已核实。")
        return export_document(dataset)["explanations"]
    finally:
        scratch.close()


def _make_packages(folder: Path) -> None:
    seed = json.loads(SEED004.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    for number, (code, name, parent) in enumerate([*UNITS, ("37", "开发区卫健局", None), ("38", "开发区民政局", None)]):
        document = json.loads(json.dumps(seed))
        document["unit"].update(code=code, name=name)
        document["unit"].pop("parent_code", None)
        if parent:
            document["unit"]["parent_code"] = parent
        document["status"] = "draft" if number == 3 else "submitted"
        for item in document["values"]:
            item["value"] = str(Decimal(item["value"]) * (number + 1))
        if document["status"] == "submitted":
            document["explanations"] = _explanations(document)
        path = folder / f"{code}.bdp"
        write_package(path, document=document, audit={"unit": code, "year": 2023, "changes": []},
                      findings={"errors": 0, "warnings": 0, "findings": []}, pdf=b"%PDF-1.4\n%%EOF\n",
                      key=Ed25519PrivateKey.generate())
    damaged = bytearray((folder / "37.bdp").read_bytes())
    damaged[len(damaged) // 2] ^= 0x40  # a flipped byte
    (folder / "37.bdp").write_bytes(bytes(damaged))
    (folder / "38.bdp").write_bytes((folder / "38.bdp").read_bytes()[:5000])  # a copy cut short


def _fingerprints(folder: Path) -> list[str]:
    keys = []
    for path in sorted(folder.glob("*.bdp")):
        try:
            keys.append(open_package(path).fingerprint)
        except BudgetDeskError:  # the broken copies shown as refused
            continue
    return keys


def take_bureau_screenshots(app, workdir: Path, out_dir: Path, number: int) -> list[Path]:
    previous = os.environ.get("BUDGETDESK_KEY_DIR")
    os.environ["BUDGETDESK_KEY_DIR"] = str(workdir / "bureau-keys")
    try:
        _make_packages(workdir / "usb")
        store = Store(str(workdir / "bureau.sqlite3"))
        window = BureauWindow(store, 2023)
        window.resize(1440, 800)
        window.show()
        # the operator has compared each fingerprint with the signed paper (issue 22: no trust on first sight)
        window.show_batch_result(import_packages(store, workdir / "usb", trust_fingerprints=_fingerprints(workdir / "usb")))
        window.table.setCurrentCell(2, 0)  # selectRow leaves no current row when offscreen (return_unit would ask)
        window.return_unit(reason="项目支出绩效目标未填写完整，请补充后重新上报。")
        window.table.setCurrentCell(0, 0)
        app.processEvents()
        written = [out_dir / f"{number:02d}_bureau_overview.png"]
        window.grab().save(str(written[0]))
        window.unit_tabs.setCurrentWidget(window.tree_panel)  # 按部门: the tree (ui/bureau/tree.py)
        window.tree_panel.tree.select("352", "unit")
        app.processEvents()
        tree_shot = out_dir / f"{number + 2:02d}_bureau_tree.png"
        window.grab().save(str(tree_shot))
        window.unit_tabs.setCurrentWidget(window.overview_panel)
        window.show_consolidation(consolidate(store, 2023, parent="35"))
        dialog = window.consolidation_dialog
        dialog.resize(1440, 800)
        tabs = dialog.view.tabs
        tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "支出总表"))
        app.processEvents()
        written.append(out_dir / f"{number + 1:02d}_bureau_consolidation.png")
        dialog.grab().save(str(written[1]))
        dialog.close()
        written += _progress_shots(app, window, out_dir, number + 3)
        window.close()
        store.close()
        return [*written, tree_shot]
    finally:
        if previous is None:
            os.environ.pop("BUDGETDESK_KEY_DIR", None)
        else:
            os.environ["BUDGETDESK_KEY_DIR"] = previous


def _progress_shots(app, window, out_dir, number: int) -> list:
    """The 进度 tab (with its chart) and the 筛查 tab of a 财政局 window."""
    written = []
    for offset, (view, name, ready) in enumerate((
            (window.progress_view, "bureau_progress", lambda: window.progress_view.board is not None),
            (window.screening_view, "bureau_screening", lambda: window.screening_view.result is not None))):
        window.bureau_tabs.setCurrentWidget(view)
        deadline = time.monotonic() + 300
        while not ready() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        app.processEvents()
        path = Path(out_dir) / f"{number + offset:02d}_{name}.png"
        window.grab().save(str(path))
        written.append(path)
    window.bureau_tabs.setCurrentIndex(0)
    return written
