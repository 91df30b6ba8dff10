"""Placeholder: the public calendar of lectures (filled by its area)."""

app_name = "visitors_public"

urlpatterns: list = []
