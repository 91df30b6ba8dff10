"""``/metrics`` (included without a trailing slash, as Prometheus expects)."""

from django.urls import path

from meridian.core.observability.views import metrics_view

urlpatterns = [path("", metrics_view, name="metrics")]
