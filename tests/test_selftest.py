"""``budgetdesk selftest``: every step runs for real on a temporary database; a broken step fails it."""

import json

from app.cli import main as cli
from app.cli import selftest
from tests.conftest import SEED004


def test_bundled_sample_is_the_seed_004_fixture():
    # The installed program ships the sample as a resource; the tests use the fixture: never two versions.
    assert selftest.sample_path().read_bytes() == SEED004.read_bytes()


def test_selftest_passes_step_by_step_and_leaves_the_users_data_alone(capsys, tmp_path, monkeypatch):
    user_db = tmp_path / "user.sqlite3"
    assert cli.main(["--db", str(user_db), "selftest"]) == cli.EXIT_OK
    lines = capsys.readouterr().out.strip().splitlines()
    steps = lines[1:-1]
    assert lines[0].startswith("BudgetDesk 部门预算填报") and lines[-1] == "自检通过。"
    assert len(steps) == 9 and all(line[0] in "✓–" for line in steps)
    passed = {line.split("：", 1)[0][2:]: line for line in steps if line.startswith("✓")}
    assert "秦皇岛经济技术开发区融媒体中心" in passed["导入示例数据（秦皇岛经济技术开发区融媒体中心 2023）"]
    assert "错误 0 条，提示 28 条" in passed["审核"]
    assert "共 29 页" in passed["打印整套文件为 PDF 并读回"]
    for optional in ("导出 Excel 工作簿", "导出数据包"):  # run when the build has the feature, else say so
        line = next(line for line in steps if optional in line)
        assert line.startswith("✓") or line.endswith("本版本未包含此功能，跳过")
    assert not user_db.exists()  # --db is not used: the test database lives in a temporary directory


def test_a_broken_step_fails_the_selftest_and_skips_what_depends_on_it(capsys, tmp_path, monkeypatch):
    broken = tmp_path / "broken.json"
    document = json.loads(SEED004.read_text(encoding="utf-8"))
    document["year"] = "二〇二三"
    broken.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(selftest, "sample_path", lambda: broken)
    assert cli.main(["selftest"]) == cli.EXIT_REFUSED
    out = capsys.readouterr().out
    assert "✓ 载入表样" in out and "✓ 载入审核规则" in out
    assert "✗ 导入示例数据" in out and "Traceback" not in out
    assert "✗ 审核：未执行（前面的步骤失败）" in out and "✗ 打印整套文件为 PDF 并读回：未执行" in out
    assert out.strip().endswith("自检未通过：5 个步骤失败。")
