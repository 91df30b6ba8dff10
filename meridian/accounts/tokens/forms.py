"""The form that creates an API token on the account page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meridian.accounts.tokens.models import ApiToken
from meridian.accounts.tokens.services import DEFAULT_LIFETIME_DAYS, lifetime_choices


def _days_label(days: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, e.g. “nightly partner export”."),
    )
    days = forms.TypedChoiceField(label=_("Valid for"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = lifetime_choices()
        days = self.fields["days"]
        assert isinstance(days, forms.TypedChoiceField)
        days.choices = [(d, _days_label(d)) for d in choices]
        default = DEFAULT_LIFETIME_DAYS if DEFAULT_LIFETIME_DAYS in choices else choices[-1]
        self.fields["days"].initial = default
