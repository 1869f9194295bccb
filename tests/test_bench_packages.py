"""The bureau's intake benchmark (bench/packages.py) run tiny: its generated packages are marked 已上报, so
each carries a 说明 for its 提示, and every one is imported and checked (none refused)."""

from bench import packages
from bench.measure import SEED004


def test_the_package_benchmark_imports_every_generated_package(tmp_path):
    folder = tmp_path / "packages"
    packages.generate(folder, 2, SEED004)
    figures = packages.measure_in_child(folder, str(tmp_path / "bureau.sqlite3"))
    assert (figures["imported"], figures["failed"], figures["first_failure"]) == (2, 0, None)
    assert figures["overview_rows"] == 2
