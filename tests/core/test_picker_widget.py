"""The search-as-you-type picker widget: its markup with and without a choice, single and multiple."""

from __future__ import annotations

import copy

import pytest
from django import forms

from meridian.accounts.models import OrgUnit
from meridian.core.widgets import PickerSelect, PickerSelectMultiple

pytestmark = pytest.mark.django_db


class UnitsForm(forms.Form):
    one = forms.ModelChoiceField(
        label="One unit",
        queryset=OrgUnit.objects.order_by("path"),
        widget=PickerSelect(search_url="accounts:people_search", params={"kind": "staff"}),
    )
    many = forms.ModelMultipleChoiceField(
        label="Units",
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        widget=PickerSelectMultiple(search_url="partners:search", depends={"unit": "one"}),
    )


def test_single_picker_is_a_plain_select_inside_the_enhanced_wrapper(org):
    html = str(UnitsForm(initial={"one": org.computing.pk})["one"])
    assert html.startswith(
        '<div class="picker" data-picker data-search-url="/accounts/people/search/?kind=staff"'
    )
    assert "data-multiple" not in html and "data-depends" not in html
    assert '<select name="one" required id="id_one">' in html
    assert f'<option value="{org.computing.pk}" selected>Department of Computing</option>' in html
    assert 'data-text-remove="Remove %(label)s"' in html


def test_multiple_picker_marks_the_choices_and_the_dependent_field(org):
    html = str(UnitsForm(initial={"many": [org.engineering.pk, org.humanities.pk]})["many"])
    assert "data-multiple" in html and 'data-search-url="/partners/search/"' in html
    assert 'data-depends="{&quot;unit&quot;: &quot;one&quot;}"' in html
    assert '<select name="many" id="id_many" multiple>' in html
    assert html.count(" selected>") == 2


def test_server_validation_refuses_a_record_outside_the_choices(org):
    other = OrgUnit.objects.create(kind="office", code="x", name_en="Elsewhere")
    form = UnitsForm({"one": "999999", "many": [org.engineering.pk]})
    form.fields["many"].queryset = OrgUnit.objects.exclude(pk=other.pk)
    assert not form.is_valid() and "one" in form.errors
    refused = UnitsForm({"one": org.computing.pk, "many": [other.pk]})
    refused.fields["many"].queryset = OrgUnit.objects.exclude(pk=other.pk)
    assert not refused.is_valid() and "many" in refused.errors
    ok = UnitsForm({"one": org.computing.pk, "many": [org.engineering.pk, org.humanities.pk]})
    assert ok.is_valid() and list(ok.cleaned_data["many"]) == [org.engineering, org.humanities]


def test_copies_of_the_widget_do_not_share_their_parameters():
    widget = PickerSelect(search_url="partners:search", params={"a": "1"}, depends={"unit": "x"})
    clone = copy.deepcopy(widget)
    clone.params["a"] = "2"
    clone.depends["unit"] = "y"
    assert widget.params == {"a": "1"} and widget.depends == {"unit": "x"}


def test_text_picker_keeps_a_text_input_for_the_key():
    from meridian.core.widgets import PickerTextInput

    class PostForm(forms.Form):
        user = forms.CharField(
            widget=PickerTextInput(search_url="accounts:people_search", params={"key": "username"})
        )

    html = str(PostForm(initial={"user": "staff"})["user"])
    assert 'data-search-url="/accounts/people/search/?key=username"' in html
    assert '<input type="text" name="user" value="staff" required id="id_user">' in html
    assert "data-multiple" not in html and "<select" not in html
