"""平战转换 (emergency mode): services (start, tasks, receipts, stop), the prepared lists and the
board's queries. Qt-free; the window is ui/pages/emergency.py, the summary PDF app/dossier/emergency.py."""
