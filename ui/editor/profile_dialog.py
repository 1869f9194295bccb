"""单位情况与上年数: the unit profile texts, typed 上年数 and the reason for each change, in one dialog.

Everything is written through the core (``app.domain.profile.set_profile``, ``app.domain.prior.set_prior`` /
``set_reason``) when 保存 is pressed; bad input (an amount that is not a number, a malformed glossary)
is refused with its Chinese message and nothing is written.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.base.money import exact_text, format_amount, parse_amount
from app.domain import prior, profile
from app.domain.quantities import prior_names, quantity_def, value


class ProfileDialog(QDialog):
    def __init__(self, dataset, parent=None) -> None:
        super().__init__(parent)
        self.dataset = dataset
        self.setWindowTitle(f"单位情况与上年数 — {dataset.unit.name} {dataset.year} 年度")
        self.resize(760, 680)
        body = QWidget(self)
        layout = QVBoxLayout(body)

        texts = QGroupBox("单位情况（打印在情况说明中，随单位带到下一年度）", body)
        form = QFormLayout(texts)
        stored = profile.profile(dataset)
        self.texts: dict[str, QPlainTextEdit] = {}
        for field in profile.PROFILE_FIELDS:
            edit = QPlainTextEdit(stored[field.key], texts)
            edit.setObjectName(f"profile_{field.key}")
            if field.key == "glossary":
                edit.setPlaceholderText("不填写时使用默认名词解释；改写时每行一条：词条：解释\n"
                                        + profile.glossary_text(profile.default_glossary()[:2]) + "\n……")
            else:
                edit.setPlaceholderText(field.default or "（可不填）")
            edit.setMinimumHeight(60)
            self.texts[field.key] = edit
            form.addRow(f"{field.title}：", edit)
        layout.addWidget(texts)

        figures = prior.prior_figures(dataset)
        typed = prior.typed_prior(dataset)
        reasons = prior.reasons(dataset)
        own = {key.removeprefix(prior.REASON_PREFIX): text for key, text in dataset.notes(prior.REASON_PREFIX).items()}
        source = {"dataset": f"上年数取自本数据库中的 {dataset.year - 1} 年度数据；下面填写的数在删除该年度数据后才使用。",
                  "typed": "上年数为填写的数。", "": "尚无上年数：请填写，或导入上年度数据。"}[figures.source]
        group = QGroupBox(f"上年数（{dataset.year - 1} 年）和增减变化原因", body)
        grid = QGridLayout(group)
        grid.addWidget(QLabel(source, group), 0, 0, 1, 4)
        for column, title in enumerate(("项目", "上年数", "本年数", "增减变化原因（写入情况说明）")):
            grid.addWidget(QLabel(f"<b>{title}</b>", group), 1, column)
        self.amounts: dict[str, QLineEdit] = {}
        self.reasons: dict[str, QLineEdit] = {}
        for row, name in enumerate(prior_names(), start=2):
            grid.addWidget(QLabel(quantity_def(name).title, group), row, 0)
            amount = QLineEdit(exact_text(typed[name]) if name in typed else "", group)
            amount.setObjectName(f"prior_{name}")
            if figures.source == "dataset":
                amount.setPlaceholderText(format_amount(figures.values.get(name)))
            amount.setMaximumWidth(120)
            self.amounts[name] = amount
            grid.addWidget(amount, row, 1)
            grid.addWidget(QLabel(format_amount(value(dataset, name)), group), row, 2)
            reason = QLineEdit(own.get(name, ""), group)
            reason.setObjectName(f"reason_{name}")
            if name in reasons and name not in own:
                reason.setPlaceholderText(f"（取自提示的说明）{reasons[name]}")
            self.reasons[name] = reason
            grid.addWidget(reason, row, 3)
        layout.addWidget(group)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll)
        outer.addWidget(buttons)

    def save(self) -> bool:
        """Check everything first, then write; on any problem say so and write nothing."""
        try:
            for key, edit in self.texts.items():
                if key == "glossary" and edit.toPlainText().strip():
                    profile.parse_glossary(edit.toPlainText())
            for edit in self.amounts.values():
                if edit.text().strip():
                    parse_amount(edit.text(), self.dataset.money_unit)
            for key, edit in self.texts.items():
                if edit.toPlainText().strip() != profile.profile(self.dataset)[key]:
                    profile.set_profile(self.dataset, key, edit.toPlainText())
            for name, edit in self.amounts.items():
                prior.set_prior(self.dataset, name, edit.text())
            for name, edit in self.reasons.items():
                prior.set_reason(self.dataset, name, edit.text())
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "单位情况与上年数", str(exc))
            return False
        self.accept()
        return True
