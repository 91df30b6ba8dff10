"""The account page where a signed-in user creates, lists and revokes their API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from meridian.accounts.models import User
from meridian.accounts.permissions import is_internal
from meridian.accounts.tokens.forms import ApiTokenForm
from meridian.accounts.tokens.models import ApiToken
from meridian.accounts.tokens.selectors import api_tokens_of
from meridian.accounts.tokens.services import api_token_create, api_token_revoke, max_lifetime_days
from meridian.core.errors import DomainError


def _page(request: HttpRequest, form: ApiTokenForm, *, secret: str = "", status: int = 200) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": api_tokens_of(user=user),
            "secret": secret,
            "max_days": max_lifetime_days(),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """GET: the user's tokens and the form. POST: create a token and show its secret once (never cached).

    Only for internal roles (403 for students, partner contacts and users without a role), as the link is."""
    if not is_internal(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        _token, secret = api_token_create(
            user=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, form, status=400)
    return _page(request, ApiTokenForm(), secret=secret)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens; another user's token is a 404, as if it did not exist."""
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk, user=request.user)
    api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")
