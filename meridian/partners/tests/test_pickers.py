"""The partner picker's search endpoint, the parent-organisation picker, the registry look-up's "already a
partner" link and the duplicate refusal on the partner form."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.partners import services
from meridian.partners.models import Partner, PartnerContact
from meridian.partners.tests.factories import PartnerFactory
from meridian.partners.tests.registry_data import OXFORD, load_registry
from meridian.reference.models import Country, Institution

SEARCH = reverse("partners:search")


@pytest.fixture
def registry(db, tmp_path) -> None:
    load_registry(tmp_path)


@pytest.fixture
def heidelberg(germany) -> Partner:
    return PartnerFactory(
        name="Ruprecht-Karls-Universität Heidelberg",
        name_en="Heidelberg University",
        name_zh="海德堡大学",
        acronym="",
        country=germany,
        ror_id="038t36y30",
        erasmus_code="D  HEIDELB01",
        pic="999976190",
        is_public=False,
    )


def values(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["value"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "query", ["heidelberg univ", "海德堡", "Ruprecht-Karls", "038t36y30", "DHEIDELB01", "999976190"]
)
def test_officer_finds_a_partner_by_names_in_both_languages_and_identifiers(people, login, heidelberg, query):
    PartnerFactory(name="Universität Wien", name_en="University of Vienna", name_zh="维也纳大学", city="Wien")
    assert values(login(people.officer).get(SEARCH, {"q": query})) == [str(heidelberg.pk)]


def test_results_carry_label_and_the_other_names_country_and_identifiers(people, login, heidelberg):
    row = login(people.officer).get(SEARCH, {"q": "heidelberg"}).json()["results"][0]
    assert row["label"] == "Heidelberg University"
    assert "海德堡大学" in row["detail"] and "Germany" in row["detail"] and "ROR 038t36y30" in row["detail"]
    assert "999976190" in row["detail"]


def test_chinese_reader_gets_the_chinese_name_as_label(people, login, heidelberg):
    client = login(people.officer)
    row = client.get(SEARCH, {"q": "heidelberg"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
    assert row["label"] == "海德堡大学" and "Heidelberg University" in row["detail"]


def test_an_empty_query_finds_nothing(people, login, heidelberg):
    assert values(login(people.officer).get(SEARCH, {"q": "  "})) == []


def test_a_student_finds_only_public_partners(people, login, heidelberg, germany):
    public = PartnerFactory(name_en="Heidelberg School of Music", is_public=True, country=germany)
    assert values(login(people.student).get(SEARCH, {"q": "heidelberg"})) == [str(public.pk)]


def test_users_without_a_partner_list_are_refused(people, login, heidelberg):
    assert login(people.outsider).get(SEARCH, {"q": "heidelberg"}).status_code == 403


def test_a_partner_contact_finds_only_their_own_organisation(org, login, heidelberg, germany):
    other = PartnerFactory(name_en="Heidelberg Institute", country=germany)
    contact = user_create(username="contact", email="c@uni-heidelberg.de", password="x" * 20)
    membership_grant(user=contact, unit=org.intl_office, role=Role.PARTNER_CONTACT)
    PartnerContact.objects.create(partner=other, name="Contact", user=contact)
    assert values(login(contact).get(SEARCH, {"q": "heidelberg"})) == [str(other.pk)]


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    assert client.get(SEARCH, {"q": "x"}).status_code == 302


# --- the parent organisation -----------------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "name": "Medizinische Fakultät Heidelberg",
        "kind": "university",
        "country": "DE",
        "status": "active",
    }
    data.update(overrides)
    return data


def test_parent_organisation_is_a_picker_not_a_record_number(people, login, heidelberg):
    html = login(people.officer).get(reverse("partners:create")).content.decode()
    field = re.search(r'<div class="field[^"]*" id="field-parent">.*?</div>\s*</div>', html, re.S).group(0)
    assert f'data-search-url="{SEARCH}"' in field and 'type="number"' not in field
    assert f'<option value="{heidelberg.pk}">' in field
    assert "Record number of the parent organisation" not in html


def test_parent_organisation_is_saved_from_the_picker(people, login, heidelberg):
    response = login(people.officer).post(reverse("partners:create"), form_data(parent=heidelberg.pk))
    assert response.status_code == 302
    assert Partner.objects.get(name="Medizinische Fakultät Heidelberg").parent == heidelberg


def test_a_parent_the_user_may_not_see_is_refused(people, login, heidelberg, germany):
    # A student sees only public partners; the form's choices follow what the user may see.
    from meridian.partners.forms import PartnerForm

    form = PartnerForm(form_data(parent=heidelberg.pk), user=people.student)
    assert not form.is_valid() and "parent" in form.errors


# --- the duplicate refusal keeps the form's layout ---------------------------------------------------------


def test_duplicate_refusal_is_said_once_above_the_form(people, login, heidelberg):
    html = (
        login(people.officer).post(reverse("partners:create"), form_data(ror_id="038t36y30")).content.decode()
    )
    warning = re.search(
        r'<div class="errorlist-box" role="alert" id="duplicate-warning">.*?</div>', html, re.S
    )
    assert warning and "A partner with the same ROR ID exists already" in warning.group(0)
    assert f'href="/partners/{heidelberg.pk}/"' in warning.group(0)
    grid = html.split('<div class="form-grid">', 1)[1]
    assert "errorlist-box" not in grid.split('<div class="field', 1)[0]  # no error cell before the fields
    assert html.count("exists already") == 1
    assert Partner.objects.count() == 1


# --- the registry look-up -----------------------------------------------------------------------------------


def test_registry_lookup_says_already_a_partner_with_a_link(people, login, registry):
    oxford = services.partner_create(
        actor=None, name="Oxford University", country=Country.objects.get(code="GB"), ror_id=OXFORD
    )
    client = login(people.officer)
    suggestions = client.get(
        reverse("reference:lookup"), {"q": "Oxford", "target": "partner-form"}
    ).content.decode()
    assert "already a partner:" in suggestions
    assert f'<a href="/partners/{oxford.pk}/">Oxford University</a>' in suggestions
    oxford_item = re.search(r"<li>\s*<span><strong>University of Oxford</strong>.*?</li>", suggestions, re.S)
    assert oxford_item and "data-prefill" not in oxford_item.group(0)
    # Other institutions are still offered.
    brookes = re.search(r"<li>\s*<span><strong>Oxford Brookes University</strong>.*?</li>", suggestions, re.S)
    assert brookes and "data-prefill" in brookes.group(0) and "already a partner" not in brookes.group(0)

    page = client.get(reverse("reference:registry"), {"q": "University of Oxford"}).content.decode()
    assert f'<a href="/partners/{oxford.pk}/">Oxford University</a>' in page
    assert f"?institution={Institution.objects.get(ror_id=OXFORD).pk}" not in page


def test_registry_lookup_counts_a_linked_partner_and_hides_partners_the_user_may_not_see(
    people, login, registry
):
    linked = services.partner_create(
        actor=None,
        name="Oxford",
        country=Country.objects.get(code="GB"),
        registry_institution=Institution.objects.get(ror_id=OXFORD),
        is_public=False,
    )
    officer = login(people.officer).get(reverse("reference:lookup"), {"q": "University of Oxford"})
    assert f'href="/partners/{linked.pk}/"' in officer.content.decode()
    student = login(people.student).get(reverse("reference:lookup"), {"q": "University of Oxford"})
    assert f'href="/partners/{linked.pk}/"' not in student.content.decode()
