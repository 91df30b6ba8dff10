"""Forms for people, identity documents and the self-service page. They validate input; services write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit, User
from meridian.accounts.permissions import can_write_university, coordinated_unit_ids
from meridian.people.choices import SELF_SERVICE_TYPES, DocumentType
from meridian.people.models import IdentityDocument, Person, Purpose
from meridian.people.self_service import GUEST_FIELDS
from meridian.reference.models import Country

PERSON_FORM_FIELDS = [
    "kind", "family_name", "given_name", "name_zh", "gender", "birth_date", "birth_place", "nationality",
    "unit", "member_number", "email", "phone",
]  # fmt: skip
DOCUMENT_FORM_FIELDS = ["kind", "number", "issuing_country", "issue_date", "expiry_date"]


def date_input() -> forms.DateInput:
    """A browser date picker; its value is always ISO (a localised format would leave it empty)."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceErrorsMixin:
    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the fields it names."""
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)  # type: ignore[attr-defined]


def _model_fields(model: type[models.Model], names: list[str]) -> dict[str, Any]:
    """Form fields generated from the model (labels, help texts, choices), dates as date pickers."""
    generated: dict[str, Any] = dict(fields_for_model(model, fields=names))
    for field in generated.values():
        if isinstance(field, forms.DateField):
            field.widget = date_input()
        queryset = getattr(field, "queryset", None)
        if queryset is not None and queryset.model is Country:
            field.queryset = queryset.order_by("name_en")
    return generated


def stored_values(instance: models.Model, names: list[str]) -> dict[str, Any]:
    """The stored values (ids for relations) of the named fields: a form's initial data."""
    return {n: getattr(instance, cast(models.Field, instance._meta.get_field(n)).attname) for n in names}


class PersonForm(ServiceErrorsMixin, forms.Form):
    """Person fields from the model (labels, choices); the service validates and reports duplicates."""

    purposes = forms.ModelMultipleChoiceField(
        label=_("Collected for"),
        queryset=Purpose.objects.all(),
        required=False,
        help_text=_("The purposes decide how long the data is kept."),
    )
    allow_duplicate = forms.BooleanField(
        label=_("This is a different person with the same name, date of birth and nationality"),
        required=False,
    )
    user = forms.CharField(
        label=_("Sign-in account (user name)"),
        max_length=150,
        required=False,
        help_text=_("Links the record to the person's own account, so that they can see it."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user=None, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        generated = _model_fields(Person, PERSON_FORM_FIELDS)
        for name in PERSON_FORM_FIELDS:
            self.fields[name] = generated[name]
        for name in ("user", "purposes", "allow_duplicate", "version"):
            self.fields[name] = self.fields.pop(name)
        if not creating:
            del self.fields["purposes"]
        if user is not None and not can_write_university(user):
            units = OrgUnit.objects.filter(pk__in=coordinated_unit_ids(user))
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]
            self.fields["unit"].required = True

    @classmethod
    def initial_from(cls, person: Person) -> dict[str, Any]:
        initial = stored_values(person, PERSON_FORM_FIELDS)
        initial["user"] = person.user.get_username() if person.user else ""
        initial["version"] = person.version
        return initial

    def clean_user(self) -> User | None:
        username = (self.cleaned_data.get("user") or "").strip()
        if not username:
            return None
        found = User.objects.filter(username__iexact=username).first()
        if found is None:
            raise ValidationError(_("No account has this user name."))
        return found

    def service_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data.get(name) for name in PERSON_FORM_FIELDS}
        fields["user"] = self.cleaned_data.get("user")
        return fields


class DocumentForm(ServiceErrorsMixin, forms.Form):
    purposes = forms.ModelMultipleChoiceField(label=_("Collected for"), queryset=Purpose.objects.all())
    purpose_ends_on = forms.DateField(
        label=_("Purpose ends on"),
        required=False,
        widget=date_input(),
        help_text=_("For example the last day of the visit; retention is counted from it."),
    )
    scan = forms.FileField(
        label=_("Scan (PDF, JPEG or PNG)"), required=False, help_text=_("Stored encrypted.")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        generated = _model_fields(IdentityDocument, DOCUMENT_FORM_FIELDS)
        for name in DOCUMENT_FORM_FIELDS:
            self.fields[name] = generated[name]
        self.fields["number"].widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
        self.fields["number"].max_length = 40  # type: ignore[attr-defined]
        for name in ("purposes", "purpose_ends_on", "scan", "version"):
            self.fields[name] = self.fields.pop(name)
        if not creating:
            for name in ("purposes", "purpose_ends_on", "scan"):
                del self.fields[name]

    @classmethod
    def initial_from(cls, document: IdentityDocument) -> dict[str, Any]:
        initial = stored_values(document, DOCUMENT_FORM_FIELDS)
        initial["version"] = document.version
        return initial

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in DOCUMENT_FORM_FIELDS}


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("Scan (PDF, JPEG or PNG)"))


class PurposeOfAccessForm(forms.Form):
    """Why someone needs to see a full number or a scan; the answer goes into the access log."""

    purpose = forms.CharField(
        label=_("Why do you need it?"),
        max_length=300,
        widget=forms.TextInput(attrs={"list": "access-purposes", "required": True}),
        help_text=_("Recorded in the access log."),
    )


class SelfServiceLinkForm(forms.Form):
    purpose = forms.ModelChoiceField(label=_("Purpose of collection"), queryset=Purpose.objects.all())


class SelfServiceForm(ServiceErrorsMixin, forms.Form):
    """What a guest enters about themselves: person data, one travel document with its scan, consent."""

    document_kind = forms.ChoiceField(
        label=_("Document type"),
        choices=[(k.value, k.label) for k in SELF_SERVICE_TYPES],
        initial=DocumentType.PASSPORT,
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    issue_date = forms.DateField(label=_("Date of issue"), required=False, widget=date_input())
    expiry_date = forms.DateField(label=_("Date of expiry"), required=False, widget=date_input())
    scan = forms.FileField(label=_("Scan of the document's data page (PDF, JPEG or PNG)"), required=False)
    consent = forms.BooleanField(label=_("I have read the statement above and agree to it."), required=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        generated = _model_fields(Person, GUEST_FIELDS)
        declared = dict(self.fields)
        self.fields.clear()
        for name in GUEST_FIELDS:
            self.fields[name] = generated[name]
        self.fields["issuing_country"] = forms.ModelChoiceField(
            label=_("Issuing country"), queryset=generated["nationality"].queryset, required=False
        )
        self.fields.update(declared)
        self.order_fields([*GUEST_FIELDS, "document_kind", "document_number", "issuing_country"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("document_number"):
            for name in ("issuing_country", "expiry_date"):
                if not data.get(name):
                    self.add_error(name, _("Needed with the document number."))
        elif data.get("scan"):
            self.add_error("document_number", _("Enter the document's number with its scan."))
        return data

    def person_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in GUEST_FIELDS}

    def document_fields(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("document_number"):
            return None
        return {
            "kind": self.cleaned_data["document_kind"],
            "number": self.cleaned_data["document_number"],
            "issuing_country": self.cleaned_data["issuing_country"],
            "issue_date": self.cleaned_data.get("issue_date"),
            "expiry_date": self.cleaned_data["expiry_date"],
        }
