"""上报's two questions, in this order: may it go (审核, with 上报's stricter rules), and does the clerk
confirm what goes (unit, year, 收支总计, 错误/提示 counts, the key fingerprint). Used by the toolbar's
标记为已上报 and by 上报（生成签名数据包）, before a file is asked for or anything is written."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.base.money import format_amount
from app.exchange.submission import SubmissionSummary, submission_summary

log = logging.getLogger(__name__)

Report = Callable[[str, str], object]


class SubmitConfirmDialog(QDialog):
    """What is about to be handed in; 取消 is the default button, so a stray Enter hands in nothing."""

    def __init__(self, parent: QWidget | None, summary: SubmissionSummary, *, packaged: bool) -> None:
        super().__init__(parent)
        self.setObjectName("submit_confirm")
        self.setWindowTitle("确认上报")
        heading = QLabel("请核对以下内容，确认无误后上报：", self)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        fingerprint = summary.fingerprint or ("本单位尚无签名密钥：生成数据包时生成，指纹在上报结果中显示" if packaged
                                              else "本单位尚无签名密钥（生成数据包时生成）")
        explained = "（均已填写说明）" if summary.warnings else ""
        self.fields: dict[str, QLabel] = {}
        for key, label, text in (
            ("unit", "单位", f"{summary.unit_code} {summary.unit_name}"),
            ("year", "预算年度", f"{summary.year} 年"),
            ("total", summary.total_title, f"{format_amount(summary.total)} {summary.money_unit}"),
            ("findings", "审核结果", f"错误 {summary.errors} 条，提示 {summary.warnings} 条{explained}"),
            ("fingerprint", "签名密钥指纹", fingerprint),
        ):
            value = QLabel(text, self)
            value.setObjectName(f"submit_confirm_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(f"{label}：", value)
        after = ("上报后将生成签名数据包，各表变为只读；" if packaged else "标记为已上报后各表变为只读；")
        note = QLabel(after + "如需修改，须“撤销上报”并填写原因。", self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.confirm_button = buttons.addButton("确认上报", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setObjectName("submit_confirm_ok")
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("submit_confirm_cancel")
        self.confirm_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)


def ask(dialog: SubmitConfirmDialog) -> bool:
    """Show the confirmation modally; True when the clerk pressed 确认上报."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def ready_and_confirmed(parent: QWidget, dataset, *, packaged: bool, report: Report | None = None) -> bool:
    """审核 first (a refusal names every blocker and nothing is asked further), then the confirmation."""
    summary = submission_summary(dataset)
    if not summary.ready:
        log.info("上报 refused for %s %s: %d blocker(s)", summary.unit_code, summary.year, len(summary.blockers))
        (report or (lambda title, text: QMessageBox.warning(parent, title, text)))(
            "不能上报", str(summary.refusal()))
        return False
    dialog = SubmitConfirmDialog(parent, summary, packaged=packaged)
    try:
        confirmed = ask(dialog)
        log.info("上报 of %s %s %s", summary.unit_code, summary.year, "confirmed" if confirmed else "cancelled")
        return confirmed
    finally:
        dialog.deleteLater()


__all__ = ["SubmitConfirmDialog", "ask", "ready_and_confirmed"]
