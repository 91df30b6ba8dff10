"""One website rule for imports, forms and the API."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from meridian.core.websites import WebsiteFormField, WebsiteSerializerField, normalise_website


@pytest.mark.parametrize(
    "text, expected",
    [
        ("www.kit.edu", "https://www.kit.edu"),
        ("www.kit.edu:8443/en?x=1", "https://www.kit.edu:8443/en?x=1"),
        ("HTTP://www.univie.ac.at/", "http://www.univie.ac.at/"),
        ("https://medium.com/@kit", "https://medium.com/@kit"),  # an "@" in the path is fine
        ("清华大学.cn", "https://清华大学.cn"),  # an internationalised domain name
        ("\u3000www.kit.edu\u00a0", "https://www.kit.edu"),
        ("", ""),
    ],
)
def test_normalise_website(text, expected):
    assert normalise_website(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("info@uni-wien.ac.at", "“info@uni-wien.ac.at” is an e-mail address, not a website"),
        ("mailto:info@uni-wien.ac.at", "is an e-mail address, not a website"),
        ("https://info@uni-wien.ac.at", "is an e-mail address, not a website"),
        ("www。tsinghua。edu。cn", "“www。tsinghua。edu。cn” contains “。” in the domain name"),
        ("www.pku，edu.cn", "contains “，” in the domain name"),
        ("www．pku．edu．cn", "contains “．” in the domain name"),
        ("http://[x]/", "“http://[x]/” is not a valid website address."),
        ("javascript://alert(1)", "use an address starting with https:// or http://"),
        ("www kit edu", "has a space in the domain name"),
        ("not a website", "has a space in the domain name"),
        ("www.kit.e", "is not a valid website address"),
    ],
)
def test_refused_with_a_message(text, message):
    with pytest.raises(ValidationError) as caught:
        normalise_website(text)
    assert message in caught.value.messages[0]
    assert caught.value.code == "website"


def test_form_field_normalises_and_refuses_and_checks_length_after_adding_the_scheme():
    class Example(forms.Form):
        website = WebsiteFormField(max_length=30, required=False)

    form = Example({"website": "www.kit.edu"})
    assert form.is_valid() and form.cleaned_data["website"] == "https://www.kit.edu"
    form = Example({"website": "info@uni-wien.ac.at"})
    assert not form.is_valid() and "e-mail address" in form.errors["website"][0]
    form = Example({"website": "www.a-long-host-name.edu"})  # 24 characters, 32 with the scheme
    assert not form.is_valid() and "at most 30 characters" in form.errors["website"][0]
    assert 'type="text"' in str(Example()["website"])  # the browser's URL check would refuse www.kit.edu


def test_serializer_field_normalises_and_refuses():
    class Example(serializers.Serializer):
        website = WebsiteSerializerField(max_length=300, required=False, allow_blank=True)

    ok = Example(data={"website": "www.kit.edu"})
    assert ok.is_valid() and ok.validated_data["website"] == "https://www.kit.edu"
    bad = Example(data={"website": "www。tsinghua。edu。cn"})
    assert not bad.is_valid() and "contains “。”" in str(bad.errors["website"][0])
    too_long = Example(data={"website": "www.kit.edu/" + "a" * 286})  # 298 typed, 306 stored: refused
    assert not too_long.is_valid() and "300" in str(too_long.errors["website"][0])
