"""Centre settings an administrator sets (``towndesk setting set KEY VALUE`` / ``setting list``):
the centre's name, phone, address and receipt footer, and the other settings of app.config."""
from __future__ import annotations

from app import config
from app.desk import Actor, Desk
from app.domain import workflow as wf
from app.domain.schema import Field, validate
from app.domain.validation import check_phone
from app.errors import PermissionDenied, ValidationError
from app.store.audit import audit

TEXTS = {"centre_name": 60, "centre_address": 100, "receipt_footer": 200, "sync_proxy": 200, "sync_ca_bundle": 300}


def setting_list(desk: Desk) -> list[dict]:
    return [{"key": s.name, "value": desk.setting(s.name), "default": s.default, "label": s.label}
            for s in config.SETTINGS.values()]


def setting_set(desk: Desk, actor: Actor, key: str, value: str) -> dict:
    if actor.role != wf.ADMIN:
        raise PermissionDenied("只有管理员可以修改设置", field="as")
    spec = config.SETTINGS.get(key)
    if spec is None:
        raise ValidationError("设置项应为：" + "、".join(config.SETTINGS), field="key")
    text = str(value or "").strip()
    if spec.type is str:
        text = validate((Field("v", spec.label, "line", max_len=TEXTS.get(key, 200)),), {"v": text})["v"] \
            if text else ""
        if key == "centre_phone" and text:
            text = check_phone(text, "value", "中心电话")
    elif spec.type is bool:
        if text.lower() not in ("true", "false", "1", "0", "yes", "no", "on", "off", "是", "否"):
            raise ValidationError(f"{spec.label}应为 true 或 false", field="value")
        text = "true" if text.lower() in ("true", "1", "yes", "on", "是") else "false"
    else:
        try:
            number = spec.type(text)
        except ValueError:
            raise ValidationError(f"{spec.label}应为数字", field="value") from None
        if number < 0:
            raise ValidationError(f"{spec.label}不能为负数", field="value")
    with desk.db.tx() as s:
        desk.set_meta(s, f"setting.{key}", text)
        audit(s, desk, actor.username, "setting.set", key, {"value": text})
    desk.reload_meta()
    return {"key": key, "value": desk.setting(key)}
