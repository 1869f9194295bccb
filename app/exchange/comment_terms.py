"""The words of 批注 (kinds, sides, states), apart from ``app.exchange.comment_document`` so that building the CLI's
parser (``app.cli.comments``) does not import the database layer."""

KINDS = {"cell": "单元格", "project": "项目", "indicator": "绩效指标", "finding": "审核问题"}
SIDES = ("财政局", "主管部门", "单位")
STATUS_NAMES = {"open": "待处理", "answered": "已回复", "resolved": "已解决"}
