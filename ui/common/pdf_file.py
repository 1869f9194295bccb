"""A PDF written to the clerk's chosen file whole or not at all, and why not, in Chinese (the print dialog's
导出 PDF and the 基本支出测算 tab's 打印测算表 share it)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.base.errors import BudgetDeskError, Cancelled


def write_pdf(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` beside it first and rename at the end, so a failure never leaves a
    half-written PDF in place of the clerk's earlier export."""
    handle, temporary = tempfile.mkstemp(prefix=".budgetdesk-", suffix=".pdf.part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_message(target: Path, exc: BaseException) -> str:
    """Why 导出 PDF wrote nothing, for the clerk."""
    if isinstance(exc, Cancelled):
        return "已取消导出，没有写入文件。"
    if isinstance(exc, BudgetDeskError):
        return f"没有导出：{exc}"
    if isinstance(exc, PermissionError):
        return f"没有导出：不能写入 {target}。该文件可能正在其他程序中打开，或没有写入该文件夹的权限。"
    return f"没有导出：写入 {target} 失败（{getattr(exc, 'strerror', None) or exc}）。"
