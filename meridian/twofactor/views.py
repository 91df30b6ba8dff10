"""Pages of two-factor sign-in: the second step after the password, and the account page for devices."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from meridian.accounts.models import User
from meridian.twofactor import selectors, services
from meridian.twofactor.forms import CodeForm, ConfirmIdentityForm, TOTPConfirmForm
from meridian.twofactor.middleware import forget_device_state
from meridian.twofactor.permissions import two_factor_required

PENDING_TOTP_SESSION_KEY = "twofactor_pending_totp"
NEW_CODES_SESSION_KEY = "twofactor_new_recovery_codes"

protected: list[Callable[..., Any]] = [login_required, never_cache]


def _next_url(request: HttpRequest) -> str:
    """The safe same-site address to continue to (``next`` in the query or form), else the landing page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _verified(request: HttpRequest) -> bool:
    """True when the session passed the second step (``is_verified`` is added by django-otp's middleware)."""
    return bool(request.user.is_verified())  # type: ignore[union-attr]


def _show_codes_next(request: HttpRequest, codes: list[str]) -> HttpResponse:
    request.session[NEW_CODES_SESSION_KEY] = codes
    return redirect("twofactor:recovery_codes")


@method_decorator(protected, name="dispatch")
class VerifyView(View):
    """Second step of sign-in: a code or a passkey makes the session verified."""

    template_name = "twofactor/verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if _verified(request):
            return HttpResponseRedirect(_next_url(request))
        return self.render(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if _verified(request):
            return HttpResponseRedirect(_next_url(request))
        form = CodeForm(request.POST)
        if form.is_valid():
            user = _user(request)
            outcome = services.code_verify(user=user, code=form.cleaned_data["code"])
            if outcome.device is not None:
                otp_login(request, outcome.device)
                if isinstance(outcome.device, StaticDevice):
                    left = selectors.recovery_codes_left(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You signed in with a recovery code. You have %(count)d recovery code left.",
                            "You signed in with a recovery code. You have %(count)d recovery codes left.",
                            left,
                        )
                        % {"count": left},
                    )
                return HttpResponseRedirect(_next_url(request))
            if outcome.throttled:
                form.add_error("code", _("Too many wrong codes. Wait a minute, then try again."))
            else:
                form.add_error("code", _("That code is not valid. Check it and try again."))
        return self.render(request, form)

    def render(self, request: HttpRequest, form: CodeForm) -> HttpResponse:
        user = _user(request)
        context = {"form": form, "next": _next_url(request), "has_passkey": selectors.has_passkey(user)}
        return render(request, self.template_name, context)


@method_decorator(protected, name="dispatch")
class OverviewView(View):
    """The account page: devices, recovery codes, and where to add a new device."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        devices = selectors.primary_devices(user)
        context = {
            "devices": devices,
            "recovery_codes_left": selectors.recovery_codes_left(user),
            "required": two_factor_required(user),
            "next": _next_url(request) if request.GET.get("next") else "",
        }
        return render(request, "twofactor/overview.html", context)


def _qr_svg(uri: str) -> SafeString:
    """The ``otpauth://`` address as an inline SVG QR code (drawn here; nothing is fetched)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", omitsize=False)
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the address is encoded in the modules, not text


@method_decorator(protected, name="dispatch")
class TOTPAddView(View):
    """Add an authenticator app: scan the QR code (or type the key), then confirm with a code."""

    template_name = "twofactor/totp_add.html"

    def pending(self, request: HttpRequest) -> TOTPDevice:
        user = _user(request)
        pk = request.session.get(PENDING_TOTP_SESSION_KEY)
        device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=pk).first() if pk else None
        if device is None:
            device = services.totp_device_start(user=user, name=_("Authenticator app"))
            request.session[PENDING_TOTP_SESSION_KEY] = device.pk
        return device

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, self.pending(request), TOTPConfirmForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        device = self.pending(request)
        form = TOTPConfirmForm(request.POST)
        if form.is_valid():
            device.name = form.cleaned_data["name"]
            if services.totp_device_confirm(device=device, token=form.cleaned_data["code"]):
                request.session.pop(PENDING_TOTP_SESSION_KEY, None)
                forget_device_state(request)
                if not _verified(request):
                    otp_login(request, device)
                messages.success(request, _("Your authenticator app was added."))
                codes = services.recovery_codes_ensure(user=_user(request))
                return _show_codes_next(request, codes) if codes else redirect("twofactor:overview")
            form.add_error("code", _("That code is not valid. Check the app's clock and try again."))
        return self.render(request, device, form)

    def render(self, request: HttpRequest, device: TOTPDevice, form: TOTPConfirmForm) -> HttpResponse:
        key = b32encode(device.bin_key).decode("ascii")
        context = {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "key_groups": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        }
        return render(request, self.template_name, context)


@method_decorator(protected, name="dispatch")
class PasskeyAddedView(View):
    """Called by the page once the browser registered a passkey: first device → recovery codes."""

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        forget_device_state(request)
        if not selectors.has_passkey(user):
            return redirect("twofactor:overview")
        messages.success(request, _("Your passkey was added."))
        codes = services.recovery_codes_ensure(user=user)
        return _show_codes_next(request, codes) if codes else redirect("twofactor:overview")


@method_decorator(protected, name="dispatch")
class RecoveryCodesView(View):
    """Show freshly generated recovery codes once (GET), or replace them by new ones (POST)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
        if not codes:
            return redirect("twofactor:overview")
        context = {
            "codes": [services.format_recovery_code(code) for code in codes],
            "next": _next_url(request),
        }
        response = render(request, "twofactor/recovery_codes.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        if not selectors.has_primary_device(user):
            messages.error(request, _("Add an authenticator app or a passkey first."))
            return redirect("twofactor:overview")
        return _show_codes_next(request, services.recovery_codes_generate(user=user))


@method_decorator(protected, name="dispatch")
class DeviceRemoveView(View):
    """Remove an authenticator app or passkey after re-entering the password or a code."""

    template_name = "twofactor/device_remove.html"

    def device(self, request: HttpRequest, kind: str, pk: int) -> Any:
        device = selectors.user_device(_user(request), kind, pk)
        if device is None:
            raise Http404
        return device

    def get(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        device = self.device(request, kind, pk)
        return render(request, self.template_name, {"device": device, "form": ConfirmIdentityForm()})

    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        user = _user(request)
        device = self.device(request, kind, pk)
        form = ConfirmIdentityForm(request.POST)
        if form.is_valid() and self.confirmed(request, user, form):
            signed_in_with = getattr(request.user, "otp_device", None)
            was_session_device = (
                signed_in_with is not None and signed_in_with.persistent_id == device.persistent_id
            )
            services.device_remove(user=user, device=device)
            forget_device_state(request)
            if was_session_device:
                # The person just proved who they are again; removing the device this session was
                # verified with must not lock them out, so another of their devices carries the session.
                remaining = selectors.any_device(user)
                if remaining is not None:
                    otp_login(request, remaining)
            messages.success(request, _("“%(name)s” was removed.") % {"name": device.name})
            return redirect("twofactor:overview")
        return render(request, self.template_name, {"device": device, "form": form})

    def confirmed(self, request: HttpRequest, user: User, form: ConfirmIdentityForm) -> bool:
        """The password, checked through the backends (so django-axes counts failures), or a code."""
        code = form.cleaned_data.get("code")
        if code:
            outcome = services.code_verify(user=user, code=code)
            if outcome.device is not None:
                return True
            form.add_error(
                "code",
                _("Too many wrong codes. Wait a minute, then try again.")
                if outcome.throttled
                else _("That code is not valid. Check it and try again."),
            )
            return False
        password = form.cleaned_data["password"]
        if authenticate(request, username=user.get_username(), password=password) == user:
            return True
        form.add_error("password", _("That password is not correct."))
        return False
