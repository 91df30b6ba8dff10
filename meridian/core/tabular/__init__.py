"""Reading spreadsheets into records, for any kind of record: the toolkit every import kind is built from.

- ``readers``: CSV (UTF-8 or GB18030) and XLSX files, detected by content and streamed row by row.
- ``columns``: a column's English and Chinese headers, synonyms and cell kind; header matching.
- ``parsing``: one cell into a typed value (dates, numbers, yes/no, lists, ROR IDs, languages); formulas
  are refused.
- ``engine``: ``RowImporter``, the base class of a kind's row handler, and ``PlannedRow``.
- ``report``: ``ImportReport``, what an import would do or did, and every problem.
- ``runner``: ``run_import``, a dry run or an all-or-nothing commit of one file through one row handler.

Kinds live in their own apps and register with ``registry.import_kinds``; the upload pages, background jobs
and the ``import`` command belong to the import hub, which calls ``runner.run_import``.
"""
