"""Pages of cooperation conditions: the list with the places used, add/edit/delete (GET, POST, 403, 404,
stale saves), the office's factsheet form, the agreement page's panel and the public partner page's block
(never the internal note outside), in both languages."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meridian.agreements.tests.factories import AgreementFactory
from meridian.mobility.choices import Direction, MobilityState
from meridian.mobility.models import CooperationCondition, PartnerFactsheet
from meridian.mobility.services import conditions as services
from meridian.mobility.tests.factories import make_call, make_condition, make_mobility, student_user
from meridian.mobility.tests.factories_conditions import IN_PERIOD, make_isced
from meridian.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

NOTE = "CONFIDENTIAL-NOTE-4711"


@pytest.fixture
def noted(world):
    """The world's conditions with an internal note and a public requirement."""
    for condition in (world.outgoing, world.incoming, world.other_outgoing):
        condition.internal_note = NOTE
        condition.other_requirements = "Transcript in English."
        condition.save()
    return world


def _post_data(world, **overrides):
    data = {
        "version": "",
        "partner": str(world.partner.pk),
        "academic_year": str(IN_PERIOD),
        "direction": "outgoing",
        "mobility_type": "full_year",
        "places": "2",
        "total_months": "18",
        "subject_areas": "0714, 07",
        "eqf_levels": ["6", "7"],
        "languages": "de B2, en C1",
        "home_unit": "",
        "partner_unit": "",
        "autumn_nomination_deadline": "04-30",
        "autumn_application_deadline": "",
        "spring_nomination_deadline": "",
        "spring_application_deadline": "",
        "other_requirements": "",
        "internal_note": "",
    }
    data.update(overrides)
    return data


# --- the list -----------------------------------------------------------------------------------------------


class TestList:
    url = staticmethod(lambda: reverse("mobility:condition_list"))

    def test_the_office_sees_every_condition_with_the_places_used(self, client, world, org, people):
        student = student_user(org.computing, "stu-list")
        make_mobility(
            partner=world.partner, home_unit=org.engineering, person=student.person, condition=world.outgoing
        )
        make_mobility(
            partner=world.partner,
            home_unit=org.engineering,
            person=student.person,
            condition=world.outgoing,
            state=MobilityState.CANCELLED,
        )
        make_call(unit=org.intl_office, destinations=[(world.partner, 2, world.outgoing)])
        client.force_login(people.officer)
        response = client.get(self.url(), {"academic_year": "2099"})
        assert response.status_code == 200
        rows = {row["view"].pk: row for row in response.context["rows"]}
        assert set(rows) == {world.outgoing.pk, world.incoming.pk, world.other_outgoing.pk}
        assert (rows[world.outgoing.pk]["in_calls"], rows[world.outgoing.pk]["in_mobilities"]) == (2, 1)
        assert rows[world.outgoing.pk]["left"] == 1
        assert rows[world.incoming.pk]["in_mobilities"] == 0

    def test_a_coordinator_sees_their_units_agreements_only(self, client, world, org, people):
        elsewhere = AgreementFactory(
            responsible_unit=org.humanities, partners=[world.other_partner], state="active"
        )
        hidden = make_condition(elsewhere, world.other_partner, direction=Direction.INCOMING)
        client.force_login(people.coordinator)
        pks = {row["view"].pk for row in client.get(self.url()).context["rows"]}
        assert hidden.pk not in pks and world.outgoing.pk in pks
        client.force_login(people.other_coordinator)
        pks = {row["view"].pk for row in client.get(self.url()).context["rows"]}
        assert pks == {hidden.pk}

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"direction": "incoming"}, {"incoming"}),
            ({"mobility_type": "semester"}, {"outgoing", "incoming", "other_outgoing"}),
            ({"mobility_type": "traineeship"}, set()),
            ({"academic_year": "2099"}, {"outgoing", "incoming", "other_outgoing"}),
            ({"academic_year": "2098"}, set()),
        ],
    )
    def test_filters(self, client, world, people, params, expected):
        client.force_login(people.officer)
        pks = {row["view"].pk for row in client.get(self.url(), params).context["rows"]}
        assert pks == {getattr(world, name).pk for name in expected}

    def test_partner_subject_and_unit_filters(self, client, world, org, people):
        isced = make_isced()
        world.outgoing.subject_areas.set([isced["0714"]])
        world.incoming.subject_areas.set([isced["07"]])
        world.other_outgoing.home_unit = org.humanities
        world.other_outgoing.save()
        client.force_login(people.officer)

        def listed(**params):
            return {row["view"].pk for row in client.get(self.url(), params).context["rows"]}

        assert listed(partner=world.other_partner.pk) == {world.other_outgoing.pk}
        assert listed(subject_area="0714") == {world.outgoing.pk, world.incoming.pk}  # and the broad field 07
        assert listed(subject_area="07") == {world.outgoing.pk, world.incoming.pk}
        assert listed(subject_area="06") == set()
        assert listed(unit=org.humanities.pk) == {world.other_outgoing.pk}
        assert listed(unit=org.computing.pk) == set()
        assert listed(unit=org.engineering.pk) == {world.outgoing.pk, world.incoming.pk}

    @pytest.mark.parametrize(
        "params", [{"academic_year": "soon"}, {"subject_area": "7x"}, {"direction": "up"}]
    )
    def test_an_invalid_filter_lists_nothing_and_says_why(self, client, world, people, params):
        client.force_login(people.officer)
        response = client.get(self.url(), params)
        assert response.status_code == 400
        assert response.context["rows"] == [] and response.context["filter_errors"]

    @pytest.mark.parametrize("who", ["student", "outsider"])
    def test_students_and_outsiders_are_refused(self, client, people, world, who):
        client.force_login(getattr(people, who))
        assert client.get(self.url()).status_code == 403

    @pytest.mark.parametrize("who", ["contact", "viewer"])
    def test_partner_contacts_use_their_portal(self, client, world, who):
        client.force_login(getattr(world, who))
        assert client.get(self.url()).status_code == 403

    def test_anonymous_visitors_sign_in_first(self, client, world):
        assert client.get(self.url()).status_code == 302

    def test_the_query_count_does_not_grow_with_the_rows(self, client, world, org, people):
        client.force_login(people.officer)
        client.get(self.url())
        with CaptureQueriesContext(connection) as few:
            client.get(self.url())
        for n in range(5):
            agreement = AgreementFactory(
                responsible_unit=org.engineering, partners=[world.partner], state="active"
            )
            make_condition(agreement, world.partner, places=n + 1)
        with CaptureQueriesContext(connection) as many:
            response = client.get(self.url())
        assert len(response.context["rows"]) == 8
        assert len(many) == len(few)


# --- add, edit, delete --------------------------------------------------------------------------------------


class TestCreate:
    def url(self, world):
        return reverse("mobility:condition_create", args=[world.agreement.pk])

    def test_get_and_post(self, client, world, people):
        make_isced()
        client.force_login(people.coordinator)
        response = client.get(self.url(world))
        assert response.status_code == 200 and 'name="places"' in response.content.decode()
        response = client.post(self.url(world), _post_data(world))
        assert response.status_code == 302
        assert response["Location"].endswith(
            reverse("agreements:detail", args=[world.agreement.pk]) + "#conditions"
        )
        condition = CooperationCondition.objects.get(academic_year=IN_PERIOD)
        assert condition.places == 2 and condition.total_months == Decimal("18")
        assert sorted(condition.subject_areas.values_list("code", flat=True)) == ["07", "0714"]
        assert list(condition.languages.values_list("language", "cefr_level")) == [("de", "B2"), ("en", "C1")]
        assert condition.eqf_levels == [6, 7] and condition.autumn_nomination_deadline == "--04-30"

    def test_bad_input_is_shown_on_the_fields_and_nothing_stored(self, client, world, people):
        client.force_login(people.officer)
        response = client.post(
            self.url(world), _post_data(world, places="0", languages="en", subject_areas="", academic_year="")
        )
        assert response.status_code == 400
        form = response.context["form"]
        assert "languages" in form.errors
        response = client.post(self.url(world), _post_data(world, places="0", subject_areas=""))
        assert response.status_code == 400
        assert response.context["form"].errors["places"] == [
            "Places are persons per year: a whole number from 1 to 999."
        ]
        assert not CooperationCondition.objects.filter(academic_year=IN_PERIOD).exists()

    @pytest.mark.parametrize(
        ("places", "months", "message"),
        [
            ("2", "1e308", "more than 2 places can use"),
            ("0", "1e308", "at most 11988"),  # no valid places to compare with: the absolute bound
            ("2", "nan", "Give the months as a number"),
            ("2", "inf", "Give the months as a number"),
            ("2", "-1", "cannot be negative"),
            ("2", "99999999999", "more than 2 places can use"),
            ("2", "4.55", "at most one decimal"),
            ("2", "abc", "Give the months as a number"),
        ],
    )
    def test_absurd_total_months_are_refused(self, client, world, people, places, months, message):
        client.force_login(people.officer)
        data = _post_data(world, places=places, total_months=months, subject_areas="")
        response = client.post(self.url(world), data)
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors["total_months"])
        assert not CooperationCondition.objects.filter(academic_year=IN_PERIOD).exists()

    def test_the_months_field_takes_one_decimal_in_the_browser(self, client, world, people):
        client.force_login(people.officer)
        html = client.get(self.url(world)).content.decode()
        field = re.search(r'<input[^>]*name="total_months"[^>]*>', html)
        assert field and 'step="0.1"' in field.group(0) and 'max="11988"' in field.group(0)
        places = re.search(r'<input[^>]*name="places"[^>]*>', html)
        assert places and 'step="1"' in places.group(0)

    @pytest.mark.parametrize("who", ["leadership", "contact", "viewer"])
    def test_readers_of_the_agreement_may_not_add(self, client, world, people, who):
        client.force_login(getattr(world, who, None) or getattr(people, who))
        assert client.get(self.url(world)).status_code == 403
        assert client.post(self.url(world), _post_data(world, subject_areas="")).status_code == 403
        assert not CooperationCondition.objects.filter(academic_year=IN_PERIOD).exists()

    @pytest.mark.parametrize("who", ["other_coordinator", "staff", "student", "other_contact", "outsider"])
    def test_those_who_do_not_see_the_agreement_get_404(self, client, world, people, who):
        client.force_login(getattr(world, who, None) or getattr(people, who))
        assert client.get(self.url(world)).status_code == 404
        assert client.post(self.url(world), _post_data(world, subject_areas="")).status_code == 404

    def test_an_agreement_without_places_sends_back_with_the_reason(self, client, world, org, people):
        research: Any = AgreementFactory(
            responsible_unit=org.engineering, partners=[world.partner], kind="research"
        )
        client.force_login(people.officer)
        response = client.get(reverse("mobility:condition_create", args=[research.pk]), follow=True)
        assert "Cooperation conditions belong to exchange agreements" in response.content.decode()


class TestEdit:
    def url(self, condition):
        return reverse("mobility:condition_edit", args=[condition.pk])

    def test_get_shows_the_values_and_post_saves(self, client, world, people):
        client.force_login(people.officer)
        response = client.get(self.url(world.outgoing))
        text = response.content.decode()
        assert response.status_code == 200 and 'value="en B2"' in text
        # The deadline --05-15 reads as a month and a day, never as the stored code.
        assert '<option value="5" selected>May</option>' in text and '<option value="15" selected>' in text
        assert "--05-15" not in text
        data = _post_data(
            world, academic_year="2099", mobility_type="semester", places="3", total_months="15"
        )
        data.update(version="1", subject_areas="", languages="en B2", autumn_nomination_deadline="--05-15")
        response = client.post(self.url(world.outgoing), data)
        assert response.status_code == 302
        world.outgoing.refresh_from_db()
        assert world.outgoing.places == 3 and world.outgoing.version == 2

    def test_a_stale_save_shows_what_changed_and_the_second_save_applies(self, client, world, people):
        services.condition_update(
            condition=world.outgoing, actor=people.coordinator, expected_version=1, places=4
        )
        client.force_login(people.officer)
        data = _post_data(
            world, academic_year="2099", mobility_type="semester", places="5", total_months="10"
        )
        data.update(version="1", subject_areas="", languages="en B2")
        response = client.post(self.url(world.outgoing), data)
        assert response.status_code == 409
        assert "Someone else saved this record" in response.content.decode()
        assert CooperationCondition.objects.get(pk=world.outgoing.pk).places == 4
        assert response.context["form"].data["version"] == "2"
        data["version"] = "2"
        assert client.post(self.url(world.outgoing), data).status_code == 302
        assert CooperationCondition.objects.get(pk=world.outgoing.pk).places == 5

    def test_permissions(self, client, world, people):
        for user, status in (
            (people.leadership, 403),
            (world.contact, 403),
            (people.other_coordinator, 404),
            (world.other_contact, 404),
            (people.student, 404),
        ):
            client.force_login(user)
            assert client.get(self.url(world.outgoing)).status_code == status
            assert client.post(self.url(world.outgoing), {"places": "9"}).status_code == status
        assert CooperationCondition.objects.get(pk=world.outgoing.pk).places == 2

    def test_an_unknown_condition_is_404(self, client, people, world):
        client.force_login(people.officer)
        assert client.get(reverse("mobility:condition_edit", args=[999999])).status_code == 404


class TestDelete:
    def url(self, condition):
        return reverse("mobility:condition_delete", args=[condition.pk])

    def test_get_asks_and_post_deletes(self, client, world, people):
        client.force_login(people.coordinator)
        response = client.get(self.url(world.outgoing))
        assert response.status_code == 200 and "Delete the condition" in response.content.decode()
        assert CooperationCondition.objects.filter(pk=world.outgoing.pk).exists()  # GET changes nothing
        assert client.post(self.url(world.outgoing)).status_code == 302
        assert not CooperationCondition.objects.filter(pk=world.outgoing.pk).exists()

    def test_a_used_condition_is_kept_with_the_reason(self, client, world, org, people):
        make_call(unit=org.intl_office, destinations=[(world.partner, 1, world.outgoing)])
        client.force_login(people.officer)
        response = client.get(self.url(world.outgoing))
        assert "This condition cannot be deleted" in response.content.decode()
        assert 'type="submit"' not in response.content.decode().split("This condition cannot be deleted")[1]
        response = client.post(self.url(world.outgoing), follow=True)
        assert "This condition cannot be deleted" in response.content.decode()
        assert CooperationCondition.objects.filter(pk=world.outgoing.pk).exists()

    def test_permissions(self, client, world, people):
        for user, status in ((people.leadership, 403), (world.viewer, 403), (world.other_contact, 404)):
            client.force_login(user)
            assert client.get(self.url(world.outgoing)).status_code == status
            assert client.post(self.url(world.outgoing)).status_code == status
        assert CooperationCondition.objects.filter(pk=world.outgoing.pk).exists()


# --- the factsheet ------------------------------------------------------------------------------------------


class TestFactsheetPage:
    def url(self, partner):
        return reverse("mobility:factsheet_edit", args=[partner.pk])

    def test_the_office_writes_and_changes_it(self, client, world, people):
        client.force_login(people.officer)
        response = client.get(self.url(world.partner))
        assert response.status_code == 200 and 'name="version" value="0"' in response.content.decode()
        data = {
            "version": "0",
            "website": "https://tu.example/incoming",
            "autumn_nomination_deadline": "05-15",
        }
        assert client.post(self.url(world.partner), data).status_code == 302
        sheet = PartnerFactsheet.objects.get(partner=world.partner)
        assert (
            sheet.autumn_nomination_deadline == "--05-15" and sheet.website == "https://tu.example/incoming"
        )
        data = {"version": "1", "website": "https://tu.example/exchange"}
        assert client.post(self.url(world.partner), data).status_code == 302
        assert PartnerFactsheet.objects.get(partner=world.partner).version == 2

    def test_bad_input_and_stale_saves(self, client, world, people):
        client.force_login(people.officer)
        response = client.post(
            self.url(world.partner), {"version": "0", "spring_nomination_deadline": "31-12"}
        )
        assert response.status_code == 400 and "spring_nomination_deadline" in response.context["form"].errors
        services.factsheet_update(
            partner=world.partner, actor=world.contact, expected_version=0, spring_term="X"
        )
        response = client.post(self.url(world.partner), {"version": "0", "spring_term": "Y"})
        assert response.status_code == 409
        assert PartnerFactsheet.objects.get(partner=world.partner).spring_term == "X"

    def test_permissions(self, client, world, people):
        for user, status in (
            (people.coordinator, 403),
            (people.leadership, 403),
            (world.viewer, 403),
            (world.other_contact, 404),
            (people.student, 404),
        ):
            client.force_login(user)
            assert client.get(self.url(world.partner)).status_code == status, user
            assert (
                client.post(self.url(world.partner), {"version": "0", "spring_term": "Z"}).status_code
                == status
            )
        assert not PartnerFactsheet.objects.exists()
        client.force_login(world.contact)  # the partner's own coordinator
        assert client.get(self.url(world.partner)).status_code == 200


# --- the agreement page's panel -----------------------------------------------------------------------------


class TestAgreementPanel:
    def page(self, client, user, agreement, **headers):
        client.force_login(user)
        response = client.get(reverse("agreements:detail", args=[agreement.pk]), **headers)
        assert response.status_code == 200
        return response.content.decode()

    def test_staff_see_the_conditions_by_year_with_the_internal_note(self, client, noted, people):
        text = self.page(client, people.officer, noted.agreement)
        assert 'id="conditions"' in text and "2099/2100" in text and NOTE in text
        assert reverse("mobility:condition_create", args=[noted.agreement.pk]) in text
        assert reverse("mobility:condition_edit", args=[noted.outgoing.pk]) in text
        assert reverse("mobility:factsheet_edit", args=[noted.partner.pk]) in text
        text = self.page(client, people.leadership, noted.agreement)
        assert NOTE in text and reverse("mobility:condition_edit", args=[noted.outgoing.pk]) not in text

    @pytest.mark.parametrize("who", ["contact", "viewer"])
    def test_partner_contacts_see_their_own_without_the_internal_note(self, client, noted, org, who):
        shared = AgreementFactory(
            responsible_unit=org.engineering, partners=[noted.partner, noted.other_partner], state="active"
        )
        mine = make_condition(shared, noted.partner, places=7)
        theirs = make_condition(shared, noted.other_partner, places=9, internal_note=NOTE)
        text = self.page(client, getattr(noted, who), shared)
        assert f'data-condition="{mine.pk}"' in text and f'data-condition="{theirs.pk}"' not in text
        text = self.page(client, getattr(noted, who), noted.agreement)
        assert "Transcript in English." in text and NOTE not in text
        assert reverse("mobility:condition_edit", args=[noted.outgoing.pk]) not in text
        assert "factsheet" not in text.lower().split('id="conditions"')[1].split("</section>")[0]

    def test_other_kinds_of_agreement_have_no_panel(self, client, world, org, people):
        research = AgreementFactory(
            responsible_unit=org.engineering, partners=[world.partner], kind="research"
        )
        assert 'id="conditions"' not in self.page(client, people.officer, research)
        make_condition(research, world.partner)  # conditions kept from before a change of type still show
        assert 'id="conditions"' in self.page(client, people.officer, research)

    def test_an_ended_agreement_shows_its_conditions_without_changes(self, client, world, people):
        world.agreement.state = "expired"
        world.agreement.save()
        text = self.page(client, people.officer, world.agreement)
        assert f'data-condition="{world.outgoing.pk}"' in text
        assert reverse("mobility:condition_create", args=[world.agreement.pk]) not in text
        assert "its cooperation conditions are kept as they were" in text

    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_both_languages_render(self, client, noted, people, language):
        text = self.page(client, people.officer, noted.agreement, HTTP_ACCEPT_LANGUAGE=language)
        assert f'lang="{language}"' in text and 'id="conditions"' in text
        for url in (
            reverse("mobility:condition_list"),
            reverse("mobility:condition_create", args=[noted.agreement.pk]),
            reverse("mobility:condition_edit", args=[noted.outgoing.pk]),
            reverse("mobility:condition_delete", args=[noted.outgoing.pk]),
            reverse("mobility:factsheet_edit", args=[noted.partner.pk]),
        ):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            assert f'lang="{language}"' in response.content.decode()


# --- the public partner page --------------------------------------------------------------------------------


class TestPublicPanel:
    def page(self, client, partner, language="en"):
        response = client.get(reverse("directory:partner", args=[partner.pk]), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        return response.content.decode()

    @pytest.fixture
    def public(self, noted):
        noted.partner.is_public = True
        noted.partner.save()
        return noted

    def test_public_facts_of_current_conditions_only(self, client, public, org):
        draft = AgreementFactory(responsible_unit=org.engineering, partners=[public.partner], state="draft")
        unsigned = make_condition(draft, public.partner, places=42)
        past = make_condition(public.agreement, public.partner, year=2020, places=17)
        text = self.page(client, public.partner)
        section = text.split('id="exchange-places"')[1].split("</section>")[0]
        assert f'data-condition="{public.outgoing.pk}"' in section and "2099/2100" in section
        assert "Transcript in English." in section
        assert NOTE not in text
        assert (
            f'data-condition="{unsigned.pk}"' not in section and f'data-condition="{past.pk}"' not in section
        )
        assert "/exchange/places/" not in section  # no edit links on the public page

    def test_the_factsheets_public_bits_only(self, client, public, people):
        services.factsheet_update(
            partner=public.partner,
            actor=people.officer,
            expected_version=0,
            website="https://tu.example/incoming",
            course_catalogue_url="https://tu.example/courses",
            autumn_term="October – February",
            autumn_nomination_deadline="--05-15",
            contact_email="secret-office@tu.example",
            contact_phone="+49 0000 1111",
            accommodation="Dorm allocation list SECRET-ROOMS",
        )
        text = self.page(client, public.partner)
        assert "https://tu.example/courses" in text and "October – February" in text and "May 15" in text
        assert "secret-office@tu.example" not in text and "+49 0000 1111" not in text
        assert "SECRET-ROOMS" not in text

    def test_a_partner_with_nothing_public_has_no_block(self, client, world):
        partner = PartnerFactory(is_public=True)
        assert 'id="exchange-places"' not in self.page(client, partner)

    def test_the_cached_page_renews_when_conditions_change(self, client, public, people):
        assert f'data-condition="{public.outgoing.pk}"' in self.page(client, public.partner)
        services.condition_delete(condition=public.outgoing, actor=people.officer)
        assert f'data-condition="{public.outgoing.pk}"' not in self.page(client, public.partner)
        assert "Japanese" not in self.page(client, public.partner)
        services.condition_update(
            condition=public.incoming, actor=people.officer, expected_version=None, languages=[("ja", "B1")]
        )
        assert "Japanese" in self.page(client, public.partner)
        services.factsheet_update(
            partner=public.partner, actor=people.officer, expected_version=0, spring_term="March – July"
        )
        assert "March – July" in self.page(client, public.partner)

    def test_both_languages_render(self, client, public):
        assert 'lang="zh-hans"' in self.page(client, public.partner, "zh-hans")
        assert 'lang="en"' in self.page(client, public.partner, "en")


class TestPartnerPageButton:
    def test_the_office_finds_the_factsheet_from_the_partner_page(self, client, world, people):
        url = reverse("mobility:factsheet_edit", args=[world.partner.pk])
        client.force_login(people.officer)
        assert url in client.get(world.partner.get_absolute_url()).content.decode()
        client.force_login(people.coordinator)
        assert url not in client.get(world.partner.get_absolute_url()).content.decode()


TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mobility" / "conditions"


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_half_width_punctuation_outside_translated_strings(path):
    """Chinese pages must not show ":" for "：" etc.: punctuation belongs inside the translated phrase."""
    text = path.read_text()
    text = re.sub(r"{%\s*blocktranslate.*?endblocktranslate\s*%}", "", text, flags=re.S)
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)
    for pattern in (r"{%.*?%}", r"{{.*?}}", r"<[^>]*>", r"&\w+;"):
        text = re.sub(pattern, "", text, flags=re.S)
    assert not re.findall(r"[:(),.;]", text), path.name
