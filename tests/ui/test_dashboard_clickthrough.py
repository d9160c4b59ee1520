"""pytest-qt: the 运行监测 figures for dispatched (分派) and closed (结案) today / this month open the
case list with the matching dispatch-date / close-date filter, and the list counts the same number."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtCharts")


@pytest.mark.parametrize("name", ["today_dispatched", "today_closed", "month_dispatched", "month_closed"])
def test_clicking_dispatched_and_closed_figures_opens_the_matching_list(demo_desk, open_window, name):
    window = open_window(demo_desk, "director")
    window.select_page("dashboard")
    dash = window.page("dashboard")
    dash.refresh()
    figure = dash.figures[name]
    assert figure.value.isEnabled() and hasattr(figure.value, "clicked")  # a button, not a label
    shown = int(figure.text().replace(",", ""))
    prefix, what = name.split("_")
    period = dash.data[prefix]["period"]
    assert shown == dash.data[prefix][what]

    figure.value.click()
    cases = window.page("cases")
    assert window.current_page() is cases
    lo, hi = ("dispatched_from", "dispatched_to") if what == "dispatched" else ("closed_from", "closed_to")
    f = cases.filters()
    assert (f.get(lo), f.get(hi)) == (period["from"], period["to"])
    assert not f.get("date_from") and not f.get("state")
    assert cases.date_kind.currentText() == ("分派日期" if what == "dispatched" else "结案日期")
    assert cases.model.total == shown
    assert cases.total_label.text() == f"共 {shown:,} 件"
    if name == "month_closed":
        assert shown > 0
        states = {cases.model.row(i)["state"] for i in range(min(cases.model.rowCount(), 100))}
        assert states <= {"closed", "archived"}
