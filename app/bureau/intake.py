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

from app.base.errors import BudgetDeskError, Cancelled, ConflictError, InputError, NotFoundError
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
from app.exchange.document_diff import DocumentDiff, diff_documents, existing_document
from app.exchange.package.reader import check_expected, dataset_document, open_package
from app.exchange.package.spec import KIND_DEPARTMENT, SUFFIX
from app.exchange.package.trust import UntrustedKeyError, check_trust, require_confirmed
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
    package = open_package(path)
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
            raise ConflictError(
                f"单位 {package.unit_code} {package.unit_name} 的 {package.year} 年度预算已存在，与数据包的差异：\n"
                + "\n".join(diff.summary()) + "\n逐表查看差异请用 --diff；以数据包覆盖全部请用 --replace；只取部分表请用 --merge 表,表。")
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
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, Chinese reason)
    cancelled: bool = False  # 取消 between packages: those before stay imported, the rest untouched
    # packages refused only for a first-seen key (also in ``failed``): (file, [(unit, name, fingerprint)])
    untrusted: list[tuple[Path, list[tuple[str, str, str]]]] = field(default_factory=list)

    def untrusted_keys(self) -> list[tuple[str, str, str]]:
        """Each unconfirmed key once, for one 核对密钥指纹 dialog."""
        keys: dict[tuple[str, str], tuple[str, str, str]] = {}
        for _path, found in self.untrusted:
            for code, name, fingerprint in found:
                keys.setdefault((code, fingerprint), (code, name, fingerprint))
        return list(keys.values())

    def confirmed_retry(self, retried: BatchResult) -> BatchResult:
        """This folder's result after the packages waiting for their keys were imported again (``retried``)."""
        waiting = {readable(path.name) for path, _keys in self.untrusted}
        return BatchResult(imported=[*self.imported, *retried.imported],
                           failed=[item for item in self.failed if item[0] not in waiting] + retried.failed,
                           cancelled=self.cancelled or retried.cancelled, untrusted=retried.untrusted)


def import_packages(store: Store, directory: str | Path, *, year: int | None = None, replace: bool = False,
                    progress: Progress | None = None, trust_fingerprints: Iterable[str] = (),
                    only: list[Path] | None = None) -> BatchResult:
    """Every ``.bdp`` in a folder (``only``: just these of it): a bad package is reported and skipped, the
    rest go in. Packages refused only for a first-seen key are listed in ``untrusted`` too."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"找不到文件夹“{directory}”。")
    files = sorted(path for path in directory.iterdir() if path.suffix.lower() == SUFFIX and path.is_file())
    if only is not None:
        wanted = {Path(path).name for path in only}
        files = [path for path in files if path.name in wanted]
    if not files:
        raise InputError(f"文件夹“{directory}”中没有 {SUFFIX} 数据包。")
    result = BatchResult()
    started = now_utc(whole_seconds=True)  # a package received after this was imported by a colleague at the same time
    backup_before(store, "import")  # once for the whole folder, not once per package
    # A 所属单位 needs its 部门 in the database first; the folder's order is the file names', so a
    # unit refused only because its 部门 was not in yet is tried again once the others are in.
    waiting: list[tuple[Path, str]] = []
    for number, path in enumerate(files):
        try:
            progress_step(progress, number, len(files), readable(path.name))
        except Cancelled:
            result.cancelled = True
            return result
        try:
            result.imported.append(import_package(store, path, expected_year=year, replace=replace, backup=False,
                                                         trust_fingerprints=trust_fingerprints, batch_started=started))
        except NotFoundError as exc:
            if "上级单位" in str(exc):
                waiting.append((path, str(exc)))
            else:
                result.failed.append((readable(path.name), str(exc)))
        except UntrustedKeyError as exc:
            result.failed.append((readable(path.name), str(exc)))
            result.untrusted.append((path, exc.keys))
        except BudgetDeskError as exc:
            result.failed.append((readable(path.name), str(exc)))
        except OSError as exc:
            result.failed.append((readable(path.name), f"无法读取文件：{exc.strerror or exc}"))
    while waiting:
        retry, waiting = waiting, []
        for path, _message in retry:
            try:
                result.imported.append(import_package(store, path, expected_year=year, replace=replace, backup=False,
                                                         trust_fingerprints=trust_fingerprints, batch_started=started))
            except NotFoundError as exc:
                waiting.append((path, str(exc)))
            except UntrustedKeyError as exc:
                result.failed.append((readable(path.name), str(exc)))
                result.untrusted.append((path, exc.keys))
            except BudgetDeskError as exc:
                result.failed.append((readable(path.name), str(exc)))
        if len(waiting) == len(retry):  # no progress: the 部门 is not in this folder either
            result.failed.extend((readable(path.name), message) for path, message in waiting)
            break
    progress_step(progress, len(files), len(files), "完成")
    return result
