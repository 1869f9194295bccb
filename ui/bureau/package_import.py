"""导入数据包, one package at a time, as the 财政局 window (导入单个数据包) and the clerk's window (上报 → 导入数据包)
both do it: verify in a worker, show what the package holds (and the difference from the data held), then
import as chosen. A first-seen signing key is confirmed against the paper (``ui.common.trust_dialog``)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget

from app.base.errors import BudgetDeskError, Cancelled
from app.bureau.intake import import_package, preview_package
from app.bureau.refusals import window_words
from app.bureau.resubmission import preview_resubmission, resubmit
from app.exchange.package.trust import UntrustedKeyError
from ui.bureau.resubmission_dialog import ResubmissionDialog
from ui.common.jobs import quiet, run_job
from ui.common.refusal_box import show_refusal
from ui.common.trust_dialog import confirm_fingerprints


def _diff_text(preview) -> str:
    package = preview.package
    lines = [f"数据包：{package.path.name}", f"单位：{package.unit_code} {package.unit_name}　年度：{package.year}",
             f"密钥指纹：{package.fingerprint}" + ("（首次接收，将登记此密钥；请与纸质材料上的指纹核对）"
                                                 if preview.first_trust else "（与登记的密钥一致）")]
    if preview.department is not None:
        lines += ["", *preview.department.lines]
    if preview.diff is not None:
        lines += ["", "本单位本年度数据已存在，与数据包的差异：", *preview.diff.summary(40)]
    return "\n".join(lines)


class ImportPreviewDialog(QDialog):
    """A department package (app.bureau.hierarchy): the 部门 and its 所属单位 as verified; 导入 (覆盖导入) or 取消.
    A unit package is shown by ui.bureau.resubmission_dialog instead."""

    def __init__(self, preview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入数据包")
        layout = QVBoxLayout(self)
        text = QPlainTextEdit(_diff_text(preview), self)
        text.setObjectName("import_preview")
        text.setReadOnly(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(self)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        ok = buttons.addButton("覆盖导入" if preview.needs_replace else "导入", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("confirm_import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 420)


def import_package_interactive(parent: QWidget, store, path: str, *, expected_unit: str | None = None,
                               expected_year: int | None = None, ask=None, on_done=None, hint: str = "",
                               replace_source: str = "重新上报"):
    """Verify in a worker, show what the package holds and (when the unit and year are held) the difference
    as a tree with 覆盖全部 / 合并所选 / 取消 (ui.bureau.resubmission_dialog), then import as chosen in a worker.

    ``ask(preview) -> bool | list[str]`` replaces the dialog (tests): True 覆盖 (or 导入), a list of part
    keys 合并, False 取消. ``hint`` is added to a refusal's message; ``replace_source`` is the audit's source
    of a 覆盖 (the bureau's 重新上报; the clerk's window passes 导入)."""
    def refused(exc: BaseException, retry=None) -> None:
        if isinstance(exc, Cancelled):
            return
        if isinstance(exc, UntrustedKeyError) and retry is not None:
            if confirm_fingerprints(parent, exc.keys):  # the person compared them with the paper
                retry([fingerprint for _code, _name, fingerprint in exc.keys])
            return
        if isinstance(exc, BudgetDeskError):
            show_refusal(parent, "导入数据包", window_words(exc) + (f"\n\n{hint}" if hint else ""))
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    def confirmed(preview) -> None:
        if getattr(preview, "department", None) is not None:
            department(preview)
            return
        if ask is not None:
            answer = ask(preview)
            if answer:
                start(preview, None if answer is True else list(answer), bool(preview.older))
            return
        dialog = ResubmissionDialog(preview, parent)
        parent.resubmission_dialog = dialog  # window-modal, not exec(): the event loop stays the application's

        def chosen() -> None:
            if dialog.choice is not None:
                start(preview, dialog.choice[1] if dialog.choice[0] == "merge" else None, dialog.force.isChecked())

        dialog.accepted.connect(chosen)
        dialog.open()

    def department(preview) -> None:
        accepted = ask(preview) if ask is not None else \
            ImportPreviewDialog(preview, parent).exec() == QDialog.DialogCode.Accepted
        if accepted:
            import_department(preview, ())

    def import_department(preview, trusted) -> None:

        def finish(outcome) -> None:
            QMessageBox.information(parent, "已导入",
                                    f"已导入 {outcome.unit_code} {outcome.unit_name} {outcome.year} 年度：错误 {outcome.errors} 条，"
                                    f"提示 {outcome.warnings} 条。" + "".join(
                                        f"\n所属单位 {u.unit_code} {u.unit_name}：错误 {u.errors} 条，提示 {u.warnings} 条。"
                                        for u in outcome.units) + "".join(f"\n\n注意：{w}" for w in outcome.warnings_text))
            if on_done is not None:
                on_done(outcome)

        parent.package_job = run_job(parent, "导入数据包", lambda progress: import_package(
            store, path, expected_unit=expected_unit, expected_year=expected_year, replace=preview.needs_replace,
            trust_fingerprints=trusted), finish,
            on_error=lambda exc: refused(exc, None if trusted else lambda keys: import_department(preview, keys)))

    def start(preview, parts: list[str] | None, force: bool, trusted=()) -> None:
        def finish(outcome) -> None:
            done = {"merge": "合并（只取所选部分）", "replace": "覆盖原有数据", "new": "新数据"}[outcome.mode]
            QMessageBox.information(
                parent, "已导入",
                f"已导入 {outcome.unit_code} {outcome.unit_name} {outcome.year} 年度：{done}。\n"
                f"重新审核：错误 {outcome.errors} 条，提示 {outcome.warnings} 条。"
                + (f"\n{outcome.note}" if outcome.note else ""))
            if on_done is not None:
                on_done(outcome)

        parent.package_job = run_job(parent, "导入数据包", lambda progress: resubmit(
            store, path, merge=parts, force=force, preview=preview, progress=quiet(progress),
            replace_source=replace_source, trust_fingerprints=trusted), finish,
            on_error=lambda exc: refused(exc, None if trusted else lambda keys: start(preview, parts, force, keys)))

    def check(progress):
        preview = preview_package(store, path, expected_unit=expected_unit, expected_year=expected_year)
        if preview.department is not None:  # a 主管部门's package: its units come in together (app.bureau.hierarchy)
            return preview
        return preview_resubmission(store, path, expected_unit=expected_unit, expected_year=expected_year)

    parent.package_job = run_job(parent, "核对数据包", check, confirmed, on_error=refused)
    return parent.package_job
