"""Reads of the visitors context, already restricted to what the user may see: one module per area."""
