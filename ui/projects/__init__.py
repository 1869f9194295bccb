"""Projects, their 绩效目标 and indicators, and the 绩效自评 tabs."""
