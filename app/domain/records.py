"""Plain domain records shared by the core, the CLI and the GUI (no ORM objects leak out)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

STATUS_NAMES = {"draft": "编制中", "submitted": "已上报"}

# (attribute, Chinese label) in the order of the cover page / 单位信息 tab.
UNIT_FIELDS: list[tuple[str, str]] = [
    ("code", "单位编码"),
    ("name", "单位名称"),
    ("nature", "单位性质"),
    ("rank", "单位规格"),
    ("funding_form", "经费保障形式"),
    ("competent_department", "主管部门"),
    ("head", "单位负责人"),
    ("finance_head", "财务负责人"),
    ("preparer", "填表人"),
    ("phone", "联系电话"),
]
UNIT_TEXT_FIELDS = [key for key, _label in UNIT_FIELDS if key not in ("code", "name")]


@dataclass
class UnitInfo:
    code: str
    name: str
    nature: str = ""
    rank: str = ""
    funding_form: str = ""
    competent_department: str = ""
    head: str = ""
    finance_head: str = ""
    preparer: str = ""
    phone: str = ""
    parent_code: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        if data["parent_code"] is None:
            del data["parent_code"]
        return data


@dataclass
class DatasetInfo:
    unit_code: str
    unit_name: str
    year: int
    money_unit: str
    status: str
    editions: dict[str, str] = field(default_factory=dict)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)
