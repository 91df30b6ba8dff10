"""Spreadsheet import of partners: the row handler registered as an import kind."""
