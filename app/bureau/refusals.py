"""Why a package of a folder import was not taken in, as a kind the window can group and act on.

The core's refusals are sentences for the command line (they name its options, e.g. ``--replace``). A
folder import in the window lists hundreds of them, so each is also described here by its kind
(密钥不符, 未登记密钥, 已存在（不同）…), the unit, one line in the window's words and the full text
(``describe``); the window offers what can be done about each kind (覆盖/合并/跳过, 登记密钥…).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.base.errors import BudgetDeskError, ConflictError, LockedError, NotFoundError
from app.base.paths import readable
from app.base.textcheck import UnreadableFileError
from app.bureau.receipt import AlreadyReceivedError, OlderPackageError
from app.exchange.document_diff import DocumentDiff
from app.exchange.interchange import UnresolvedFindingsError
from app.exchange.package.reader import VerifiedPackage
from app.exchange.package.trust import (
    KeyMismatchError,
    KeyRegisteredError,
    ReasonRequiredError,
    UntrustedKeyError,
)
from app.store.importing import ImportedByOtherError

# The kinds in the order the window lists them (what the officer can act on first).
KEY_MISMATCH = "密钥不符"
UNTRUSTED_KEY = "未登记密钥"
EXISTS_DIFFERENT = "已存在（不同）"
EXISTS_SAME = "已存在（相同）"
SUBMITTED = "已上报"
WRONG_YEAR = "年度不符"
OLDER = "早于已接收"
OPEN_FINDINGS = "审核未通过"
NO_PARENT = "缺少上级单位"
IMPORTED_BY_OTHER = "其他用户已导入"
DAMAGED = "文件损坏"
UNREADABLE = "无法读取"
OTHER = "其他原因"
KINDS = (KEY_MISMATCH, UNTRUSTED_KEY, EXISTS_DIFFERENT, EXISTS_SAME, SUBMITTED, WRONG_YEAR, OLDER, OPEN_FINDINGS,
         NO_PARENT, IMPORTED_BY_OTHER, DAMAGED, UNREADABLE, OTHER)


@dataclass(frozen=True)
class Refusal:
    """One package not taken in: ``message`` is one line in the window's words, ``detail`` the whole of it;
    ``cli_text`` is the core's sentence as the command line prints it."""

    path: Path
    kind: str
    message: str
    detail: str
    cli_text: str
    unit_code: str = ""
    unit_name: str = ""
    fingerprint: str = ""  # the package's signing key (for 登记密钥…)

    @property
    def file(self) -> str:
        return readable(self.path.name)

    @property
    def unit(self) -> str:
        return f"{self.unit_code} {self.unit_name}".strip()


class ExistingDatasetError(ConflictError):
    """The unit and year are held already and the import did not replace them: ``diff`` is the difference."""

    def __init__(self, message: str, diff: DocumentDiff | None = None) -> None:
        super().__init__(message)
        self.diff = diff or DocumentDiff()


def describe(path: Path, exc: BaseException, package: VerifiedPackage | None = None,
             year: int | None = None) -> Refusal:
    """The refusal of the package at ``path`` (``package``: it as opened, when it could be) by ``exc``."""
    text = str(exc) if isinstance(exc, BudgetDeskError) else f"无法读取文件：{getattr(exc, 'strerror', None) or exc}"
    code, name = (package.unit_code, package.unit_name) if package is not None else ("", "")
    fingerprint = package.fingerprint if package is not None else ""
    if package is None and isinstance(exc, UntrustedKeyError) and exc.keys:
        code, name, fingerprint = exc.keys[0]
    elif package is None and isinstance(exc, KeyMismatchError):
        code, name, fingerprint = exc.unit_code, exc.unit_name, exc.fingerprint

    def refusal(kind: str, message: str, detail: str | None = None) -> Refusal:
        return Refusal(path, kind, message, detail or message, text, code, name, fingerprint)

    if package is not None and year is not None and package.year != year:
        return refusal(WRONG_YEAR, f"这是 {package.year} 年度的数据包，不是正在导入的 {year} 年度。")
    if isinstance(exc, UntrustedKeyError):
        return refusal(UNTRUSTED_KEY, f"签名密钥第一次见到（指纹 {fingerprint}），本局尚未登记。",
                       f"签名密钥第一次见到（指纹 {fingerprint}），本局尚未登记，未导入。\n"
                       "请与该单位签字盖章的纸质材料上打印的指纹逐位核对；一致时点“登记密钥…”，登记后即导入这个数据包。")
    if isinstance(exc, KeyMismatchError) and not exc.registered:  # re-worded for a department's package
        return refusal(KEY_MISMATCH, text.split("\n")[0], text.split("如该单位")[0])
    if isinstance(exc, KeyMismatchError):
        return refusal(KEY_MISMATCH, f"签名密钥（指纹 {exc.fingerprint}）与登记的密钥（指纹 {exc.registered}）不一致。",
                       f"签名密钥（指纹 {exc.fingerprint}）与本局登记的单位 {exc.unit_code} 的密钥（指纹 {exc.registered}）"
                       "不一致，未导入。\n如该单位确已更换密钥，请核对其签字盖章的纸质材料上的指纹，"
                       "再点“登记密钥…”更换（须写明原因），登记后即导入这个数据包。")
    if isinstance(exc, ExistingDatasetError):
        if exc.diff.is_empty():
            return refusal(EXISTS_SAME, "本年度数据已存在，与数据包相同，无需导入。")
        return refusal(EXISTS_DIFFERENT, f"本年度数据已存在，与数据包有 {exc.diff.count} 处不同：可覆盖、合并或跳过。",
                       "本年度数据已存在，与数据包的差异：\n" + "\n".join(exc.diff.summary())
                       + "\n“覆盖”以数据包替换全部数据；“合并…”逐表查看差异并只取勾选的表；“跳过”保留现有数据。")
    if isinstance(exc, AlreadyReceivedError):
        return refusal(EXISTS_SAME, "这个数据包此前已导入，未再导入。", text)
    if isinstance(exc, ImportedByOtherError):
        return refusal(IMPORTED_BY_OTHER, "其他用户刚导入了这个单位的数据，本次未导入。", text)
    if isinstance(exc, LockedError):
        return refusal(SUBMITTED, "现有数据已上报，须先退回才能覆盖。",
                       "现有数据已上报，不能被数据包覆盖，未导入。请先在单位概览中选中该单位点“退回…”，再导入。")
    if isinstance(exc, OlderPackageError):
        return refusal(OLDER, "数据包早于已接收的数据包：如确以它为准，请用“导入单个数据包”确认后导入。",
                       text.split("如确认")[0] + "\n如确以较早的数据包为准，请用“导入单个数据包…”并勾选确认后导入。")
    if isinstance(exc, UnresolvedFindingsError):
        return refusal(OPEN_FINDINGS, f"数据包标记为已上报，但还有 {exc.count} 条审核问题未处理。" if exc.count
                       else text.split("\n")[0], text)
    if isinstance(exc, NotFoundError) and "上级单位" in text:
        return refusal(NO_PARENT, text)
    if isinstance(exc, UnreadableFileError):  # a FIFO, device or folder named *.bdp, or gone meanwhile
        return refusal(UNREADABLE, text)
    if package is None and isinstance(exc, BudgetDeskError):
        return refusal(DAMAGED, text.split("\n")[0])
    if not isinstance(exc, BudgetDeskError):
        return refusal(UNREADABLE, text)
    return refusal(OTHER, text.split("\n")[0], text)


def heading(refusals: list[Refusal]) -> str:
    """“200 个数据包未导入：密钥不符 180，已存在（不同） 20”."""
    counts = counted(refusals)
    return f"{len(refusals)} 个数据包未导入：" + "，".join(f"{kind} {len(items)}" for kind, items in counts)


def counted(refusals: list[Refusal]) -> list[tuple[str, list[Refusal]]]:
    """The refusals grouped by kind, in the order of ``KINDS``."""
    groups: dict[str, list[Refusal]] = {}
    for refusal in refusals:
        groups.setdefault(refusal.kind, []).append(refusal)
    return [(kind, groups[kind]) for kind in KINDS if kind in groups]


def window_words(exc: BaseException) -> str:
    """A refusal (导入单个数据包, 登记密钥) as the window says it: no command-line options."""
    if isinstance(exc, (KeyRegisteredError, ReasonRequiredError)):
        return exc.window_text
    refusal = describe(Path(""), exc)
    return str(exc) if refusal.kind in (OTHER, DAMAGED, UNREADABLE, NO_PARENT) else refusal.detail
