"""转调解 from the intake window: a button beside the saved case's banner that opens the dispute
for the case just taken in (ui.mediation_dialogs.OpenDisputeDialog). Kept out of ui/pages/intake.py
so that the intake page only gains two lines."""
from __future__ import annotations

from PySide6.QtWidgets import QLayout, QPushButton

from ui.mediation_dialogs import OpenDisputeDialog


def add_handoff_button(page, layout: QLayout) -> QPushButton:
    """Add 转调解 to ``layout``; it acts on ``page.last_saved`` (the banner's case)."""
    button = QPushButton("转调解")
    button.setObjectName("banner_mediate")
    button.setToolTip("将刚受理的纠纷类案件转人民调解（多元联调）")

    def open_dialog() -> None:
        case = page.last_saved if page.saved_case_no() else None
        if case is None:
            return
        page.mediation_dialog = OpenDisputeDialog(page.ctx, case, page)
        page.mediation_dialog.done.connect(lambda d: page.banner.setText(
            page.banner.text() + f"<br><span style='font-size:13px'>已转调解　{d['dispute_no']}</span>"))
        page.mediation_dialog.open()

    button.clicked.connect(open_dialog)
    layout.addWidget(button)
    return button
