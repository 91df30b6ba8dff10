"""Meridian: international cooperation and exchange for a university."""

__version__ = "0.1.0"
