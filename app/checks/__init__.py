"""审核: the rule engine over ``resources/rules/*.json`` and the list checks (projects, 绩效目标, 政府采购,
固定资产, 情况说明, 绩效自评). Reads datasets; never writes."""
