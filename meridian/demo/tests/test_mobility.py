"""Demo student exchange: built with the rest of the demo (once per package, rolled back); a second start adds
nothing; places on forty and more partners, the call of 300 applicants through selection, allocation,
answers and nominations, the call open now, learning agreements in every state, a completed mobility,
incoming students from three partners, the portals' pages, and removal of everything it built."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from meridian.demo.builder import remove_demo
from meridian.demo.mobility import APPLICANTS, build_mobility, remove_mobility
from meridian.demo.mobility_data import HEIDELBERG, INCOMING
from meridian.mobility.choices import ApplicationState, CallState, LearningAgreementState, MobilityState

PASSWORD = "demo password for tests"
A = ApplicationState


@pytest.fixture
def demo(demo_world, db):  # `db` keeps every demo test in pytest-django's first group, next to each other
    """The package's demo world: applications and mobilities as built, a second start's output, warnings."""
    return {
        "first": demo_world.second["applications"],
        "mobilities": demo_world.second["mobilities"],
        "output": demo_world.again,
        "notes": demo_world.notes["meridian.demo.mobility"],
    }


def _next_call():
    from meridian.mobility.models import Call

    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    return Call.objects.get(is_demo=True, academic_year=year + 1, semester="autumn")


def test_every_step_went_through_the_services(demo, db):
    assert demo["notes"] == []


def test_places_on_forty_partners_in_both_directions(demo, db):
    from meridian.agreements.choices import AgreementState
    from meridian.mobility.models import CooperationCondition, PartnerFactsheet
    from meridian.mobility.selectors.conditions import EXCHANGE_AGREEMENT_TYPES

    conditions = CooperationCondition.objects.filter(is_demo=True).select_related("agreement")
    call = _next_call()
    assert conditions.values("partner").distinct().count() >= 40
    for year in (call.academic_year - 1, call.academic_year):
        for direction in ("outgoing", "incoming"):
            assert (
                conditions.filter(academic_year=year, direction=direction)
                .values("partner")
                .distinct()
                .count()
                >= 40
            )
    assert not conditions.exclude(agreement__state=AgreementState.ACTIVE).exists()
    assert not conditions.exclude(agreement__kind__in=EXCHANGE_AGREEMENT_TYPES).exists()
    assert conditions.filter(agreement__kind="student_exchange").values("partner").distinct().count() >= 15
    heidelberg = conditions.filter(partner__name_en=HEIDELBERG, direction="incoming").first()
    assert heidelberg is not None and heidelberg.agreement.partners.get().status == "active"
    assert PartnerFactsheet.objects.filter(partner__is_demo=True).count() >= 3
    assert PartnerFactsheet.objects.filter(partner__name_en=HEIDELBERG).exclude(website="").exists()


def test_partner_contacts_coordinator_and_viewer(demo, db):
    from meridian.partners.models import PartnerContact

    anna = PartnerContact.objects.get(user__username="demo-partner")
    viewer = PartnerContact.objects.get(user__username="demo-partner-viewer")
    assert anna.partner_id == viewer.partner_id and anna.partner.name_en == HEIDELBERG
    assert (anna.portal_role, viewer.portal_role) == ("coordinator", "viewer")
    assert (
        PartnerContact.objects.filter(portal_role="coordinator", user__isnull=False).values("partner").count()
        >= 3
    )


def test_next_years_call_three_hundred_applicants_forty_destinations(demo, db):
    from meridian.mobility.models import Application, CallDestination

    call = _next_call()
    assert call.unit.is_international_office and call.state == CallState.PUBLISHED
    destinations = CallDestination.objects.filter(call=call)
    assert destinations.count() == 40
    places = list(destinations.values_list("places", flat=True))
    assert min(places) >= 1 and max(places) <= 3 and 75 <= sum(places) <= 85
    applications = Application.objects.filter(call=call).exclude(state=A.DRAFT)
    assert applications.count() == APPLICANTS
    counts = list(applications.annotate(n=Count("preferences")).values_list("n", flat=True))
    assert min(counts) >= 3 and max(counts) <= 5
    assert applications.filter(submitted_at__gt=call.closes_at).count() == 0
    grades = [float(g or 0) for g in applications.values_list("grade_average", flat=True)]
    assert 3.2 < sum(grades) / len(grades) < 3.7
    assert set(applications.values_list("cefr_level", flat=True)) >= {"B1", "B2", "C1"}
    assert len(set(applications.values_list("language", flat=True))) >= 3


def test_some_applicants_not_eligible_with_the_reason(demo, db):
    from meridian.mobility.models import Application

    ineligible = Application.objects.filter(call=_next_call(), state=A.INELIGIBLE)
    assert 5 <= ineligible.count() <= 45
    for application in ineligible:
        assert application.school_note
        assert any(r["outcome"] == "fail" for r in application.eligibility)


def test_committee_of_three_with_a_conflict_of_interest(demo, db):
    from meridian.mobility.models import Application, Review, ReviewConflict

    call = _next_call()
    assert call.reviewers.count() == 3
    conflict = ReviewConflict.objects.get(application__call=call)
    assert not Review.objects.filter(application=conflict.application, reviewer=conflict.reviewer).exists()
    ranked = Application.objects.filter(call=call, rank__isnull=False)
    reviews = Review.objects.filter(application__call=call, submitted_at__isnull=False)
    assert reviews.count() == 3 * ranked.count() - 1
    assert sorted(r or 0 for r in ranked.values_list("rank", flat=True)) == list(range(1, ranked.count() + 1))


def test_allocation_within_places_and_reallocated(demo, db):
    from meridian.mobility.models import Application, CallDestination

    call = _next_call()
    holding = Counter(
        Application.objects.filter(call=call, state__in=[A.OFFERED, A.ACCEPTED, A.NOMINATED]).values_list(
            "offered", flat=True
        )
    )
    for destination in CallDestination.objects.filter(call=call):
        assert holding.get(destination.pk, 0) <= destination.places
    first = call.allocation_runs.get(reallocation=False).summary
    assert first["offered"] == first["places"] - first["places_left"] and first["offered"] >= 70
    # A declined place goes to the waiting list when someone waiting ranked it and meets its language.
    assert sum(holding.values()) >= 60
    assert call.allocation_runs.filter(reallocation=True).exists()
    states = Counter(Application.objects.filter(call=call).values_list("state", flat=True))
    assert states[A.ACCEPTED] + states[A.NOMINATED] >= 20
    assert states[A.DECLINED] >= 2 and states[A.OFFERED] >= 3 and states[A.WAITLISTED] > 100
    today = timezone.localdate()
    assert call.publicity_ends_on < today
    assert not Application.objects.filter(call=call, state=A.OFFERED, offer_expires_on__lt=today).exists()


def test_demo_student_has_an_offer_to_answer(demo, db, client):
    from meridian.accounts.models import User
    from meridian.mobility.models import Application

    student = User.objects.get(username="demo-student")
    application = Application.objects.get(call=_next_call(), student=student)
    expires = application.offer_expires_on
    assert application.state == A.OFFERED and expires is not None and expires >= timezone.localdate()
    assert application.preferences.count() >= 3
    client.force_login(student)
    page = client.get(reverse("mobility:student_application", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Accept the place" in html and expires.isoformat() in html
    home = client.get(reverse("mobility:student_home")).content.decode()
    assert "Summer schools" in home  # the call open now


def test_nominations_to_a_few_partners(demo, db):
    from meridian.mobility.models import Mobility

    nominated = Mobility.objects.filter(application__call=_next_call())
    assert nominated.values("partner").distinct().count() >= 3
    states = Counter(nominated.values_list("state", flat=True))
    assert states[MobilityState.ACCEPTED] == 1 and states[MobilityState.DOCUMENTS_REQUESTED] == 1
    assert states[MobilityState.NOMINATED] >= 1
    accepted = nominated.get(state=MobilityState.ACCEPTED)
    assert accepted.partner.name_en == HEIDELBERG
    assert accepted.learning_agreements.get().state == LearningAgreementState.DRAFT
    assert nominated.get(state=MobilityState.DOCUMENTS_REQUESTED).documents_requested


def test_a_call_open_now_with_drafts(demo, db, client):
    from meridian.mobility.models import Application, Call

    now = timezone.now()
    call = Call.objects.get(is_demo=True, state=CallState.OPEN)
    assert call.opens_at < now < call.closes_at
    assert Application.objects.filter(call=call, state=A.DRAFT).count() >= 3
    page = client.get(reverse("mobility_public:calls"))
    assert page.status_code == 200 and call.title_en in page.content.decode()


def test_learning_agreements_in_every_state(demo, db):
    from meridian.mobility.models import LearningAgreement

    agreements = LearningAgreement.objects.filter(mobility__is_demo=True)
    assert set(agreements.values_list("state", flat=True)) == set(LearningAgreementState.values)
    superseded = agreements.get(state=LearningAgreementState.SUPERSEDED)
    assert superseded.next_version.state == LearningAgreementState.APPROVED
    assert agreements.get(state=LearningAgreementState.REJECTED).rejected_reason
    waiting = agreements.get(state=LearningAgreementState.SUBMITTED)
    assert waiting.sending_signed_at is not None and waiting.receiving_signed_at is None
    assert waiting.mobility.partner.name_en == HEIDELBERG  # demo-partner has one to sign


def test_mobility_back_with_transcript_and_recognition(demo, db):
    from meridian.mobility.models import GradeConversionTable, Mobility

    completed = Mobility.objects.get(is_demo=True, state=MobilityState.COMPLETED)
    assert completed.actual_end is not None and completed.actual_end < timezone.localdate()
    assert completed.files.filter(kind="transcript").exists()
    results = completed.results.all()
    assert results.exists() and not results.filter(decision="pending").exists()
    assert results.filter(decision="recognised").exclude(converted_grade="").exists()
    assert GradeConversionTable.objects.filter(partner=completed.partner, active=True).exists()


def test_incoming_students_from_three_partners(demo, db):
    from meridian.documents.models import GeneratedDocument
    from meridian.mobility.models import Mobility

    incoming = Mobility.objects.filter(is_demo=True, direction="incoming")
    assert incoming.count() == len(INCOMING)
    assert incoming.values("partner").distinct().count() == 3
    assert set(incoming.values_list("state", flat=True)) == {
        MobilityState.NOMINATED,
        MobilityState.INVITED,
        MobilityState.APPLIED,
        MobilityState.ACCEPTED,
        MobilityState.ACTIVE,
    }
    for mobility in incoming.filter(state__in=[MobilityState.ACCEPTED, MobilityState.ACTIVE]):
        assert mobility.letter_number
        assert GeneratedDocument.objects.for_subject(mobility).count() == 2
    active = incoming.get(state=MobilityState.ACTIVE)
    assert active.registered_on is not None and active.actual_start is not None
    assert active.actual_start <= active.registered_on
    assert incoming.get(state=MobilityState.APPLIED).files.count() == 3


def test_partner_portal_for_the_coordinator_and_the_viewer(demo, db, client):
    from meridian.accounts.models import User

    client.force_login(User.objects.get(username="demo-partner"))
    html = client.get(reverse("mobility:partner_home")).content.decode()
    assert "FISCHER" in html and "SCHNEIDER" in html  # their nominations to us
    client.force_login(User.objects.get(username="demo-partner-viewer"))
    page = client.get(reverse("mobility:partner_home"))
    assert page.status_code == 200 and "FISCHER" in page.content.decode()


def test_staff_pages_of_the_call(demo, db, client):
    from meridian.accounts.models import User

    call = _next_call()
    client.force_login(User.objects.get(username="demo-officer"))
    for name in ("call_detail", "ranking", "allocation", "publicity", "nominate"):
        assert client.get(reverse(f"mobility:{name}", args=[call.pk])).status_code == 200, name
    client.force_login(User.objects.get(username="demo-director"))
    assert client.get(reverse("mobility:my_reviews")).status_code == 200


def test_story_dates_lie_in_the_past_and_in_order(demo, db):
    from meridian.mobility.models import Application, Call, Mobility
    from meridian.workflow.models import TransitionLog

    now = timezone.now()
    assert not TransitionLog.objects.filter(at__gt=now).exists()
    call = _next_call()
    logs = dict(call.transitions.values_list("action", "at"))
    assert logs["open"] < logs["close"] < logs["allocated"] < logs["publish_results"]
    assert timezone.localdate(logs["publish_results"]) < timezone.localdate() - timedelta(days=20)
    finished = Call.objects.get(is_demo=True, state=CallState.FINISHED)
    assert finished.transitions.get(action="finish").at < logs["open"]
    liu = Application.objects.get(call=call, student__username="demo-student")
    actions = list(liu.transitions.order_by("at", "pk").values_list("action", flat=True))
    assert actions[:2] == ["submit", "pre_approve"] and actions[-1] == "offer"
    active = Mobility.objects.filter(is_demo=True, state=MobilityState.ACTIVE, direction="outgoing").first()
    assert active is not None and active.actual_start is not None
    assert active.actual_start < timezone.localdate()


def test_loading_twice_adds_nothing(demo, db):
    from meridian.demo.organisation import build_organisation
    from meridian.mobility.models import Application, Mobility

    assert "Demo data is present already" in demo["output"]
    summary = build_mobility(org=build_organisation(password=PASSWORD), today=timezone.localdate())
    assert summary.calls == 0
    assert sorted(Application.objects.values_list("number", "state")) == demo["first"]
    assert sorted(Mobility.objects.values_list("number", "state")) == demo["mobilities"]


def test_remove_mobility_clears_what_it_built(demo, db):
    from meridian.accounts.models import User
    from meridian.agreements.models import Agreement
    from meridian.clocks.models import Obligation
    from meridian.mobility.models import Application, Call, CooperationCondition, Mobility
    from meridian.people.models import Person

    with transaction.atomic():
        remove_mobility()
        assert not Call.objects.exists()
        assert not Application.objects.exists() and not Mobility.objects.exists()
        assert not CooperationCondition.objects.filter(is_demo=True).exists()
        assert not User.objects.filter(username__startswith="demo-stu-").exists()
        assert not Person.objects.filter(member_number__startswith="DEMO-X").exists()
        assert not Obligation.objects.filter(rule__startswith="mobility.").exists()
        assert User.objects.filter(username="demo-student").exists()  # the organisation's users stay
        assert Agreement.objects.filter(is_demo=True).exists()
        # Built again on the agreements that stay, it finds them: no agreement is added twice.
        agreements = Agreement.objects.count()
        from meridian.demo.organisation import build_organisation

        summary = build_mobility(org=build_organisation(password=PASSWORD), today=timezone.localdate())
        assert summary.calls == 3 and Agreement.objects.count() == agreements
        transaction.set_rollback(True)


def test_remove_demo_removes_the_student_exchange_with_the_rest(demo, db):
    from meridian.mobility.models import Call
    from meridian.partners.models import Partner

    with transaction.atomic():
        remove_demo()  # applications and mobilities protect partners, people and users: they must go first
        assert not Call.objects.exists()
        assert not Partner.objects.filter(is_demo=True).exists()
        transaction.set_rollback(True)
