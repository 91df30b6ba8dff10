"""The student portal's pages: home, call, application (autosave, the Save button, preferences, uploads,
moves, messages), file downloads, landing and navigation — for every role that may or may not use them."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from meridian.core.registry import registry
from meridian.mobility.choices import ApplicationState, CallState, DocumentKind
from meridian.mobility.models import Application, ApplicationFile, ApplicationMessage
from meridian.mobility.services import applications as services
from meridian.mobility.tests.factories import make_application, make_call, make_mobility, student_user
from meridian.mobility.tests.test_student_services import EXE, PDF, pdf, sibling_services  # noqa: F401
from meridian.people.models import AccessLog


@pytest.fixture
def call(world, org):
    return make_call(
        unit=org.intl_office,
        destinations=[(world.partner, 2, world.outgoing), (world.other_partner, 1, world.other_outgoing)],
    )


@pytest.fixture
def student(org):
    return student_user(org.computing, "stu1")


@pytest.fixture
def other_student(org):
    return student_user(org.computing, "stu2", family_name="Wang")


def page(pk: int) -> str:
    return reverse("mobility:student_application", args=[pk])


def form_data(application, **changes) -> dict:
    """What the application form posts for ``application`` as stored, with ``changes``."""
    data = {
        "version": str(application.version),
        "programme": application.programme,
        "year_of_study": application.year_of_study or "",
        "grade_average": application.grade_average or "",
        "language": application.language,
        "cefr_level": application.cefr_level,
        "language_certificate": application.language_certificate,
        "clean_record": {True: "yes", False: "no"}.get(application.clean_record, ""),
        "motivation": application.motivation,
        "upload-kind": DocumentKind.TRANSCRIPT,
    }
    for preference in application.preferences.all():
        data[f"preference_{preference.rank}"] = str(preference.destination_id)
    data.update(changes)
    return data


# --- home, call, landing, navigation ---------------------------------------------------------------------


def test_home_shows_calls_applications_todo_and_offers(client, call, world, org, student):
    published = make_call(unit=org.intl_office, state=CallState.PUBLISHED, destinations=[(world.partner, 1)])
    draft = make_application(call, student, motivation="")
    offer = make_application(
        published,
        student,
        state=ApplicationState.OFFERED,
        offered=published.destinations.get(),
        offer_expires_on=datetime.date(2099, 3, 1),
        allocation=[{"preference": 1, "destination": published.destinations.get().pk, "outcome": "offered"}],
    )
    client.force_login(student)
    response = client.get(reverse("mobility:student_home"))
    assert response.status_code == 200
    text = response.content.decode()
    assert call.title in text and page(draft.pk) in text
    assert "Write your motivation." in text
    assert "2099-03-01" in text and page(offer.pk) in text
    assert f"Preference 1: you were offered a place at {world.partner}." in text


def test_home_hides_the_result_until_published(client, call, world, org, student):
    allocated = make_call(unit=org.intl_office, state=CallState.ALLOCATED, destinations=[(world.partner, 1)])
    make_application(
        allocated,
        student,
        state=ApplicationState.WAITLISTED,
        allocation=[
            {"preference": 1, "destination": allocated.destinations.get().pk, "outcome": "waitlisted"}
        ],
    )
    client.force_login(student)
    text = client.get(reverse("mobility:student_home")).content.decode()
    assert "waiting list" not in text
    assert "Approved by the school" in text


def test_home_links_mobilities_and_learning_agreements(client, world, org, student):
    make_mobility(partner=world.partner, home_unit=org.engineering, person=student.person, student=student)
    client.force_login(student)
    response = client.get(reverse("mobility:student_home"))
    assert response.status_code == 200
    assert str(world.partner) in response.content.decode()


def test_home_is_for_students_only(client, people, world):
    for user in (people.officer, people.coordinator, people.staff, world.contact, people.outsider):
        client.force_login(user)
        assert client.get(reverse("mobility:student_home")).status_code == 403
    client.logout()
    assert client.get(reverse("mobility:student_home")).status_code == 302


def test_students_land_on_their_exchange_page(client, student, people):
    client.force_login(student)
    response = client.get(reverse("workflow:landing"))
    assert response.status_code == 302 and response["Location"] == reverse("mobility:student_home")
    client.force_login(people.officer)
    assert client.get(reverse("workflow:landing"))["Location"] == reverse("dashboard:home")


def test_my_exchange_entry_only_for_students(student, people, world):
    entry = next(e for e in registry.nav if e.key == "my_exchange")
    assert entry.visible(student)
    for user in (people.officer, people.coordinator, people.staff, people.leadership, world.contact):
        assert not entry.visible(user)


def test_call_page_and_apply(client, call, student, people):
    client.force_login(student)
    response = client.get(reverse("mobility:student_call", args=[call.pk]))
    assert response.status_code == 200
    assert reverse("mobility:application_start", args=[call.pk]) in response.content.decode()
    assert client.get(reverse("mobility:application_start", args=[call.pk])).status_code == 405
    response = client.post(reverse("mobility:application_start", args=[call.pk]))
    application = Application.objects.get(call=call, student=student)
    assert response.status_code == 302 and response["Location"] == page(application.pk)
    client.post(reverse("mobility:application_start", args=[call.pk]))
    assert Application.objects.filter(call=call, student=student).count() == 1
    client.force_login(people.staff)
    assert client.post(reverse("mobility:application_start", args=[call.pk])).status_code == 403


def test_apply_to_a_closed_or_hidden_call(client, call, world, org, student):
    call.closes_at = timezone.now() - datetime.timedelta(hours=1)
    call.save()
    client.force_login(student)
    response = client.post(reverse("mobility:application_start", args=[call.pk]), follow=True)
    assert "not open" in response.content.decode()
    hidden = make_call(unit=org.intl_office, state=CallState.DRAFT, destinations=[(world.partner, 1)])
    assert client.get(reverse("mobility:student_call", args=[hidden.pk])).status_code == 404
    assert client.post(reverse("mobility:application_start", args=[hidden.pk])).status_code == 404
    assert not Application.objects.exists()


# --- the application page -----------------------------------------------------------------------------


def test_only_the_student_opens_their_application(client, call, student, other_student, people, world):
    application = make_application(call, student)
    client.force_login(student)
    response = client.get(page(application.pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    for user in (other_student, people.coordinator, people.officer, world.contact, people.outsider):
        client.force_login(user)
        assert client.get(page(application.pk)).status_code == 404
        assert client.post(page(application.pk), form_data(application, programme="X")).status_code == 404
    assert Application.objects.get(pk=application.pk).programme == "Electrical Engineering"


def test_autosave_saves_and_answers_with_the_todo_list(client, call, student):
    application = make_application(call, student, motivation="")
    client.force_login(student)
    response = client.post(
        page(application.pk),
        form_data(application, motivation="Power systems", autosave="1"),
        HTTP_X_AUTOSAVE="1",
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] and answer["version"] == 2
    assert "Write your motivation." not in answer["missing"]
    assert any("Transcript" in m for m in answer["missing"])
    assert Application.objects.get(pk=application.pk).motivation == "Power systems"


def test_autosave_keeps_valid_fields_and_reports_bad_ones(client, call, student):
    application = make_application(call, student)
    client.force_login(student)
    response = client.post(
        page(application.pk),
        form_data(application, grade_average="9.5", programme="Robotics"),
        HTTP_X_AUTOSAVE="1",
    )
    answer = response.json()
    assert answer["ok"] and "grade_average" in answer["errors"]
    stored = Application.objects.get(pk=application.pk)
    assert stored.programme == "Robotics" and stored.grade_average == application.grade_average


def test_autosave_refuses_a_stale_version(client, call, student):
    application = make_application(call, student)
    client.force_login(student)
    client.post(page(application.pk), form_data(application, programme="Tab A"), HTTP_X_AUTOSAVE="1")
    response = client.post(
        page(application.pk), form_data(application, programme="Tab B", version="1"), HTTP_X_AUTOSAVE="1"
    )
    assert response.status_code == 409
    assert "another tab" in response.json()["message"]
    assert Application.objects.get(pk=application.pk).programme == "Tab A"


def test_save_button_without_javascript(client, call, student):
    application = make_application(call, student)
    client.force_login(student)
    response = client.post(page(application.pk), form_data(application, action="save", programme="Robotics"))
    assert response.status_code == 302
    stored = Application.objects.get(pk=application.pk)
    assert stored.programme == "Robotics" and stored.version == 2


def test_stale_save_keeps_what_the_student_typed(client, call, student):
    application = make_application(call, student)
    client.force_login(student)
    client.post(page(application.pk), form_data(application, action="save", programme="Tab A"))
    response = client.post(page(application.pk), form_data(application, action="save", programme="Tab B"))
    assert response.status_code == 409
    text = response.content.decode()
    assert "another tab" in text and 'value="Tab B"' in text
    assert 'name="version" value="2"' in text
    assert Application.objects.get(pk=application.pk).programme == "Tab A"
    # Saving the page as shown applies the student's version over the stored one.
    response = client.post(
        page(application.pk), form_data(application, action="save", programme="Tab B", version="2")
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).programme == "Tab B"


def test_bad_input_on_save_stores_nothing(client, call, student):
    application = make_application(call, student)
    client.force_login(student)
    first, second = list(call.destinations.all())
    for changes in (
        {"grade_average": "5"},
        {"year_of_study": "12"},
        {"language": "klingon"},
        {"preference_1": str(first.pk), "preference_2": str(first.pk)},
        {"preference_1": "999999"},
    ):
        response = client.post(
            page(application.pk), form_data(application, action="save", programme="New", **changes)
        )
        assert response.status_code == 400, changes
        assert 'value="New"' in response.content.decode()
    assert Application.objects.get(pk=application.pk).version == 1


def test_preferences_move_up_and_down_without_javascript(client, call, student):
    first, second = list(call.destinations.all())
    application = make_application(call, student, preferences=[first, second])
    client.force_login(student)
    response = client.post(page(application.pk), form_data(application, action="up:2"))
    assert response.status_code == 302
    assert [p.destination_id for p in application.preferences.order_by("rank")] == [second.pk, first.pk]
    application.refresh_from_db()
    client.post(page(application.pk), form_data(application, action="down:1"))
    assert [p.destination_id for p in application.preferences.order_by("rank")] == [first.pk, second.pk]


def test_page_offers_select_per_rank_and_buttons(client, call, student):
    application = make_application(call, student)
    client.force_login(student)
    text = client.get(page(application.pk)).content.decode()
    for rank in (1, 2, 3):
        assert f'name="preference_{rank}"' in text
        assert f'value="up:{rank}"' in text and f'value="down:{rank}"' in text
    assert "mobility/application.js" in text and "<script>" not in text and "style=" not in text


def test_upload_through_the_page(client, call, student):
    application = make_application(call, student)
    client.force_login(student)
    data = form_data(application, action="upload")
    data["upload-file"] = SimpleUploadedFile("Transcript.pdf", PDF, content_type="application/pdf")
    assert client.post(page(application.pk), data).status_code == 302
    stored = application.files.get()
    assert stored.kind == DocumentKind.TRANSCRIPT and stored.original_name == "Transcript.pdf"
    application.refresh_from_db()
    data = form_data(application, action="upload", programme="Changed")
    data["upload-file"] = SimpleUploadedFile("grades.pdf", EXE, content_type="application/pdf")
    response = client.post(page(application.pk), data)
    assert response.status_code == 400
    assert "not a PDF" in response.content.decode()
    assert application.files.count() == 1
    assert Application.objects.get(pk=application.pk).programme == "Electrical Engineering"
    application.refresh_from_db()
    response = client.post(page(application.pk), form_data(application, action=f"delete_file:{stored.pk}"))
    assert response.status_code == 302 and not application.files.exists()


def test_submit_from_the_page(client, call, student):
    application = make_application(call, student)
    client.force_login(student)
    response = client.post(page(application.pk), form_data(application, action="submit"), follow=True)
    assert "not submitted" in response.content.decode()
    assert Application.objects.get(pk=application.pk).state == ApplicationState.DRAFT
    for kind in call.required_documents:
        services.application_file_add(application=application, actor=student, kind=kind, uploaded=pdf())
    application.refresh_from_db()
    response = client.post(page(application.pk), form_data(application, action="submit"))
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED
    text = client.get(page(application.pk)).content.decode()
    assert 'id="application-form"' not in text and "Submitted" in text
    application.refresh_from_db()
    response = client.post(
        page(application.pk), form_data(application, action="save", programme="Late"), follow=True
    )
    assert "no longer a draft" in response.content.decode()
    assert Application.objects.get(pk=application.pk).programme != "Late"


def test_an_unknown_answer_to_an_offer_is_refused_and_changes_nothing(client, world, org, student):
    published = make_call(unit=org.intl_office, state=CallState.PUBLISHED, destinations=[(world.partner, 2)])
    offer = make_application(
        published,
        student,
        state=ApplicationState.OFFERED,
        offered=published.destinations.get(),
        offer_expires_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    client.force_login(student)
    for action in ("maybe", "accept", "decline"):
        response = client.post(page(offer.pk), {"action": action})
        assert response.status_code == 400, action
        assert f"“{action}” is not something you can do here" in response.content.decode()
        offer.refresh_from_db()
        assert offer.state == ApplicationState.OFFERED and offer.decided_at is None


def test_withdraw_accept_and_decline_from_the_page(client, call, world, org, student, other_student):
    published = make_call(unit=org.intl_office, state=CallState.PUBLISHED, destinations=[(world.partner, 2)])
    today = timezone.localdate()
    values = {"state": ApplicationState.OFFERED, "offered": published.destinations.get()}
    expired = make_application(
        published, student, offer_expires_on=today - datetime.timedelta(days=1), **values
    )
    open_offer = make_application(published, other_student, offer_expires_on=today, **values)
    client.force_login(student)
    response = client.get(page(expired.pk))
    assert "expired" in response.content.decode()
    response = client.post(page(expired.pk), {"action": "accept_offer"}, follow=True)
    assert "expired" in response.content.decode()
    assert Application.objects.get(pk=expired.pk).state == ApplicationState.OFFERED
    assert client.post(page(open_offer.pk), {"action": "accept_offer"}).status_code == 404
    client.post(page(expired.pk), {"action": "decline_offer", "comment": "Too late anyway"})
    assert Application.objects.get(pk=expired.pk).state == ApplicationState.DECLINED
    client.force_login(other_student)
    client.post(page(open_offer.pk), {"action": "accept_offer"})
    assert Application.objects.get(pk=open_offer.pk).state == ApplicationState.ACCEPTED
    draft = make_application(call, other_student)
    client.post(page(draft.pk), {"action": "withdraw"})
    assert Application.objects.get(pk=draft.pk).state == ApplicationState.WITHDRAWN


# --- messages -----------------------------------------------------------------------------------------------


def test_messages_on_the_page(client, call, student, people):
    application = make_application(call, student)
    services.message_post(
        application=application, author=people.coordinator, body="Staff only note", internal=True
    )
    services.message_post(application=application, author=people.coordinator, body="Please add your CV")
    client.force_login(student)
    text = client.get(page(application.pk)).content.decode()
    assert "Please add your CV" in text and "Staff only note" not in text
    url = reverse("mobility:application_message", args=[application.pk])
    response = client.post(url, {"body": "Done", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == page(application.pk) + "#messages"
    assert client.post(url, {"body": "Secret", "internal": "1"}).status_code == 403
    assert not ApplicationMessage.objects.filter(body="Secret").exists()
    client.force_login(people.other_coordinator)
    assert client.post(url, {"body": "Hello"}).status_code == 404
    client.force_login(people.coordinator)
    response = client.post(url, {"body": "Internal", "internal": "1", "next": page(application.pk)})
    assert ApplicationMessage.objects.get(body="Internal").internal


# --- downloads ------------------------------------------------------------------------------------------


def test_file_downloads_by_role(client, call, student, other_student, people, world):
    application = make_application(call, student)
    stored = services.application_file_add(
        application=application, actor=student, kind=DocumentKind.PASSPORT, uploaded=pdf("passport.pdf")
    )
    url = reverse("mobility:application_file", args=[application.pk, stored.pk])
    allowed = (student, people.coordinator, people.officer, people.admin)
    refused = (other_student, people.other_coordinator, people.staff, world.contact, world.other_contact)
    for user in allowed:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
    for user in refused:
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    # Staff opening a passport copy is in the access log; the student's own download is not.
    assert set(AccessLog.objects.values_list("username", flat=True)) == {"coordinator", "officer", "admin"}


def test_another_applications_file_is_not_found(client, call, student, other_student):
    mine = make_application(call, student)
    theirs = make_application(call, other_student)
    stored = services.application_file_add(
        application=theirs, actor=other_student, kind=DocumentKind.CV, uploaded=pdf()
    )
    client.force_login(student)
    assert client.get(reverse("mobility:application_file", args=[mine.pk, stored.pk])).status_code == 404
    assert client.get(reverse("mobility:application_file", args=[theirs.pk, stored.pk])).status_code == 404
    assert ApplicationFile.objects.filter(pk=stored.pk).exists()


# --- both languages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_in_both_languages(client, call, student, language):
    application = make_application(call, student, motivation="")
    client.force_login(student)
    for url in (
        reverse("mobility:student_home"),
        reverse("mobility:student_call", args=[call.pk]),
        page(application.pk),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        text = response.content.decode()
        assert f'lang="{language}"' in text
        with translation.override(language):
            assert call.title in text
            assert str(translation.gettext("My exchange")) in text
        assert ("交换项目选拔" in text) == (language == "zh-hans")
    with translation.override(language):
        expected = translation.gettext("Write your motivation.")
    assert expected in client.get(page(application.pk), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_call_page_says_why_a_student_holding_a_place_may_not_apply(client, call, world, org, student):
    held = make_application(call, student, state=ApplicationState.ACCEPTED)
    other = make_call(unit=org.intl_office, destinations=[(world.partner, 1, world.outgoing)])
    client.force_login(student)
    text = client.get(reverse("mobility:student_call", args=[other.pk])).content.decode()
    assert 'id="place-held"' in text and held.number in text
    assert reverse("mobility:application_start", args=[other.pk]) not in text
    response = client.post(reverse("mobility:application_start", args=[other.pk]), follow=True)
    assert "already hold a place" in response.content.decode()
    assert not Application.objects.filter(call=other).exists()
