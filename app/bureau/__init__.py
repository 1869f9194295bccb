"""财政局 and 主管部门 side: intake level by level (hierarchy), 汇总, the progress dashboard, screening
across units, and 批注 (comments) with their words."""
