"""The person's confirmation of a signing key seen for the first time (issue 22): the fingerprint is shown
to be compared digit by digit with the signed paper; only 一致 lets the import go on."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirmation_text(keys: list[tuple[str, str, str]]) -> str:
    lines = "\n".join(f"{'财政局' if code.startswith('@') else f'单位 {code} {name}'}：{fingerprint}"
                      for code, name, fingerprint in keys)
    return ("以下签名密钥是第一次见到：\n\n" + lines + "\n\n请与签字盖章的纸质材料上打印的指纹逐位核对。"
            "完全一致才能导入；不一致请取消，并与对方联系。\n\n指纹完全一致吗？")


def confirm_fingerprints(parent: QWidget | None, keys: list[tuple[str, str, str]]) -> bool:
    """True when the person says the fingerprints match the paper."""
    answer = QMessageBox.question(parent, "核对密钥指纹", confirmation_text(keys),
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
