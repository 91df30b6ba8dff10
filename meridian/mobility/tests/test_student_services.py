"""The student's side of an application: start, to-do list, autosave, preferences, answers, files, moves and
messages (services and selectors)."""

from __future__ import annotations

import datetime
import importlib
import sys
import types
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError, TransitionError
from meridian.mobility.choices import ApplicationState, CallState, CefrLevel, DocumentKind, QuestionKind
from meridian.mobility.models import Application, ApplicationFile, ApplicationMessage, CallQuestion
from meridian.mobility.selectors.applications import (
    calls_open_for,
    explain_allocation,
    messages_for,
    student_state,
)
from meridian.mobility.services import applications as services
from meridian.mobility.tests.factories import YEAR, make_application, make_call, student_user
from meridian.people.models import Person

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def sibling_services(monkeypatch):
    """The submit and release effects call the selection and allocation areas' services; where those are
    not installed yet, stand-ins that do nothing take their place."""
    stubs = {
        "meridian.mobility.services.selection": {"eligibility_check": lambda **kwargs: []},
        "meridian.mobility.services.allocation": {
            "place_released": lambda **kwargs: None,
            "results_publish": lambda **kwargs: None,
        },
    }
    for name, functions in stubs.items():
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            module = types.ModuleType(name)
            for attr, function in functions.items():
                setattr(module, attr, function)
            monkeypatch.setitem(sys.modules, name, module)


def pdf(name: str = "transcript.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


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


def complete(call, student, **fields) -> Application:
    """A draft with everything the call asks for."""
    application = make_application(call, student, **fields)
    for kind in call.required_documents:
        services.application_file_add(application=application, actor=student, kind=kind, uploaded=pdf())
    return application


# --- starting --------------------------------------------------------------------------------------------


def test_start_makes_the_person_and_numbers_the_draft(call, people, org):
    student = people.student  # a student account without a Person record
    assert not Person.objects.filter(user=student).exists()
    application = services.application_start(call=call, student=student)
    person = Person.objects.get(user=student)
    assert person.kind == "student" and person.unit == org.computing
    assert application.person == person and application.unit == org.computing
    assert application.state == ApplicationState.DRAFT
    assert application.number.startswith(f"EXA-{YEAR}-")
    assert person.purposes.filter(purpose__code="exchange").exists()
    again = services.application_start(call=call, student=student)
    assert again.pk == application.pk
    assert Application.objects.filter(call=call, student=student).count() == 1


def test_start_numbers_follow_each_other(call, student, other_student):
    one = services.application_start(call=call, student=student)
    two = services.application_start(call=call, student=other_student)
    assert int(two.number.rsplit("-", 1)[1]) == int(one.number.rsplit("-", 1)[1]) + 1


@pytest.mark.parametrize(
    "change",
    [
        {"state": CallState.DRAFT},
        {"state": CallState.CLOSED},
        {"closes_at": timezone.now() - datetime.timedelta(minutes=1)},
        {
            "opens_at": timezone.now() + datetime.timedelta(days=1),
            "closes_at": timezone.now() + datetime.timedelta(days=9),
        },
    ],
)
def test_start_refused_when_the_call_is_not_open(call, student, change):
    for name, value in change.items():
        setattr(call, name, value)
    call.save()
    with pytest.raises(DomainError, match="not open"):
        services.application_start(call=call, student=student)
    assert not Application.objects.filter(student=student).exists()


def test_only_students_start(call, people, world):
    for user in (people.staff, people.officer, people.coordinator, people.outsider, world.contact):
        with pytest.raises(PermissionDeniedError):
            services.application_start(call=call, student=user)
    assert not Application.objects.exists()


def test_a_schools_call_is_for_its_own_students(world, org, student):
    humanities = make_call(unit=org.humanities, destinations=[(world.partner, 1)])
    engineering = make_call(unit=org.engineering, destinations=[(world.partner, 1)])
    with pytest.raises(PermissionDeniedError, match="School of Humanities"):
        services.application_start(call=humanities, student=student)
    assert services.application_start(call=engineering, student=student).unit == org.computing
    assert [c.pk for c in calls_open_for(user=student)] == [engineering.pk]


def test_start_carries_over_programme_and_language(call, world, org, student):
    earlier = make_call(unit=org.intl_office, destinations=[(world.partner, 1)])
    make_application(earlier, student, programme="Robotics", language="de", cefr_level=CefrLevel.B2)
    application = services.application_start(call=call, student=student)
    assert (application.programme, application.language, application.cefr_level) == ("Robotics", "de", "B2")
    assert application.grade_average is None


# --- the to-do list --------------------------------------------------------------------------------------


def test_todo_lists_everything_a_new_draft_lacks(call, student):
    CallQuestion.objects.create(call=call, text_en="Why this partner?", required=True)
    CallQuestion.objects.create(call=call, text_en="Anything else?", required=False)
    application = services.application_start(call=call, student=student)
    missing = services.application_missing(application)
    text = " ".join(missing)
    for expected in (
        "Rank at least one destination.",
        "programme",
        "year of study",
        "grade average",
        "CEFR",
        "disciplinary declaration",
        "motivation",
        "Transcript of records",
        "Language certificate",
        "Why this partner?",
    ):
        assert expected in text
    assert "Anything else?" not in text
    assert len(missing) == 10


def test_todo_is_empty_when_complete_and_follows_each_part(call, student):
    question = CallQuestion.objects.create(call=call, text_en="Why?", kind=QuestionKind.YES_NO)
    application = complete(call, student, answers={str(question.pk): "yes"})
    assert services.application_missing(application) == []
    application.answers = {}
    application.clean_record = None
    application.save()
    application.files.filter(kind=DocumentKind.LANGUAGE).delete()
    missing = services.application_missing(application)
    assert len(missing) == 3
    assert any("Language certificate" in m for m in missing)


def test_language_needed_only_when_asked(world, org, student):
    call = make_call(unit=org.intl_office, language="", min_cefr="", destinations=[(world.partner, 1)])
    application = make_application(call, student, language="", cefr_level="")
    assert not any("CEFR" in m for m in services.application_missing(application))
    call.destinations.update(language="fr", min_cefr="B1")
    assert any("CEFR" in m for m in services.application_missing(application))


# --- autosave ------------------------------------------------------------------------------------------


def test_save_stores_fields_preferences_and_answers(call, student):
    question = CallQuestion.objects.create(call=call, text_en="Why?", kind=QuestionKind.LONG_TEXT)
    application = services.application_start(call=call, student=student)
    destinations = list(call.destinations.order_by("-pk"))
    saved = services.application_save(
        application=application,
        actor=student,
        expected_version=application.version,
        fields={
            "grade_average": "3.456",
            "year_of_study": "3",
            "language": "EN",
            "cefr_level": "c1",
            "clean_record": "yes",
        },
        preferences=[d.pk for d in destinations],
        answers={str(question.pk): "  Power systems.  "},
    )
    saved.refresh_from_db()
    assert saved.version == application.version + 1
    assert saved.grade_average == Decimal("3.46") and saved.year_of_study == 3
    assert (saved.language, saved.cefr_level, saved.clean_record) == ("en", "C1", True)
    assert saved.answers == {str(question.pk): "Power systems."}
    assert [p.destination_id for p in saved.preferences.order_by("rank")] == [d.pk for d in destinations]


def test_stale_save_is_refused_and_nothing_is_lost(call, student):
    application = services.application_start(call=call, student=student)
    first = services.application_save(
        application=application, actor=student, expected_version=1, fields={"programme": "Tab A"}
    )
    assert first.version == 2
    with pytest.raises(StaleEditError) as caught:
        services.application_save(
            application=application,
            actor=student,
            expected_version=1,
            fields={"programme": "Tab B"},
            preferences=[call.destinations.first().pk],
        )
    assert "another tab" in caught.value.message
    assert caught.value.current_version == 2
    assert [c.field for c in caught.value.changes] == ["programme"]
    application.refresh_from_db()
    assert application.programme == "Tab A" and application.version == 2
    assert not application.preferences.exists()
    # Saving again on the current version applies the second tab's values.
    services.application_save(
        application=application, actor=student, expected_version=2, fields={"programme": "Tab B"}
    )
    application.refresh_from_db()
    assert application.programme == "Tab B"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("grade_average", "4.01", "0 to 4"),
        ("grade_average", "-1", "0 to 4"),
        ("grade_average", "three", "0 to 4"),
        ("grade_average", "NaN", "0 to 4"),
        ("year_of_study", "0", "1 to 8"),
        ("year_of_study", "9", "1 to 8"),
        ("year_of_study", "2.5", "1 to 8"),
        ("year_of_study", Decimal("2.5"), "1 to 8"),  # never cut to 2
        ("year_of_study", 2.5, "1 to 8"),
        ("cefr_level", "D1", "A1 to C2"),
        ("language", "english", "ISO 639-1"),
        ("language", "xx", "ISO 639-1"),
        ("clean_record", "maybe", "yes or no"),
        ("programme", "x" * 201, "200"),
        ("number", "EXA-1", "not a field"),
        ("state", "submitted", "not a field"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(call, student, field, value, words):
    application = make_application(call, student, programme="Before")
    with pytest.raises(ValidationError) as caught:
        services.application_save(
            application=application,
            actor=student,
            expected_version=application.version,
            fields={field: value, "motivation": "changed"},
        )
    assert field in caught.value.message_dict
    assert words in " ".join(caught.value.message_dict[field])
    stored = Application.objects.get(pk=application.pk)
    assert (stored.version, stored.motivation, stored.programme) == (1, application.motivation, "Before")


def test_grade_scale_follows_the_call(world, org, student):
    call = make_call(
        unit=org.intl_office,
        grade_scale=Decimal(100),
        min_grade=Decimal(80),
        destinations=[(world.partner, 1)],
    )
    application = make_application(call, student)
    saved = services.application_save(
        application=application, actor=student, expected_version=1, fields={"grade_average": "87.5"}
    )
    assert saved.grade_average == Decimal("87.50")


def test_preference_rules(call, world, org, student):
    other_call = make_call(unit=org.intl_office, destinations=[(world.partner, 1)])
    foreign = other_call.destinations.get()
    mine = list(call.destinations.all())
    call.max_preferences = 1
    call.save()
    application = make_application(call, student, preferences=[mine[0]])
    cases = [
        ([mine[0].pk, mine[1].pk], "at most 1"),
        ([foreign.pk], "offered in this call"),
        (["abc"], "from the list"),
    ]
    for preferences, words in cases:
        with pytest.raises(ValidationError) as caught:
            services.application_save(
                application=application, actor=student, expected_version=1, fields={}, preferences=preferences
            )
        assert words in " ".join(caught.value.message_dict["preferences"])
    call.max_preferences = 3
    call.save()
    with pytest.raises(ValidationError, match="only once"):
        services.application_save(
            application=application,
            actor=student,
            expected_version=1,
            fields={},
            preferences=[mine[1].pk, mine[1].pk],
        )
    assert [p.destination_id for p in application.preferences.all()] == [mine[0].pk]
    services.application_save(
        application=application, actor=student, expected_version=1, fields={}, preferences=[]
    )
    assert not application.preferences.exists()


def test_answer_rules(call, world, org, student):
    yes_no = CallQuestion.objects.create(call=call, text_en="Stay a year?", kind=QuestionKind.YES_NO)
    short = CallQuestion.objects.create(call=call, text_en="Your hobby", kind=QuestionKind.TEXT)
    foreign = CallQuestion.objects.create(
        call=make_call(unit=org.intl_office, destinations=[(world.partner, 1)]), text_en="Elsewhere"
    )
    application = make_application(call, student)
    for answers, words in [
        ({str(yes_no.pk): "perhaps"}, "yes or no"),
        ({str(short.pk): "x" * 501}, "more than 500"),
        ({str(foreign.pk): "yes"}, "does not ask"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.application_save(
                application=application, actor=student, expected_version=1, fields={}, answers=answers
            )
        assert words in " ".join(caught.value.message_dict["answers"])
    assert Application.objects.get(pk=application.pk).answers == {}


def test_only_the_owner_saves_and_only_a_draft(call, student, other_student, people):
    application = make_application(call, student)
    for actor in (other_student, people.coordinator, people.officer):
        with pytest.raises(PermissionDeniedError):
            services.application_save(
                application=application, actor=actor, expected_version=1, fields={"programme": "X"}
            )
    for state in (ApplicationState.SUBMITTED, ApplicationState.OFFERED, ApplicationState.WITHDRAWN):
        Application.objects.filter(pk=application.pk).update(state=state)
        with pytest.raises(PermissionDeniedError, match="draft"):
            services.application_save(
                application=application, actor=student, expected_version=1, fields={"programme": "X"}
            )
    assert Application.objects.get(pk=application.pk).programme == "Electrical Engineering"


# --- files ----------------------------------------------------------------------------------------------


def test_upload_checks_the_content(call, student):
    application = make_application(call, student)
    stored = services.application_file_add(
        application=application, actor=student, kind=DocumentKind.TRANSCRIPT, uploaded=pdf()
    )
    assert stored.content_type == "application/pdf" and stored.size == len(PDF) and len(stored.sha256) == 64
    for name in ("transcript.pdf", "transcript.exe", "scan.jpg"):
        with pytest.raises(DomainError, match="not a PDF"):
            services.application_file_add(
                application=application,
                actor=student,
                kind=DocumentKind.TRANSCRIPT,
                uploaded=SimpleUploadedFile(name, EXE, content_type="application/pdf"),
            )
    with pytest.raises(DomainError, match="empty"):
        services.application_file_add(
            application=application,
            actor=student,
            kind=DocumentKind.CV,
            uploaded=SimpleUploadedFile("a.pdf", b""),
        )
    with pytest.raises(ValidationError):
        services.application_file_add(application=application, actor=student, kind="selfie", uploaded=pdf())
    assert list(application.files.all()) == [stored]


def test_files_only_by_the_owner_of_a_draft(call, student, other_student, people):
    application = make_application(call, student)
    stored = services.application_file_add(
        application=application, actor=student, kind=DocumentKind.CV, uploaded=pdf()
    )
    for actor in (other_student, people.coordinator):
        with pytest.raises(PermissionDeniedError):
            services.application_file_add(
                application=application, actor=actor, kind=DocumentKind.CV, uploaded=pdf()
            )
        with pytest.raises(PermissionDeniedError):
            services.application_file_delete(file=stored, actor=actor)
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.SUBMITTED)
    with pytest.raises(PermissionDeniedError):
        services.application_file_add(
            application=application, actor=student, kind=DocumentKind.CV, uploaded=pdf()
        )
    with pytest.raises(PermissionDeniedError):
        services.application_file_delete(file=stored, actor=student)
    assert ApplicationFile.objects.filter(pk=stored.pk).exists()


def test_file_limit_per_kind_and_delete(call, student, django_capture_on_commit_callbacks):
    application = make_application(call, student)
    files = [
        services.application_file_add(
            application=application, actor=student, kind=DocumentKind.OTHER, uploaded=pdf()
        )
        for _ in range(services.MAX_FILES_PER_KIND)
    ]
    with pytest.raises(ValidationError, match="At most"):
        services.application_file_add(
            application=application, actor=student, kind=DocumentKind.OTHER, uploaded=pdf()
        )
    storage, name = files[0].file.storage, files[0].file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_file_delete(file=files[0], actor=student)
    assert not storage.exists(name)
    assert application.files.count() == services.MAX_FILES_PER_KIND - 1


# --- moves -------------------------------------------------------------------------------------------------


def test_submit_guard_lists_what_is_missing(call, student):
    application = make_application(call, student, motivation="")
    with pytest.raises(TransitionError) as caught:
        services.application_submit(application=application, actor=student)
    assert "Write your motivation." in caught.value.message
    assert "Transcript of records" in caught.value.message
    assert Application.objects.get(pk=application.pk).state == ApplicationState.DRAFT


@pytest.mark.parametrize(
    "change",
    [{"state": CallState.CLOSED}, {"closes_at": timezone.now() - datetime.timedelta(seconds=1)}],
)
def test_submit_refused_after_the_deadline(call, student, change):
    application = complete(call, student)
    for name, value in change.items():
        setattr(call, name, value)
    call.save()
    with pytest.raises(TransitionError, match="closed"):
        services.application_submit(application=Application.objects.get(pk=application.pk), actor=student)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.DRAFT


def test_submit_a_complete_application(call, student, other_student):
    application = complete(call, student)
    with pytest.raises(PermissionDeniedError):
        services.application_submit(application=application, actor=other_student)
    submitted = services.application_submit(application=application, actor=student)
    assert submitted.state == ApplicationState.SUBMITTED and submitted.submitted_at is not None
    with pytest.raises(TransitionError):
        services.application_submit(application=submitted, actor=student)


def test_withdraw(call, student, other_student, people):
    application = make_application(call, student, state=ApplicationState.SUBMITTED)
    for actor in (other_student, people.coordinator):
        with pytest.raises(PermissionDeniedError):
            services.application_withdraw(application=application, actor=actor)
    withdrawn = services.application_withdraw(
        application=application, actor=student, comment="Changed my mind"
    )
    assert withdrawn.state == ApplicationState.WITHDRAWN
    nominated = make_application(call, other_student, state=ApplicationState.NOMINATED)
    with pytest.raises(TransitionError):
        services.application_withdraw(application=nominated, actor=other_student)


def _offered(call, student, *, expires) -> Application:
    destination = call.destinations.first()
    return make_application(
        call,
        student,
        state=ApplicationState.OFFERED,
        offered=destination,
        offered_preference=1,
        offer_expires_on=expires,
    )


def test_accept_an_offer_until_its_last_day(call, student, other_student):
    call.state = CallState.PUBLISHED
    call.save()
    today = timezone.localdate()
    application = _offered(call, student, expires=today)
    with pytest.raises(PermissionDeniedError):
        services.offer_accept(application=application, actor=other_student)
    accepted = services.offer_accept(application=application, actor=student)
    assert accepted.state == ApplicationState.ACCEPTED and accepted.decided_at is not None


def test_expired_or_unpublished_offer_cannot_be_accepted(call, student, other_student):
    call.state = CallState.PUBLISHED
    call.save()
    expired = _offered(call, student, expires=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(TransitionError, match="expired"):
        services.offer_accept(application=expired, actor=student)
    assert Application.objects.get(pk=expired.pk).state == ApplicationState.OFFERED
    call.state = CallState.ALLOCATED
    call.save()
    hidden = _offered(call, other_student, expires=timezone.localdate() + datetime.timedelta(days=3))
    with pytest.raises(TransitionError, match="not published"):
        services.offer_accept(application=hidden, actor=other_student)


def test_decline_an_offer(call, student, other_student):
    call.state = CallState.PUBLISHED
    call.save()
    application = _offered(call, student, expires=timezone.localdate() + datetime.timedelta(days=3))
    with pytest.raises(PermissionDeniedError):
        services.offer_decline(application=application, actor=other_student)
    declined = services.offer_decline(application=application, actor=student, comment="Staying home")
    assert declined.state == ApplicationState.DECLINED
    with pytest.raises(TransitionError):
        services.offer_accept(application=declined, actor=student)


def test_student_sees_offers_only_once_published(call, student):
    call.state = CallState.ALLOCATED
    call.save()
    application = _offered(call, student, expires=None)
    assert student_state(application)[0] == ApplicationState.PRE_APPROVED
    call.state = CallState.PUBLISHED
    call.save()
    assert student_state(application)[0] == ApplicationState.OFFERED


# --- messages -------------------------------------------------------------------------------------------


def test_messages_between_student_and_school(call, student, other_student, people, world):
    application = make_application(call, student)
    first = services.message_post(
        application=application, author=student, body="  Is a CET-6 certificate enough?  "
    )
    assert first.body == "Is a CET-6 certificate enough?" and not first.internal
    note = services.message_post(
        application=application, author=people.coordinator, body="Check grades", internal=True
    )
    reply = services.message_post(application=application, author=people.coordinator, body="Yes, it is.")
    assert list(messages_for(application=application, user=student)) == [first, reply]
    assert list(messages_for(application=application, user=people.coordinator)) == [first, note, reply]
    assert student.notifications.filter(verb="mobility.application_message").count() == 1
    services.message_post(application=application, author=student, body="Thank you")
    assert people.coordinator.notifications.filter(verb="mobility.application_message").count() == 1


def test_message_rules(call, student, other_student, people, world):
    application = make_application(call, student)
    with pytest.raises(PermissionDeniedError, match="staff only"):
        services.message_post(application=application, author=student, body="psst", internal=True)
    for outsider in (other_student, people.other_coordinator, people.staff, world.contact, people.leadership):
        with pytest.raises(PermissionDeniedError):
            services.message_post(application=application, author=outsider, body="Hello")
    for body in ("", "   ", "x" * (services.MAX_MESSAGE + 1)):
        with pytest.raises(ValidationError):
            services.message_post(application=application, author=student, body=body)
    assert not ApplicationMessage.objects.exists()


def test_messages_marked_read_by_the_student(call, student, people):
    application = make_application(call, student)
    services.message_post(application=application, author=people.coordinator, body="Hello")
    services.message_post(application=application, author=people.coordinator, body="Internal", internal=True)
    assert services.messages_mark_read(application=application, reader=student) == 1
    assert ApplicationMessage.objects.filter(internal=True, read_at__isnull=True).count() == 1


# --- the allocation explanation ---------------------------------------------------------------------------


def test_explain_allocation_in_sentences(call, student, world):
    first, second = list(call.destinations.all())
    application = make_application(
        call,
        student,
        allocation=[
            {"preference": 3, "destination": 999999, "outcome": "not_reached"},
            {"preference": 2, "destination": second.pk, "outcome": "offered"},
            {"preference": 1, "destination": first.pk, "outcome": "taken", "by_rank": 12},
            {"preference": 4, "destination": first.pk, "outcome": "something new"},
        ],
    )
    assert explain_allocation(application) == [
        f"Preference 1: the places at {world.partner} went to higher-ranked applicants "
        "(last place: rank 12).",
        f"Preference 2: you were offered a place at {world.other_partner}.",
        "Preference 3: a destination no longer offered was not considered, because you were offered a place "
        "you ranked higher.",
    ]
    application.allocation = [
        {"preference": 1, "destination": first.pk, "outcome": "not_eligible"},
        {"preference": 2, "destination": second.pk, "outcome": "waitlisted", "by_rank": 7},
    ]
    assert explain_allocation(application) == [
        f"Preference 1: you do not meet the requirements of {world.partner}.",
        f"Preference 2: you are on the waiting list for {world.other_partner} (last place given: rank 7).",
    ]
    application.allocation = []
    assert explain_allocation(application) == []


# --- one place per period -------------------------------------------------------------------------------


@pytest.mark.parametrize("held_state", [ApplicationState.ACCEPTED, ApplicationState.NOMINATED])
def test_a_student_holding_a_place_does_not_apply_again_for_the_period(
    call, world, org, student, other_student, held_state
):
    from meridian.mobility.choices import Semester

    held = make_application(call, student, state=held_state)
    same = make_call(unit=org.intl_office, destinations=[(world.partner, 1, world.outgoing)])
    full_year = make_call(
        unit=org.intl_office, semester=Semester.FULL_YEAR, destinations=[(world.partner, 1)]
    )
    for other in (same, full_year):
        with pytest.raises(DomainError, match="already hold a place") as refused:
            services.application_start(call=other, student=student)
        assert held.number in refused.value.message
        assert not Application.objects.filter(call=other, student=student).exists()
    # Another semester or another year is another period; other students are not concerned.
    spring = make_call(unit=org.intl_office, semester=Semester.SPRING, destinations=[(world.partner, 1)])
    later = make_call(unit=org.intl_office, year=YEAR + 1, destinations=[(world.partner, 1)])
    assert services.application_start(call=spring, student=student).state == ApplicationState.DRAFT
    assert services.application_start(call=later, student=student).state == ApplicationState.DRAFT
    assert services.application_start(call=same, student=other_student).state == ApplicationState.DRAFT


def test_a_draft_started_earlier_is_not_submitted_nor_a_second_offer_accepted(call, world, org, student):
    second = make_call(unit=org.intl_office, destinations=[(world.partner, 1, world.outgoing)])
    draft = complete(second, student)
    make_application(call, student, state=ApplicationState.ACCEPTED)
    with pytest.raises(TransitionError, match="already hold a place"):
        services.application_submit(application=draft, actor=student)
    assert Application.objects.get(pk=draft.pk).state == ApplicationState.DRAFT
    second.state = CallState.PUBLISHED
    second.save()
    Application.objects.filter(pk=draft.pk).update(
        state=ApplicationState.OFFERED, offered=second.destinations.first(), offered_preference=1
    )
    draft.refresh_from_db()
    with pytest.raises(TransitionError, match="already hold a place"):
        services.offer_accept(application=draft, actor=student)
    assert Application.objects.get(pk=draft.pk).state == ApplicationState.OFFERED
