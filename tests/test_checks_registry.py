"""The list checks are gathered from one explicit list (app.checks.registry), not by import side effects."""

import pytest

from app.checks import basic, lists, narrative, selfeval
from app.checks.registry import CHECK_MODULES, LIST_CHECKS, _gather
from app.checks.rules import all_rules


def test_every_rule_names_a_registered_check_and_every_check_is_used():
    named = {rule.check for rule in all_rules() if not rule.assertion}
    assert named <= set(LIST_CHECKS), sorted(named - set(LIST_CHECKS))
    assert set(LIST_CHECKS) <= named, sorted(set(LIST_CHECKS) - named)


def test_the_registry_lists_each_check_module_once():
    assert CHECK_MODULES == (lists.CHECKS, narrative.CHECKS, selfeval.CHECKS, basic.CHECKS)
    assert len(LIST_CHECKS) == sum(len(table) for table in CHECK_MODULES)
    assert LIST_CHECKS["prior_change"] is narrative.prior_change
    assert LIST_CHECKS["project_funds_missing"] is lists.project_funds_missing


def test_a_check_name_defined_twice_is_refused():
    with pytest.raises(ValueError, match="projects_total"):
        _gather((lists.CHECKS, {"projects_total": narrative.prior_change}))
