"""REST API of visitors and foreign experts: visits, foreign experts' hiring cases, lectures and accommodation
registrations (``/api/v1/visitors/…``)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from meridian.visitors.api import ExpertHiringViewSet, LectureViewSet, RegistrationViewSet, VisitViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("visits", VisitViewSet, basename="visitors-visit")
router.register("experts", ExpertHiringViewSet, basename="visitors-expert")
router.register("lectures", LectureViewSet, basename="visitors-lecture")
router.register("registrations", RegistrationViewSet, basename="visitors-registration")

urlpatterns = [path("", include(router.urls))]
