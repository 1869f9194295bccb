"""人员 and 车辆 as the core holds them: validated records, pay exact in 元 (Decimal, to the 分)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from app.base.errors import InputError
from app.base.money import normalize_text
from app.base.textcheck import check_text

STAFF_CATEGORIES = ("在职行政", "在职参公", "在职事业", "编外聘用", "离休", "退休", "遗属")
SERVING_CATEGORIES = ("在职行政", "在职参公", "在职事业")  # 在职 on an establishment: counted per head for 公用经费
RETIRED_CATEGORIES = ("离休", "退休", "遗属")
VEHICLE_PURPOSES = ("一般公务用车", "执法执勤用车", "特种专业技术用车", "其他用车")

# The staff fields in order: attribute, the clerk's column title, kind (text / money / category)
STAFF_FIELDS = (
    ("name", "姓名", "text"),
    ("category", "人员类别", "category"),
    ("staffing", "编制类型", "text"),
    ("grade", "职务或岗位等级", "text"),
    ("basic_pay", "基本工资（元/月）", "money"),
    ("allowance", "津贴补贴（元/月）", "money"),
    ("bonus", "奖金或绩效工资（元/年）", "money"),
)
VEHICLE_FIELDS = (
    ("purpose", "用途", "purpose"),
    ("in_establishment", "是否编制内", "yesno"),
    ("purchase_year", "购置年份", "year"),
    ("plate", "号牌", "text"),
)

_FEN = Decimal("0.01")
_MAX_PAY = Decimal("99999999.99")  # far beyond any one person's pay: a larger figure is a pasted number
_AMOUNT_RE = re.compile(r"^\d+(\.\d{0,2})?$")
# A column whose title names an identity number: the roster never keeps one (personal data the budget needs not)
_IDENTITY_WORDS = ("身份证", "证件号", "公民身份号码", "身份号码")


def refuse_identity_column(title: str) -> None:
    """Refuse a column that looks like 身份证号 (a pay sheet often has one)."""
    if any(word in title for word in _IDENTITY_WORDS):
        raise InputError(f"“{title}”是身份证件号码，属于个人敏感信息，预算测算不需要也不保存；"
                         "请从表格中删除这一列后再导入。")


def parse_yuan(value: object, what: str) -> Decimal:
    """元 to the 分 (a pay sheet's figure): empty is 0; negative, more than two decimals or words are refused."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, bool):
        raise InputError(f"{what}应为金额（元），不是“{value}”。")
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    else:
        text = normalize_text(str(value)).replace(",", "").removesuffix("元")
        if text == "":
            return Decimal("0.00")
        if not _AMOUNT_RE.match(text):
            raise InputError(f"{what}应为不带负号、最多两位小数的金额（元），不是“{value}”。")
        amount = Decimal(text)
    if amount < 0 or amount != amount.quantize(_FEN) or amount > _MAX_PAY:
        raise InputError(f"{what}应为 0 到 99,999,999.99 之间、最多两位小数的金额（元），不是“{value}”。")
    return amount.quantize(_FEN)


@dataclass(frozen=True)
class StaffMember:
    """One person of the 人员 table. Pay in 元: monthly 基本工资 and 津贴补贴, annual 奖金 / 绩效工资;
    for 离休 / 退休 / 遗属 the monthly 基本工资 is the 离退休费 or 生活补助."""

    category: str
    name: str = ""
    staffing: str = ""
    grade: str = ""
    basic_pay: Decimal = Decimal("0.00")
    allowance: Decimal = Decimal("0.00")
    bonus: Decimal = Decimal("0.00")

    @property
    def serving(self) -> bool:
        return self.category in SERVING_CATEGORIES


@dataclass(frozen=True)
class Vehicle:
    """One vehicle of the 车辆 table."""

    purpose: str
    in_establishment: bool = True
    purchase_year: int | None = None
    plate: str = ""


@dataclass
class BasicInfo:
    """The 基础信息 of one dataset: its 人员 and 车辆."""

    staff: list[StaffMember] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.staff and not self.vehicles


def check_staff(values: dict[str, object]) -> StaffMember:
    """A person from field values (any text the clerk typed); raises InputError naming the field."""
    category = normalize_text(str(values.get("category") or ""))
    if category not in STAFF_CATEGORIES:
        raise InputError(f"人员类别应为 {'、'.join(STAFF_CATEGORIES)} 之一，不是“{values.get('category') or ''}”。")
    def text(key: str, title: str, limit: int) -> str:
        return check_text(str(values.get(key) or "").strip(), title, limit)

    return StaffMember(category=category, name=text("name", "姓名", 50), staffing=text("staffing", "编制类型", 32),
                       grade=text("grade", "职务或岗位等级", 50),
                       basic_pay=parse_yuan(values.get("basic_pay"), "基本工资（元/月）"),
                       allowance=parse_yuan(values.get("allowance"), "津贴补贴（元/月）"),
                       bonus=parse_yuan(values.get("bonus"), "奖金或绩效工资（元/年）"))


_YES = ("是", "Y", "y", "yes", "1", "编制内", "TRUE", "True", "true")
_NO = ("否", "N", "n", "no", "0", "编制外", "FALSE", "False", "false")


def check_vehicle(values: dict[str, object]) -> Vehicle:
    """A vehicle from field values; raises InputError naming the field."""
    purpose = normalize_text(str(values.get("purpose") or ""))
    if purpose in ("一般公务", "执法执勤", "特种专业技术"):
        purpose += "用车"
    if purpose not in VEHICLE_PURPOSES:
        raise InputError(f"车辆用途应为 {'、'.join(VEHICLE_PURPOSES)} 之一，不是“{values.get('purpose') or ''}”。")
    flag = values.get("in_establishment", True)
    if isinstance(flag, bool):
        in_establishment = flag
    elif flag is None or str(flag).strip() == "":
        in_establishment = True
    elif str(flag).strip() in _YES:
        in_establishment = True
    elif str(flag).strip() in _NO:
        in_establishment = False
    else:
        raise InputError(f"是否编制内应填“是”或“否”，不是“{flag}”。")
    year_value = values.get("purchase_year")
    purchase_year = None
    if year_value is not None and str(year_value).strip() != "":
        text = normalize_text(str(year_value)).removesuffix("年")
        if isinstance(year_value, Decimal) and year_value == year_value.to_integral_value():
            text = str(int(year_value))
        if not text.isdigit() or not 1950 <= int(text) <= 2100:
            raise InputError(f"购置年份应为四位年份（如 2018），不是“{year_value}”。")
        purchase_year = int(text)
    plate = check_text(str(values.get("plate") or "").strip(), "号牌", 20)
    return Vehicle(purpose=purpose, in_establishment=in_establishment, purchase_year=purchase_year, plate=plate)


# ---- the interchange document's ``basic_info`` member (optional: older files have none) ----------------------
def basic_info_to_json(info: BasicInfo) -> dict:
    return {
        "staff": [{"category": s.category, "name": s.name, "staffing": s.staffing, "grade": s.grade,
                   "basic_pay": f"{s.basic_pay:.2f}", "allowance": f"{s.allowance:.2f}", "bonus": f"{s.bonus:.2f}"}
                  for s in info.staff],
        "vehicles": [{"purpose": v.purpose, "in_establishment": v.in_establishment,
                      "purchase_year": v.purchase_year, "plate": v.plate} for v in info.vehicles],
    }


def basic_info_from_json(data: object) -> BasicInfo:
    """The document's ``basic_info`` validated (raises InputError naming the item); absent is empty."""
    if data is None:
        return BasicInfo()
    if not isinstance(data, dict) or not isinstance(data.get("staff", []), list) \
            or not isinstance(data.get("vehicles", []), list):
        raise InputError("basic_info 应含 staff 和 vehicles 两个列表。")
    staff, vehicles = [], []
    for index, item in enumerate(data.get("staff", []), start=1):
        if not isinstance(item, dict):
            raise InputError(f"人员第 {index} 项应为对象。")
        for key in item:
            refuse_identity_column(str(key))
        try:
            staff.append(check_staff(item))
        except InputError as exc:
            raise InputError(f"人员第 {index} 项：{exc}") from None
    for index, item in enumerate(data.get("vehicles", []), start=1):
        if not isinstance(item, dict):
            raise InputError(f"车辆第 {index} 项应为对象。")
        try:
            vehicles.append(check_vehicle(item))
        except InputError as exc:
            raise InputError(f"车辆第 {index} 项：{exc}") from None
    return BasicInfo(staff, vehicles)
