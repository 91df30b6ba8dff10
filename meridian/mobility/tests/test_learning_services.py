"""Learning agreements: starting one, the course rows and their checks, the three-party approval in any order
(the student first), rejection and revision, changes superseding the approved version, and the
course-equivalence catalogue growing from approvals and offered to the next student."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError, TransitionError
from meridian.mobility.casework import evaluation_date
from meridian.mobility.choices import (
    ComponentChange,
    Direction,
    LearningAgreementKind,
    LearningAgreementState,
    MobilityState,
)
from meridian.mobility.models import CourseEquivalence, LearningAgreement
from meridian.mobility.selectors import learning as selectors
from meridian.mobility.services import learning as services
from meridian.mobility.tests.factories import make_learning_agreement, make_mobility, student_user
from meridian.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db
L = LearningAgreementState


@pytest.fixture
def student(org):
    return student_user(org.computing, "stu-la", member_number="2023001234")


def mobility_of(
    world, org, student, *, direction=Direction.OUTGOING, state=MobilityState.ACCEPTED, partner=None
):
    return make_mobility(
        partner=partner or world.partner,
        home_unit=org.engineering,
        person=student.person,
        student=student,
        direction=direction,
        state=state,
    )


@pytest.fixture
def mobility(world, org, student):
    return mobility_of(world, org, student)


def row(title="Power Systems", credits="6", home="电力系统", home_credits="3", **extra):
    values = {
        "receiving_code": extra.pop("code", "EE400"),
        "receiving_title": title,
        "receiving_credits": credits,
        "sending_code": extra.pop("home_code", "DQ300"),
        "sending_title": home,
        "sending_credits": home_credits,
    }
    values.update(extra)
    return values


def draft(mobility, actor, rows=None):
    la = services.la_create(mobility=mobility, actor=actor)
    return services.la_courses_save(
        learning_agreement=la, actor=actor, expected_version=la.version, rows=rows or [row()]
    )


def submitted(mobility, student, rows=None):
    return services.la_submit(learning_agreement=draft(mobility, student, rows), actor=student)


def approved(mobility, student, people, world, rows=None, *, contact=None):
    la = submitted(mobility, student, rows)
    la = services.la_sign(learning_agreement=la, actor=contact or world.contact)
    return services.la_sign(learning_agreement=la, actor=people.coordinator)


# --- starting ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "coordinator", "officer"])
def test_student_or_our_side_starts_the_agreement(world, org, student, people, who):
    mobility = mobility_of(world, org, student, state=MobilityState.ACTIVE)
    actor = student if who == "student" else getattr(people, who)
    la = services.la_create(mobility=mobility, actor=actor)
    assert (la.version_number, la.kind, la.state) == (1, LearningAgreementKind.BEFORE, L.DRAFT)
    assert la.courses.count() == 0


@pytest.mark.parametrize(
    "who", ["contact", "viewer", "other_contact", "other_coordinator", "leadership", "staff"]
)
def test_others_cannot_start_it(world, mobility, people, who):
    actor = getattr(world, who, None) or getattr(people, who)
    with pytest.raises(PermissionDeniedError):
        services.la_create(mobility=mobility, actor=actor)
    assert not LearningAgreement.objects.exists()


@pytest.mark.parametrize(
    "state",
    [MobilityState.NOMINATED, MobilityState.REJECTED, MobilityState.RETURNED, MobilityState.CANCELLED],
)
def test_only_an_accepted_or_active_mobility_gets_one(world, org, student, state):
    mobility = mobility_of(world, org, student, state=state)
    with pytest.raises(TransitionError, match="accepted"):
        services.la_create(mobility=mobility, actor=student)
    assert not LearningAgreement.objects.exists()


def test_one_before_version_per_mobility(mobility, student, people):
    services.la_create(mobility=mobility, actor=student)
    with pytest.raises(DomainError, match="already") as caught:
        services.la_create(mobility=mobility, actor=people.coordinator)
    assert caught.value.code == "duplicate"
    assert mobility.learning_agreements.count() == 1


# --- course rows -------------------------------------------------------------------------------------------


def test_course_rows_are_saved_in_order_with_their_credits(mobility, student):
    la = draft(
        mobility, student, [row(), row("Smart Grids", "7.5", "智能电网", "", code="EE410", home_code="")]
    )
    courses = list(la.courses.all())
    assert [c.receiving_title for c in courses] == ["Power Systems", "Smart Grids"]
    assert courses[1].receiving_credits == Decimal("7.5") and courses[1].sending_credits is None
    assert courses[0].sending_credit_system == "cn" and courses[0].receiving_credit_system == "ects"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"receiving_credits": "0"}, "more than 0 and at most 60"),
        ({"receiving_credits": "-3"}, "more than 0 and at most 60"),
        ({"receiving_credits": "60.5"}, "more than 0 and at most 60"),
        ({"sending_credits": "61"}, "more than 0 and at most 60"),
        ({"receiving_credits": "abc"}, "not a number"),
        ({"receiving_credits": "6.25"}, "one decimal place"),
        ({"receiving_credits": ""}, "give the credits"),
        ({"receiving_title": "  "}, "title of the course at the receiving institution"),
        ({"sending_title": ""}, "title of the course replaced"),
        ({"receiving_credit_system": "xyz"}, "unknown credit system"),
        ({"change": "added", "change_reason": "x"}, "only a change"),
        ({"receiving_title": "x" * 301}, "longer than 300"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_stored(mobility, student, bad, message):
    la = draft(mobility, student)
    version = la.version
    with pytest.raises(ValidationError) as caught:
        services.la_courses_save(
            learning_agreement=la, actor=student, expected_version=version, rows=[row("Other"), row(**bad)]
        )
    text = " ".join(caught.value.messages)
    assert message in text and "Row 2" in text
    la.refresh_from_db()
    assert la.version == version
    assert [c.receiving_title for c in la.courses.all()] == ["Power Systems"]


def test_at_least_one_course_and_no_repeats(mobility, student):
    la = services.la_create(mobility=mobility, actor=student)
    with pytest.raises(ValidationError, match="at least one course"):
        services.la_courses_save(learning_agreement=la, actor=student, expected_version=la.version, rows=[])
    with pytest.raises(ValidationError, match="Row 2 repeats row 1"):
        services.la_courses_save(
            learning_agreement=la, actor=student, expected_version=la.version, rows=[row(), row()]
        )
    assert la.courses.count() == 0


def test_a_stale_save_is_refused(mobility, student, people):
    la = draft(mobility, student)
    old = la.version
    services.la_courses_save(
        learning_agreement=la, actor=people.coordinator, expected_version=old, rows=[row("Changed")]
    )
    with pytest.raises(StaleEditError):
        services.la_courses_save(
            learning_agreement=la, actor=student, expected_version=old, rows=[row("Mine")]
        )
    assert [c.receiving_title for c in la.courses.all()] == ["Changed"]


def test_courses_are_fixed_once_submitted_and_partners_never_edit(mobility, student, world):
    la = draft(mobility, student)
    with pytest.raises(PermissionDeniedError):
        services.la_courses_save(
            learning_agreement=la, actor=world.contact, expected_version=None, rows=[row()]
        )
    la = services.la_submit(learning_agreement=la, actor=student)
    with pytest.raises(TransitionError, match="draft"):
        services.la_courses_save(learning_agreement=la, actor=student, expected_version=None, rows=[row("X")])


# --- three-party approval ----------------------------------------------------------------------------------


@pytest.mark.parametrize("direction", [Direction.OUTGOING, Direction.INCOMING])
@pytest.mark.parametrize("partner_first", [True, False])
def test_three_parties_approve_in_either_order(world, org, student, people, direction, partner_first):
    mobility = mobility_of(world, org, student, direction=direction)
    la = submitted(mobility, student)
    assert la.state == L.SUBMITTED and la.student_signed_at is not None
    ours, theirs = ("sending", "receiving") if direction == Direction.OUTGOING else ("receiving", "sending")
    order = [(world.contact, theirs), (people.coordinator, ours)]
    if not partner_first:
        order.reverse()
    first, second = order
    la = services.la_sign(learning_agreement=la, actor=first[0])
    assert la.state == L.SUBMITTED
    assert getattr(la, f"{first[1]}_signed_by") == first[0] and getattr(la, f"{second[1]}_signed_at") is None
    la = services.la_sign(learning_agreement=la, actor=second[0])
    assert la.state == L.APPROVED
    assert getattr(la, f"{second[1]}_signed_by") == second[0]
    actions = list(
        TransitionLog.objects.filter(object_id=la.pk, case_type="learning_agreement").values_list(
            "action", flat=True
        )
    )
    assert {"submit", f"sign_{first[1]}", f"sign_{second[1]}", "approve"} <= set(actions)


def test_coordinators_wait_for_the_student(mobility, student, people, world):
    la = draft(mobility, student)
    for actor in (people.coordinator, world.contact):
        with pytest.raises(TransitionError, match="student has not signed"):
            services.la_sign(learning_agreement=la, actor=actor)
    la.refresh_from_db()
    assert la.sending_signed_at is None and la.receiving_signed_at is None


def test_a_party_signs_once(mobility, student, people, world):
    la = submitted(mobility, student)
    la = services.la_sign(learning_agreement=la, actor=world.contact)
    signed_at = la.receiving_signed_at
    with pytest.raises(TransitionError, match="approved already"):
        services.la_sign(learning_agreement=la, actor=world.contact)
    la.refresh_from_db()
    assert la.receiving_signed_at == signed_at and la.state == L.SUBMITTED
    assert TransitionLog.objects.filter(object_id=la.pk, action="sign_receiving").count() == 1


def test_a_second_coordinator_of_the_same_side_cannot_sign_for_the_other(mobility, student, people, world):
    la = submitted(mobility, student)
    services.la_sign(learning_agreement=la, actor=people.coordinator)
    with pytest.raises(TransitionError, match="sending institution approved already"):
        services.la_sign(learning_agreement=la, actor=people.officer)  # also our side: "sending" again
    la.refresh_from_db()
    assert la.receiving_signed_at is None and la.state == L.SUBMITTED


@pytest.mark.parametrize(
    "who", ["student", "viewer", "other_contact", "other_coordinator", "leadership", "staff"]
)
def test_who_may_not_sign(mobility, student, people, world, who):
    la = submitted(mobility, student)
    actor = student if who == "student" else getattr(world, who, None) or getattr(people, who)
    with pytest.raises(PermissionDeniedError):
        services.la_sign(learning_agreement=la, actor=actor)
    la.refresh_from_db()
    assert la.sending_signed_at is None and la.receiving_signed_at is None


def test_only_the_student_sends_it(mobility, student, people):
    la = draft(mobility, student)
    with pytest.raises(PermissionDeniedError):
        services.la_submit(learning_agreement=la, actor=people.coordinator)
    la.refresh_from_db()
    assert la.state == L.DRAFT


# --- rejection and revision --------------------------------------------------------------------------------


def test_rejection_needs_a_reason_then_the_student_revises(mobility, student, people, world):
    la = submitted(mobility, student)
    la = services.la_sign(learning_agreement=la, actor=people.coordinator)
    with pytest.raises(ValidationError):
        services.la_reject(learning_agreement=la, actor=world.contact, reason="  ")
    with pytest.raises(PermissionDeniedError):
        services.la_reject(learning_agreement=la, actor=world.viewer, reason="No")
    la = services.la_reject(
        learning_agreement=la, actor=world.contact, reason="EE400 is not offered in autumn."
    )
    assert la.state == L.REJECTED and la.rejected_reason == "EE400 is not offered in autumn."
    with pytest.raises(PermissionDeniedError):
        services.la_reopen(learning_agreement=la, actor=world.contact)
    la = services.la_reopen(learning_agreement=la, actor=student)
    assert la.state == L.DRAFT
    la = services.la_courses_save(
        learning_agreement=la, actor=student, expected_version=la.version, rows=[row("Power Systems II")]
    )
    assert la.sending_signed_at is None and la.sending_signed_by is None  # the old approval is void
    la = services.la_submit(learning_agreement=la, actor=student)
    assert la.rejected_reason == ""
    la = services.la_sign(learning_agreement=la, actor=world.contact)
    la = services.la_sign(learning_agreement=la, actor=people.coordinator)
    assert la.state == L.APPROVED


# --- changes during the mobility ---------------------------------------------------------------------------


def test_a_change_supersedes_the_approved_version(world, org, student, people):
    mobility = mobility_of(world, org, student)
    first = approved(
        mobility, student, people, world, [row(), row("Smart Grids", code="EE410", home="智能电网")]
    )
    mobility.state = MobilityState.ACTIVE
    mobility.save()
    change = services.la_change_create(mobility=mobility, actor=student)
    assert (change.version_number, change.kind, change.previous, change.state) == (
        2,
        LearningAgreementKind.CHANGES,
        first,
        L.DRAFT,
    )
    copied = list(change.courses.values_list("receiving_title", "change"))
    assert copied == [("Power Systems", ""), ("Smart Grids", "")]
    rows = [
        row(),
        row(
            "Smart Grids",
            code="EE410",
            home="智能电网",
            change="removed",
            change_reason="Cancelled at the partner",
        ),
        row(
            "Grid Control",
            code="EE420",
            home="电网控制",
            change="added",
            change_reason="Replaces Smart Grids",
        ),
    ]
    change = services.la_courses_save(
        learning_agreement=change, actor=student, expected_version=change.version, rows=rows
    )
    with pytest.raises(TransitionError):
        services.la_change_create(mobility=mobility, actor=student)  # one change at a time
    change = approved_change(change, student, people, world)
    first.refresh_from_db()
    assert change.state == L.APPROVED and first.state == L.SUPERSEDED
    assert selectors.la_in_force(mobility=mobility) == change


def approved_change(change, student, people, world):
    change = services.la_submit(learning_agreement=change, actor=student)
    change = services.la_sign(learning_agreement=change, actor=people.coordinator)
    return services.la_sign(learning_agreement=change, actor=world.contact)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([row(change="removed")], "say why the course is removed"),
        ([row(), row("New", code="N1", change="added")], "say why the course is added"),
        ([row(credits="5")], "differs from the approved agreement"),
        ([row("New", code="N1", change="added", change_reason="why")], "is missing"),
    ],
)
def test_a_change_keeps_or_removes_every_approved_row(world, org, student, people, rows, message):
    mobility = mobility_of(world, org, student)
    approved(mobility, student, people, world)
    change = services.la_change_create(mobility=mobility, actor=student)
    with pytest.raises(ValidationError) as caught:
        services.la_courses_save(learning_agreement=change, actor=student, expected_version=None, rows=rows)
    assert message in " ".join(caught.value.messages)
    assert list(change.courses.values_list("change", flat=True)) == [""]


def test_a_change_must_change_something_and_needs_an_approved_version(world, org, student, people):
    mobility = mobility_of(world, org, student)
    draft(mobility, student)
    with pytest.raises(TransitionError, match="in progress"):
        services.la_change_create(mobility=mobility, actor=student)
    other = mobility_of(world, org, student_user(org.computing, "stu-2"))
    with pytest.raises(TransitionError, match="approved"):
        services.la_change_create(mobility=other, actor=people.coordinator)
    fresh = mobility_of(world, org, student_user(org.computing, "stu-3"))
    approved(fresh, fresh.student, people, world)
    change = services.la_change_create(mobility=fresh, actor=fresh.student)
    with pytest.raises(TransitionError, match="neither adds nor removes"):
        services.la_submit(learning_agreement=change, actor=fresh.student)


# --- the catalogue -----------------------------------------------------------------------------------------


def test_the_catalogue_grows_from_approvals(world, org, student, people):
    one = mobility_of(world, org, student)
    with evaluation_date(datetime.date(2099, 3, 1)):
        approved(one, student, people, world, [row(), row("Thesis", home="", home_credits="", home_code="")])
    entry = CourseEquivalence.objects.get()
    assert (entry.partner, entry.partner_code, entry.partner_title, entry.home_code, entry.home_title) == (
        world.partner,
        "EE400",
        "Power Systems",
        "DQ300",
        "电力系统",
    )
    assert (entry.partner_credits, entry.home_credits, entry.home_unit) == (
        Decimal(6),
        Decimal(3),
        org.engineering,
    )
    assert (entry.times_approved, entry.first_approved_on, entry.last_approved_on) == (
        1,
        datetime.date(2099, 3, 1),
        datetime.date(2099, 3, 1),
    )
    second_student = student_user(org.computing, "stu-next")
    two = mobility_of(world, org, second_student)
    with evaluation_date(datetime.date(2099, 9, 1)):
        la = approved(two, second_student, people, world)
    entry.refresh_from_db()
    assert (entry.times_approved, entry.first_approved_on, entry.last_approved_on) == (
        2,
        datetime.date(2099, 3, 1),
        datetime.date(2099, 9, 1),
    )
    assert la.courses.get().equivalence == entry


def test_a_change_counts_a_kept_course_once_and_a_new_one(world, org, student, people):
    mobility = mobility_of(world, org, student)
    approved(mobility, student, people, world)
    change = services.la_change_create(mobility=mobility, actor=student)
    rows = [
        row(),
        row("Grid Control", code="EE420", home="电网控制", change="added", change_reason="More credits"),
    ]
    change = services.la_courses_save(
        learning_agreement=change, actor=student, expected_version=None, rows=rows
    )
    approved_change(change, student, people, world)
    counts = dict(CourseEquivalence.objects.values_list("partner_title", "times_approved"))
    assert counts == {"Power Systems": 1, "Grid Control": 1}


def test_incoming_catalogue_entries_take_the_partner_course_from_the_sending_side(
    world, org, student, people
):
    mobility = mobility_of(world, org, student, direction=Direction.INCOMING)
    la = submitted(
        mobility, student, [row("Chinese Culture", code="HUM100", home="Kultur Chinas", home_code="K1")]
    )
    services.la_sign(learning_agreement=la, actor=world.contact)
    services.la_sign(learning_agreement=la, actor=people.coordinator)
    entry = CourseEquivalence.objects.get()
    assert (entry.partner_code, entry.partner_title, entry.home_code, entry.home_title) == (
        "K1",
        "Kultur Chinas",
        "HUM100",
        "Chinese Culture",
    )


def test_suggestions_offer_the_partners_catalogue_and_add_with_one_click(world, org, student, people):
    approved(
        mobility_of(world, org, student),
        student,
        people,
        world,
        [row(), row("Optics", code="PH1", home="光学")],
    )
    other_partner = mobility_of(world, org, student_user(org.computing, "stu-o"), partner=world.other_partner)
    approved(
        other_partner,
        other_partner.student,
        people,
        world,
        [row("Elsewhere", home="别处")],
        contact=world.other_contact,
    )
    CourseEquivalence.objects.filter(partner_title="Optics").update(withdrawn=True)
    nxt = student_user(org.computing, "stu-next")
    la = services.la_create(mobility=mobility_of(world, org, nxt), actor=nxt)
    suggestions = selectors.equivalence_suggestions(learning_agreement=la)
    assert [e.partner_title for e in suggestions] == ["Power Systems"]
    la = services.la_course_add_from_equivalence(learning_agreement=la, actor=nxt, equivalence=suggestions[0])
    course = la.courses.get()
    assert (course.receiving_title, course.sending_title, course.receiving_credits, course.equivalence) == (
        "Power Systems",
        "电力系统",
        Decimal(6),
        suggestions[0],
    )
    assert selectors.equivalence_suggestions(learning_agreement=la) == []
    withdrawn = CourseEquivalence.objects.get(partner_title="Optics")
    with pytest.raises(DomainError):
        services.la_course_add_from_equivalence(learning_agreement=la, actor=nxt, equivalence=withdrawn)
    elsewhere = CourseEquivalence.objects.get(partner_title="Elsewhere")
    with pytest.raises(DomainError):
        services.la_course_add_from_equivalence(learning_agreement=la, actor=nxt, equivalence=elsewhere)
    assert la.courses.count() == 1


def test_a_suggestion_added_to_a_change_needs_a_reason(world, org, student, people):
    mobility = mobility_of(world, org, student)
    approved(mobility, student, people, world)
    other = student_user(org.computing, "stu-x")
    approved(mobility_of(world, org, other), other, people, world, [row("Optics", code="PH1", home="光学")])
    change = services.la_change_create(mobility=mobility, actor=student)
    optics = CourseEquivalence.objects.get(partner_title="Optics")
    with pytest.raises(ValidationError, match="say why"):
        services.la_course_add_from_equivalence(learning_agreement=change, actor=student, equivalence=optics)
    change = services.la_course_add_from_equivalence(
        learning_agreement=change, actor=student, equivalence=optics, reason="Extra credits"
    )
    assert change.courses.get(receiving_title="Optics").change == ComponentChange.ADDED


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("officer", True), ("coordinator", True), ("other_coordinator", False), ("leadership", False)],
)
def test_who_withdraws_a_catalogue_entry(world, org, student, people, who, allowed):
    approved(mobility_of(world, org, student), student, people, world)
    entry = CourseEquivalence.objects.get()
    if allowed:
        services.equivalence_withdraw(equivalence=entry, actor=getattr(people, who))
        entry.refresh_from_db()
        assert entry.withdrawn
        services.equivalence_withdraw(equivalence=entry, actor=getattr(people, who), withdrawn=False)
        entry.refresh_from_db()
        assert not entry.withdrawn
    else:
        with pytest.raises(PermissionDeniedError):
            services.equivalence_withdraw(equivalence=entry, actor=getattr(people, who))
        entry.refresh_from_db()
        assert not entry.withdrawn


def test_factory_agreements_work_with_the_services(world, org, student, people):
    mobility = mobility_of(world, org, student)
    la = make_learning_agreement(mobility, state=L.SUBMITTED, student_signed_at=mobility.created_at)
    la = services.la_sign(learning_agreement=la, actor=people.coordinator)
    la = services.la_sign(learning_agreement=la, actor=world.contact)
    assert la.state == L.APPROVED and CourseEquivalence.objects.count() == 2


def test_agreements_waiting_for_each_party(world, org, student, people):
    out = submitted(mobility_of(world, org, student), student)
    other = student_user(org.computing, "stu-in")
    inc = submitted(mobility_of(world, org, other, direction=Direction.INCOMING), other)
    assert set(selectors.learning_agreements_to_sign(world.contact)) == {out, inc}
    assert set(selectors.learning_agreements_to_sign(people.coordinator)) == {out, inc}
    for nobody in (world.viewer, world.other_contact, people.other_coordinator, people.leadership, student):
        assert not selectors.learning_agreements_to_sign(nobody).exists()
    services.la_sign(learning_agreement=out, actor=world.contact)
    services.la_sign(learning_agreement=inc, actor=people.officer)
    assert list(selectors.learning_agreements_to_sign(world.contact)) == [inc]
    assert list(selectors.learning_agreements_to_sign(people.coordinator)) == [out]
