from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from meridian.agreements.api import AgreementViewSet
from meridian.core.views import healthz
from meridian.partners.api import PartnerViewSet
from meridian.reference.api import CountryViewSet, RegistryLookupView

router = DefaultRouter(trailing_slash=True)
router.register("partners", PartnerViewSet, basename="partner")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("countries", CountryViewSet, basename="country")

api_patterns = [
    path("registry/", RegistryLookupView.as_view(), name="registry-lookup"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="openapi"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="openapi"), name="api-redoc"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:home", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("meridian.accounts.urls")),
    path("dashboard/", include("meridian.dashboard.urls")),
    path("partners/", include("meridian.partners.urls")),
    path("agreements/", include("meridian.agreements.urls")),
    path("registry/", include("meridian.reference.urls")),
    path("import/", include("meridian.imports.urls")),
    path("api/v1/", include(api_patterns)),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns.append(path("healthz/", healthz))
