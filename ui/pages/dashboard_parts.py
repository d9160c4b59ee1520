"""Widgets of the 运行监测 page: clickable figure tiles, QtCharts charts, ranked tables."""
from __future__ import annotations

from datetime import date

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

MARKS = {"red": QColor("#f8d4d4"), "green": QColor("#d8f0d8")}


class Figure(QFrame):
    """A caption and a big number; the number is a flat button when it opens a case list."""

    clicked = Signal()

    def __init__(self, name: str, caption: str, colour: str = "#1f3a5f", clickable: bool = True, parent=None):
        super().__init__(parent)
        self.setObjectName("tile")
        self.setMinimumSize(120, 72)
        cap = QLabel(caption)
        cap.setObjectName("hint")
        self.value = QPushButton("—") if clickable else QLabel("—")
        self.value.setObjectName(name)
        self.value.setStyleSheet(f"color: {colour}; font-size: 22px; font-weight: bold; text-align: left;"
                                 "border: none; background: transparent;")
        if clickable:
            self.value.setCursor(Qt.CursorShape.PointingHandCursor)
            self.value.setToolTip("点击查看案件列表")
            self.value.clicked.connect(self.clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.addWidget(cap)
        lay.addWidget(self.value)

    def set_text(self, text: str) -> None:
        self.value.setText(text)

    def text(self) -> str:
        return self.value.text()


def chart_view(title: str) -> QChartView:
    chart = QChart()
    chart.setTitle(title)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    return view


def _reset(view: QChartView) -> QChart:
    chart = view.chart()
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)
    return chart


def day_labels(dates: list[str]) -> list[str]:
    """Short, unique axis labels for ISO dates: the day of the month (the chart title gives the
    range); full MM-DD if day numbers would repeat (the category axis drops duplicates)."""
    out = [str(int(d[8:])) for d in dates]
    return out if len(set(out)) == len(out) else [d[5:] for d in dates]


def show_trend(view: QChartView, days: list[dict]) -> None:
    """Bars: received per day; line: 结案 per day."""
    chart = _reset(view)
    if days:
        first, last = (date.fromisoformat(days[i]["date"]) for i in (0, -1))
        chart.setTitle(f"近{len(days)}日受理与结案（{first.month}月{first.day}日至{last.month}月{last.day}日）")
    received = QBarSet("受理")
    received.setColor(QColor("#2f6fb0"))
    bars = QBarSeries()
    line = QLineSeries()
    line.setName("结案")
    line.setColor(QColor("#d9822b"))
    for i, d in enumerate(days):
        received.append(d["received"])
        line.append(i, d["closed"])
    bars.append(received)
    chart.addSeries(bars)
    chart.addSeries(line)
    x = QBarCategoryAxis()
    x.append(day_labels([d["date"] for d in days]))
    y = QValueAxis()
    y.setMin(0)
    y.setMax(max([1] + [d["received"] for d in days] + [d["closed"] for d in days]) * 1.1)
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    for s in (bars, line):
        s.attachAxis(x)
        s.attachAxis(y)


def show_bars(view: QChartView, rows: list[dict], on_click) -> None:
    """One bar per group (received); clicking a bar calls on_click(row)."""
    chart = _reset(view)
    chart.legend().setVisible(False)
    bar = QBarSet("受理")
    bar.setColor(QColor("#3a9a5b"))
    for r in rows:
        bar.append(r["received"])
    series = QBarSeries()
    series.append(bar)
    bar.clicked.connect(lambda i: on_click(rows[i]) if 0 <= i < len(rows) else None)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append([str(r["name"])[:6] for r in rows])
    x.setLabelsAngle(-45)
    y = QValueAxis()
    y.setMin(0)
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)


def show_pie(view: QChartView, rows: list[dict], on_click) -> None:
    chart = _reset(view)
    chart.legend().setVisible(True)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    pie = QPieSeries()
    for r in rows:
        pie.append(f"{r['name']} {r['received']:,}", r["received"]).setProperty("row", r)
    pie.clicked.connect(lambda sl: on_click(sl.property("row")))
    chart.addSeries(pie)


def table(name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    # columns are fitted once per fill(): ResizeToContents would measure every column again on
    # each setItem (0.5 ms each, ~150 ms for a refresh of the ranking and red-list tables)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def fill(t: QTableWidget, rows: list[list], marks: list[str | None] | None = None,
         keys: list | None = None) -> None:
    """Rows of text; ``marks`` colours whole rows red/green; ``keys`` go to Qt.UserRole of column 0."""
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            item = QTableWidgetItem(str(v))
            if j == 0 and keys is not None:
                item.setData(Qt.ItemDataRole.UserRole, keys[i])
            mark = marks[i] if marks else None
            if mark in MARKS:
                item.setBackground(QBrush(MARKS[mark]))
            t.setItem(i, j, item)
    t.resizeColumnsToContents()
