"""Placeholder: the REST API of visitors (filled by its area)."""

urlpatterns: list = []
