from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from meridian.agreements.api import AgreementViewSet
from meridian.core.views import healthz
from meridian.partners.api import PartnerViewSet
from meridian.portal.views import root_redirect
from meridian.reference.api import AffiliationMatchView, CountryViewSet, RegistryLookupView

# Errors Django answers itself: JSON in the API's error shape under /api/, the usual pages elsewhere.
handler400 = "meridian.core.api.bad_request"
handler403 = "meridian.core.api.permission_denied"
handler404 = "meridian.core.api.page_not_found"
handler500 = "meridian.core.api.server_error"

router = DefaultRouter(trailing_slash=True)
router.register("partners", PartnerViewSet, basename="partner")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("countries", CountryViewSet, basename="country")

api_patterns = [
    path("registry/", RegistryLookupView.as_view(), name="registry-lookup"),
    path("registry/match", AffiliationMatchView.as_view(), name="registry-match"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    # Swagger UI's start-up script is served as a file of its own (the split view), not inline; Redoc builds
    # its search index in a web worker started from a blob: URL.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="openapi"), name="api-docs"),
    path(
        "redoc/",
        csp_update({"worker-src": ["'self'", "blob:"]})(SpectacularRedocView.as_view(url_name="openapi")),
        name="api-redoc",
    ),
    path("", include("meridian.workflow.api_urls")),
    path("travel/", include("meridian.travel.api_urls")),
    path("visitors/", include("meridian.visitors.api_urls")),
    path("mobility/", include("meridian.mobility.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", root_redirect, name="root"),
    path("healthz", healthz, name="healthz"),
    path("metrics", include("meridian.core.observability.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("meridian.accounts.urls")),
    path("sso/", include("meridian.sso.urls")),
    path("account/two-factor/", include("meridian.twofactor.urls")),
    # Passkey ceremonies (JSON) of django-otp-webauthn, used by its scripts on the two-factor pages.
    path("account/two-factor/passkey/", include("django_otp_webauthn.urls")),
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
