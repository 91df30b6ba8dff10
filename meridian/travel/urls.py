"""Pages of official travel under ``/travel/``; each part of the context keeps its views and its
``urlpatterns`` in a module of ``views/``."""

from meridian.travel.views import (
    abroad,
    changes,
    custody,
    documents,
    external,
    long_stays,
    notices,
    plans,
    reports,
    rules,
    stats,
    trips,
)

app_name = "travel"

urlpatterns = [
    *trips.urlpatterns,
    *notices.urlpatterns,
    *changes.urlpatterns,
    *external.urlpatterns,
    *custody.urlpatterns,
    *reports.urlpatterns,
    *abroad.urlpatterns,
    *plans.urlpatterns,
    *long_stays.urlpatterns,
    *stats.urlpatterns,
    *rules.urlpatterns,
    *documents.urlpatterns,
]
