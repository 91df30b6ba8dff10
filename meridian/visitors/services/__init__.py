"""Writes of the visitors context: one module per area, each a set of keyword-only services."""
