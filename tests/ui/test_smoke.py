from __future__ import annotations


def test_window_opens_for_each_role(open_window, demo_desk):
    for username in ("intake", "dispatcher", "director", "unit", "admin"):
        window = open_window(demo_desk, username)
        titles = [window.nav.item(i).text() for i in range(window.nav.count())]
        assert titles[0] == "工作台" and "案件查询" in titles
        assert ("一窗受理" in titles) == (username != "unit")
        assert window.sync_indicator.label.text() == "离线"
        assert "在办" in window.count_labels["open"].text()
        for i in range(window.nav.count()):
            window.select_page(i)
