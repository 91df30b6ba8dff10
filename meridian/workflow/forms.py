"""Forms of the workflow pages: chain editing (a step formset), organisation config, deputies, preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit, User
from meridian.accounts.selectors import INTERNAL_ROLES, eligible_staff
from meridian.core.widgets import PickerTextInput
from meridian.workflow.choices import AssigneeKind, DueUnit, PostKind, UnitFunctionCode
from meridian.workflow.registry import case_types


class UsernameField(forms.CharField):
    """A person given by user name (a select of every user would not scale); with JavaScript a search of
    the staff by name (the services refuse anyone who is not an active member of staff)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", PickerTextInput(search_url="accounts:people_search", params={"key": "username"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> User | None:
        value = super().clean(value)
        if not value:
            return None
        user = User.objects.filter(username=value.strip(), is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user with this user name."))
        return user


class ChainForm(forms.Form):
    case_type = forms.ChoiceField(label=_("Case type"))
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        empty_label=_("Every unit"),
        help_text=_("A unit's own chain wins over the chain for every unit; it covers its subunits too."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    name_zh = forms.CharField(
        label=_("Chinese name"),
        max_length=200,
        required=False,
        help_text=_("Shown on Chinese pages; empty: the English name is shown."),
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case_type = self.fields["case_type"]
        assert isinstance(case_type, forms.ChoiceField)
        case_type.choices = case_types.choices()
        if editing:
            # The scope of a chain is fixed; a different scope is a different chain.
            del self.fields["case_type"]
            del self.fields["unit"]


class StepForm(forms.Form):
    order = forms.IntegerField(label=_("Order"), min_value=1, required=False)
    label = forms.CharField(label=_("Step"), max_length=200, required=False)
    label_zh = forms.CharField(
        label=_("Step in Chinese"),
        max_length=200,
        required=False,
        help_text=_("Shown on Chinese pages; empty: the English name is shown."),
    )
    assignee_kind = forms.ChoiceField(
        label=_("Who decides"), choices=[("", "—"), *AssigneeKind.choices], required=False
    )
    function = forms.ChoiceField(
        label=_("Office"), choices=[("", "—"), *UnitFunctionCode.choices], required=False
    )
    person = UsernameField(label=_("Person (user name)"), required=False)
    conditions = forms.CharField(
        label=_("Only when"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One condition per line, e.g. duration_days >= 30. Empty: always."),
    )
    due_amount = forms.IntegerField(label=_("Due within"), min_value=1, required=False)
    due_unit = forms.ChoiceField(label=_("Unit of time"), choices=DueUnit.choices, initial=DueUnit.DAYS)

    def step(self) -> dict[str, Any] | None:
        """The step as the chain services take it, or None for an empty row."""
        data = self.cleaned_data
        if not data.get("label") and not data.get("label_zh") and not data.get("assignee_kind"):
            return None
        return {
            "order": data.get("order"),
            "label": data.get("label") or "",
            "label_zh": data.get("label_zh") or "",
            "assignee_kind": data.get("assignee_kind"),
            "function": data.get("function") or "",
            "person": data.get("person"),
            "conditions": data.get("conditions") or "",
            "due_amount": data.get("due_amount"),
            "due_unit": data.get("due_unit") or DueUnit.DAYS,
        }


StepFormSet = forms.formset_factory(StepForm, extra=3, max_num=30, validate_max=True)


class UnitFunctionForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in UnitFunctionCode.choices:
            self.fields[code] = forms.ModelChoiceField(
                label=label, queryset=OrgUnit.objects.order_by("path"), required=False
            )


class UnitPostForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.order_by("path"))
    user = UsernameField(
        label=_("Person (user name)"),
        widget=PickerTextInput(
            search_url="accounts:people_search", params={"key": "username", "pool": "internal"}
        ),
    )
    post = forms.ChoiceField(label=_("Post"), choices=PostKind.choices)

    def clean_user(self) -> User | None:
        user = self.cleaned_data.get("user")
        if user is not None and not eligible_staff(roles=INTERNAL_ROLES).filter(pk=user.pk).exists():
            raise forms.ValidationError(_("Only an active member of staff can hold a post."))
        return user


class DeputyForm(forms.Form):
    principal = UsernameField(
        label=_("Person away (user name)"), required=False, help_text=_("Empty: yourself.")
    )
    deputy = UsernameField(label=_("Deputy (user name)"))
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PreferenceForm(forms.Form):
    daily_digest = forms.BooleanField(
        label=_("Send me one e-mail a day with all my notifications instead of one e-mail each"),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of e-mails"), choices=[("en", "English"), ("zh-hans", "简体中文")]
    )
