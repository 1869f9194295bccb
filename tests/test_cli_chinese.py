"""The CLI in the clerk's words: forms by their Chinese titles, argparse's own messages in Chinese."""

import json

import pytest

from app.cli.main import main
from app.domain.forms import find_form
from tests.conftest import SEED004


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["支出总表", "部门预算支出总表", "《部门预算支出总表》", "expenditure_summary", "3"])
def test_find_form_by_id_official_or_short_title(name):
    assert find_form(name).id == "expenditure_summary"


def test_find_form_without_the_quotes_and_unknown_names():
    assert find_form("三公经费表").id == "three_public_expenses"
    with pytest.raises(Exception) as caught:
        find_form("不存在的表")
    assert "支出总表（expenditure_summary）" in str(caught.value)


def test_show_set_and_print_take_chinese_form_names(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    assert run(capsys, "--db", db, "import-json", str(SEED004))[0] == 0
    code, out, _ = run(capsys, "--db", db, "show", "支出总表", "--unit", "359", "--year", "2023", "--json")
    assert code == 0 and json.loads(out)["form"] == "expenditure_summary"
    code, _, err = run(capsys, "--db", db, "set", "“三公”经费表", "abroad_other", "general_budget", "1",
                       "--unit", "359", "--year", "2023")
    assert code == 0 and "three_public_expenses" in err
    code, _, err = run(capsys, "--db", db, "show", "没有这张表", "--unit", "359", "--year", "2023")
    assert code == 2 and "没有表样“没有这张表”" in err
    code, _, err = run(capsys, "--db", db, "print", "--unit", "359", "--year", "2023", "--out",
                       str(tmp_path / "x.pdf"), "--forms", "支出总表,三公经费表")
    assert code == 0, err


def test_argparse_speaks_chinese(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["show"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "用法：" in err and "缺少必需的参数" in err and "usage:" not in err and "required" not in err
    with pytest.raises(SystemExit):
        main(["show", "--help"])
    out = capsys.readouterr().out
    assert "位置参数" in out and "选项" in out and "显示此帮助并退出" in out
    for english in ("usage:", "positional arguments", "options:", "show this help message and exit"):
        assert english not in out
    with pytest.raises(SystemExit):
        main(["status", "maybe", "--unit", "1", "--year", "2023"])
    assert "无效" in capsys.readouterr().err
