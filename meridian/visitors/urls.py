"""Pages of visitors and foreign experts under ``/visitors/``; each part of the context keeps its views and
its ``urlpatterns`` in a module of ``views/``."""

from meridian.visitors.views import (
    arrivals,
    documents,
    experts,
    guest_portal,
    guests,
    lectures,
    rules,
    stats,
    visits,
)

app_name = "visitors"

urlpatterns = [
    *visits.urlpatterns,
    *guests.urlpatterns,
    *guest_portal.urlpatterns,
    *documents.urlpatterns,
    *arrivals.urlpatterns,
    *experts.urlpatterns,
    *lectures.urlpatterns,
    *rules.urlpatterns,
    *stats.urlpatterns,
]
