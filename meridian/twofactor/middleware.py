"""Holds a signed-in but not yet verified session at the second step (django-otp's ``user.is_verified()``).

Must come after ``django_otp.middleware.OTPMiddleware``. A person with an authenticator app or passkey is sent
to enter a code (or use the passkey) after the password; a person whose role requires two-factor sign-in
(``TWO_FACTOR_REQUIRED_ROLES``) and who has no device yet is sent to set one up. Until then every other page,
the admin site included, answers with that redirect; API requests made with the session cookie get 403.
Requests authenticated by an API token are not touched: DRF authenticates them after the middleware, so the
session user seen here is anonymous.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth import user_logged_in
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from meridian.twofactor import selectors
from meridian.twofactor.permissions import two_factor_required

# Session key: the id of the signed-in user once we know they have no device (spares queries on every page).
NO_DEVICE_SESSION_KEY = "twofactor_no_device"

ALWAYS_ALLOWED = {"accounts:logout", "set_language", "healthz", "otp_webauthn:js-i18n-catalog"}
VERIFY_VIEWS = {
    "twofactor:verify",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
}
SETUP_VIEWS = {
    "twofactor:overview",
    "twofactor:totp_add",
    "twofactor:passkey_added",
    "twofactor:recovery_codes",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
}


def forget_device_state(request: HttpRequest) -> None:
    """Drop the cached "has no device" answer, after a device was added or removed or at sign-in."""
    if hasattr(request, "session"):
        request.session.pop(NO_DEVICE_SESSION_KEY, None)


def _on_login(sender: object, request: HttpRequest | None, user: object = None, **kwargs: object) -> None:
    """Look the new session's devices up once, at sign-in, so that pages after it ask nothing more."""
    if request is None or not hasattr(request, "session"):
        return
    forget_device_state(request)
    pk = getattr(user, "pk", None)
    if pk is not None and not selectors.has_primary_device(user):  # type: ignore[arg-type]
        request.session[NO_DEVICE_SESSION_KEY] = pk


user_logged_in.connect(_on_login, dispatch_uid="twofactor_forget_device_state")


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


class TwoFactorMiddleware:
    """Enforce the second step of sign-in; see the module docstring for the rules."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.enforce(request) or self.get_response(request)

    def enforce(self, request: HttpRequest) -> HttpResponse | None:
        """The redirect (or 403) for a session that still owes its second factor, else None."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        view_name = _view_name(request.path_info)
        if view_name in ALWAYS_ALLOWED:
            return None
        if request.session.get(NO_DEVICE_SESSION_KEY) == user.pk:
            has_device = False
        else:
            has_device = selectors.has_primary_device(user)
            if not has_device:
                request.session[NO_DEVICE_SESSION_KEY] = user.pk
        if has_device:
            return None if view_name in VERIFY_VIEWS else self.refuse(request, "twofactor:verify")
        if two_factor_required(user):
            return None if view_name in SETUP_VIEWS else self.refuse(request, "twofactor:overview")
        return None

    def refuse(self, request: HttpRequest, url_name: str) -> HttpResponse:
        """Send the browser to ``url_name`` (coming back afterwards); API callers get 403."""
        if request.path_info.startswith("/api/"):
            raise PermissionDenied
        url = reverse(url_name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
