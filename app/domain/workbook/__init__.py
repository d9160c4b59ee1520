"""The town workbook (one .xlsx, every sheet optional): its sheets and columns, the check of every
cell, and the plan of an import against what a store already holds.

Pure: no database, no file access. The reader (app.reference.xlsx) gives the rows as lists of
cell values; :func:`parse` turns a sheet into records, collecting every error with its sheet, Excel
row, column and a Chinese reason; :func:`plan` matches the records by 编码 against a snapshot of the
store (``Existing``) and says what to create, update, leave alone or (``--replace``) deactivate.
The workstation (app.reference.golive) and the district server (server.district_ref) apply a plan
each to their own store.
"""
from app.domain.workbook.plan import Change, Existing, Plan, holiday_code, plan  # noqa: F401
from app.domain.workbook.sheets import *  # noqa: F403
