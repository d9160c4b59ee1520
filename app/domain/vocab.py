"""The case vocabulary: codes stored in cases and actions, with the Chinese words shown for them.

Pure data. Intake validation, filters, indicators, the window, the CLI and the printed documents
all read these; a code is added here and nowhere else. Dict order is display order.
"""
from __future__ import annotations

# 受理渠道
CHANNELS = {
    "visit": "来访", "phone": "来电", "hotline_12345": "12345热线", "grid_report": "网格上报",
    "mini_program": "越平安小程序", "online_petition": "网上信访", "police_feed": "警情推送",
    "district_assign": "上级交办",
}
# 诉求类型
CASE_TYPES = {"consult": "咨询", "help": "求助", "complaint": "投诉", "report": "举报", "suggestion": "建议"}
# 紧急程度
URGENCY = {"normal": "一般", "urgent": "加急"}
# 三色 (app.domain.deadlines.colour)
COLOUR_LABELS = {"green": "绿", "yellow": "黄", "red": "红"}
# 四平台 (the taxonomy's ``platform`` of each category)
PLATFORMS = {"DJ": "党建统领", "JJ": "经济生态", "PA": "平安法治", "GG": "公共服务"}
