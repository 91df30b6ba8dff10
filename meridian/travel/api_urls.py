"""REST API of official travel: trips, plans, passports and permits in custody (``/api/v1/travel/…``)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from meridian.travel.api import CustodyItemViewSet, TripPlanViewSet, TripViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("trips", TripViewSet, basename="travel-trip")
router.register("plans", TripPlanViewSet, basename="travel-plan")
router.register("passports", CustodyItemViewSet, basename="travel-custody")

urlpatterns = [path("", include(router.urls))]
