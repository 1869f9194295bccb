"""基础信息 (人员, 车辆) of one dataset and the 基本支出测算 worked out from them and the bureau's standards."""
