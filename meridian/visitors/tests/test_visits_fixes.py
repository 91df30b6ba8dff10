"""Visit pages and services after the tryout: free texts have a maximum that is refused (never cut) by the
form and the service, a typed guest who is on record already is offered instead of being duplicated, guests'
names are printed once, ambiguous labels carry a translation context, and visa copies go only to those who
may see the guests' data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.people.models import Person
from meridian.visitors.choices import VisitState
from meridian.visitors.models import Visit, VisitFile
from meridian.visitors.selectors import visits as selectors
from meridian.visitors.services import visits as services
from meridian.visitors.tests.factories import FUTURE, germany, make_visit
from meridian.visitors.tests.test_visits_views import form_data

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _fields(org, people, **extra) -> dict:
    values = {
        "title": "Lectures",
        "category": "visiting_scholar",
        "purpose": "Two lectures.",
        "host_unit": org.computing,
        "host": people.staff,
        "arrive_on": FUTURE,
        "depart_on": FUTURE + 3 * DAY,
        "guest_organisation": "Heidelberg University",
    }
    values.update(extra)
    return values


def _new(family="Tester", given="Anna", **extra) -> dict:
    new = {"family_name": family, "given_name": given, "nationality": germany(), **extra}
    return {"person": None, "new_person": new, "is_head": False, "rank": "professor", "position": "Professor"}


@pytest.fixture
def visit(org, people):
    return make_visit(host_unit=org.computing, host=people.staff, title="Heidelberg lectures")


@pytest.fixture
def hosted(org, people):
    return make_visit(host_unit=org.computing, host=people.staff, state=VisitState.HOSTED)


# --- fault 2: maximum lengths, refused with a message -----------------------------------------------------


class TestLengthLimits:
    def test_the_form_refuses_a_long_purpose_and_keeps_the_input(self, client, org, people):
        client.force_login(people.staff)
        data = form_data(org, people, purpose="x" * (services.MAX_PURPOSE + 1))
        response = client.post(reverse("visitors:visit_create"), data)
        body = response.content.decode()
        assert response.status_code == 200 and not Visit.objects.exists()
        assert f"at most {services.MAX_PURPOSE} characters (it has {services.MAX_PURPOSE + 1})" in body
        assert 'value="Visiting scholar from Heidelberg"' in body
        assert 'maxlength="5000"' not in body  # the browser would cut a pasted text silently

    def test_the_service_refuses_a_long_purpose(self, org, people):
        with pytest.raises(ValidationError) as caught:
            services.visit_create(actor=people.staff, **_fields(org, people, purpose="x" * 200_000))
        assert "purpose" in caught.value.message_dict and not Visit.objects.exists()

    def test_a_purpose_at_the_limit_is_kept_whole(self, org, people):
        text = "x" * services.MAX_PURPOSE
        visit = services.visit_create(actor=people.staff, **_fields(org, people, purpose=text))
        assert Visit.objects.get(pk=visit.pk).purpose == text

    def test_the_note_form_refuses_long_outcomes(self, client, people, hosted):
        client.force_login(people.staff)
        url = reverse("visitors:visit_note", args=[hosted.pk])
        response = client.post(url, {"outcomes": "y" * 300_000, "follow_up": "MoU"})
        body = response.content.decode()
        assert response.status_code == 200 and "at most 10000 characters (it has 300000)" in body
        assert "MoU</textarea>" in body
        hosted.refresh_from_db()
        assert hosted.outcomes == "" and hosted.note_submitted_at is None

    @pytest.mark.parametrize("field", ["outcomes", "follow_up"])
    def test_the_service_refuses_long_note_texts(self, people, hosted, field):
        texts = {"outcomes": "A joint lab.", "follow_up": ""}
        texts[field] = "z" * 10_001
        with pytest.raises(ValidationError) as caught:
            services.visit_note_submit(visit=hosted, actor=people.staff, **texts)
        assert field in caught.value.message_dict
        assert Visit.objects.get(pk=hosted.pk).note_submitted_at is None

    def test_programme_and_budget_texts_are_refused_not_cut(self, org, people):
        with pytest.raises(ValidationError) as caught:
            services.visit_create(
                actor=people.staff,
                **_fields(org, people),
                programme=[{"day": FUTURE, "kind": "lecture", "title": "T", "place": "p" * 201}],
            )
        assert any("Programme item 1, Place" in e for e in caught.value.message_dict["programme"])
        with pytest.raises(ValidationError) as caught:
            services.visit_create(
                actor=people.staff,
                **_fields(org, people),
                budget=[{"kind": "meals", "amount": Decimal(1), "description": "d" * 301}],
            )
        assert any("Budget line 1, Description" in e for e in caught.value.message_dict["budget"])
        assert not Visit.objects.exists()

    def test_a_long_guest_position_is_refused(self, org, people):
        row = {**_new(), "position": "P" * 201}
        with pytest.raises(ValidationError) as caught:
            services.visit_create(actor=people.staff, **_fields(org, people), guests=[row])
        assert any("Position or title" in e for e in caught.value.message_dict["guests"])

    def test_a_long_caption_and_comment_are_refused(self, people, visit):
        upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
        with pytest.raises(ValidationError):
            services.visit_file_add(
                visit=visit, actor=people.staff, kind="request", uploaded=upload, caption="c" * 301
            )
        assert not VisitFile.objects.exists()
        with pytest.raises(ValidationError):
            services.visit_escalate(visit=visit, actor=people.officer, comment="c" * 501)
        assert not Visit.objects.get(pk=visit.pk).escalated

    def test_the_referral_form_says_why_instead_of_dropping_the_comment(self, client, people, visit):
        client.force_login(people.officer)
        url = reverse("visitors:visit_escalate", args=[visit.pk])
        response = client.post(url, {"escalated": "on", "comment": "c" * 501}, follow=True)
        assert "at most 500 characters" in response.content.decode()
        assert not Visit.objects.get(pk=visit.pk).escalated

    def test_a_long_justification_is_refused(self, org, people):
        with pytest.raises(ValidationError) as caught:
            services.visit_create(
                actor=people.staff, **_fields(org, people, justifications={"any": "j" * 2001})
            )
        assert "justifications" in caught.value.message_dict


# --- fault 3: a typed guest who is on record already ---------------------------------------------------


class TestReturningGuests:
    def test_the_service_refuses_a_duplicate_unless_confirmed(self, org, people, visit):
        existing = visit.guests.get().person  # SCHMIDT Anna, German
        with pytest.raises(ValidationError) as caught:
            services.visit_create(
                actor=people.staff, **_fields(org, people), guests=[_new("schmidt", "Anna")]
            )
        assert "is on record already" in " ".join(caught.value.message_dict["guests"])
        assert Person.objects.filter(family_name__iexact="schmidt").count() == 1
        row = _new("Schmidt", "Anna", allow_duplicate=True)
        created = services.visit_create(actor=people.staff, **_fields(org, people), guests=[row])
        assert created.guests.get().person != existing

    def test_a_different_nationality_or_chinese_name_is_not_a_match(self, people, visit):
        assert selectors.guest_matches(user=people.staff, family_name="Schmidt", given_name="Anna")
        assert not selectors.guest_matches(
            user=people.staff, family_name="Schmidt", given_name="Anna", nationality_id="FR"
        )
        person = visit.guests.get().person
        person.name_zh = "安娜"
        person.save()
        assert not selectors.guest_matches(
            user=people.staff, family_name="Schmidt", given_name="Anna", name_zh="施安娜"
        )
        assert selectors.guest_matches(user=people.staff, family_name="SCHMIDT", given_name="anna")

    def test_only_guests_the_user_may_name_are_offered(self, org, people):
        other = make_visit(host_unit=org.humanities, host=people.other_coordinator)
        assert other.guests.exists()
        assert not selectors.guest_matches(user=people.staff, family_name="Schmidt", given_name="Anna")

    def test_the_form_offers_the_guest_on_record_and_uses_them(self, client, org, people, visit):
        existing = visit.guests.get().person
        client.force_login(people.staff)
        data = form_data(org, people)  # a new guest "Schmidt Anna", German
        response = client.post(reverse("visitors:visit_create"), data)
        body = response.content.decode()
        assert response.status_code == 200 and Visit.objects.count() == 1
        assert "is on record already" in body and "data-matches" in body
        assert f'name="guests-0-use_person" value="{existing.pk}"' in body
        data["guests-0-use_person"] = str(existing.pk)
        response = client.post(reverse("visitors:visit_create"), data)
        assert response.status_code == 302
        assert Visit.objects.exclude(pk=visit.pk).get().guests.get().person == existing
        assert Person.objects.filter(family_name="Schmidt").count() == 1

    def test_the_form_creates_anyway_when_confirmed(self, client, org, people, visit):
        client.force_login(people.staff)
        data = form_data(org, people, **{"guests-0-allow_duplicate": "on"})
        assert client.post(reverse("visitors:visit_create"), data).status_code == 302
        assert Person.objects.filter(family_name="Schmidt").count() == 2

    def test_the_picker_finds_guests_on_record_by_name(self, client, people, visit):
        existing = visit.guests.get().person
        existing.name_zh = "安娜"
        existing.save()
        client.force_login(people.staff)
        for query in ("schmidt", "Anna Schmidt", "安娜"):
            html = client.get(reverse("visitors:visit_people"), {"guests-0-person_search": query}).content
            assert f'value="{existing.pk}"'.encode() in html, query
        html = client.get(reverse("visitors:visit_people"), {"guests-0-person_search": "Nobody"}).content
        assert f'value="{existing.pk}"'.encode() not in html


# --- fault 4 and 5: names once, labels with their context --------------------------------------------------


class TestGuestNamesAndLabels:
    @pytest.fixture
    def named(self, visit):
        person = visit.guests.get().person
        person.family_name, person.given_name, person.name_zh = "Tester", "Anna", "安娜"
        person.save()
        return visit

    def test_each_name_once_in_english(self, client, people, named):
        client.force_login(people.staff)
        body = client.get(reverse("visitors:visit_detail", args=[named.pk])).content.decode()
        row = body.split('id="delegation"')[1].split("</table>")[0]
        assert row.count("安娜") == 1 and row.count("TESTER Anna") == 1

    def test_each_name_once_in_chinese(self, client, people, named):
        client.force_login(people.staff)
        response = client.get(
            reverse("visitors:visit_detail", args=[named.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        body = response.content.decode()
        assert 'lang="zh-hans"' in body
        row = body.split('id="delegation"')[1].split("</table>")[0]
        assert row.count("安娜") == 1 and "TESTER Anna" in row

    def test_labels_in_chinese_are_not_the_budget_or_feed_words(self, client, people, visit):
        client.force_login(people.staff)
        response = client.get(
            reverse("visitors:visit_detail", args=[visit.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        body = response.content.decode()
        summary = body.split('id="summary"')[1].split("</section>")[0]
        programme = body.split('id="programme"')[1].split("</section>")[0]
        assert "住宿费" not in summary  # the budget's cost, not where the guests stay
        assert "动态" not in programme and "日程</th>" not in programme

    def test_programme_form_labels_carry_their_context(self):
        from meridian.visitors.forms import ProgrammeForm

        form = ProgrammeForm()
        assert str(form.fields["title"].label) == "Activity" and str(form.fields["day"].label) == "Day"
        from django.utils import translation

        with translation.override("zh-hans"):
            assert str(form.fields["title"].label) != "动态"


# --- fault 6: visa copies only for those who may see the guests' data ------------------------------------


class TestVisaCopies:
    @pytest.fixture
    def visa(self, people, visit):
        upload = SimpleUploadedFile("visa.pdf", PDF, content_type="application/pdf")
        return services.visit_file_add(visit=visit, actor=people.staff, kind="visa", uploaded=upload)

    @pytest.fixture
    def letter(self, people, visit):
        upload = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
        return services.visit_file_add(visit=visit, actor=people.staff, kind="request", uploaded=upload)

    def test_leadership_sees_the_visit_but_not_the_visa_copy(self, client, people, visit, visa, letter):
        client.force_login(people.leadership)
        body = client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode()
        assert "letter.pdf" in body and "visa.pdf" not in body
        assert client.get(reverse("visitors:visit_file", args=[visit.pk, visa.pk])).status_code == 404
        assert client.get(reverse("visitors:visit_file", args=[visit.pk, letter.pk])).status_code == 200
        url = reverse("visitors:visit_file_delete", args=[visit.pk, visa.pk])
        assert client.post(url).status_code == 404

    @pytest.mark.parametrize("role", ["staff", "coordinator", "officer"])
    def test_those_who_handle_the_visit_get_it(self, client, people, visit, visa, role):
        client.force_login(getattr(people, role))
        body = client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode()
        assert "visa.pdf" in body
        assert client.get(reverse("visitors:visit_file", args=[visit.pk, visa.pk])).status_code == 200
