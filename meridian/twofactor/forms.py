from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


def _code_field(
    label: StrOrPromise, help_text: StrOrPromise = "", *, required: bool = True
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=40,
        required=required,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class CodeForm(forms.Form):
    """The second step of sign-in: a code from the authenticator app or one recovery code."""

    code = _code_field(
        _("Code"), _("The 6-digit code your authenticator app shows, or one of your recovery codes.")
    )


class TOTPConfirmForm(forms.Form):
    """Name a new authenticator app and prove it works with its current code."""

    name = forms.CharField(label=_("Name"), max_length=64, initial=_("Authenticator app"))
    code = _code_field(_("Code"), _("The 6-digit code the app shows after scanning."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class ConfirmIdentityForm(forms.Form):
    """Asked before a device is removed: the password, or a current code."""

    password = forms.CharField(
        label=_("Your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = _code_field(
        _("Or a code"), _("A code from your authenticator app, or a recovery code."), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("password") and not data.get("code"):
            raise forms.ValidationError(_("Enter your password or a code."))
        return data
