"""Printed documents (ReportLab): dossiers, receipts, slips, notices, bulletins."""
