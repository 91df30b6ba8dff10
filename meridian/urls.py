from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from meridian.agreements.api import AgreementViewSet
from meridian.core.views import healthz
from meridian.partners.api import PartnerViewSet
from meridian.portal.views import root_redirect
from meridian.reference.api import AffiliationMatchView, CountryViewSet, RegistryLookupView

router = DefaultRouter(trailing_slash=True)
router.register("partners", PartnerViewSet, basename="partner")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("countries", CountryViewSet, basename="country")

api_patterns = [
    path("registry/", RegistryLookupView.as_view(), name="registry-lookup"),
    path("registry/match", AffiliationMatchView.as_view(), name="registry-match"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="openapi"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="openapi"), name="api-redoc"),
    path("", include("meridian.workflow.api_urls")),
    path("travel/", include("meridian.travel.api_urls")),
    path("visitors/", include("meridian.visitors.api_urls")),
    path("mobility/", include("meridian.mobility.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", root_redirect, name="root"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("meridian.accounts.urls")),
    path("dashboard/", include("meridian.dashboard.urls")),
    path("partners/", include("meridian.partners.urls")),
    path("agreements/", include("meridian.agreements.urls")),
    path("travel/", include("meridian.travel.urls")),
    path("visitors/", include("meridian.visitors.urls")),
    path("exchange/", include("meridian.mobility.urls")),
    path("registry/", include("meridian.reference.urls")),
    path("import/", include("meridian.imports.urls")),
    path("inbox/", include("meridian.workflow.urls")),
    path("deadlines/", include("meridian.clocks.urls")),
    path("documents/", include("meridian.documents.urls")),
    path("jobs/", include("meridian.jobs.urls")),
    path("people/", include("meridian.people.urls")),
    path("search/", include("meridian.search.urls")),
    path("reports/", include("meridian.reports.urls")),
    path("api/v1/", include(api_patterns)),
    path("admin/", admin.site.urls),
]

# The public site carries the language in its address: /en/global-vision/…, /zh-hans/global-vision/…
urlpatterns += i18n_patterns(
    path("global-vision/partners/", include("meridian.directory.urls")),
    path("global-vision/lectures/", include("meridian.visitors.public_urls")),
    path("global-vision/exchange-calls/", include("meridian.mobility.public_urls")),
    path("global-vision/", include("meridian.portal.urls")),
    prefix_default_language=True,
)
urlpatterns += [
    path("", include("meridian.portal.urls_root")),
    path("open-data/", include("meridian.directory.urls_data")),
]

if settings.DEBUG:
    urlpatterns.append(path("healthz/", healthz))
