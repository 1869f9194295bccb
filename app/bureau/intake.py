"""The bureau's intake of packages (财政局, or a 主管部门 from its 所属单位): one file or a folder, a unit's
package or a department's, previewed before anything is written, received in one transaction each.

If the unit and year exist already, the difference (``app.exchange.document_diff``) is shown and the
import refused unless it replaces; a package made before the one last received is refused unless
``force``. Every file taken in is kept (``app.bureau.resubmission.package_history``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.base.errors import BudgetDeskError, Cancelled, InputError, NotFoundError
from app.base.paths import readable
from app.base.progress import Progress
from app.base.progress import step as progress_step
from app.bureau.hierarchy import import_department, preview_department
from app.bureau.receipt import (
    ImportOutcome,
    PackagePreview,
    check_not_older,
    package_comments,
    receive,
    refuse_if_received,
    write_document,
)
from app.bureau.refusals import ExistingDatasetError, Refusal, describe
from app.bureau.refusals import heading as refusal_heading
from app.exchange.document_diff import DocumentDiff, diff_documents, existing_document
from app.exchange.package.reader import VerifiedPackage, check_expected, dataset_document, open_package
from app.exchange.package.spec import KIND_DEPARTMENT, SUFFIX
from app.exchange.package.trust import (
    UntrustedKeyError,
    check_trust,
    normalized_fingerprints,
    require_confirmed,
)
from app.store.audit import now_utc
from app.store.backup import backup_before

if TYPE_CHECKING:
    from app.store.service import Store


def preview_package(store: Store, path: str | Path, *, expected_unit: str | None = None,
                    expected_year: int | None = None) -> PackagePreview:
    """Every check of an import that needs no writing: the GUI shows this and asks before importing."""
    package = open_package(path)
    check_expected(package, expected_unit, expected_year)
    if package.kind == KIND_DEPARTMENT:
        return preview_department(store, package)
    first_trust = check_trust(store, package)
    document = dataset_document(package)
    old = existing_document(store, package.unit_code, package.year)
    diff = diff_documents(old, document, store.code_tables(package.year)) if old is not None else None
    return PackagePreview(package, first_trust, diff)


def import_package(store: Store, path: str | Path, *, expected_unit: str | None = None,
                   expected_year: int | None = None, replace: bool = False,
                   confirm: Callable[[DocumentDiff], bool] | None = None, backup: bool = True, force: bool = False,
                   trust_fingerprints: Iterable[str] = (),
                   batch_started: datetime | None = None) -> ImportOutcome:
    """Verify a package and write its dataset in one transaction.

    If the unit and year exist already, the differences are computed; without ``replace`` (or a
    ``confirm`` callback that accepts them) the import is refused with the differences listed. A
    package made before the one last received is refused unless ``force``. The file is kept
    (``app.bureau.resubmission.package_history``); a replacing import is audited as 重新上报.
    """
    return import_opened(store, open_package(path), expected_unit=expected_unit, expected_year=expected_year,
                         replace=replace, confirm=confirm, backup=backup, force=force,
                         trust_fingerprints=trust_fingerprints, batch_started=batch_started)


def import_opened(store: Store, package: VerifiedPackage, *, expected_unit: str | None = None,
                  expected_year: int | None = None, replace: bool = False,
                  confirm: Callable[[DocumentDiff], bool] | None = None, backup: bool = True, force: bool = False,
                  trust_fingerprints: Iterable[str] = (),
                  batch_started: datetime | None = None) -> ImportOutcome:
    """``import_package`` of a package already opened and verified."""
    check_expected(package, expected_unit, expected_year)
    if package.kind == KIND_DEPARTMENT:  # the 部门, its 所属单位 and the 汇总, all or nothing
        return import_department(store, package, replace=replace, backup=backup,
                                 trust_fingerprints=trust_fingerprints)
    require_confirmed(store, [package], trust_fingerprints)
    if not replace and batch_started is not None:  # a folder: a colleague may be importing it too
        refuse_if_received(store, package, batch_started)
    document = dataset_document(package)
    old = existing_document(store, package.unit_code, package.year)
    diff = diff_documents(old, document, store.code_tables(package.year)) if old is not None else None
    if diff is not None and not force:
        check_not_older(store, package)
    if diff is not None and not replace:
        if confirm is None or not confirm(diff):
            raise ExistingDatasetError(
                f"单位 {package.unit_code} {package.unit_name} 的 {package.year} 年度预算已存在，与数据包的差异：\n"
                + "\n".join(diff.summary()) + "\n逐表查看差异请用 --diff；以数据包覆盖全部请用 --replace；"
                "只取其中几张表请用 --merge 加表名（以逗号分隔）。", diff)
    answers = package_comments(package)  # checked before anything is written
    if backup:
        backup_before(store, "replace" if diff is not None else "import")
    received = receive(store, package, answers, lambda: write_document(
        store, document, replace=diff is not None, backup=False, package=package), trust_fingerprints)
    dataset, findings, first_trust, merged = received
    errors = sum(1 for finding in findings if finding.severity == "error")
    return ImportOutcome(package.unit_code, package.unit_name, package.year, package.fingerprint, first_trust,
                         diff is not None, dataset.status, errors, len(findings) - errors, diff, merged)


@dataclass
class BatchResult:
    imported: list[ImportOutcome] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, Chinese reason, the CLI's words)
    cancelled: bool = False  # 取消 between packages: those before stay imported, the rest untouched
    # packages refused only for a first-seen key (also in ``failed``): (file, [(unit, name, fingerprint)])
    untrusted: list[tuple[Path, list[tuple[str, str, str]]]] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)  # ``failed`` again, by kind, in the window's words
    attempted: list[str] = field(default_factory=list)  # every file tried (readable names)

    def refuse(self, refusal: Refusal, exc: BaseException | None = None) -> None:
        self.failed.append((refusal.file, refusal.cli_text))
        self.refusals.append(refusal)
        if isinstance(exc, UntrustedKeyError):
            self.untrusted.append((refusal.path, exc.keys))

    def heading(self) -> str:
        """“导入完成：成功 20 个。200 个数据包未导入：密钥不符 180，已存在（不同） 20”."""
        text = f"导入完成：成功 {len(self.imported)} 个"
        if self.cancelled:
            text += "（已取消，其余数据包未导入）"
        return text + ("。" + refusal_heading(self.refusals) if self.refusals else "，未导入 0 个。")

    def untrusted_keys(self) -> list[tuple[str, str, str]]:
        """Each unconfirmed key once, for one 核对密钥指纹 dialog."""
        keys: dict[tuple[str, str], tuple[str, str, str]] = {}
        for _path, found in self.untrusted:
            for code, name, fingerprint in found:
                keys.setdefault((code, fingerprint), (code, name, fingerprint))
        return list(keys.values())

    def confirmed_retry(self, retried: BatchResult) -> BatchResult:
        """This folder's result after the packages waiting for their keys were imported again (``retried``)."""
        return self.after_retry(retried)

    def after_retry(self, retried: BatchResult) -> BatchResult:
        """This folder's result after some of its refused packages were tried again (``retried``)."""
        again = set(retried.attempted)
        return BatchResult(imported=[*self.imported, *retried.imported],
                           failed=[item for item in self.failed if item[0] not in again] + retried.failed,
                           cancelled=self.cancelled or retried.cancelled,
                           untrusted=[item for item in self.untrusted if readable(item[0].name) not in again]
                           + retried.untrusted,
                           refusals=[item for item in self.refusals if item.file not in again] + retried.refusals,
                           attempted=list(dict.fromkeys([*self.attempted, *retried.attempted])))


def import_packages(store: Store, directory: str | Path, *, year: int | None = None, replace: bool = False,
                    progress: Progress | None = None, trust_fingerprints: Iterable[str] = (),
                    only: list[Path] | None = None) -> BatchResult:
    """Every ``.bdp`` in a folder (``only``: just these of it): a bad package is reported and skipped, the
    rest go in. Each refusal is also described by its kind (``app.bureau.refusals``); packages refused only
    for a first-seen key are listed in ``untrusted`` too. ``progress`` is told the unit being imported."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"找不到文件夹“{directory}”。")
    # Every entry named *.bdp, a FIFO, device or folder too: the reader refuses those, and they are listed.
    files = sorted(path for path in directory.iterdir() if path.suffix.lower() == SUFFIX)
    if only is not None:
        wanted = {Path(path).name for path in only}
        files = [path for path in files if path.name in wanted]
    if not files:
        raise InputError(f"文件夹“{directory}”中没有 {SUFFIX} 数据包。")
    result = BatchResult(attempted=[readable(path.name) for path in files])
    try:  # once for the folder, not twice per package
        trust_fingerprints = normalized_fingerprints(trust_fingerprints)
    except InputError:
        pass  # a mistyped fingerprint: each package that needs it is refused with its words
    started = now_utc(whole_seconds=True)  # a package received after this was imported by a colleague at the same time
    backup_before(store, "import")  # once for the whole folder, not once per package
    opened: dict[Path, VerifiedPackage] = {}

    def attempt(path: Path) -> NotFoundError | None:
        """Import one file; a refusal for want of its 部门 is returned (to be tried again), others recorded."""
        package = opened.pop(path, None)  # not kept once tried: a folder of 500 would all stay in memory
        try:
            if package is None:
                package = open_package(path)
            check_expected(package, None, year)
            result.imported.append(import_opened(store, package, replace=replace, backup=False,
                                                 trust_fingerprints=trust_fingerprints, batch_started=started))
        except NotFoundError as exc:
            if "上级单位" not in str(exc):
                result.refuse(describe(path, exc, package, year), exc)
                return None
            if package is not None:
                opened[path] = package  # tried again once its 部门 may be in
            return exc
        except (BudgetDeskError, OSError) as exc:
            result.refuse(describe(path, exc, package, year), exc)
        return None

    # A 所属单位 needs its 部门 in the database first; the folder's order is the file names', so a
    # unit refused only because its 部门 was not in yet is tried again once the others are in.
    waiting: list[tuple[Path, NotFoundError]] = []
    for number, path in enumerate(files):
        try:
            opened[path] = open_package(path)  # read only: 取消 below still leaves everything untouched
            unit = f"单位 {opened[path].unit_code} {opened[path].unit_name}"
        except (BudgetDeskError, OSError):
            unit = readable(path.name)  # refused with its reason when attempted
        try:
            progress_step(progress, number, len(files), unit)
        except Cancelled:
            result.cancelled = True
            return result
        refused = attempt(path)
        if refused is not None:
            waiting.append((path, refused))
    while waiting:
        retry, waiting = waiting, []
        for path, _exc in retry:
            refused = attempt(path)
            if refused is not None:
                waiting.append((path, refused))
        if len(waiting) == len(retry):  # no progress: the 部门 is not in this folder either
            for path, exc in waiting:
                result.refuse(describe(path, exc, opened.get(path), year), exc)
            break
    progress_step(progress, len(files), len(files), "完成")
    return result
