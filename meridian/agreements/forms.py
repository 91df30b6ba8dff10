"""Forms for the agreement pages; they collect input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meridian.accounts.selectors import eligible_staff
from meridian.agreements.choices import Channel, DocumentKind, Side
from meridian.agreements.models import Agreement
from meridian.core.widgets import PickerSelect, PickerSelectMultiple
from meridian.partners.models import Partner

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.ModelForm):
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Partner.objects.none(),
        widget=PickerSelectMultiple(search_url="partners:search"),
        help_text=_("Search by name in any language, acronym, ROR ID, Erasmus code or PIC."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Cooperation channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Agreement
        fields = [
            "number",
            "title_en",
            "title_zh",
            "kind",
            "partners",
            "channels",
            "responsible_unit",
            "home_coordinator",
            "start_date",
            "end_date",
            "auto_renew",
            "renewal_notice_days",
            "languages",
            "umbrella",
            "description",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "home_coordinator": PickerSelect(
                search_url="accounts:people_search", depends={"unit": "responsible_unit"}
            ),
        }
        help_texts = {
            "number": _("Leave empty to generate one."),
            "home_coordinator": _("A member of staff of the responsible unit or the International Office."),
        }

    def __init__(self, *args, user, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False
        self.fields["partners"].queryset = (
            Partner.objects.visible_to(user).select_related("country").order_by("name")
        )
        self.fields["responsible_unit"].queryset = units
        # Staff only; the coordinator already named stays valid so that an old record can still be saved.
        self.fields["home_coordinator"].queryset = eligible_staff(
            keeping=self.instance.home_coordinator_id if self.instance.pk else None
        )
        umbrellas = Agreement.objects.visible_to(user).order_by("number")
        if self.instance.pk:
            umbrellas = umbrellas.exclude(pk=self.instance.pk)
            self.fields["partners"].initial = list(self.instance.parties.values_list("partner_id", flat=True))
            self.fields["channels"].initial = list(self.instance.channels.values_list("channel", flat=True))
            self.fields["version"].initial = self.instance.version
        self.fields["umbrella"].queryset = umbrellas

    def clean(self) -> dict:
        data = super().clean()
        coordinator, unit = data.get("home_coordinator"), data.get("responsible_unit")
        unchanged = self.instance.pk and coordinator and coordinator.pk == self.instance.home_coordinator_id
        if (
            coordinator
            and unit
            and not unchanged
            and not eligible_staff(unit=unit).filter(pk=coordinator.pk).exists()
        ):
            self.add_error(
                "home_coordinator",
                _(
                    "%(name)s does not work for %(unit)s: choose a member of its staff or of the "
                    "International Office."
                )
                % {"name": coordinator, "unit": unit.name},
            )
        return data

    def _post_clean(self) -> None:
        # Cross-field rules and saving belong to the services; skip the model's own validation here.
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("partners", "channels", "version"):
            data.pop(name, None)
        data["number"] = (data.get("number") or "").strip()
        return data


class SignatoryForm(forms.Form):
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices, initial=Side.HOME)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none(), required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Position"), max_length=200, required=False)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)

    def __init__(self, *args, partners=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if partners is not None:
            self.fields["partner"].queryset = partners

    def clean(self) -> dict:
        data = super().clean()
        if data.get("side") == Side.PARTNER and not data.get("partner"):
            self.add_error("partner", _("Choose which partner this person signs for."))
        if data.get("side") == Side.HOME:
            data["partner"] = None
        return data


SignatoryFormSet = forms.formset_factory(SignatoryForm, extra=2, can_delete=True)


class TransitionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=DATE,
        help_text=_("When the agreement comes into force (activation only)."),
    )


class RenewForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF or Word document"))
