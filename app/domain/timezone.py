"""The one local time zone of towndesk.

Timestamps are stored in UTC and shown, cut into local days, and counted in working time in this
zone (ARCHITECTURE section 3). Every module that needs it imports ``LOCAL_TZ`` from here; no other
module names the zone (a test in tests/unit/test_vocab.py checks it).
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

LOCAL_TZ_NAME = "Asia/Shanghai"  # China keeps no summer time: a local day is always 24 hours
LOCAL_TZ = ZoneInfo(LOCAL_TZ_NAME)
