"""Agreement numbers that differ only in case, width or dashes are one number: the services refuse the second
one (the form and the API show it on the number field), and a generated number never takes such a number."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.agreements import services
from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

VARIANTS = [
    "sx-2024-001",
    "SX-2024-001",
    "ＳＸ－２０２４－００１",
    "SX–2024—001",
    "Sx\u22122024\u2010001",
    " SX-2024-001 ",
]
TAKEN = (
    "Agreement SX-2024-001 already has this number; numbers that differ only in upper or lower case, "
    "full-width characters or dashes are the same number."
)


@pytest.fixture
def stored(org, partner):
    return AgreementFactory(number="SX-2024-001", responsible_unit=org.computing, partners=[partner])


def _fields(org, **extra):
    fields = {
        "title_en": "Student exchange",
        "kind": "student_exchange",
        "responsible_unit": org.computing,
        "start_date": datetime.date(2026, 1, 1),
        "end_date": datetime.date(2030, 1, 1),
    }
    fields.update(extra)
    return fields


@pytest.mark.parametrize("typed", VARIANTS)
def test_create_refuses_a_number_another_agreement_has_in_another_spelling(
    typed, stored, people, org, partner
):
    with pytest.raises(ValidationError) as caught:
        services.agreement_create(
            actor=people.officer, partners=[partner], channels=[], **_fields(org, number=typed)
        )
    assert caught.value.message_dict == {"number": [TAKEN]}
    assert list(Agreement.objects.values_list("number", flat=True)) == ["SX-2024-001"]


def test_the_number_error_comes_with_the_other_field_errors(stored, people, org, partner):
    with pytest.raises(ValidationError) as caught:
        services.agreement_create(
            actor=people.officer,
            partners=[partner],
            channels=[],
            **_fields(org, number="sx-2024-001", title_en="x" * 301),
        )
    assert caught.value.message_dict["number"] == [TAKEN]
    assert "title_en" in caught.value.message_dict


def test_create_accepts_a_number_that_is_really_different(stored, people, org, partner):
    created = services.agreement_create(
        actor=people.officer, partners=[partner], channels=[], **_fields(org, number="SX-2024-0010")
    )
    assert created.number == "SX-2024-0010"


@pytest.mark.parametrize("typed", ["sx-2024-001", "ＳＸ－２０２４－００１"])
def test_update_refuses_a_changed_number_another_agreement_has(typed, stored, people, org, partner):
    other = AgreementFactory(number="SX-2024-002", responsible_unit=org.computing, partners=[partner])
    with pytest.raises(ValidationError) as caught:
        services.agreement_update(agreement=other, actor=people.officer, number=typed)
    assert caught.value.message_dict == {"number": [TAKEN]}
    other.refresh_from_db()
    assert (other.number, other.version) == ("SX-2024-002", 1)


def test_update_may_respell_the_agreements_own_number(stored, people):
    updated = services.agreement_update(agreement=stored, actor=people.officer, number="sx-2024-001")
    assert updated.number == "sx-2024-001"


def test_two_numbers_stored_before_the_rule_stay_editable(stored, people, org, partner):
    legacy = AgreementFactory(number="sx-2024-001", responsible_unit=org.computing, partners=[partner])
    updated = services.agreement_update(agreement=legacy, actor=people.officer, title_en="Renamed")
    assert (updated.number, updated.title_en) == ("sx-2024-001", "Renamed")


def test_a_generated_number_skips_one_stored_in_another_spelling(people, org, partner):
    AgreementFactory(number="２０２６－se－0001", responsible_unit=org.computing, partners=[partner])
    created = services.agreement_create(actor=people.officer, partners=[partner], channels=[], **_fields(org))
    assert created.number == "2026-SE-0002"


def test_number_taken_finds_only_the_same_number(stored, org, partner):
    AgreementFactory(number="SX-2024-0011", responsible_unit=org.computing, partners=[partner])
    assert services.agreement_number_taken(number="ｓｘ－２０２４－００１") == stored
    assert services.agreement_number_taken(number="sx-2024-001", exclude_pk=stored.pk) is None
    assert services.agreement_number_taken(number="SX-2024-01") is None
    assert services.agreement_number_taken(number="  ") is None


def _form_data(org, partner, **extra):
    data = {
        "title_en": "Joint lab",
        "kind": "joint_lab",
        "partners": [partner.pk],
        "channels": ["joint_lab"],
        "responsible_unit": org.computing.pk,
        "start_date": "2026-09-01",
        "end_date": "2031-08-31",
        "sig-TOTAL_FORMS": "0",
        "sig-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("typed", ["sx-2024-001", "ＳＸ－２０２４－００１"])
def test_the_form_shows_the_taken_number_on_the_number_field(typed, client, stored, people, org, partner):
    client.force_login(people.officer)
    response = client.post(reverse("agreements:create"), _form_data(org, partner, number=typed))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["number"] == [TAKEN]
    assert Agreement.objects.count() == 1


def test_the_edit_form_shows_the_taken_number_on_the_number_field(client, stored, people, org, partner):
    other = AgreementFactory(number="SX-2024-002", responsible_unit=org.computing, partners=[partner])
    client.force_login(people.officer)
    data = _form_data(org, partner, number="Sx–2024–001", version=other.version)
    response = client.post(reverse("agreements:edit", args=[other.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["number"] == [TAKEN]
    other.refresh_from_db()
    assert other.number == "SX-2024-002"


@pytest.mark.parametrize("typed", ["sx-2024-001", "ＳＸ－２０２４－００１"])
def test_the_api_answers_400_with_the_error_on_the_number_field(typed, stored, people, org, partner):
    api = APIClient()
    api.force_authenticate(people.officer)
    payload = {
        "number": typed,
        "title_en": "Student exchange",
        "kind": "student_exchange",
        "partners": [partner.pk],
        "responsible_unit": org.computing.pk,
    }
    response = api.post("/api/v1/agreements/", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"] == {"number": [TAKEN]}
    patched = api.patch(
        f"/api/v1/agreements/{AgreementFactory(responsible_unit=org.computing).pk}/",
        {"number": typed, "version": 1},
        format="json",
    )
    assert patched.status_code == 400
    assert patched.json()["error"]["details"] == {"number": [TAKEN]}
    assert Agreement.objects.filter(number=typed).count() == 0
