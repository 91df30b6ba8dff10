"""Issuing a visit's invitation: numbering (unique, per year, race-safe), the issue date, the letters attached
to the case, idempotence, and the ``issue_invitation`` move that calls it."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from meridian.documents.models import GeneratedDocument
from meridian.documents.services import document_revoke, document_template_create
from meridian.visitors import casework
from meridian.visitors import documents as visit_documents
from meridian.visitors.models import Visit
from meridian.visitors.services import invitations
from meridian.visitors.services.invitations import invitation_number_next, invitation_record_issue
from meridian.visitors.tests.factories_documents import PASSPORTS, document_visit
from meridian.workflow.services import case_move

pytestmark = pytest.mark.django_db

D = visit_documents
DAY = datetime.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def _today():
    with casework.evaluation_date(DAY):
        yield


@pytest.fixture
def visit(org, people) -> Visit:
    return document_visit(org, people, state="invitation_issued")


def _letters(visit: Visit) -> list[str]:
    return sorted(GeneratedDocument.objects.for_subject(visit).values_list("template__code", flat=True))


class TestNumbering:
    def test_first_number_of_a_year(self):
        assert invitation_number_next(year=2027) == "INV-2027-0001"

    def test_follows_the_highest_of_the_year_only(self, org, people):
        document_visit(org, people, invitation_number="INV-2027-0041")
        document_visit(org, people, invitation_number="INV-2026-0099")
        document_visit(org, people, invitation_number="INV-2027-draft")
        assert invitation_number_next(year=2027) == "INV-2027-0042"

    def test_the_database_refuses_a_number_twice(self, org, people):
        document_visit(org, people, invitation_number="INV-2027-0001")
        with pytest.raises(IntegrityError), transaction.atomic():
            document_visit(org, people, invitation_number="INV-2027-0001")
        # Visits without an invitation number are not a clash.
        document_visit(org, people)
        document_visit(org, people)

    def test_a_number_taken_meanwhile_is_skipped(self, org, people, visit):
        document_visit(org, people, invitation_number="INV-2027-0001")
        # A concurrent issue took 0001 after this one read the numbers: the first try fails, the next wins.
        with mock.patch.object(
            invitations, "invitation_number_next", side_effect=["INV-2027-0001", "INV-2027-0002"]
        ):
            invitation_record_issue(visit=visit, actor=None)
        visit.refresh_from_db()
        assert visit.invitation_number == "INV-2027-0002"


class TestIssue:
    def test_number_date_and_both_letters(self, visit, people):
        invitation_record_issue(visit=visit, actor=people.officer)
        visit.refresh_from_db()
        assert (visit.invitation_number, visit.invitation_issued_on) == ("INV-2027-0001", DAY)
        assert _letters(visit) == [D.LETTER_EN, D.LETTER_ZH]

    def test_two_visits_get_distinct_numbers(self, org, people, visit):
        other = document_visit(org, people, state="invitation_issued")
        invitation_record_issue(visit=visit, actor=None)
        invitation_record_issue(visit=other, actor=None)
        numbers = set(Visit.objects.exclude(invitation_number="").values_list("invitation_number", flat=True))
        assert numbers == {"INV-2027-0001", "INV-2027-0002"}

    def test_idempotent(self, visit, people):
        invitation_record_issue(visit=visit, actor=people.officer)
        with casework.evaluation_date(DAY + datetime.timedelta(days=3)):
            invitation_record_issue(visit=visit, actor=people.officer)
        visit.refresh_from_db()
        assert (visit.invitation_number, visit.invitation_issued_on) == ("INV-2027-0001", DAY)
        assert _letters(visit) == [D.LETTER_EN, D.LETTER_ZH]

    def test_a_revoked_letter_is_replaced(self, visit, people):
        invitation_record_issue(visit=visit, actor=people.officer)
        english = GeneratedDocument.objects.for_subject(visit).get(template__code=D.LETTER_EN)
        document_revoke(document=english, actor=people.officer, reason="Wrong passport number")
        invitation_record_issue(visit=visit, actor=people.officer)
        assert _letters(visit) == [D.LETTER_EN, D.LETTER_EN, D.LETTER_ZH]

    def test_the_system_records_the_number_only(self, visit):
        invitation_record_issue(visit=visit, actor=None)
        visit.refresh_from_db()
        assert visit.invitation_number == "INV-2027-0001"
        assert _letters(visit) == []

    def test_a_letter_in_the_guests_language_where_a_template_exists(self, visit, people):
        document_template_create(
            actor=people.admin,
            code="visit-invitation-de",
            source="visit",
            name_en="Invitation letter (German)",
            name_zh="邀请函（德文）",
            kind="letter",
            languages="en",
            serial_code="VID",
            bodies={
                "en": "<h1>Einladung</h1>{% for g in guests %}"
                "<p>{{ g.name_latin }} {{ g.passport.number }}</p>{% endfor %}"
            },
        )
        invitation_record_issue(visit=visit, actor=people.officer)
        assert _letters(visit) == ["visit-invitation-de", D.LETTER_EN, D.LETTER_ZH]


class TestMove:
    def test_issue_invitation_numbers_and_attaches_the_letters(self, org, people, monkeypatch):
        monkeypatch.setattr(casework, "rule_failures", lambda visit: [])
        approved = document_visit(org, people, state="approved")
        case_move(case=approved, actor=people.officer, move="issue_invitation")
        approved.refresh_from_db()
        assert approved.state == "invitation_issued"
        assert approved.invitation_number == "INV-2027-0001"
        assert _letters(approved) == [D.LETTER_EN, D.LETTER_ZH]
        english = GeneratedDocument.objects.for_subject(approved).get(template__code=D.LETTER_EN)
        assert english.valid_until == approved.depart_on

    def test_letters_need_locked_guest_data(self, org, people, monkeypatch):
        from meridian.core.errors import TransitionError

        monkeypatch.setattr(casework, "rule_failures", lambda visit: [])
        approved = document_visit(org, people, state="approved")
        approved.guests.update(locked_at=None)
        with pytest.raises(TransitionError, match="locked by the office"):
            case_move(case=approved, actor=people.officer, move="issue_invitation")
        approved.refresh_from_db()
        assert (approved.state, approved.invitation_number) == ("approved", "")
        assert _letters(approved) == []

    def test_passports_reach_only_the_letters(self, org, people, monkeypatch):
        from meridian.documents.tests.helpers import pdf_text, read

        monkeypatch.setattr(casework, "rule_failures", lambda visit: [])
        approved = document_visit(org, people, state="approved")
        case_move(case=approved, actor=people.officer, move="issue_invitation")
        plan = D.visit_document_generate(visit=approved, template_code=D.RECEPTION_PLAN, actor=people.staff)
        assert not any(number in pdf_text(read(plan)) for number in PASSPORTS)
