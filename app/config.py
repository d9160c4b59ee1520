"""Every setting in one place, with its type, default and meaning.

Values live in the store's ``meta`` table as ``setting.<name>``; QSettings holds only window
geometry and column layouts.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: object
    label: str


SETTINGS = {s.name: s for s in (
    Setting("idle_lock_minutes", int, 15, "无操作自动锁屏（分钟）"),
    Setting("sync_interval_seconds", int, 60, "后台同步间隔（秒）"),
    Setting("sync_timeout_seconds", float, 30.0, "同步请求超时（秒）"),
    Setting("sync_attempts", int, 3, "同步请求失败重试次数"),
    Setting("sync_proxy", str, "", "同步代理服务器（如 http://proxy:3128，空为系统设置）"),
    Setting("sync_ca_bundle", str, "", "同步服务器 CA 证书文件（空为系统证书）"),
    Setting("sync_chunk_kib", int, 1024, "附件上传分块大小（KiB，1024-4096）"),
    Setting("sync_full_digest_hours", float, 24.0, "按内容重算同步摘要的间隔（小时，0 为每轮）"),
    Setting("yellow_days", float, 1.0, "剩余不足多少个工作日时黄色预警"),
    Setting("yellow_fraction", float, 0.2, "剩余时限不足该比例时黄色预警"),
    Setting("repeat_window_days", int, 30, "重复件判定时间窗（天）"),
    Setting("repeat_threshold", float, 0.6, "重复件文本相似度阈值"),
    Setting("lockout_attempts", int, 5, "连续登录失败锁定次数"),
    Setting("lockout_minutes", int, 15, "登录锁定时长（分钟）"),
    Setting("auto_dispatch", bool, True, "责任清单唯一匹配时自动派单"),
    # the centre, as printed on receipts (towndesk setting set ...)
    Setting("centre_name", str, "", "中心名称（回执抬头，空为“镇街名称+综合信息指挥中心”）"),
    Setting("centre_phone", str, "", "中心电话（印在回执上）"),
    Setting("centre_address", str, "", "中心地址（印在回执上）"),
    Setting("receipt_footer", str, "", "回执底部说明"),
    # 分析研判: the case-trend rules that propose risks (0 switches a rule off)
    Setting("trend_cluster_cases", int, 5, "同一村社同类案件达到多少件时提出风险"),
    Setting("trend_cluster_days", int, 7, "同类案件聚集的统计天数"),
    Setting("trend_category_depth", int, 0, "同类案件按几级上级分类合并（0 为分类本身，1 为上一级）"),
    Setting("trend_repeat_petitions", int, 3, "同一人重复信访达到多少次时提出风险"),
    Setting("trend_repeat_days", int, 30, "重复信访的统计天数"),
)}


def parse(name: str, raw: str | None):
    """Typed value of a setting from its stored text (default when absent)."""
    spec = SETTINGS[name]
    if raw is None:
        return spec.default
    if spec.type is bool:
        return raw.lower() in ("1", "true", "yes", "on")
    return spec.type(raw)
