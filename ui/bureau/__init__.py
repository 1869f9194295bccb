"""The 财政局 window: the unit tree, intake, 进度, 筛查 and 批注."""
