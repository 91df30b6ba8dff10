"""Spreadsheet import of agreements: the row handler registered as an import kind."""
