"""财政局 and 主管部门 side: the intake of packages (intake, receipt, resubmission), the year's standing and
退回 (standing), level by level (hierarchy), 汇总 (consolidate), the progress dashboard, screening across
units, and 批注 (comments)."""
