"""Acceptance of incoming students: the decision (who may, when), the letter number ``ACC-<year>-<4 digits>``
(unique, retried on a clash), the bilingual letter generated with QR verification (the public page works and
shows no passport number), the e-mail to the student and the partner's coordinators, the rejection with its
reason, and the visa data card (personal data only to those allowed, every reveal logged)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.documents.models import DocumentTemplate, GeneratedDocument
from meridian.documents.tests.helpers import pdf_text
from meridian.mobility import documents_incoming
from meridian.mobility.choices import MobilityState
from meridian.mobility.models import Mobility
from meridian.mobility.services import incoming as services
from meridian.mobility.tests.factories_mobilities import (
    PASSPORT_NUMBER,
    complete_application,
    incoming_mobility,
)
from meridian.people.choices import AccessAction
from meridian.people.crypto import mask_number
from meridian.people.models import AccessLog
from meridian.workflow.services import case_move

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def applied(world, org, people):
    from meridian.mobility.services.incoming import invitation_send

    mobility = incoming_mobility(world, org, state=MobilityState.APPLIED)
    invitation_send(mobility=mobility, actor=people.officer)
    return complete_application(mobility)


def accept(mobility, actor, capture) -> Mobility:
    with capture(execute=True):
        case_move(case=mobility, actor=actor, move="accept")
    mobility.refresh_from_db()
    return mobility


def letters(mobility) -> list[GeneratedDocument]:
    return list(GeneratedDocument.objects.for_subject(mobility).filter(source="mobility_incoming"))


class TestAccept:
    def test_issues_a_numbered_bilingual_letter(self, applied, people, django_capture_on_commit_callbacks):
        mobility = accept(applied, people.officer, django_capture_on_commit_callbacks)
        assert mobility.state == MobilityState.ACCEPTED
        assert re.fullmatch(rf"ACC-{YEAR}-\d{{4}}", mobility.letter_number)
        assert mobility.decided_by == people.officer and mobility.decided_at is not None
        documents = {d.language: d for d in letters(mobility)}
        assert set(documents) == {"en", "zh"}
        english = pdf_text(documents["en"].file.read())
        chinese = pdf_text(documents["zh"].file.read())
        assert "Letter of Acceptance" in english and mobility.letter_number in english
        assert "SCHMIDT Anna" in english and PASSPORT_NUMBER in english
        assert (
            "交换生录取通知书" in chinese and mobility.letter_number in chinese and PASSPORT_NUMBER in chinese
        )
        assert documents["en"].serial != documents["zh"].serial

    def test_the_printed_passport_number_is_logged_under_the_actor(
        self, applied, people, django_capture_on_commit_callbacks
    ):
        accept(applied, people.coordinator, django_capture_on_commit_callbacks)
        entries = AccessLog.objects.filter(person=applied.person, action=AccessAction.UNMASK)
        assert entries.count() == 2
        assert set(entries.values_list("user", flat=True)) == {people.coordinator.pk}

    def test_mails_the_letters_to_the_student_and_the_partners_coordinators(
        self, applied, people, world, django_capture_on_commit_callbacks
    ):
        world.partner.contacts.update(email="")
        world.partner.contacts.filter(user=world.contact).update(email="coordinator@partner.example")
        world.partner.contacts.filter(user=world.viewer).update(email="viewer@partner.example")
        mail.outbox.clear()
        mobility = accept(applied, people.officer, django_capture_on_commit_callbacks)
        sent = {tuple(m.to + m.cc): m for m in mail.outbox if m.attachments}
        # The viewer contact does not get personal data; each reader gets their own language: the student's
        # account has none yet (both languages), the coordinator's contact record says English.
        assert set(sent) == {("anna.schmidt@student.example",), ("coordinator@partner.example",)}
        for message in sent.values():
            assert sorted(name for name, _content, _type in message.attachments) == sorted(
                d.filename for d in letters(mobility)
            )
            assert mobility.letter_number in message.subject
        student = sent[("anna.schmidt@student.example",)]
        assert "is accepted" in student.body and "----------" in student.body
        coordinator = sent[("coordinator@partner.example",)].body
        assert "is accepted" in coordinator and "----------" not in coordinator

    def test_the_letter_mail_is_in_each_readers_language(
        self, applied, people, world, django_capture_on_commit_callbacks
    ):
        """A coordinator whose contact record prefers Chinese reads the e-mail in Chinese; two readers of one
        language share one message (the first in "to", the others in "cc")."""
        from django.utils import translation

        contacts = world.partner.contacts
        contacts.update(email="")
        contacts.filter(user=world.contact).update(
            email="coordinator@partner.example", preferred_language="zh"
        )
        applied.student.set_password("Some-pass-phrase-42")
        applied.student.preferred_language = "zh-hans"
        applied.student.save()
        mail.outbox.clear()
        mobility = accept(applied, people.officer, django_capture_on_commit_callbacks)
        (message,) = [m for m in mail.outbox if m.attachments]
        assert message.to == ["anna.schmidt@student.example"] and message.cc == [
            "coordinator@partner.example"
        ]
        with translation.override("zh-hans"):
            subject = translation.gettext("Acceptance letter %(number)s: %(name)s") % {
                "number": mobility.letter_number,
                "name": mobility.person.latin_name,
            }
        assert message.subject == subject and "----------" not in message.body
        assert "is accepted" not in message.body

    def test_the_verification_page_confirms_the_letter_without_personal_data(
        self, client, applied, people, django_capture_on_commit_callbacks
    ):
        mobility = accept(applied, people.officer, django_capture_on_commit_callbacks)
        document = letters(mobility)[0]
        response = client.get(document.verify_path)
        assert response.status_code == 200
        text = response.content.decode()
        assert document.serial in text
        assert PASSPORT_NUMBER not in text and "Schmidt" not in text and "SCHMIDT" not in text
        wrong = document.verify_path.replace(document.token, "x" * len(document.token))
        assert client.get(wrong).status_code == 404

    def test_numbers_follow_on_and_skip_used_ones(
        self, world, org, people, django_capture_on_commit_callbacks
    ):
        incoming_mobility(world, org, state=MobilityState.ACCEPTED, letter_number=f"ACC-{YEAR}-0041")
        first = incoming_mobility(world, org, state=MobilityState.APPLIED, semester="spring")
        complete_application(first)
        first = accept(first, people.officer, django_capture_on_commit_callbacks)
        assert first.letter_number == f"ACC-{YEAR}-0042"

    def test_a_clash_is_retried(
        self, applied, world, org, people, monkeypatch, django_capture_on_commit_callbacks
    ):
        taken = incoming_mobility(world, org, state=MobilityState.ACCEPTED, letter_number=f"ACC-{YEAR}-0001")
        proposals = iter([taken.letter_number, f"ACC-{YEAR}-0002"])
        monkeypatch.setattr(services, "letter_number_next", lambda year: next(proposals))
        mobility = accept(applied, people.officer, django_capture_on_commit_callbacks)
        assert mobility.letter_number == f"ACC-{YEAR}-0002"

    def test_not_before_the_application_is_complete(self, world, org, people):
        mobility = incoming_mobility(world, org, state=MobilityState.NOMINATED)
        with pytest.raises(TransitionError, match="not completed the application"):
            case_move(case=mobility, actor=people.officer, move="accept")
        mobility.refresh_from_db()
        assert mobility.state == MobilityState.NOMINATED and not mobility.letter_number

    @pytest.mark.parametrize("who", ["other_coordinator", "staff", "leadership", "student"])
    def test_others_may_not_accept(self, applied, people, who):
        with pytest.raises(PermissionDeniedError):
            case_move(case=applied, actor=getattr(people, who), move="accept")
        applied.refresh_from_db()
        assert applied.state == MobilityState.APPLIED

    def test_the_partner_does_not_decide_on_its_own_nominations(self, applied, world):
        with pytest.raises(PermissionDeniedError):
            case_move(case=applied, actor=world.contact, move="accept")

    def test_a_letter_that_cannot_be_generated_undoes_the_acceptance(self, applied, people):
        DocumentTemplate.objects.filter(code=documents_incoming.LETTER).update(is_active=False)
        with pytest.raises(DomainError):
            case_move(case=applied, actor=people.officer, move="accept")
        applied.refresh_from_db()
        assert applied.state == MobilityState.APPLIED and applied.letter_number == ""
        assert not letters(applied)

    def test_the_letter_names_the_language_of_study(
        self, applied, people, django_capture_on_commit_callbacks
    ):
        """The language is printed by its name ("Chinese" / "中文"), never as its code."""
        Mobility.objects.filter(pk=applied.pk).update(language="zh", cefr_level="B2")
        applied.refresh_from_db()
        mobility = accept(applied, people.officer, django_capture_on_commit_callbacks)
        documents = {d.language: pdf_text(d.file.read()) for d in letters(mobility)}
        assert "Language of study Chinese (level B2)" in documents["en"]
        assert "学习语言 中文（B2级）" in documents["zh"]
        assert not re.search(r"\bzh\b", documents["en"]) and "zh（" not in documents["zh"]

    def test_a_stay_hosted_by_the_university_names_it_once(
        self, applied, org, people, django_capture_on_commit_callbacks
    ):
        """Hosted by the university itself (no school): its name is not printed again as the host school, in
        the letterhead, the text, the closing or the issuing unit."""
        Mobility.objects.filter(pk=applied.pk).update(home_unit=org.university)
        applied.refresh_from_db()
        mobility = accept(applied, people.officer, django_capture_on_commit_callbacks)
        documents = {d.language: d for d in letters(mobility)}
        english = pdf_text(documents["en"].file.read())
        chinese = pdf_text(documents["zh"].file.read())
        assert "Meridian University · Meridian University" not in english
        assert "at the Meridian University" not in english and "Host school" not in english
        assert "Meridian University Meridian University" not in english
        assert "register with the International Office" in english
        assert "子午线大学子午线大学" not in chinese and "子午线大学 · 子午线大学" not in chinese
        assert "接收学院" not in chinese and "子午线大学（盖章）" in chinese
        assert documents["en"].issuing_unit == "Meridian University"
        assert documents["en"].issuing_unit_zh == "子午线大学"

    def test_the_letter_is_refused_for_a_mobility_not_accepted(self, applied):
        assert "accepted" in documents_incoming.refusal(applied)

    def test_default_template_renders_against_its_sample(self):
        template = DocumentTemplate.objects.get(code=documents_incoming.LETTER)
        assert template.output_languages() == ("en", "zh")
        sample = documents_incoming.acceptance_sample()
        assert sample["student"]["passport"]["number"] == "C01X00T47"

    def test_the_context_has_the_samples_shape(self, applied):
        def shape(value):
            if isinstance(value, dict):
                return {k: shape(v) for k, v in value.items()}
            return type(value)

        assert shape(documents_incoming.acceptance_context(applied)) == shape(
            documents_incoming.acceptance_sample()
        )
        assert documents_incoming.acceptance_context(applied)["student"]["passport"]["number"] == ""


class TestLetterAccess:
    @pytest.fixture
    def accepted(self, applied, people, django_capture_on_commit_callbacks):
        return accept(applied, people.officer, django_capture_on_commit_callbacks)

    @pytest.mark.parametrize(
        ("who", "status"),
        [
            ("officer", 200),
            ("coordinator", 200),
            ("leadership", 404),
            ("other_coordinator", 404),
            ("staff", 404),
        ],
    )
    def test_download_by_role(self, client, accepted, people, who, status):
        client.force_login(getattr(people, who))
        document = letters(accepted)[0]
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == status

    def test_the_student_downloads_their_letter(self, client, accepted):
        client.force_login(accepted.student)
        document = letters(accepted)[0]
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 200
        page = client.get(reverse("mobility:mobility_detail", args=[accepted.pk])).content.decode()
        assert document.serial in page and accepted.letter_number in page

    def test_partner_coordinator_reads_it_the_other_partner_does_not(self, client, accepted, world):
        document = letters(accepted)[0]
        client.force_login(world.contact)
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 200
        client.force_login(world.other_contact)
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404


class TestReject:
    def test_needs_a_reason(self, applied, people):
        with pytest.raises(ValidationError):
            case_move(case=applied, actor=people.officer, move="reject")
        applied.refresh_from_db()
        assert applied.state == MobilityState.APPLIED

    def test_with_a_reason_through_the_page(self, client, applied, people):
        client.force_login(people.coordinator)
        url = reverse("mobility:mobility_move", args=[applied.pk, "reject"])
        response = client.post(url, {"comment": "Our master's courses are full this semester."})
        assert response.status_code == 302
        applied.refresh_from_db()
        assert applied.state == MobilityState.REJECTED
        assert applied.decision_reason == "Our master's courses are full this semester."
        assert not applied.letter_number and not letters(applied)
        page = client.get(reverse("mobility:mobility_detail", args=[applied.pk])).content.decode()
        assert "Our master&#x27;s courses are full this semester." in page

    def test_without_a_reason_through_the_page_nothing_changes(self, client, applied, people):
        client.force_login(people.officer)
        response = client.post(
            reverse("mobility:mobility_move", args=[applied.pk, "reject"]), {"comment": " "}, follow=True
        )
        applied.refresh_from_db()
        assert applied.state == MobilityState.APPLIED
        assert "needs a comment" in response.content.decode()


class TestVisaData:
    def url(self, mobility):
        return reverse("mobility:mobility_detail", args=[mobility.pk])

    def test_handlers_see_the_masked_passport_and_the_view_is_logged(self, client, applied, people):
        client.force_login(people.coordinator)
        page = client.get(self.url(applied)).content.decode()
        assert 'id="visa"' in page
        assert PASSPORT_NUMBER not in page and mask_number(PASSPORT_NUMBER) in page
        assert AccessLog.objects.filter(user=people.coordinator, action=AccessAction.VIEW).count() == 1

    def test_leadership_sees_no_passport_data(self, client, applied, people):
        client.force_login(people.leadership)
        page = client.get(self.url(applied)).content.decode()
        assert 'id="visa"' in page
        assert PASSPORT_NUMBER not in page and mask_number(PASSPORT_NUMBER) not in page
        assert "2004-05-17" not in page  # no birth date either
        assert not AccessLog.objects.filter(user=people.leadership).exists()
        reveal = reverse("mobility:mobility_passport_reveal", args=[applied.pk])
        assert client.post(reveal, {"purpose": "curious"}).status_code == 404
        assert not AccessLog.objects.filter(user=people.leadership).exists()

    def test_reveal_needs_a_purpose_and_is_logged(self, client, applied, people):
        client.force_login(people.officer)
        reveal = reverse("mobility:mobility_passport_reveal", args=[applied.pk])
        client.post(reveal, {"purpose": ""})
        assert not AccessLog.objects.filter(user=people.officer, action=AccessAction.UNMASK).exists()
        response = client.post(reveal, {"purpose": "Visa support letter for the consulate"})
        assert response.status_code == 200
        assert PASSPORT_NUMBER in response.content.decode()
        entry = AccessLog.objects.get(user=people.officer, action=AccessAction.UNMASK)
        assert "Visa support letter" in entry.purpose and entry.person_id == applied.person_id

    def test_the_card_says_what_is_missing_and_names_jw202(self, client, world, org, people):
        mobility = incoming_mobility(world, org, state=MobilityState.APPLIED)
        client.force_login(people.officer)
        page = client.get(self.url(mobility)).content.decode()
        assert "JW202" in page
        assert "The student has not entered a passport yet." in page
        assert "The acceptance letter is issued when the student is accepted." in page

    def test_outgoing_mobilities_have_no_visa_card(self, client, world, org, people):
        mobility = incoming_mobility(world, org, direction="outgoing")
        client.force_login(people.officer)
        assert 'id="visa"' not in client.get(self.url(mobility)).content.decode()
