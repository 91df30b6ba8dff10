"""Forms for partners, contacts and partner-side units. They only validate input; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.accounts.permissions import can_write_university, coordinated_unit_ids
from meridian.core.websites import WebsiteFormField
from meridian.core.widgets import PickerSelect
from meridian.partners.logos import logo_clean
from meridian.partners.models import Partner, PartnerContact, PartnerUnit
from meridian.partners.services import EDITABLE_FIELDS
from meridian.reference.models import Institution

# Form fields in the order people fill them in.
PARTNER_FORM_FIELDS = [
    "name", "name_en", "name_zh", "acronym", "kind", "country", "province", "city", "latitude", "longitude",
    "website", "ror_id", "erasmus_code", "pic", "schac_code", "other_identifiers", "parent", "status",
    "cooperating_since", "is_public", "owner_unit", "notes",
]  # fmt: skip


def _formfield(model_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(model_field, models.URLField):
        # People type "www.kit.edu" (the web is https) and sometimes an e-mail address: one rule for the
        # form, the API and imports.
        kwargs["form_class"] = WebsiteFormField
    return model_field.formfield(**kwargs)


class PartnerForm(forms.Form):
    """Partner fields taken from the model (labels, choices, help texts) without the model's own validation.

    The service validates, so that duplicates are reported with a link to the existing record.
    """

    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=600, help_text=_("Separate tags with commas.")
    )
    registry_institution = forms.ModelChoiceField(
        queryset=Institution.objects.all(), required=False, widget=forms.HiddenInput
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("PNG, JPEG or WebP, at most 2 MB; shown on the public partner page."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def __init__(self, *args: Any, user=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        generated = fields_for_model(Partner, fields=PARTNER_FORM_FIELDS, formfield_callback=_formfield)
        for name in PARTNER_FORM_FIELDS:
            self.fields[name] = generated[name]
        # Tags after the profile, notes last: move the declared fields to the end of the visible order.
        for name in ("logo", "remove_logo", "tags", "registry_institution", "version"):
            self.fields[name] = self.fields.pop(name)
        parent = self.fields["parent"]
        parent.widget = PickerSelect(search_url="partners:search")
        parent.help_text = _("Search by name in any language, acronym, ROR ID, Erasmus code or PIC.")
        if user is not None:
            parent.queryset = Partner.objects.visible_to(user).order_by("name")  # type: ignore[attr-defined]
        self.fields["country"].queryset = self.fields["country"].queryset.order_by("name_en")
        self.fields["cooperating_since"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["notes"].widget.attrs["rows"] = 4
        self.fields["website"].widget.attrs["placeholder"] = "https://"
        self.fields["ror_id"].widget.attrs["pattern"] = r"(https://ror\.org/)?0[a-z0-9]{6}[0-9]{2}"
        self.fields["ror_id"].max_length = 40  # a full ror.org URL is accepted and shortened by the service
        self.fields["ror_id"].validators = []
        self.fields["ror_id"].widget.attrs["maxlength"] = "40"
        units = self.fields["owner_unit"]
        if user is not None and not can_write_university(user):
            units.queryset = OrgUnit.objects.filter(pk__in=coordinated_unit_ids(user))
            units.required = True

    @classmethod
    def initial_from(cls, partner: Partner) -> dict[str, Any]:
        initial = {name: getattr(partner, Partner._meta.get_field(name).attname) for name in EDITABLE_FIELDS}
        initial["tags"] = ", ".join(t.name for t in partner.tags.all())
        initial["version"] = partner.version
        return initial

    def service_fields(self) -> dict[str, Any]:
        """Cleaned values as keyword arguments for partner_create / partner_update."""
        return {name: self.cleaned_data.get(name) for name in [*PARTNER_FORM_FIELDS, "registry_institution"]}

    def clean_logo(self):
        """The upload re-encoded as a PNG (checked by its content: ``logos.logo_clean``), or None."""
        upload = self.cleaned_data.get("logo")
        return logo_clean(upload) if upload else None

    def logo_change(self) -> tuple[bool, Any]:
        """``(changed, file)`` for ``partner_logo_set``: a new logo, a removal (file None) or nothing."""
        if self.cleaned_data.get("logo") is not None:
            return True, self.cleaned_data["logo"]
        return bool(self.cleaned_data.get("remove_logo")), None

    def tag_names(self) -> list[str]:
        return [t for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the fields it names."""
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class PartnerContactForm(forms.ModelForm):
    class Meta:
        model = PartnerContact
        fields = ["name", "position", "email", "phone", "preferred_language", "is_primary"]


class PartnerUnitForm(forms.ModelForm):
    class Meta:
        model = PartnerUnit
        fields = ["name_en", "name_zh", "kind", "website"]
        formfield_callback = _formfield


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(label=_("Duplicate record number"), min_value=1)
