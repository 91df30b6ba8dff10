"""Forms of the mobility pages and of the incoming student's invitation and application. They validate
input; the services write (``services.mobilities``, ``services.incoming``)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from meridian.mobility.choices import CefrLevel, MobilityFileKind
from meridian.mobility.models.base import STAY_MONTHS
from meridian.mobility.services.incoming import PERSON_FIELDS
from meridian.people.choices import Gender
from meridian.reference.models import Country


def date_input() -> forms.DateInput:
    """A browser date picker; its value is always ISO (a localised format would leave it empty)."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MoveForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea)


class DatesForm(forms.Form):
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=date_input())
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=date_input())
    months = forms.DecimalField(
        label=_("Months"),
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=STAY_MONTHS[0],
        max_value=STAY_MONTHS[1],
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RegistrationForm(forms.Form):
    registered_on = forms.DateField(label=_("Registered on"), widget=date_input())


class MobilityFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.xlsx,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args: Any, kinds: tuple[str, ...] | list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["kind"])
        field.choices = [(k, MobilityFileKind(k).label) for k in kinds]


class RevealForm(forms.Form):
    purpose = forms.CharField(
        label=_("Why do you need it?"),
        max_length=300,
        help_text=_("Recorded in the access log."),
    )


class InvitationPasswordForm(SetPasswordForm):
    """The student chooses their password (Django's password validators, as for every account)."""


class IncomingApplicationForm(forms.Form):
    """The incoming student's application: about them (into their person record), their passport (a
    protected identity document), their studies (onto the mobility), uploads and the consent. Everything but
    the family name may be left for later; "Send" asks for what is still missing."""

    family_name = forms.CharField(
        label=_("Family name (Latin script)"), max_length=100, help_text=_("As written in the passport.")
    )
    given_name = forms.CharField(label=_("Given names (Latin script)"), max_length=150, required=False)
    name_zh = forms.CharField(label=_("Name in Chinese (if you have one)"), max_length=60, required=False)
    gender = forms.TypedChoiceField(
        label=_("Gender"),
        coerce=int,
        choices=[("", "—"), (Gender.FEMALE, Gender.FEMALE.label), (Gender.MALE, Gender.MALE.label)],
        required=False,
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=date_input())
    nationality = forms.ModelChoiceField(
        label=_("Nationality"), queryset=Country.objects.order_by("name_en"), required=False
    )
    passport_number = forms.CharField(
        label=_("Passport number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("As printed on the passport's data page. Leave empty to keep the one on record."),
    )
    passport_issuing_country = forms.ModelChoiceField(
        label=_("Passport issued by"),
        queryset=Country.objects.order_by("name_en"),
        required=False,
        help_text=_("Empty: the country of your nationality."),
    )
    passport_issue_date = forms.DateField(label=_("Date of issue"), required=False, widget=date_input())
    passport_expiry = forms.DateField(label=_("Date of expiry"), required=False, widget=date_input())
    home_programme = forms.CharField(
        label=_("Programme at your home university"), max_length=200, required=False
    )
    eqf_level = forms.TypedChoiceField(
        label=_("Study level"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[
            ("", "—"),
            (5, _("EQF 5 (short cycle)")),
            (6, _("EQF 6 (bachelor)")),
            (7, _("EQF 7 (master)")),
            (8, _("EQF 8 (doctorate)")),
        ],
    )
    isced_code = forms.CharField(
        label=_("Subject area (ISCED-F code)"),
        max_length=4,
        required=False,
        help_text=_("For example 0714 for electronics and automation."),
    )
    language = forms.CharField(
        label=_("Language of study"),
        max_length=10,
        required=False,
        help_text=_("ISO 639 code: en, zh, de, fr, …"),
    )
    cefr_level = forms.ChoiceField(
        label=_("Your level in that language (CEFR)"),
        choices=[("", "—"), *CefrLevel.choices],
        required=False,
    )
    motivation = forms.CharField(
        label=_("Motivation"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    accommodation_needed = forms.BooleanField(label=_("I need accommodation"), required=False)
    planned_arrival = forms.DateField(label=_("Planned arrival"), required=False, widget=date_input())
    passport_copy = forms.FileField(label=_("Passport copy (data page)"), required=False)
    transcript = forms.FileField(label=_("Transcript of records"), required=False)
    language_certificate = forms.FileField(label=_("Language certificate"), required=False)
    consent = forms.BooleanField(label=_("I have read the statement above and agree to it."), required=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    UPLOADS = {
        "passport_copy": MobilityFileKind.PASSPORT,
        "transcript": MobilityFileKind.TRANSCRIPT,
        "language_certificate": MobilityFileKind.LANGUAGE,
    }
    GROUPS = (
        (_("About you"), ["family_name", "given_name", "name_zh", "gender", "birth_date", "nationality"]),
        (
            _("Passport"),
            ["passport_number", "passport_issuing_country", "passport_issue_date", "passport_expiry"],
        ),
        (
            _("Your studies"),
            ["home_programme", "eqf_level", "isced_code", "language", "cefr_level", "motivation"],
        ),
        (_("Your stay"), ["planned_arrival", "accommodation_needed"]),
        (_("Documents"), ["passport_copy", "transcript", "language_certificate"]),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("passport_number") and not data.get("passport_expiry"):
            self.add_error("passport_expiry", _("Needed with the passport number."))
        if data.get("passport_number") and not (
            data.get("passport_issuing_country") or data.get("nationality")
        ):
            self.add_error("passport_issuing_country", _("Needed with the passport number."))
        return data

    def person_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in PERSON_FIELDS}
        data["gender"] = data["gender"] if data["gender"] not in (None, "") else Gender.NOT_KNOWN
        for name in ("given_name", "name_zh"):
            data[name] = data[name] or ""
        return data

    def passport(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("passport_number"):
            return None
        return {
            "number": self.cleaned_data["passport_number"],
            "issuing_country": self.cleaned_data.get("passport_issuing_country"),
            "issue_date": self.cleaned_data.get("passport_issue_date"),
            "expiry_date": self.cleaned_data.get("passport_expiry"),
        }

    def application_fields(self) -> dict[str, Any]:
        from meridian.mobility.services.incoming import APPLICATION_FIELDS

        data = {name: self.cleaned_data.get(name) for name in APPLICATION_FIELDS}
        data["isced_code"] = (data["isced_code"] or "").strip()
        data["language"] = (data["language"] or "").strip().lower()
        return data

    def uploads(self) -> dict[str, Any]:
        return {
            kind: self.cleaned_data.get(name)
            for name, kind in self.UPLOADS.items()
            if self.cleaned_data.get(name)
        }

    def field_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(title), [self[name] for name in names]) for title, names in self.GROUPS]

    @classmethod
    def initial_for(cls, mobility: Any, passport: Any) -> dict[str, Any]:
        """The stored values: the person's, the passport's (its number is never shown back) and the
        mobility's."""
        from meridian.mobility.services.incoming import APPLICATION_FIELDS

        person = mobility.person
        initial: dict[str, Any] = {
            "family_name": person.family_name,
            "given_name": person.given_name,
            "name_zh": person.name_zh,
            "gender": person.gender if person.gender != Gender.NOT_KNOWN else "",
            "birth_date": person.birth_date,
            "nationality": person.nationality_id,
            "version": mobility.version,
        }
        if passport is not None:
            initial.update(
                {
                    "passport_issuing_country": passport.issuing_country_id,
                    "passport_issue_date": passport.issue_date,
                    "passport_expiry": passport.expiry_date,
                }
            )
        initial.update({name: getattr(mobility, name) for name in APPLICATION_FIELDS})
        return initial
