"""使用帮助 and 关于 (a minimal version; the full help is built separately)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

HELP_TEXT = (
    "1. 在工具栏选择单位和预算年度，或点“新建单位预算…”。\n"
    "2. 按选项卡顺序填表：白色单元格录入，灰色单元格由系统计算。\n"
    "3. 审核结果在窗口下方，双击一条可跳到对应单元格；提示需填写说明。\n"
    "4. 打印预览（Ctrl+P）可打印或导出 PDF；全部无误后“标记为已上报”。\n"
    "快捷键：Ctrl+Z 撤销，Ctrl+Y 恢复，Ctrl+F 查找行，Ctrl+P 打印，Ctrl+Q 退出。"
)


def show_help(parent: QWidget | None) -> None:
    QMessageBox.information(parent, "使用帮助", HELP_TEXT)


def show_about(parent: QWidget | None, store=None) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("budgetdesk")
    except PackageNotFoundError:
        number = "开发版"
    QMessageBox.about(parent, "关于 BudgetDesk", f"BudgetDesk 部门预算填报\n版本：{number}")
