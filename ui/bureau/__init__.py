"""The 财政局 window: the unit tree, intake (one package at a time with its preview and the 重新上报
comparison, which the clerk's 导入数据包 uses too), 进度, 筛查 and 批注."""
