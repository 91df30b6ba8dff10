"""A partner's Erasmus code is stored in the official padded form, whatever way it was typed, or refused."""

import pytest
from django.core.exceptions import ValidationError

from meridian.core.errors import DuplicateError
from meridian.partners import services


def make(**fields):
    fields.setdefault("name", "Universität Beispiel")
    fields.setdefault("country_id", "DE")
    return services.partner_create(actor=None, **fields)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("d heidelb01", "D  HEIDELB01"),
        ("DHEIDELB01", "D  HEIDELB01"),
        ("D-HEIDELB01", "D  HEIDELB01"),
        ("Ｄ　ＨＥＩＤＥＬＢ０１", "D  HEIDELB01"),
        ("e barcelo101", "E  BARCELO101"),
        ("DK FREDERICIA 01", "DK FREDERICIA01"),
        ("irl dublin01", "IRLDUBLIN01"),
    ],
)
def test_typed_codes_are_stored_in_the_official_form(germany, typed, stored):
    partner = make(erasmus_code=typed)
    partner.refresh_from_db()
    assert partner.erasmus_code == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("CN BEIJING01", "does not start with an Erasmus country prefix"),
        ("D  HEIDELB", "is not an Erasmus code"),
    ],
)
def test_text_that_is_no_erasmus_code_is_refused_on_the_field(germany, typed, message):
    with pytest.raises(ValidationError) as caught:
        make(erasmus_code=typed)
    assert message in caught.value.message_dict["erasmus_code"][0]


def test_the_same_code_typed_another_way_is_a_duplicate(germany):
    make(erasmus_code="E  BARCELO101")
    with pytest.raises(DuplicateError):
        make(name="Another name", erasmus_code="ebarcelo101")
