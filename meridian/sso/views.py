"""Sign-in and sign-out through the campus providers. Every view answers 404 while its provider is off.

These views are the sign-in itself, so they are open to anonymous visitors; what they grant is decided by
the provider's answer (a validated ticket or code), never by the request's own parameters.
"""

from __future__ import annotations

from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_cas_ng import views as cas_views
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc import views as oidc_views

from meridian.accounts.views import PROVIDER_LOGOUT_SESSION_KEY
from meridian.sso.choices import Provider
from meridian.sso.conf import cas_enabled, oidc_enabled, provider_name
from meridian.sso.oidc import oidc_endpoints


def _failed(request: HttpRequest, provider: str) -> HttpResponse:
    messages.error(
        request,
        _("Sign-in with %(name)s did not succeed. Try again, or sign in with your local account.")
        % {"name": provider_name(provider)},
    )
    return redirect("accounts:login")


def _drop_unsafe_next(request: HttpRequest) -> None:
    """An address to go to after sign-in must be on this site (no open redirect through the provider)."""
    wanted = request.GET.get("next")
    if wanted and not url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        query = request.GET.copy()
        del query["next"]
        request.GET = query  # type: ignore[assignment]


def _login_page(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:login"))


class CasLoginView(cas_views.LoginView):
    """Without a ticket: off to the CAS server. With one: validate it and sign in (CAS protocol 2.1-2.5).

    A POST from the CAS server carrying a ``logoutRequest`` ends the matching session (single logout).
    """

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not cas_enabled():
            raise Http404
        _drop_unsafe_next(request)
        try:
            return super().get(request)
        except PermissionDenied:
            return _failed(request, Provider.CAS)

    def post(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not cas_enabled():
            raise Http404
        return super().post(request)

    def successful_login(self, request: HttpRequest, next_page: str) -> HttpResponse:
        request.session[PROVIDER_LOGOUT_SESSION_KEY] = reverse("sso:cas_logout")
        return super().successful_login(request, next_page)


class CasLogoutView(View):
    """After the local sign-out: end the CAS session too, and come back to the sign-in page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not cas_enabled():
            raise Http404
        if not settings.CAS_LOGOUT_COMPLETELY:
            return redirect("accounts:login")
        client = get_cas_client(request=request)
        return HttpResponseRedirect(client.get_logout_url(_login_page(request)))


class OidcLoginView(oidc_views.OIDCAuthenticationRequestView):
    """Off to the provider's authorisation endpoint with a fresh state and nonce (OIDC Core 3.1.2.1)."""

    def __init__(self, **kwargs: object) -> None:
        View.__init__(self, **kwargs)  # the endpoints are read per request, not when the URLs load

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_endpoints()["authorization_endpoint"]
        except (requests.RequestException, ImproperlyConfigured, ValueError):
            return _failed(request, Provider.OIDC)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class OidcCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code (or an error); the backend redeems the code."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        return _failed(self.request, Provider.OIDC)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        self.request.session[PROVIDER_LOGOUT_SESSION_KEY] = reverse("sso:oidc_logout")
        return response


class OidcLogoutView(View):
    """After the local sign-out: end the provider's session where it offers an end-session endpoint
    (OpenID Connect RP-Initiated Logout 1.0), and come back to the sign-in page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        try:
            end_session = oidc_endpoints()["end_session_endpoint"]
        except (requests.RequestException, ImproperlyConfigured, ValueError):
            end_session = ""
        if not end_session:
            return redirect("accounts:login")
        query = urlencode(
            {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": _login_page(request)}
        )
        return HttpResponseRedirect(f"{end_session}?{query}")
