"""Demo visitors: built with the rest of the demo (once per package, rolled back); a second start adds
nothing; visits in every state through the services, the official delegation of five, invitation letters,
guests' self-service, an overdue registration, lectures on the public calendar, experts' permits ending soon,
the partner page, and removal of everything it built."""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from meridian.demo.builder import remove_demo
from meridian.demo.visitors import CHAIN_NAME, build_visitors, remove_visitors
from meridian.demo.visitors_data import EXPERTS, LECTURES, VISITS
from meridian.visitors.choices import VisitState

PASSWORD = "demo password for tests"


@pytest.fixture
def demo(demo_world, db):  # `db` keeps every demo test in pytest-django's first group, next to each other
    """The package's demo world: visits as the demo built them, what a second start printed, the warnings."""
    return {
        "first": demo_world.second["visits"],
        "output": demo_world.again,
        "notes": demo_world.notes["meridian.demo.visitors"],
    }


def _visit(title: str):
    from meridian.visitors.models import Visit

    return Visit.objects.get(is_demo=True, title=title)


def test_every_step_went_through_the_services(demo, db):
    assert demo["notes"] == []


def test_visits_in_every_state_from_demo_partners(demo, db):
    from meridian.visitors.models import Visit

    visits = Visit.objects.filter(is_demo=True)
    assert set(visits.values_list("state", flat=True)) == set(VisitState.values)
    assert visits.count() == len(VISITS)
    assert not visits.filter(guest_partner=None).exists()
    assert not visits.exclude(guest_partner__is_demo=True).exists()
    closed = visits.get(state=VisitState.CLOSED)
    assert closed.note_submitted_at is not None and closed.outcomes
    assert closed.left_on is not None and closed.left_on < timezone.localdate()
    assert visits.get(state=VisitState.REJECTED).transitions.filter(action="reject").exists()


def test_loading_twice_adds_nothing(demo, db):
    from meridian.demo.organisation import build_organisation
    from meridian.visitors.models import Visit

    assert "Demo data is present already" in demo["output"]
    summary = build_visitors(org=build_organisation(password=PASSWORD), today=timezone.localdate())
    assert summary.visits == 0
    assert sorted(Visit.objects.values_list("number", "state")) == demo["first"]


def test_chain_and_hosting_standards(demo, db):
    from meridian.visitors.models import HostingStandard
    from meridian.visitors.services.standards import DEFAULT_TABLE
    from meridian.workflow.models import ApprovalChain

    chain = ApprovalChain.objects.get(case_type="visit", unit=None, is_active=True, name=CHAIN_NAME)
    assert chain.name_zh == "来访接待审批"
    steps = chain.versions.get().steps.order_by("order", "pk")
    assert [(s.order, s.assignee_kind) for s in steps] == [
        (1, "unit_leader"),
        (2, "international_office"),
        (3, "university_leader"),  # one leader step: "official delegation or referred" is one field
    ]
    assert steps[2].conditions == [{"field": "needs_leader", "op": "==", "value": "true"}]
    assert [s.label_zh for s in steps] == ["接待单位负责人", "国际合作与交流处", "校领导"]
    assert HostingStandard.objects.count() == len(DEFAULT_TABLE)


def test_official_delegation_of_five_waits_at_the_office(demo, db):
    from meridian.workflow.selectors import approval_for

    delegation = _visit("Rector's delegation on physics cooperation")
    assert delegation.category == "official_delegation" and delegation.state == VisitState.UNDER_REVIEW
    assert delegation.guests.count() == 5
    assert delegation.guests.filter(is_head=True).count() == 1
    approval = approval_for(case=delegation)
    assert approval is not None
    tasks = {(t.label, t.state) for t in approval.tasks.all()}
    assert ("International Office", "open") in tasks
    assert ("University leader", "waiting") in tasks  # the step for official delegations
    referred = _visit("Negotiation of a double degree in software engineering")
    assert referred.escalated and referred.category != "official_delegation"
    approval = approval_for(case=referred)
    assert approval is not None
    assert ("University leader", "open") in {(t.label, t.state) for t in approval.tasks.all()}


def test_visit_page_lists_each_step_once_in_the_reader_language(demo, db, client):
    from meridian.accounts.models import User

    general = _visit("Smart grid laboratory visit")  # neither official nor referred: no leader needed
    client.force_login(User.objects.get(username="demo-officer"))
    url = reverse("visitors:visit_detail", args=[general.pk])
    page = client.get(url).content.decode()
    assert page.count("3. University leader") == 1
    assert "Visit approval" in page and "1. Leader of the host unit" in page
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in chinese
    assert "来访接待审批" in chinese and "1. 接待单位负责人" in chinese and chinese.count("3. 校领导") == 1
    assert "University leader" not in chinese and "International Office" not in chinese


@pytest.mark.parametrize("username", ["demo-dean", "demo-officer", "demo-leader"])
def test_waiting_visits_in_the_approvers_inbox(demo, db, client, username):
    from meridian.accounts.models import User
    from meridian.workflow.selectors import tasks_for

    user = User.objects.get(username=username)
    task = tasks_for(user=user).filter(approval__case_type="visit").first()
    assert task is not None
    client.force_login(user)
    page = client.get("/inbox/")
    assert page.status_code == 200
    assert task.label in page.content.decode()


def test_invitations_issued_with_their_letters(demo, db):
    from meridian.documents.models import GeneratedDocument
    from meridian.visitors.models import Visit

    issued = Visit.objects.filter(is_demo=True).exclude(invitation_number="")
    assert set(issued.values_list("state", flat=True)) >= {"invitation_issued", "visa_confirmed", "arrived"}
    for visit in issued:
        codes = set(GeneratedDocument.objects.for_subject(visit).values_list("template__code", flat=True))
        assert {"visit-invitation-en", "visit-invitation-zh"} <= codes, visit.number
        assert not visit.guests.filter(locked_at=None).exists()


def test_guests_self_service(demo, db):
    from meridian.visitors.models import VisitGuest

    guests = VisitGuest.objects.filter(visit__is_demo=True)
    entered = guests.exclude(submitted_at=None)
    assert entered.count() >= 5
    for guest in entered:
        assert guest.person.documents.filter(kind="passport").exists()
        assert guest.cv and guest.departure_date and guest.exit_port
        assert guest.person.name_zh
    waiting = guests.filter(submitted_at=None).exclude(link_sent_at=None)
    assert waiting.count() == 1
    assert waiting.get().visit.state == VisitState.APPROVED


def test_overdue_accommodation_registration(demo, db):
    from meridian.clocks.models import Obligation
    from meridian.visitors.models import AccommodationRegistration
    from meridian.visitors.services.arrivals import is_overdue

    now = timezone.now()
    overdue = [
        r for r in AccommodationRegistration.objects.filter(guest__visit__is_demo=True) if is_overdue(r)
    ]
    assert len(overdue) == 1
    registration = overdue[0]
    assert registration.accommodation == "on_campus"
    arrived_at = registration.guest.arrived_at
    assert arrived_at is not None and arrived_at < now - timedelta(hours=24)
    assert registration.guest.visit.state == VisitState.ARRIVED
    clock = Obligation.objects.get(rule="visitors.accommodation_registration", object_id=registration.pk)
    assert clock.state == "open" and clock.due_at < now
    # The other guest of the visit was registered the evening they arrived.
    others = AccommodationRegistration.objects.filter(guest__visit=registration.guest.visit).exclude(
        pk=registration.pk
    )
    assert others.exists() and not others.exclude(state="registered").exists()


def test_lectures_on_the_public_calendar(demo, db, client):
    from meridian.visitors.models import Lecture

    lectures = Lecture.objects.filter(is_demo=True)
    assert lectures.count() == len(LECTURES)
    upcoming = Lecture.objects.public().filter(is_demo=True, starts_at__gt=timezone.now())
    assert upcoming.count() >= 2
    assert lectures.filter(review="pending", state="draft").count() == 1
    lecture = upcoming.order_by("starts_at").first()
    assert lecture is not None
    with translation.override("zh-hans"):
        page = client.get(reverse("visitors_public:calendar"))
    assert page.status_code == 200
    assert lecture.title_zh in page.content.decode()
    assert lectures.get(review="pending").title_en not in page.content.decode()


def test_experts_with_permits_ending_and_clocks_running(demo, db):
    from meridian.clocks.models import Obligation
    from meridian.visitors.models import ExpertHiring

    hirings = ExpertHiring.objects.filter(is_demo=True)
    assert hirings.count() == len(EXPERTS)
    assert {s.state for s in EXPERTS} == set(hirings.values_list("state", flat=True))
    today = timezone.localdate()
    ending = hirings.filter(permit_expires_on__range=(today, today + timedelta(days=60)))
    assert ending.filter(state="employed").count() >= 2
    open_clocks = Obligation.objects.filter(state="open", object_id__in=hirings.values("pk"))
    renewal = open_clocks.filter(rule="visitors.expert.renewal", object_id__in=ending.values("pk"))
    assert renewal.count() >= 2
    assert open_clocks.filter(rule="visitors.expert.residence").count() == 1
    arrived = hirings.get(state="arrived")
    assert arrived.entered_on is not None and arrived.residence_permit_on is None
    assert hirings.exclude(person=None).filter(person__name_zh="").count() == 0


def test_partner_page_lists_the_visit_and_its_outcomes(demo, db, client):
    from meridian.accounts.models import User

    closed = _visit("Materials science partnership visit")
    client.force_login(User.objects.get(username="demo-officer"))
    page = client.get(reverse("partners:detail", args=[closed.guest_partner_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert closed.number in html
    assert closed.outcomes.split(";")[0] in html


def test_remove_visitors_clears_what_it_built(demo, db):
    from django.contrib.contenttypes.models import ContentType

    from meridian.clocks.models import Obligation
    from meridian.documents.models import GeneratedDocument
    from meridian.people.models import Person
    from meridian.visitors.models import ExpertHiring, Lecture, Visit, VisitGuest
    from meridian.workflow.models import ApprovalChain

    visit_ids = list(Visit.objects.filter(is_demo=True).values_list("pk", flat=True))
    person_ids = set(VisitGuest.objects.filter(visit_id__in=visit_ids).values_list("person_id", flat=True))
    person_ids |= set(ExpertHiring.objects.filter(is_demo=True).values_list("person_id", flat=True))
    person_ids.discard(None)
    with transaction.atomic():
        remove_visitors()
        assert not Visit.objects.filter(pk__in=visit_ids).exists()
        assert not ExpertHiring.objects.filter(is_demo=True).exists()
        assert not Lecture.objects.filter(is_demo=True).exists()
        assert not Person.objects.filter(pk__in=person_ids).exists()
        visit_type = ContentType.objects.get_for_model(Visit)
        assert not GeneratedDocument.objects.filter(content_type=visit_type, object_id__in=visit_ids).exists()
        assert not Obligation.objects.filter(rule__startswith="visitors.").exists()
        assert not ApprovalChain.objects.filter(case_type="visit", name=CHAIN_NAME).exists()
        transaction.set_rollback(True)


def test_remove_demo_removes_the_visitors_with_the_rest(demo, db):
    from meridian.partners.models import Partner
    from meridian.visitors.models import Visit

    with transaction.atomic():
        remove_demo()  # visits protect partners and users: they must go first
        assert not Visit.objects.exists()
        assert not Partner.objects.filter(is_demo=True).exists()
        transaction.set_rollback(True)


# --- the story's dates ------------------------------------------------------------------------------------


NEGATIVE = re.compile(r"(?<![\d-])-\d")


def _logs(visit) -> dict[str, list]:
    """The visit's transition log times by action, oldest first."""
    times: dict[str, list] = {}
    for action, at in visit.transitions.order_by("at", "pk").values_list("action", "at"):
        times.setdefault(action, []).append(at)
    return times


def test_stored_rule_results_read_as_on_the_day_of_submission(demo, db):
    """The results a visit was submitted with are those of the story's day of submission: nothing that would
    have stopped the submission, the lead time counted from that day, checked at the submission's time."""
    from meridian.visitors.models import Visit

    submitted = Visit.objects.filter(is_demo=True).exclude(state=VisitState.DRAFT)
    assert submitted.count() == len(VISITS) - 1
    for visit in submitted:
        results = visit.rule_results
        assert results, visit.number
        stopping = [r["message"] for r in results if r.get("blocking")]
        assert stopping == [], (visit.number, stopping)
        submit_at = _logs(visit)["submit"][-1]
        assert visit.rules_checked_at == submit_at, visit.number
        lead = next(r for r in results if r["code"] == "lead_time")
        assert lead["outcome"] == "pass", (visit.number, lead["message"])
        days = (visit.arrive_on - timezone.localdate(submit_at)).days
        assert f"arrive {days} days after" in lead["message"], (visit.number, lead["message"])
        for result in results:  # a count shown never reads negative (a date's dashes are no minus)
            texts = [result["message"], *(t["message"] for t in (result.get("i18n") or {}).values())]
            assert not [t for t in texts if NEGATIVE.search(t)], (visit.number, texts)


def test_arrived_visit_page_shows_no_rule_stopping_it(demo, db, client):
    from meridian.accounts.models import User

    visit = _visit("Joint laboratory on additive manufacturing")
    client.force_login(User.objects.get(username="demo-officer"))
    html = client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode()
    assert "As checked at submission" in html
    assert "No rule stops the visit." in html
    assert " -2 days" not in html


def test_guests_data_entered_on_the_story_days(demo, db):
    """Links sent, data entered and locked after the approval and before the invitation is issued (on the
    story's days, not when the demo was built), the guest's consent given when they entered their data."""
    from meridian.people.models import Consent
    from meridian.visitors.models import VisitGuest

    entered = (
        VisitGuest.objects.filter(visit__is_demo=True).exclude(submitted_at=None).select_related("visit")
    )
    assert entered.count() >= 5
    for guest in entered:
        visit, logs = guest.visit, _logs(guest.visit)
        assert logs["approve"][-1] <= guest.link_sent_at <= guest.submitted_at, guest.pk
        if guest.locked_at is not None:
            assert guest.submitted_at <= guest.locked_at, guest.pk
        if visit.invitation_issued_on is not None:
            assert timezone.localdate(guest.submitted_at) <= visit.invitation_issued_on, guest.pk
            assert guest.locked_at is not None and guest.locked_at <= logs["issue_invitation"][-1], guest.pk
        if guest.arrived_at is not None:
            assert guest.submitted_at < guest.arrived_at, guest.pk
        given = Consent.objects.filter(person=guest.person).values_list("given_at", flat=True)
        assert [timezone.localdate(g) for g in given] == [timezone.localdate(guest.submitted_at)], guest.pk


def test_closed_visit_carries_no_time_of_the_build(demo, db):
    """Every time recorded by the steps of the visit closed a month ago lies on or before its closing day."""
    from django.contrib.contenttypes.models import ContentType

    from meridian.core.models import Notification
    from meridian.documents.models import GeneratedDocument
    from meridian.visitors.models import AccommodationRegistration
    from meridian.workflow.selectors import approval_for

    visit = _visit("Materials science partnership visit")
    closed = _logs(visit)["close"][-1]
    assert timezone.localdate(closed) < timezone.localdate() - timedelta(days=20)
    times = [visit.created_at, visit.updated_at, visit.state_changed_at, visit.rules_checked_at]
    times += [visit.note_submitted_at]
    approval = approval_for(case=visit)
    assert approval is not None
    times += [approval.started_at, approval.finished_at]
    for task in approval.tasks.exclude(opened_at=None):
        times += [task.opened_at, task.acted_at]
        assert task.due_at is not None and task.opened_at < task.due_at < closed
    for guest in visit.guests.select_related("person"):
        times += [guest.link_sent_at, guest.submitted_at, guest.locked_at, guest.person.created_at]
    times += list(
        AccommodationRegistration.objects.filter(guest__visit=visit).values_list("created_at", flat=True)
    )
    ref = {"content_type": ContentType.objects.get_for_model(visit), "object_id": visit.pk}
    times += list(Notification.objects.filter(**ref).values_list("created_at", flat=True))
    times += list(GeneratedDocument.objects.for_subject(visit).values_list("created_at", flat=True))
    assert None not in times
    assert max(times) <= closed


def test_invitation_letters_dated_with_the_invitation(demo, db):
    from meridian.documents.models import GeneratedDocument
    from meridian.visitors.models import Visit

    issued = Visit.objects.filter(is_demo=True).exclude(invitation_issued_on=None)
    assert issued.filter(invitation_issued_on__lt=timezone.localdate() - timedelta(days=30)).exists()
    for visit in issued:
        letters = GeneratedDocument.objects.for_subject(visit).filter(
            template__code__startswith="visit-invitation-"
        )
        assert letters.exists(), visit.number
        assert set(letters.values_list("issued_on", flat=True)) == {visit.invitation_issued_on}, visit.number
        assert timezone.localdate(_logs(visit)["issue_invitation"][-1]) == visit.invitation_issued_on


def test_experts_criteria_checked_on_the_story_days(demo, db):
    from meridian.visitors.models import ExpertHiring

    left = ExpertHiring.objects.get(is_demo=True, state="left")
    checked = {r.get("checked_on") for r in left.criteria_results}
    assert checked and max(checked) < (timezone.localdate() - timedelta(days=60)).isoformat()
    assert left.created_at.date() < timezone.localdate() - timedelta(days=300)
