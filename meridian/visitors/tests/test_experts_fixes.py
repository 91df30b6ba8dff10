"""Faults found by the tryout: who may be the responsible member of staff (and what that grants), a unit's
foreign-affairs secretary filing with a new candidate, refusals that keep the form, dated moves in the future,
natural date messages, renewals that extend nothing, tables that scroll, and the case number's year."""

from __future__ import annotations

import datetime
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.people.models import Person
from meridian.visitors import permissions
from meridian.visitors.casework_experts import EXPERT_TRANSITIONS, FUTURE_ALLOWED, evaluation_date
from meridian.visitors.choices import ExpertState
from meridian.visitors.models import ExpertDocument, ExpertHiring
from meridian.visitors.services import experts as services
from meridian.visitors.tests.factories import germany
from meridian.visitors.tests.factories_experts import hiring_for
from meridian.workflow.choices import PostKind
from meridian.workflow.models import UnitPost
from meridian.workflow.testing import partner_contact_user

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _form(org, **extra):
    data = {
        "kind": "teacher",
        "position": "English teacher",
        "host_unit": org.computing.pk,
        "contract_starts_on": "2027-09-01",
        "contract_ends_on": "2028-08-31",
        "annual_salary": "180000",
        "permit_category": "B",
        "degree": "master",
        "experience_years": "3",
        "new_gender": "0",
    }
    data.update(extra)
    return data


@pytest.fixture
def outsiders(org, people):
    """Accounts that must never be responsible for, nor see through that, a foreign expert's case."""
    both = user_create(username="staff-student", email="ss@meridian.example", password="x-ss")
    membership_grant(user=both, unit=org.computing, role=Role.STAFF)
    membership_grant(user=both, unit=org.computing, role=Role.STUDENT)
    return {
        "student": people.student,
        "partner_contact": partner_contact_user(org),
        "leadership": people.leadership,
        "no_role": people.outsider,
        "staff_and_student": both,
    }


@pytest.fixture
def secretary(org):
    """The School of Engineering's foreign-affairs secretary: a staff role and the secretary post."""
    user = user_create(username="secretary", email="secretary@meridian.example", password="x-secretary")
    membership_grant(user=user, unit=org.engineering, role=Role.STAFF)
    UnitPost.objects.create(unit=org.engineering, user=user, post=PostKind.SECRETARY)
    return user


def _with_file(hiring):
    return ExpertDocument.objects.create(
        hiring=hiring,
        kind="criminal_record",
        file=SimpleUploadedFile("record.pdf", PDF),
        original_name="record.pdf",
        content_type="application/pdf",
        sha256="b" * 64,
    )


# --- 1. the responsible member of staff --------------------------------------------------------------------


def _supervisor_choices(client, user) -> set[str]:
    client.force_login(user)
    body = client.get(reverse("visitors:expert_create")).content.decode()
    select = re.search(r'<select name="supervisor".*?</select>', body, re.S)
    assert select is not None
    return set(re.findall(r'<option value="(\d+)"', select.group(0)))


def test_the_picker_offers_only_staff_of_the_units(client, org, people, outsiders, secretary):
    offered = _supervisor_choices(client, people.coordinator)
    assert {str(people.staff.pk), str(people.coordinator.pk), str(secretary.pk)} <= offered
    refused = [*outsiders.values(), people.other_coordinator, people.officer]
    assert not offered & {str(u.pk) for u in refused}
    offered = _supervisor_choices(client, people.officer)
    assert {str(people.staff.pk), str(people.other_coordinator.pk), str(people.officer.pk)} <= offered
    assert not offered & {str(u.pk) for u in outsiders.values()}


@pytest.mark.parametrize("who", ["student", "partner_contact", "leadership", "no_role", "staff_and_student"])
def test_filing_with_an_ineligible_supervisor_is_refused_with_the_form(client, org, people, outsiders, who):
    client.force_login(people.coordinator)
    response = client.post(
        reverse("visitors:expert_create"), _form(org, supervisor=outsiders[who].pk, person="")
    )
    assert response.status_code == 400 and 'value="English teacher"' in response.content.decode()
    assert not ExpertHiring.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.expert_hiring_create(
            actor=people.officer,
            position="Teacher",
            host_unit=org.computing,
            supervisor=outsiders[who],
            contract_starts_on=DAY,
            contract_ends_on=DAY + timedelta(days=400),
        )
    assert "cannot be responsible for a foreign expert" in " ".join(caught.value.message_dict["supervisor"])


def test_staff_of_another_school_cannot_be_responsible(org, people):
    other = user_create(username="historian", email="h@meridian.example", password="x-h")
    membership_grant(user=other, unit=org.humanities, role=Role.STAFF)
    assert not permissions.may_supervise_expert(other, org.computing)
    assert permissions.may_supervise_expert(people.staff, org.computing)
    assert permissions.may_supervise_expert(people.coordinator, org.computing)  # a unit above it
    hiring = hiring_for(org, people)
    with pytest.raises(ValidationError):
        services.expert_hiring_update(hiring=hiring, actor=people.coordinator, supervisor=other)


@pytest.mark.parametrize("who", ["student", "partner_contact", "no_role", "staff_and_student"])
def test_a_case_named_on_an_outsider_grants_them_nothing(client, org, people, outsiders, who):
    """Cases stored before the check (or by another path) naming an outsider as supervisor or filer."""
    user = outsiders[who]
    hiring = hiring_for(org, people, supervisor=user, created_by=user)
    document = _with_file(hiring)
    assert not ExpertHiring.objects.visible_to(user).exists()
    assert not permissions.expert_handler(user, hiring)
    assert not permissions.can_see_expert_documents(user, hiring)
    client.force_login(user)
    urls = [
        reverse("visitors:expert_detail", args=[hiring.pk]),
        reverse("visitors:expert_edit", args=[hiring.pk]),
        reverse("visitors:expert_document", args=[hiring.pk, document.pk]),
        f"/api/v1/visitors/experts/{hiring.pk}/",
    ]
    assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]
    assert client.get(reverse("visitors:expert_list")).status_code == 403
    with pytest.raises(PermissionDeniedError), evaluation_date(DAY):
        services.expert_move(hiring=hiring, actor=user, move="choose_candidate")


def test_internal_supervisor_still_handles_the_case(client, org, people):
    hiring = hiring_for(org, people)
    document = _with_file(hiring)
    client.force_login(people.staff)
    assert client.get(reverse("visitors:expert_document", args=[hiring.pk, document.pk])).status_code == 200
    assert permissions.expert_handler(people.staff, hiring)


@pytest.mark.parametrize(("who", "sees"), [("no_role", True), ("student", False), ("partner_contact", False)])
def test_the_expert_sees_their_own_case_unless_a_student_or_partner(
    client, org, people, outsiders, who, sees
):
    user = outsiders[who]
    hiring = hiring_for(org, people)
    Person.objects.filter(pk=hiring.person_id).update(user=user)
    hiring.refresh_from_db()
    document = _with_file(hiring)
    client.force_login(user)
    detail = client.get(reverse("visitors:expert_detail", args=[hiring.pk])).status_code
    download = client.get(reverse("visitors:expert_document", args=[hiring.pk, document.pk])).status_code
    assert (detail, download) == ((200, 200) if sees else (404, 404))
    assert permissions.can_see_expert_documents(user, hiring) is sees
    assert not permissions.expert_handler(user, hiring)


# --- 2. a secretary files with a new candidate; refusals keep the form ------------------------------------


def test_a_secretary_files_a_case_with_a_new_candidate(client, org, people, secretary):
    client.force_login(secretary)
    response = client.post(
        reverse("visitors:expert_create"),
        _form(
            org,
            supervisor=people.staff.pk,
            new_family_name="Brown",
            new_given_name="Emma",
            new_birth_date="1990-04-01",
            new_nationality=germany().pk,
        ),
    )
    hiring = ExpertHiring.objects.get()
    assert response.status_code == 302 and response["Location"] == hiring.get_absolute_url()
    assert hiring.created_by == secretary and hiring.supervisor == people.staff
    assert hiring.person.family_name == "Brown" and hiring.person.unit == org.computing
    # The secretary finds the record among the candidates of their unit afterwards.
    body = client.get(reverse("visitors:expert_create")).content.decode()
    assert f'<option value="{hiring.person_id}"' in body


def test_a_new_candidate_needs_the_right_to_file_for_the_unit(org, people):
    with pytest.raises(PermissionDeniedError):
        services.expert_person_create(
            actor=people.staff, host_unit=org.computing, family_name="Brown", given_name="Emma"
        )
    with pytest.raises(PermissionDeniedError):
        services.expert_person_create(
            actor=people.other_coordinator, host_unit=org.computing, family_name="Brown", given_name="Emma"
        )
    assert not Person.objects.filter(family_name="Brown").exists()


def test_a_refusal_by_a_service_redisplays_the_form(client, org, people, monkeypatch):
    def refuse(**kwargs):
        raise PermissionDeniedError("The host unit's budget is closed for new hires.")

    monkeypatch.setattr(services, "expert_hiring_create", refuse)
    client.force_login(people.coordinator)
    response = client.post(
        reverse("visitors:expert_create"),
        _form(org, new_family_name="Brown", new_given_name="Emma", new_nationality=germany().pk),
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "The host unit&#x27;s budget is closed for new hires." in body
    assert 'value="English teacher"' in body and 'value="Brown"' in body
    assert not Person.objects.filter(family_name="Brown").exists()  # rolled back with the case


# --- 3. and 4. dated moves: not in the future, natural messages, renewals that extend -----------------


def _move(hiring, actor, name, **data):
    with evaluation_date(DAY):
        return services.expert_move(
            hiring=hiring, actor=actor, move=name, data={k: str(v) for k, v in data.items()}
        )


def test_the_departure_cannot_lie_in_the_future_nor_before_the_entry(org, people):
    hiring = hiring_for(org, people, state="employed", entered_on=DAY - timedelta(days=100))
    with pytest.raises(TransitionError, match="The departure date cannot be in the future."):
        _move(hiring, people.staff, "leave", left_on="2030-01-01")
    with pytest.raises(TransitionError) as caught:
        _move(hiring, people.staff, "leave", left_on=DAY - timedelta(days=101))
    assert caught.value.message == (
        f"The departure date cannot be before the entry date ({(DAY - timedelta(days=100)).isoformat()})."
    )
    hiring.refresh_from_db()
    assert hiring.state == ExpertState.EMPLOYED and hiring.left_on is None
    assert _move(hiring, people.staff, "leave", left_on=DAY).state == ExpertState.LEFT


def _future_reasons(transition, name: str) -> list[str]:
    case = ExpertHiring(**{name: DAY + timedelta(days=1)})
    reasons = []
    for guard in transition.guards:
        try:
            reason = guard.failure(case)
        except Exception:  # guards that need a stored case (documents, changes) are not the point here
            continue
        if reason:
            reasons.append(reason)
    return reasons


def test_every_dated_move_refuses_a_date_in_the_future():
    checked = 0
    for transition in EXPERT_TRANSITIONS:
        for name in transition.inputs:
            if not name.endswith("_on") or name in FUTURE_ALLOWED:
                continue
            with evaluation_date(DAY):
                reasons = _future_reasons(transition, name)
            assert any("cannot be in the future" in r for r in reasons), (transition.name, name)
            checked += 1
    assert checked == 7  # applied, issued, visa notice, entered, residence permit, employed, left


def test_date_messages_are_sentences(org, people):
    hiring = hiring_for(
        org, people, state="arrived", entered_on=DAY - timedelta(days=10), permit_applied_on=DAY
    )
    with pytest.raises(TransitionError) as caught:
        _move(
            hiring,
            people.staff,
            "residence_permit",
            residence_permit_on=DAY - timedelta(days=11),
            residence_permit_expires_on=DAY - timedelta(days=12),
        )
    message = caught.value.message
    assert "The residence permit cannot be issued before the entry date (" in message
    assert "The residence permit must expire after the day it was issued (" in message
    assert "lie" not in message and "entered China" not in message


def test_a_renewal_must_extend_the_contract_or_the_permit(org, people):
    ends = DAY + timedelta(days=400)
    hiring = hiring_for(
        org,
        people,
        state="renewal",
        entered_on=DAY - timedelta(days=300),
        contract_starts_on=DAY - timedelta(days=300),
        contract_ends_on=ends,
        permit_expires_on=ends,
    )
    with pytest.raises(TransitionError, match="A renewal must extend the contract or the work permit"):
        _move(hiring, people.staff, "complete_renewal", contract_ends_on=ends, permit_expires_on=ends)
    hiring.refresh_from_db()
    assert hiring.state == ExpertState.RENEWAL
    hiring = _move(
        hiring,
        people.staff,
        "complete_renewal",
        contract_ends_on=ends + timedelta(days=365),
        permit_expires_on=ends,
    )
    assert hiring.state == ExpertState.EMPLOYED and hiring.contract_ends_on == ends + timedelta(days=365)


def test_change_and_report_dates_are_said_in_words(org, people):
    hiring = hiring_for(org, people, state="employed", entered_on=DAY - timedelta(days=10))
    with evaluation_date(DAY), pytest.raises(ValidationError) as caught:
        services.expert_change_report(
            hiring=hiring,
            actor=people.staff,
            kind="address",
            description="x",
            happened_on=DAY - timedelta(11),
        )
    assert caught.value.message_dict["happened_on"] == [
        "The date of the change cannot be before the entry date."
    ]


# --- 5. and 6. tables scroll; the year of the number ---------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_table_of_the_case_page_scrolls(client, org, people, language):
    hiring = hiring_for(org, people, state="employed", entered_on=DAY - timedelta(days=10))
    with evaluation_date(DAY):
        services.expert_change_report(
            hiring=hiring, actor=people.staff, kind="address", description="Campus flat", happened_on=DAY
        )
    client.force_login(people.coordinator)
    response = client.get(reverse("visitors:expert_detail", args=[hiring.pk]), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    for section in ("documents", "changes"):
        start = body.index(f'<section class="card" id="{section}">')
        part = body[start : body.index("</section>", start)]
        assert "<table" in part
        assert part.count("<table") == part.count('<div class="table-wrap">')
    if language == "zh-hans":
        assert 'lang="zh-hans"' in body and hiring.number in body and "Campus flat" in body


def test_the_number_year_falls_back_on_the_evaluation_date():
    with evaluation_date(datetime.date(2031, 6, 1)):
        assert services.number_year(None) == 2031
        assert services.number_year(datetime.date(2032, 1, 1)) == 2032
