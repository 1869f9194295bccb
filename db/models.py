"""Typed SQLAlchemy models. Amounts are integer millionths of the dataset's money unit (exact)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Unit(Base):
    """预算单位. A 部门 reports itself (本级) together with its 所属单位 (``parent``)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    nature: Mapped[str] = mapped_column(String(50), default="")  # 单位性质
    rank: Mapped[str] = mapped_column(String(50), default="")  # 单位规格
    funding_form: Mapped[str] = mapped_column(String(100), default="")  # 经费保障形式
    competent_department: Mapped[str] = mapped_column(String(200), default="")  # 主管部门
    head: Mapped[str] = mapped_column(String(50), default="")  # 单位负责人
    finance_head: Mapped[str] = mapped_column(String(50), default="")  # 财务负责人
    preparer: Mapped[str] = mapped_column(String(50), default="")  # 填表人
    phone: Mapped[str] = mapped_column(String(50), default="")  # 联系电话
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), nullable=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    datasets: Mapped[list[Dataset]] = relationship(back_populates="unit", cascade="all, delete-orphan")


class Dataset(Base):
    """One unit's budget for one year."""

    __tablename__ = "dataset"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_dataset_unit_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    money_unit: Mapped[str] = mapped_column(String(8), default="万元")
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft 编制中 / submitted 已上报
    # Bumped by every write (the one door, app/store/service.py): a view that read version N and finds another
    # number knows someone else wrote. ``token`` is new for every created (or replacing) dataset, so a
    # process that opened a dataset which was since replaced can never write into its successor.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    token: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())
    # The definitions' editions the dataset was made with, as JSON (app.store.editions): {"forms": "2023",
    # "rules": …, "indicators": …, "codes": {"function": …, "economic": …}}; NULL: made before editions
    # were recorded (the first edition).
    editions: Mapped[str | None] = mapped_column(Text, nullable=True)

    unit: Mapped[Unit] = relationship(back_populates="datasets")


class CellValue(Base):
    """An entered cell; computed cells are never stored."""

    __tablename__ = "cell_value"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    form: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    column_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    millionths: Mapped[int] = mapped_column(BigInteger)


class FormRow(Base):
    """A code row the clerk added to a code-keyed form before typing any amount into it."""

    __tablename__ = "form_row"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    form: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class Project(Base):
    """项目 (项目支出绩效目标表): identity, money by fund source, and the target texts.

    Money is integer millionths of the dataset's money unit; a NULL amount is "not filled in",
    which the printed form shows as a blank, unlike 0.00.
    """

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("dataset_id", "name", name="uq_project_dataset_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(String(64), default="")
    millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 本年度预算安排数（总计）
    # Fund sources of this year's amount, by nature (seed 002) and by level of government (seed 000).
    fiscal_appropriation_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 财政拨款
    fiscal_special_account_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 财政专户拨款
    local_fiscal_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 本级财政
    higher_level_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 上级资金
    other_funds_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 其他资金
    period_total_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 实施期资金总额
    executed_before_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 以前年度累计执行数
    function_code: Mapped[str] = mapped_column(String(16), default="", server_default="")  # 功能分类（项级）
    attribute: Mapped[str] = mapped_column(String(16), default="", server_default="")  # 项目属性
    period_start: Mapped[date | None] = mapped_column(Date, nullable=True)  # 实施周期
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    competent_department: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 主管部门
    implementing_unit: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 实施单位
    manager: Mapped[str] = mapped_column(String(50), default="", server_default="")  # 项目负责人
    period_goal: Mapped[str] = mapped_column(Text, default="", server_default="")  # 实施期总目标
    annual_goal: Mapped[str] = mapped_column(Text, default="", server_default="")  # 年度绩效目标

    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Indicator.position"
    )


class IndicatorColumns:
    """The columns of one 绩效指标 row, shared by project and department-wide indicators."""

    position: Mapped[int] = mapped_column(Integer, default=0)
    level1: Mapped[str] = mapped_column(String(8))  # 一级指标 code: 1 产出 / 2 效益 / 3 满意度
    level2: Mapped[str] = mapped_column(String(8))  # 二级指标 code: 11 数量 … 31 服务对象满意度
    name: Mapped[str] = mapped_column(String(300))  # 三级指标
    description: Mapped[str] = mapped_column(Text, default="")  # 指标描述
    comparator: Mapped[str] = mapped_column(String(8), default="")  # ≥ ≤ = > < 定性, or empty
    value: Mapped[str] = mapped_column(Text, default="")  # 年度指标值 (number text, or words when 定性)
    unit: Mapped[str] = mapped_column(String(32), default="")  # 计量单位
    basis: Mapped[str] = mapped_column(Text, default="")  # 指标值确定依据
    period_value: Mapped[str] = mapped_column(Text, default="", server_default="")  # 实施周期指标值
    note: Mapped[str] = mapped_column(Text, default="", server_default="")  # 备注 (the sub-activity)


class Indicator(IndicatorColumns, Base):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)

    project: Mapped[Project] = relationship(back_populates="indicators")


class OverallTarget(Base):
    """部门整体绩效目标: the department's overall goal text (its indicators are OverallIndicator)."""

    __tablename__ = "overall_target"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    goal: Mapped[str] = mapped_column(Text, default="")


class OverallIndicator(IndicatorColumns, Base):
    """An indicator of the 部门整体绩效目标 (分项绩效目标); ``note`` names its 分项."""

    __tablename__ = "overall_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)


class ProcurementItem(Base):
    """One row of the 政府采购预算表. Its 合计 is the sum of the fund columns, never stored."""

    __tablename__ = "procurement_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    item_name: Mapped[str] = mapped_column(String(300))  # 采购物品名称
    catalogue_code: Mapped[str] = mapped_column(String(16), default="")  # 政府采购目录序号
    measure_unit: Mapped[str] = mapped_column(String(32), default="")  # 计量单位
    quantity: Mapped[str | None] = mapped_column(String(40), nullable=True)  # exact decimal text
    unit_price_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 单价
    general_budget_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 一般公共预算拨款
    government_fund_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 基金预算拨款
    state_capital_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 国有资本经营预算拨款
    special_account_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 财政专户核拨
    unit_funds_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 单位资金
    fiscal_carryover_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 财政拨款结转
    nonfiscal_carryover_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 非财政拨款结转结余
    sme_reserved_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 预留中小微企业份额


class AssetTable(Base):
    """部门固定资产占用情况表: the date it is taken at; the rows are AssetRow."""

    __tablename__ = "asset_table"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[date | None] = mapped_column(Date, nullable=True)  # 截止时间
    planned_purchases_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 本年度拟购置


class AssetRow(Base):
    """One fixed row (房屋, 办公用房, 车辆, 设备, 其他) of the asset table; 资产总额 is computed."""

    __tablename__ = "asset_row"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[str | None] = mapped_column(String(40), nullable=True)  # exact decimal text (㎡ or pieces)
    millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 价值


class DatasetNote(Base):
    """Free text attached to a dataset: 提示 explanations, edited 情况说明 sections."""

    __tablename__ = "dataset_note"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")


class CodeEdition(Base):
    """An official code list imported by the bureau (shipped editions live in resources/)."""

    __tablename__ = "code_edition"
    __table_args__ = (UniqueConstraint("kind", "edition", name="uq_code_edition_kind_edition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    edition: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    entries: Mapped[list[CodeEntry]] = relationship(cascade="all, delete-orphan")


class CodeEntry(Base):
    __tablename__ = "code_entry"

    edition_id: Mapped[int] = mapped_column(ForeignKey("code_edition.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    attribute: Mapped[str | None] = mapped_column(String(16), nullable=True)


class YearEdition(Base):
    """Which imported code edition a budget year uses (absent: the shipped default)."""

    __tablename__ = "year_edition"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("code_edition.id", ondelete="CASCADE"))


class AuditEntry(Base):
    """One recorded change: who, when, where in the form's words, old -> new, and its source.

    Keyed by unit code and year rather than the dataset row, so the history outlives a replacing
    import. ``batch`` is the dataset version the change produced: the changes of one transaction
    share it. Store-wide events (a code edition, restoring a backup) have no unit.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_unit_year", "unit_code", "year", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), default="", server_default="")
    year: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    batch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    time: Mapped[datetime] = mapped_column(DateTime)  # UTC
    os_user: Mapped[str] = mapped_column(String(100), default="", server_default="")
    preparer: Mapped[str] = mapped_column(String(50), default="", server_default="")  # 填表人 of the dataset
    source: Mapped[str] = mapped_column(String(16))  # 录入 粘贴 导入 撤销 重做 恢复备份 状态 …
    form: Mapped[str] = mapped_column(String(64), default="", server_default="")  # form id, or "project" …
    row: Mapped[str] = mapped_column(String(300), default="", server_default="")  # row key, or project name
    column: Mapped[str] = mapped_column(String(64), default="", server_default="")  # column key, or field
    place: Mapped[str] = mapped_column(Text, default="", server_default="")  # 表 / 行 / 栏 in the form's words
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)


# ---- package ----
class TrustedKey(Base):
    """A unit's package-signing key as the bureau trusts it (first receipt, typed from paper, or re-issue).

    Rows are never deleted: a replaced key stays as ``revoked`` with who, when and why, so the
    key history is the audit of re-issues. At most one ``active`` row per unit (kept by the code).
    """

    __tablename__ = "trusted_key"
    __table_args__ = (
        Index("ix_trusted_key_unit", "unit_code", "status"),
        # PostgreSQL has the same partial index (its WHERE is made by migration 0004, as SQLite's is); naming
        # postgresql_where here too would load SQLAlchemy's PostgreSQL dialect in every process, SQLite or not
        # (tens of ms of each start and command). The models build only the in-memory SQLite scratch database.
        Index("uq_trusted_key_active", "unit_code", unique=True, sqlite_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(19))
    public_key: Mapped[str] = mapped_column(String(64), default="", server_default="")  # base64 raw key, once seen
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")  # active / revoked
    source: Mapped[str] = mapped_column(String(16))  # 首次接收 / 手工登记 / 更换
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    os_user: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class ReceivedPackage(Base):
    """One package the bureau took in, with what its check found, and a 退回 if there was one."""

    __tablename__ = "received_package"
    __table_args__ = (Index("ix_received_package_unit_year", "unit_code", "year", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    file_name: Mapped[str] = mapped_column(String(500), default="", server_default="")
    sha256: Mapped[str] = mapped_column(String(64))  # of the whole .bdp file
    fingerprint: Mapped[str] = mapped_column(String(19))
    created: Mapped[str] = mapped_column(String(40), default="", server_default="")  # manifest's created time
    package_status: Mapped[str] = mapped_column(String(16), default="", server_default="")  # draft / submitted
    errors: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    warnings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="received", server_default="received")  # / returned
    return_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    returned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    os_user: Mapped[str] = mapped_column(String(100), default="", server_default="")


# ---- selfeval ----
class ProjectSelfEvaluation(Base):
    """One row of the 项目绩效自评表 (seed 001): a project's spending and results after the year.

    Keyed by the project's name (not its id) so it survives the project part being re-imported; the
    年初绩效目标 and 年度指标内容 are prefilled from the project of that name and then kept as written.
    Money is integer millionths; 预算支出执行率 is computed, ``stated_rate`` only holds a rate a filled
    form printed (checked against the computed one)."""

    __tablename__ = "project_self_evaluation"
    __table_args__ = (UniqueConstraint("dataset_id", "project_name", name="uq_project_self_evaluation_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    unit_name: Mapped[str] = mapped_column(String(200), default="")  # 单位名称
    project_name: Mapped[str] = mapped_column(String(300))  # 项目名称
    budget_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 项目年度预算金额
    actual_total_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 实际支出 合计
    actual_general_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 一般公共预算
    actual_fund_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 政府性基金
    actual_nonfiscal_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 非财政资金
    stated_rate: Mapped[str] = mapped_column(String(16), default="")  # 执行率 as a filled form printed it
    initial_goal: Mapped[str] = mapped_column(Text, default="")  # 年初绩效目标
    overall_result: Mapped[str] = mapped_column(Text, default="")  # 绩效目标整体完成情况
    problems: Mapped[str] = mapped_column(Text, default="")  # 项目执行中的问题
    rectification: Mapped[str] = mapped_column(Text, default="")  # 整改情况

    indicators: Mapped[list[ProjectSelfEvaluationIndicator]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectSelfEvaluationIndicator.kind")


class ProjectSelfEvaluationIndicator(Base):
    """年度指标内容 and 完成情况 of one indicator kind (数量 … 满意度) of a project self-evaluation."""

    __tablename__ = "project_self_evaluation_indicator"

    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("project_self_evaluation.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # quantity, quality … satisfaction
    content: Mapped[str] = mapped_column(Text, default="")  # 年度指标内容
    result: Mapped[str] = mapped_column(Text, default="")  # 完成情况


class DepartmentSelfEvaluation(Base):
    """部门整体支出绩效自评表 (seed 003): 整体支出规模 and 年度总体目标; the scored rows are
    DepartmentSelfEvaluationGroup/Item. Money in integer millionths; 执行率 is computed."""

    __tablename__ = "department_self_evaluation"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    fiscal_budget_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 财政拨款 全年预算数
    fiscal_actual_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 财政拨款 全年执行数
    other_budget_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 其他资金
    other_actual_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    basic_budget_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 基本支出
    basic_actual_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    project_budget_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 项目支出
    project_actual_millionths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    stated_rates: Mapped[str] = mapped_column(Text, default="")  # JSON {line: rate text} as a filled form printed
    initial_goal: Mapped[str] = mapped_column(Text, default="")  # 年度总体目标 年初设定目标
    result: Mapped[str] = mapped_column(Text, default="")  # 全年完成情况


class DepartmentSelfEvaluationGroup(Base):
    """一级指标 of the 分解目标自评 with its 权重 (millionths of a point)."""

    __tablename__ = "department_self_evaluation_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))  # 一级指标
    weight_hundredths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 权重

    items: Mapped[list[DepartmentSelfEvaluationItem]] = relationship(
        cascade="all, delete-orphan", order_by="DepartmentSelfEvaluationItem.position")


class DepartmentSelfEvaluationItem(Base):
    """A 二级指标 (its weight in brackets) with its 三级指标, values, 自评得分 and 偏差及原因分析."""

    __tablename__ = "department_self_evaluation_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("department_self_evaluation_group.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))  # 二级指标
    weight_hundredths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # （权重）
    level3: Mapped[str] = mapped_column(Text, default="")  # 三级指标
    target_value: Mapped[str] = mapped_column(Text, default="")  # 年度指标值
    actual_value: Mapped[str] = mapped_column(Text, default="")  # 全年完成值
    score_hundredths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 自评得分
    deviation: Mapped[str] = mapped_column(Text, default="")  # 偏差及原因分析


# ---- resubmit ----
class PackageFile(Base):
    """The bytes of a received package, kept so an earlier submission can be read and handed out again."""

    __tablename__ = "package_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_package_id: Mapped[int] = mapped_column(
        ForeignKey("received_package.id", ondelete="CASCADE"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
# ---- comments ----
class CellComment(Base):
    """批注: a remark of the 财政局 / 主管部门 on a cell, project, indicator or 审核 finding of one unit's
    budget, with the unit's answer. Not budget content (a 已上报 budget can be commented); keyed by
    unit code and year (like the audit) so it outlives a replacing import, and by ``uuid`` so the
    same comment is recognised on the bureau's and the clerk's machine as it travels."""

    __tablename__ = "cell_comment"
    __table_args__ = (Index("ix_cell_comment_unit_year", "unit_code", "year", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # cell / project / indicator / finding
    form: Mapped[str] = mapped_column(String(64), default="", server_default="")  # cell: form id
    row_key: Mapped[str] = mapped_column(String(300), default="", server_default="")  # cell: row key
    column_key: Mapped[str] = mapped_column(String(64), default="", server_default="")  # cell: column key
    project: Mapped[str] = mapped_column(String(300), default="", server_default="")  # project / indicator: 项目名称
    indicator: Mapped[str] = mapped_column(String(300), default="", server_default="")  # indicator: 三级指标
    rule: Mapped[str] = mapped_column(String(64), default="", server_default="")  # finding: rule id
    anchor: Mapped[str] = mapped_column(String(300), default="", server_default="")  # finding: its place (row …)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))  # 需跟进
    fixed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))  # 已修改
    # (the two flags come before ``text``: below it, the name is the column, not sqlalchemy.text)
    text: Mapped[str] = mapped_column(Text)
    side: Mapped[str] = mapped_column(String(16))  # 财政局 / 主管部门 / 单位
    author: Mapped[str] = mapped_column(String(100), default="", server_default="")  # OS user who wrote it
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")  # open/answered/resolved
    answer: Mapped[str] = mapped_column(Text, default="", server_default="")
    answered_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)  # UTC, the last change on either side


class AppliedReturn(Base):
    """A 退回 file (.bdr) the clerk's program has applied, by the id it carries: the same file (or a
    copy) is never applied twice, so a replay cannot un-submit a re-submitted budget again."""

    __tablename__ = "applied_return"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the file's own id (written by the bureau)
    unit_code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created: Mapped[str] = mapped_column(String(40), default="", server_default="")  # when the bureau wrote it
    package_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")  # the package it answers
    applied_at: Mapped[datetime] = mapped_column(DateTime)  # UTC


class IndicatorLevel(Base):
    """A bureau's local 一级/二级 addition to the shipped indicator framework (``budgetdesk indicator-levels
    import``, or carried in by a package that uses it): in the database, so ``--db`` decides where it lives."""

    __tablename__ = "indicator_level"

    id: Mapped[int] = mapped_column(primary_key=True)  # the order items were added in (the framework's order)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent: Mapped[str | None] = mapped_column(String(16), nullable=True)  # None: a 一级
    added_at: Mapped[datetime] = mapped_column(DateTime)  # UTC


class DatasetSummary(Base):
    """What the bureau's 进度 (``kind`` "audit": 审核 counts, empty tables) or 筛查 (``kind`` "measures": the
    named quantities this year and last) needs of one dataset, worked out once and kept (``app.bureau.stored``).
    It holds for the dataset's ``token`` and ``version`` and for ``basis``: a hash of the definitions it was
    worked out with (forms, rules, code editions) and of last year's dataset; any other value means stale."""

    __tablename__ = "dataset_summary"
    __table_args__ = (UniqueConstraint("dataset_id", "kind", name="uq_dataset_summary_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    dataset_token: Mapped[str] = mapped_column(String(32))
    dataset_version: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # JSON; amounts as exact decimal strings
    computed_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
