"""Typed SQLAlchemy models. Amounts are integer hundredths of the dataset's money unit (exact)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
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
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    unit: Mapped[Unit] = relationship(back_populates="datasets")


class CellValue(Base):
    """An entered cell; computed cells are never stored."""

    __tablename__ = "cell_value"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    form: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    column_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    hundredths: Mapped[int] = mapped_column(BigInteger)


class FormRow(Base):
    """A code row the clerk added to a code-keyed form before typing any amount into it."""

    __tablename__ = "form_row"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    form: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class Project(Base):
    """项目 with its performance targets (fields beyond the basics live in ``details`` JSON)."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(String(64), default="")
    hundredths: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    details: Mapped[str] = mapped_column(Text, default="{}")

    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Indicator.position"
    )


class Indicator(Base):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    level1: Mapped[str] = mapped_column(String(8))
    level2: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    comparator: Mapped[str] = mapped_column(String(8), default="")
    value: Mapped[str] = mapped_column(String(100), default="")
    unit: Mapped[str] = mapped_column(String(32), default="")
    basis: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship(back_populates="indicators")


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
