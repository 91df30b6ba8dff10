"""Incoming students: the invitation (account, signed expiring nonce-bound link, e-mail in both
languages), the link's life (valid, expired, revoked by a re-invitation, used twice, forged), the external
account's reach, and the application (personal data into the person record, passport protected, consent,
uploads checked by content, "Send" only when complete)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from meridian.accounts.permissions import is_internal
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.mobility.choices import MobilityFileKind, MobilityState
from meridian.mobility.models import Mobility
from meridian.mobility.services import incoming as services
from meridian.mobility.tests.factories_mobilities import (
    PASSPORT_NUMBER,
    complete_application,
    incoming_mobility,
    incoming_student,
    pdf,
)
from meridian.people.choices import AccessAction
from meridian.people.models import AccessLog, Consent, IdentityDocument
from meridian.reference.tests.factories import country
from meridian.workflow.models import TransitionLog
from meridian.workflow.services import case_move

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Blue-harbour-lantern-42"


def invite(mobility: Mobility, actor, django_capture_on_commit_callbacks) -> Mobility:
    with django_capture_on_commit_callbacks(execute=True):
        case_move(case=mobility, actor=actor, move="invite")
    mobility.refresh_from_db()
    return mobility


def link_of(mobility: Mobility) -> str:
    return services.invitation_path(mobility)


def links_only_to(body: str, path: str) -> bool:
    """Whether every invitation link in an e-mail (there is at least one) stands for ``path``'s link.

    Compared by the signed payload, not as text: signed a second later, the same link carries another
    timestamp and signature."""
    tokens = re.findall(r"/exchange/invitation/([^/\s]+)/", body)
    wanted = signing.loads(path.rstrip("/").rsplit("/", 1)[1], salt=services.SALT)
    return bool(tokens) and all(signing.loads(token, salt=services.SALT) == wanted for token in tokens)


def invitations() -> list:
    """The invitation e-mails sent (the workflow also notifies the student of the move in a short note)."""
    return [m for m in mail.outbox if "/exchange/invitation/" in m.body]


@pytest.fixture
def nominated(world, org):
    return incoming_mobility(world, org)


@pytest.fixture
def invited(nominated, people, django_capture_on_commit_callbacks):
    return invite(nominated, people.officer, django_capture_on_commit_callbacks)


# --- the invitation ----------------------------------------------------------------------------------------


class TestInvitationSend:
    def test_creates_an_external_account_and_mails_the_link_in_both_languages(self, invited):
        student = invited.student
        assert invited.state == MobilityState.INVITED
        assert student.email == "anna.schmidt@student.example"
        assert not student.has_usable_password()
        assert not is_internal(student) and not student.is_staff
        assert invited.person.user_id == student.pk
        assert len(invited.invitation_nonce) == 32 and invited.invited_at is not None
        assert len(invitations()) == 1
        message = invitations()[0]
        assert message.to == ["anna.schmidt@student.example"]
        assert links_only_to(message.body, link_of(invited))
        assert "Dear SCHMIDT Anna" in message.body
        # Both languages in one message: the English text, then the Chinese one (unit names in each).
        english, chinese = message.subject.split(" / ")
        assert "School of Engineering" in english and "工程学院" in chinese
        assert message.body.count(link_of(invited)) == 2

    def test_the_host_school_coordinator_may_invite(
        self, nominated, people, django_capture_on_commit_callbacks
    ):
        mobility = invite(nominated, people.coordinator, django_capture_on_commit_callbacks)
        assert mobility.state == MobilityState.INVITED

    @pytest.mark.parametrize("who", ["other_coordinator", "staff", "leadership", "student"])
    def test_others_may_not_invite(self, nominated, people, who):
        with pytest.raises(PermissionDeniedError):
            case_move(case=nominated, actor=getattr(people, who), move="invite")
        nominated.refresh_from_db()
        assert nominated.state == MobilityState.NOMINATED and nominated.student_id is None

    def test_partner_contact_may_not_invite(self, nominated, world):
        with pytest.raises(PermissionDeniedError):
            case_move(case=nominated, actor=world.contact, move="invite")

    def test_reuses_an_external_account_with_the_same_address(
        self, world, org, people, django_capture_on_commit_callbacks
    ):
        first = invite(incoming_mobility(world, org), people.officer, django_capture_on_commit_callbacks)
        second = incoming_mobility(world, org, email="Anna.Schmidt@student.example", semester="spring")
        second = invite(second, people.officer, django_capture_on_commit_callbacks)
        assert second.student_id == first.student_id

    def test_refuses_an_address_of_a_staff_account(self, world, org, people):
        mobility = incoming_mobility(world, org, email=people.staff.email)
        with pytest.raises(DomainError, match="staff or partner account"):
            case_move(case=mobility, actor=people.officer, move="invite")
        mobility.refresh_from_db()
        assert mobility.state == MobilityState.NOMINATED and mobility.student_id is None
        assert not mobility.invitation_nonce

    def test_refuses_without_an_address(self, world, org, people):
        mobility = incoming_mobility(world, org, email="")
        mobility.student_email = ""
        mobility.save()
        with pytest.raises(DomainError, match="e-mail address"):
            case_move(case=mobility, actor=people.officer, move="invite")
        mobility.refresh_from_db()
        assert mobility.state == MobilityState.NOMINATED

    def test_outgoing_students_are_not_invited(self, world, org, people):
        mobility = incoming_mobility(world, org, direction="outgoing")
        from meridian.core.errors import TransitionError

        with pytest.raises(TransitionError):
            case_move(case=mobility, actor=people.officer, move="invite")


class TestInvitationLink:
    def test_valid_link_shows_the_password_form(self, client, invited):
        response = client.get(link_of(invited))
        assert response.status_code == 200
        assert b"new_password1" in response.content
        assert response["Cache-Control"] == "private, no-store"
        assert response["Referrer-Policy"] == "same-origin"

    def test_setting_the_password_signs_in_and_opens_the_application(self, client, invited):
        response = client.post(
            link_of(invited), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("mobility:incoming_application", args=[invited.pk])
        invited.refresh_from_db()
        assert invited.invitation_used_at is not None and invited.invitation_nonce == ""
        assert invited.student.check_password(NEW_PASSWORD)
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert b"application-form" in page.content

    def test_weak_password_is_refused_and_nothing_changes(self, client, invited):
        response = client.post(link_of(invited), {"new_password1": "short", "new_password2": "short"})
        assert response.status_code == 200
        assert b"errorlist" in response.content
        invited.refresh_from_db()
        assert invited.invitation_nonce and invited.invitation_used_at is None
        assert not invited.student.has_usable_password()

    def test_used_twice_the_second_time_is_refused(self, client, invited):
        link = link_of(invited)
        client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        client.logout()
        response = client.post(
            link, {"new_password1": "Other-pass-phrase-99", "new_password2": "Other-pass-phrase-99"}
        )
        assert response.status_code == 404
        assert b"invalid-link" in response.content
        invited.refresh_from_db()
        assert invited.student.check_password(NEW_PASSWORD)
        assert "_auth_user_id" not in client.session

    def test_expired_link_is_refused(self, client, invited, settings, monkeypatch):
        settings.MOBILITY_INVITATION_DAYS = 30
        real = signing.time.time
        with monkeypatch.context() as patch:  # a link signed 31 days ago
            patch.setattr(signing.time, "time", lambda: real() - 31 * 86400)
            link = link_of(invited)
        response = client.get(link)
        posted = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert response.status_code == 404 and posted.status_code == 404
        settings.MOBILITY_INVITATION_DAYS = 32
        assert client.get(link).status_code == 200  # the same link within a longer setting
        invited.refresh_from_db()
        assert not invited.student.has_usable_password()

    def test_reinvitation_revokes_the_earlier_link(
        self, client, invited, people, django_capture_on_commit_callbacks
    ):
        old = link_of(invited)
        again = invite(invited, people.officer, django_capture_on_commit_callbacks)
        assert client.get(old).status_code == 404
        assert client.get(link_of(again)).status_code == 200
        assert len(invitations()) == 2
        assert links_only_to(invitations()[1].body, link_of(again))
        assert not links_only_to(invitations()[1].body, old)

    @pytest.mark.parametrize(
        "token",
        [
            "forged",
            signing.dumps({"m": 999999, "n": "x" * 32}, salt=services.SALT),
            signing.dumps({"m": 1, "n": "x"}, salt="another-salt"),
        ],
        ids=["not-signed", "unknown-mobility", "other-salt"],  # signed tokens differ per process (xdist)
    )
    def test_forged_links_are_refused(self, client, invited, token):
        response = client.get(reverse("mobility:incoming_invitation", args=[token]))
        assert response.status_code == 404
        assert b"invalid-link" in response.content

    def test_link_stops_once_the_application_is_sent(self, client, invited):
        link = link_of(invited)
        Mobility.objects.filter(pk=invited.pk).update(state=MobilityState.APPLIED)
        assert client.get(link).status_code == 404

    def test_the_invalid_page_speaks_both_languages(self, client):
        response = client.get(reverse("mobility:incoming_invitation", args=["nope"]))
        text = response.content.decode()
        assert "This link is not valid" in text and "此链接无效" in text


# --- the external account -------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, invited):
    client.post(link_of(invited), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    invited.refresh_from_db()
    return client


class TestExternalAccount:
    @pytest.mark.parametrize(
        "name",
        [
            "mobility:mobility_list",
            "mobility:mobility_export",
            "people:list",
        ],
    )
    def test_cannot_reach_staff_lists(self, signed_in, name):
        response = signed_in.get(reverse(name))
        assert response.status_code in (403, 404)

    def test_sees_only_their_own_mobility(self, signed_in, invited, world, org):
        other = incoming_mobility(world, org, email="someone.else@student.example", semester="spring")
        assert signed_in.get(reverse("mobility:mobility_detail", args=[invited.pk])).status_code == 200
        assert signed_in.get(reverse("mobility:mobility_detail", args=[other.pk])).status_code == 404
        assert signed_in.get(reverse("mobility:incoming_application", args=[other.pk])).status_code == 404

    def test_own_page_offers_only_the_students_moves(self, signed_in, invited):
        response = signed_in.get(reverse("mobility:mobility_detail", args=[invited.pk]))
        text = response.content.decode()
        assert 'data-move="complete_application"' in text
        for move in ("invite", "accept", "reject", "cancel"):
            assert f'data-move="{move}"' not in text

    def test_cannot_take_our_sides_moves(self, signed_in, invited):
        response = signed_in.post(
            reverse("mobility:mobility_move", args=[invited.pk, "reject"]), {"comment": "x"}
        )
        assert response.status_code == 403
        invited.refresh_from_db()
        assert invited.state == MobilityState.INVITED


# --- the application --------------------------------------------------------------------------------------


def application_data(**overrides):
    arrival = timezone.localdate() + datetime.timedelta(days=60)
    data = {
        "family_name": "Schmidt",
        "given_name": "Anna Maria",
        "name_zh": "施安娜",
        "gender": "2",
        "birth_date": "2004-05-17",
        "nationality": "DE",
        "passport_number": PASSPORT_NUMBER,
        "passport_expiry": (timezone.localdate() + datetime.timedelta(days=3000)).isoformat(),
        "home_programme": "Mechanical Engineering",
        "eqf_level": "6",
        "isced_code": "0715",
        "language": "en",
        "cefr_level": "B2",
        "motivation": "I want to learn about power systems.",
        "accommodation_needed": "on",
        "planned_arrival": arrival.isoformat(),
        "consent": "on",
        "consent_version": "guest-2026-11",
        "passport_copy": pdf("passport.pdf"),
        "transcript": pdf("transcript.pdf"),
        "language_certificate": pdf("ielts.pdf"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class TestApplication:
    def url(self, mobility):
        return reverse("mobility:incoming_application", args=[mobility.pk])

    def test_save_stores_person_passport_consent_and_files(self, signed_in, invited):
        country("DE", "Germany", "德国")
        response = signed_in.post(self.url(invited), application_data())
        assert response.status_code == 302, response.content.decode()[:3000]
        invited.refresh_from_db()
        person = invited.person
        assert person.given_name == "Anna Maria" and person.name_zh == "施安娜"
        passport = IdentityDocument.objects.get(person=person)
        assert passport.number == PASSPORT_NUMBER
        assert passport.purposes.filter(purpose__code="exchange").exists()
        assert Consent.objects.filter(person=person, purpose__code="exchange").count() == 1
        assert invited.eqf_level == 6 and invited.accommodation_needed is True
        assert set(invited.files.values_list("kind", flat=True)) == {
            MobilityFileKind.PASSPORT,
            MobilityFileKind.TRANSCRIPT,
            MobilityFileKind.LANGUAGE,
        }
        assert invited.state == MobilityState.INVITED
        assert services.incoming_missing(invited) == []

    def test_save_and_send_completes_the_application(self, signed_in, invited):
        response = signed_in.post(self.url(invited), application_data(send="1"))
        assert response.status_code == 302
        assert response["Location"] == reverse("mobility:mobility_detail", args=[invited.pk])
        invited.refresh_from_db()
        assert invited.state == MobilityState.APPLIED and invited.applied_at is not None
        assert TransitionLog.objects.filter(object_id=invited.pk, action="complete_application").exists()
        page = signed_in.get(self.url(invited))
        assert b"application-form" not in page.content and b'id="sent"' in page.content

    def test_sending_notifies_the_office_and_the_host_school(self, signed_in, invited, people):
        from meridian.core.models import Notification

        signed_in.post(self.url(invited), application_data(send="1"))
        notified = set(
            Notification.objects.filter(verb="mobility.incoming_applied").values_list(
                "recipient_id", flat=True
            )
        )
        assert {people.officer.pk, people.coordinator.pk} <= notified
        assert not notified & {people.other_coordinator.pk, people.leadership.pk, people.staff.pk}

    def test_send_from_the_mobility_page_checks_completeness_too(self, signed_in, invited):
        url = reverse("mobility:mobility_move", args=[invited.pk, "complete_application"])
        response = signed_in.post(url, follow=True)
        invited.refresh_from_db()
        assert invited.state == MobilityState.INVITED
        assert "not complete yet" in response.content.decode()

    def test_send_with_something_missing_is_refused_and_lists_it(self, signed_in, invited):
        data = application_data(send="1", transcript=None, motivation="")
        response = signed_in.post(self.url(invited), data, follow=True)
        invited.refresh_from_db()
        assert invited.state == MobilityState.INVITED
        text = response.content.decode()
        assert "Your motivation." in text and "Transcript of records" in text

    def test_without_consent_nothing_is_stored(self, signed_in, invited):
        data = application_data(consent=None)
        response = signed_in.post(self.url(invited), data)
        assert response.status_code == 200
        assert not IdentityDocument.objects.filter(person=invited.person).exists()
        assert not invited.files.exists()
        invited.person.refresh_from_db()
        assert invited.person.given_name == "Anna"

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("family_name", "施密特", "Latin letters"),
            ("isced_code", "7x", "ISCED-F code"),
            ("language", "English", "ISO 639"),
            ("language", "xx", "ISO 639"),  # shaped like a code, but no language the project knows
            ("planned_arrival", "2000-01-01", "in the past"),
            (
                "passport_expiry",
                (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
                "six months",
            ),
        ],
    )
    def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(
        self, signed_in, invited, field, value, message
    ):
        response = signed_in.post(self.url(invited), application_data(**{field: value}))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not IdentityDocument.objects.filter(person=invited.person).exists()
        assert not invited.files.exists()
        assert not Consent.objects.filter(person=invited.person).exists()

    def test_a_file_that_is_not_a_document_is_refused(self, signed_in, invited):
        fake = SimpleUploadedFile("transcript.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        response = signed_in.post(self.url(invited), application_data(transcript=fake))
        assert response.status_code == 200
        assert "is not a PDF, Word, Excel, PNG or JPEG file" in response.content.decode()
        assert not invited.files.exists()
        assert not IdentityDocument.objects.filter(person=invited.person).exists()

    def test_stale_save_is_refused(self, signed_in, invited):
        data = application_data(version=str(invited.version))
        Mobility.objects.filter(pk=invited.pk).update(version=invited.version + 1)
        response = signed_in.post(self.url(invited), data)
        assert response.status_code == 409
        assert not invited.files.exists()

    def test_only_the_student_opens_the_application(self, client, invited, people, world):
        for user in (people.officer, people.coordinator, world.contact):
            client.force_login(user)
            assert client.get(self.url(invited)).status_code == 404
        client.logout()
        assert client.get(self.url(invited)).status_code == 302  # to sign in

    def test_the_passport_number_is_never_shown_back_in_full(self, signed_in, invited):
        signed_in.post(self.url(invited), application_data())
        page = signed_in.get(self.url(invited)).content.decode()
        assert PASSPORT_NUMBER not in page
        assert AccessLog.objects.filter(person=invited.person, action=AccessAction.VIEW).exists()

    def test_service_refuses_anyone_but_the_student(self, invited, people):
        with pytest.raises(PermissionDeniedError):
            services.incoming_application_save(
                mobility=invited,
                actor=people.officer,
                expected_version=None,
                consent_version="guest-2026-11",
                ip=None,
                person_fields={"family_name": "X"},
                passport=None,
                fields={},
            )

    def test_missing_list_names_everything_on_an_empty_application(self, invited):
        missing = services.incoming_missing(invited)
        assert "Your passport number and its date of expiry." in missing
        assert "Upload: Passport copy." in missing
        assert "Your consent to the processing of your personal data." in missing
        complete_application(invited)
        assert services.incoming_missing(invited) == []

    def test_chinese_page(self, signed_in, invited):
        signed_in.cookies["django_language"] = "zh-hans"
        response = signed_in.get(self.url(invited))
        assert response.status_code == 200
        assert 'lang="zh-hans"' in response.content.decode()


# --- existing accounts keep their credentials -----------------------------------------------------------


class TestExistingAccounts:
    """An invitation only sets up a new account: an existing one never has its password or roles changed."""

    @pytest.mark.parametrize("who", ["student", "staff", "officer"])
    def test_an_account_with_a_role_is_not_taken_over(self, world, org, people, who):
        account = getattr(people, who)
        password, roles = account.password, list(account.memberships.values_list("role", flat=True))
        mobility = incoming_mobility(world, org, email=account.email.upper())
        with pytest.raises(DomainError, match=account.email):
            case_move(case=mobility, actor=people.officer, move="invite")
        account.refresh_from_db()
        assert account.password == password
        assert list(account.memberships.values_list("role", flat=True)) == roles
        mobility.refresh_from_db()
        assert mobility.student_id is None and not mobility.invitation_nonce

    def test_a_record_linked_to_a_student_account_is_refused(self, world, org, people):
        person = incoming_student(email="someone@student.example")
        person.user = people.student
        person.save(update_fields=["user"])
        mobility = incoming_mobility(world, org, person=person)
        password = people.student.password
        with pytest.raises(DomainError):
            case_move(case=mobility, actor=people.officer, move="invite")
        people.student.refresh_from_db()
        assert people.student.password == password

    def test_an_external_account_with_a_password_is_linked_without_a_password_link(
        self, client, world, org, people, django_capture_on_commit_callbacks
    ):
        account = people.outsider  # no role, a password of its own
        password = account.password
        mobility = invite(
            incoming_mobility(world, org, email=account.email),
            people.officer,
            django_capture_on_commit_callbacks,
        )
        account.refresh_from_db()
        assert mobility.student_id == account.pk and account.password == password
        assert invitations() == []  # no link that sets a password
        sign_in = [m for m in mail.outbox if reverse("accounts:login") in m.body]
        assert len(sign_in) == 1 and sign_in[0].to == [account.email]
        assert client.get(link_of(mobility)).status_code == 404

    def test_a_person_account_under_another_address_gets_no_link(
        self, client, world, org, people, django_capture_on_commit_callbacks
    ):
        """A nomination matching someone's record but giving another address cannot reach their account."""
        first = invite(incoming_mobility(world, org), people.officer, django_capture_on_commit_callbacks)
        account = first.student
        second = incoming_mobility(world, org, person=first.person, semester="spring")
        Mobility.objects.filter(pk=second.pk).update(student_email="intruder@example.org")
        second.refresh_from_db()
        with pytest.raises(DomainError, match="another e-mail address"):
            case_move(case=second, actor=people.officer, move="invite")
        account.refresh_from_db()
        assert not account.has_usable_password()
        assert not [m for m in mail.outbox if "intruder@example.org" in m.to]

    def test_reinviting_after_the_password_was_set_keeps_it(
        self, client, invited, people, django_capture_on_commit_callbacks
    ):
        old = link_of(invited)
        client.post(old, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        client.logout()
        again = invite(invited, people.officer, django_capture_on_commit_callbacks)
        again.student.refresh_from_db()
        assert again.student.check_password(NEW_PASSWORD)
        assert len(invitations()) == 1  # only the first e-mail carried a password link
        sign_in = [m for m in mail.outbox if reverse("accounts:login") in m.body]
        assert len(sign_in) == 1 and sign_in[0].to == [again.student_email]
        for link in (old, link_of(again)):
            response = client.post(
                link, {"new_password1": "Other-pass-phrase-99", "new_password2": "Other-pass-phrase-99"}
            )
            assert response.status_code == 404
        again.student.refresh_from_db()
        assert again.student.check_password(NEW_PASSWORD)
        with pytest.raises(DomainError):
            services.invitation_accept(mobility=again, nonce=again.invitation_nonce, password="Other-99-pass")
        again.student.refresh_from_db()
        assert again.student.check_password(NEW_PASSWORD)

    def test_a_link_stops_once_the_student_signed_in(self, client, invited):
        link = link_of(invited)
        type(invited.student).objects.filter(pk=invited.student_id).update(last_login=timezone.now())
        assert client.get(link).status_code == 404
