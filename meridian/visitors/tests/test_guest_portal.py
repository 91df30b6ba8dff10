"""The guest's self-service page: valid, expired, tampered and revoked links; a guest sees and changes only
their own record; consent; validation on entry keeps what is stored; the lock; both languages."""

from __future__ import annotations

import datetime
import re
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.people.models import Consent, IdentityDocument, Person
from meridian.visitors.models import GuestFile, VisitGuest
from meridian.visitors.services.guests import SALT, guest_grant, guest_link_revoke, guest_lock
from meridian.visitors.tests.factories_guests import (
    EXE_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    cv_rows,
    form_data,
    guest_visit,
    issue,
    token_of,
)


@pytest.fixture
def visit(org, people):
    return guest_visit(org, people, guests=2)


@pytest.fixture
def guest(visit):
    return visit.guests.get(is_head=True)


@pytest.fixture
def other(visit):
    return visit.guests.get(is_head=False)


def _post(client, path, guest, **extra):
    return client.post(path, form_data(guest, **extra))


class TestLinks:
    def test_valid_link_shows_the_visit_but_no_other_guest(self, client, people, guest, other):
        other.person.family_name = "Verstecktmann"
        other.person.save()
        page = client.get(issue(guest, people.officer))
        text = page.content.decode()
        assert page.status_code == 200
        assert guest.visit.arrive_on.isoformat() in text and "Department of Computing" in text
        assert "Heidelberg University" in text and "Verstecktmann" not in text
        assert page["Cache-Control"] == "private, no-store" and page["Referrer-Policy"] == "same-origin"

    def test_expired_link_is_refused(self, client, settings, people, guest):
        path = issue(guest, people.officer)
        settings.VISITORS_GUEST_LINK_DAYS = 30
        signed_long_ago = time.time() - 31 * 24 * 3600
        with mock.patch("django.core.signing.time.time", return_value=signed_long_ago):
            old = signing.dumps(
                {"g": guest.pk, "n": VisitGuest.objects.get(pk=guest.pk).link_nonce}, salt=SALT
            )
        response = client.get(reverse("visitors:guest_form", args=[old]))
        assert response.status_code == 404 and "not valid" in response.content.decode()
        assert client.get(path).status_code == 200  # the fresh one still works
        settings.VISITORS_GUEST_LINK_DAYS = 40  # the days come from the setting
        assert client.get(reverse("visitors:guest_form", args=[old])).status_code == 200

    def test_tampered_and_foreign_salt_tokens_are_refused(self, client, people, guest):
        token = token_of(issue(guest, people.officer))
        assert client.get(reverse("visitors:guest_form", args=[token[:-3] + "xyz"])).status_code == 404
        forged = signing.dumps({"g": guest.pk, "n": guest.link_nonce}, salt="meridian.people.self-service")
        assert guest_grant(forged) is None
        assert client.get(reverse("visitors:guest_form", args=["not-a-token"])).status_code == 404

    def test_reissue_voids_the_old_link_and_revoke_voids_all(self, client, people, guest):
        first = issue(guest, people.officer)
        second = issue(guest, people.coordinator)
        assert client.get(first).status_code == 404
        assert client.get(second).status_code == 200
        guest_link_revoke(guest=guest, actor=people.officer)
        response = client.get(second)
        assert response.status_code == 404 and "链接无效" in response.content.decode()

    def test_a_cancelled_visit_voids_the_link(self, client, people, guest):
        path = issue(guest, people.officer)
        type(guest.visit).objects.filter(pk=guest.visit_id).update(state="cancelled")
        assert client.get(path).status_code == 404

    def test_unknown_guest_and_unknown_token_look_the_same(self, client, people, guest):
        issue(guest, people.officer)
        nobody = signing.dumps({"g": 999999, "n": "x"}, salt=SALT)
        wrong_nonce = signing.dumps({"g": guest.pk, "n": "x"}, salt=SALT)
        pages = [client.get(reverse("visitors:guest_form", args=[t])) for t in (nobody, wrong_nonce)]
        assert [p.status_code for p in pages] == [404, 404]
        texts = [
            re.sub(r'value="[^"]*"|"X-CSRFToken": "[^"]*"', "", p.content.decode().replace(t, ""))
            for p, t in zip(pages, (nobody, wrong_nonce), strict=True)
        ]
        assert texts[0] == texts[1]

    def test_link_is_emailed_in_both_languages(self, people, guest, django_capture_on_commit_callbacks):
        guest.person.email = "anna@uni-heidelberg.example"
        guest.person.save()
        with django_capture_on_commit_callbacks(execute=True):
            path = issue(guest, people.officer)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["anna@uni-heidelberg.example"]
        # One e-mail in both languages: the English text, then the Chinese one (the unit's Chinese name).
        assert "/visitors/guest/" in message.body and "Dear" in message.body and "计算机系" in message.body
        assert guest_grant(message.body.split("/visitors/guest/")[1].split()[0].rstrip("/")) is not None
        assert VisitGuest.objects.get(pk=guest.pk).link_sent_at is not None
        assert path


class TestEntry:
    def test_guest_enters_everything_and_it_lands_in_the_records(self, client, people, guest):
        path = issue(guest, people.officer)
        response = _post(client, path, guest, photo=SimpleUploadedFile("me.jpg", JPEG_BYTES))
        assert response.status_code == 302, response.content.decode()[:3000]
        stored = VisitGuest.objects.select_related("person").get(pk=guest.pk)
        assert stored.submitted_at is not None and stored.arrival_flight == "LH 722"
        assert stored.dietary_needs == "Vegetarian" and len(stored.cv) == 2
        assert stored.person.name_zh == "施密特" and stored.person.birth_place == "Heidelberg"
        document = IdentityDocument.objects.get(person=stored.person)
        assert document.number == "C01X00T47"
        consent = Consent.objects.get(person=stored.person)
        assert consent.purpose.code == "visit"
        assert GuestFile.objects.get(guest=stored).content_type == "image/jpeg"
        again = client.get(path + "?saved=1").content.decode()
        assert "C01*****47" in again and "C01X00T47" not in again and "TU Munich" in again

    def test_consent_is_required(self, client, people, guest):
        path = issue(guest, people.officer)
        response = _post(client, path, guest, consent="")
        assert response.status_code == 200 and "field-consent" in response.content.decode()
        assert not Consent.objects.exists()
        assert VisitGuest.objects.get(pk=guest.pk).submitted_at is None

    def test_a_token_of_guest_a_cannot_change_guest_b(self, client, people, guest, other):
        path_a = issue(guest, people.officer)
        issue(other, people.officer)
        before = Person.objects.get(pk=other.person_id).family_name
        _post(client, path_a, guest, family_name="Changed")
        assert Person.objects.get(pk=other.person_id).family_name == before
        assert Person.objects.get(pk=guest.person_id).family_name == "Changed"
        assert VisitGuest.objects.get(pk=other.pk).submitted_at is None

    @pytest.mark.parametrize(
        ("change", "field_id", "message"),
        [
            ("passport", "field-expiry_date", "months after you leave China"),
            ("cv_gap", "cv-errors", "without gaps"),
            ("arrival", "field-arrival_date", "outside the visit"),
            ("departure", "field-departure_date", "outside the visit"),
            ("scan", "field-scan", "PDF, JPEG or PNG"),
            ("photo", "field-photo", "JPEG or PNG"),
        ],
    )
    def test_bad_entry_is_refused_and_stored_data_is_kept(
        self, client, people, guest, change, field_id, message
    ):
        path = issue(guest, people.officer)
        assert _post(client, path, guest).status_code == 302
        stored = VisitGuest.objects.select_related("person").get(pk=guest.pk)
        visit = stored.visit
        bad = {
            "passport": {"expiry_date": (visit.depart_on + datetime.timedelta(days=100)).isoformat()},
            "cv_gap": {"cv": cv_rows(gap=True)},
            "arrival": {"arrival_date": (visit.arrive_on - datetime.timedelta(days=10)).isoformat()},
            "departure": {"departure_date": (visit.depart_on + datetime.timedelta(days=9)).isoformat()},
            "scan": {"scan": SimpleUploadedFile("scan.pdf", EXE_BYTES)},
            "photo": {"photo": SimpleUploadedFile("me.png", PDF_BYTES)},
        }[change]
        response = client.post(
            path, form_data(stored, dietary_needs="Halal", family_name="Overwritten", **bad)
        )
        text = response.content.decode()
        assert response.status_code == 200 and field_id in text and message in text
        assert 'value="Overwritten"' in text  # the input is shown again
        after = VisitGuest.objects.select_related("person").get(pk=guest.pk)
        assert after.dietary_needs == "Vegetarian" and after.person.family_name == "Schmidt"
        assert after.cv == stored.cv and IdentityDocument.objects.filter(person=after.person).count() == 1
        assert not GuestFile.objects.exists()

    def test_a_png_photo_and_scan_are_accepted(self, client, people, guest):
        path = issue(guest, people.officer)
        response = _post(
            client,
            path,
            guest,
            scan=SimpleUploadedFile("p.png", PNG_BYTES),
            photo=SimpleUploadedFile("me.png", PNG_BYTES),
        )
        assert response.status_code == 302
        assert IdentityDocument.objects.get(person=guest.person).scans.count() == 1

    def test_guest_comes_back_and_corrects(self, client, people, guest):
        path = issue(guest, people.officer)
        _post(client, path, guest)
        stored = VisitGuest.objects.select_related("person").get(pk=guest.pk)
        assert _post(client, path, stored, dietary_needs="Vegan").status_code == 302
        assert VisitGuest.objects.get(pk=guest.pk).dietary_needs == "Vegan"

    def test_more_rows_saves_nothing(self, client, people, guest):
        path = issue(guest, people.officer)
        response = client.post(path, form_data(guest, more_rows="1"))
        assert response.status_code == 200 and 'name="cv-3-start"' in response.content.decode()
        assert VisitGuest.objects.get(pk=guest.pk).submitted_at is None


class TestLock:
    def test_locked_data_is_read_only(self, client, people, guest):
        path = issue(guest, people.officer)
        _post(client, path, guest)
        stored = VisitGuest.objects.select_related("person", "visit").get(pk=guest.pk)
        guest_lock(guest=stored, actor=people.officer)
        page = client.get(path)
        assert page.status_code == 200 and "contact your host" in page.content.decode()
        assert '<form method="post" enctype' not in page.content.decode()
        client.post(path, form_data(stored, dietary_needs="Changed after lock"))
        assert VisitGuest.objects.get(pk=guest.pk).dietary_needs == "Vegetarian"


# The compiled catalogue is built by `make messages` (part of `make test`); without it labels stay English.
COMPILED = (settings.PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists()


class TestLanguages:
    def test_chinese_page_shows_chinese_data(self, client, people, guest):
        path = issue(guest, people.officer)
        client.cookies["django_language"] = "zh-hans"
        text = client.get(path).content.decode()
        assert '<html lang="zh-hans">' in text
        assert "计算机系" in text and "本人同意" in text and 'id="consent-version"' in text

    @pytest.mark.skipif(not COMPILED, reason="the Chinese catalogue is not compiled (make messages)")
    def test_chinese_page_has_chinese_labels(self, client, people, guest):
        path = issue(guest, people.officer)
        client.cookies["django_language"] = "zh-hans"
        text = client.get(path).content.decode()
        assert "保存我的信息" in text and "有效期至" in text and "入境日期" in text and "行程" in text
        assert "Save my data" not in text and "Travel plan" not in text
        client.cookies["django_language"] = "zh-hans"
        guest_link_revoke(guest=guest, actor=people.officer)
        assert "此链接无效" in client.get(path).content.decode()

    def test_language_switch_keeps_the_token(self, client, people, guest):
        path = issue(guest, people.officer)
        text = client.get(path).content.decode()
        assert f'name="next" type="hidden" value="{path}"' in text
        response = client.post(reverse("set_language"), {"language": "zh-hans", "next": path})
        assert response.status_code == 302 and response["Location"] == path
