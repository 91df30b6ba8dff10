"""Agreements on the workflow engine: the case-type declaration and its approval chain hooks."""
