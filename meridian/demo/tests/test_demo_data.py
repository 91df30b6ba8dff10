"""The demo data command, built twice on an empty database (the package's demo world, rolled back)."""

import io
import stat
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from meridian.accounts.choices import Role
from meridian.accounts.models import Membership, OrgUnit, User
from meridian.agreements.choices import AgreementState, AgreementType, Channel
from meridian.agreements.models import Agreement, AgreementChannel, Signatory
from meridian.demo.partners_data import PARTNERS
from meridian.demo.password import PASSWORD_FILE, demo_password
from meridian.partners.models import Partner, PartnerContact
from meridian.reference.models import Country
from meridian.workflow.models import TransitionLog

PASSWORD = "demo password for tests"
NAMED_COUNTRIES = {"US", "RU", "GB", "FR", "DE", "CA", "AU", "NZ", "KR", "JP", "IN", "TH"}


@pytest.fixture
def demo(demo_world, db):  # `db` keeps every demo test in pytest-django's first group, next to each other
    """The package's demo world: a first build (rolled back), then the command's on the empty database."""
    kept = ("partners", "agreements")
    return {
        "first": {key: demo_world.first[key] for key in kept},
        "second": {key: demo_world.second[key] for key in kept},
        "output": demo_world.output,
    }


def test_two_runs_on_empty_databases_are_identical(demo):
    assert demo["first"] == demo["second"]
    assert len(demo["second"]["partners"]) == len(PARTNERS)


def test_prints_the_logins(demo):
    assert f"Demo administrator: demo-admin / {PASSWORD}" in demo["output"]
    assert "demo-student" in demo["output"]


def test_partners_are_real_many_and_worldwide(demo, db):
    partners = Partner.objects.all()
    assert partners.count() >= 150
    assert not partners.filter(is_demo=False).exists()
    countries = set(partners.values_list("country_id", flat=True))
    assert len(countries) >= 25
    assert countries >= NAMED_COUNTRIES
    kinds = set(partners.values_list("kind", flat=True))
    assert {"university", "research_institute", "enterprise", "government", "hospital"} <= kinds
    assert partners.filter(kind="university").count() > partners.count() / 2
    heidelberg = partners.get(name_en="Heidelberg University")
    assert (heidelberg.country_id, heidelberg.city, heidelberg.website_domain) == (
        "DE",
        "Heidelberg",
        "uni-heidelberg.de",
    )
    assert heidelberg.name_zh == "海德堡大学" and heidelberg.latitude is not None
    assert partners.filter(is_public=True).exists() and partners.filter(is_public=False).exists()
    assert PartnerContact.objects.filter(partner__in=partners).count() >= partners.count()


def test_every_type_channel_and_state(demo, db):
    agreements = Agreement.objects.all()
    assert 180 <= agreements.count() <= 260
    assert not agreements.filter(is_demo=False).exists()
    assert set(agreements.values_list("kind", flat=True)) == set(AgreementType.values)
    assert set(AgreementChannel.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(agreements.values_list("state", flat=True)) == set(AgreementState.values)


def test_lifecycle_details(demo, db):
    today = timezone.localdate()
    soon = Agreement.objects.expiring_within(90)
    assert soon.count() >= 5
    assert all(a.end_date <= today + timedelta(days=90) for a in soon)
    renewed = Agreement.objects.filter(state=AgreementState.RENEWED)
    assert renewed.exists()
    assert all(Agreement.objects.filter(renews=a).exists() for a in renewed)
    assert Agreement.objects.annotate(n=Count("parties")).filter(n__gt=2).exists()
    addendum = Agreement.objects.filter(umbrella__isnull=False).select_related("umbrella").first()
    assert addendum is not None and addendum.umbrella.kind == AgreementType.MOU
    assert (
        Signatory.objects.filter(side="home").exists() and Signatory.objects.filter(side="partner").exists()
    )
    # Each move is recorded, never in the future, and expired ones really ended.
    active = Agreement.objects.filter(state=AgreementState.ACTIVE).first()
    moves = active.transitions.exclude(action__startswith="step_").order_by("at", "id")
    assert list(moves.values_list("action", flat=True))[-3:] == [
        "submit",
        "approve",
        "activate",
    ]
    assert not TransitionLog.objects.filter(at__gt=timezone.now()).exists()
    assert not Agreement.objects.filter(state=AgreementState.EXPIRED, end_date__gte=today).exists()


def test_university_and_users_for_every_role(demo, db):
    university = OrgUnit.objects.get(parent=None)
    assert (university.name_en, university.name_zh) == ("Meridian University", "子午线大学")
    assert OrgUnit.objects.filter(parent=university, kind="school").count() >= 8
    assert OrgUnit.objects.filter(is_international_office=True).count() == 1
    assert OrgUnit.objects.filter(kind="department").exists()
    users = User.objects.filter(username__startswith="demo-")
    roles = set(Membership.objects.filter(user__in=users).values_list("role", flat=True))
    assert roles == set(Role.values)
    admin = users.get(username="demo-admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(PASSWORD)
    coordinator = Membership.objects.get(user__username="demo-coordinator", role=Role.COORDINATOR)
    assert coordinator.unit.name_en == "School of Engineering"
    contact = PartnerContact.objects.get(user__username="demo-partner")
    assert Agreement.objects.visible_to(contact.user).exists()
    assert not Agreement.objects.visible_to(users.get(username="demo-student")).exists()


def test_if_empty_is_a_no_op_when_partners_exist(demo, db):
    before = (Partner.objects.count(), Agreement.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("demo-data", "--if-empty", stdout=out)
    assert (Partner.objects.count(), Agreement.objects.count(), User.objects.count()) == before
    assert f"demo-admin / {PASSWORD}" in out.getvalue()


def test_reference_data_loaded_when_missing(demo, db):
    assert Country.objects.filter(code__in=NAMED_COUNTRIES).count() == len(NAMED_COUNTRIES)


def test_password_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD_FILE", raising=False)
    first = demo_password(tmp_path)
    assert len(first) >= 12
    assert demo_password(tmp_path) == first
    assert stat.S_IMODE((tmp_path / PASSWORD_FILE).stat().st_mode) == 0o600
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "given by the operator")
    assert demo_password(tmp_path) == "given by the operator"


def test_facts_are_unique_and_plausible():
    assert len({f.name for f in PARTNERS}) == len(PARTNERS)
    assert len({f.website for f in PARTNERS}) == len(PARTNERS)
    for fact in PARTNERS:
        assert -90 <= fact.latitude <= 90 and -180 <= fact.longitude <= 180, fact.name
        assert fact.website.startswith("https://"), fact.name
        assert fact.name_zh, fact.name


def test_review_chains_offices_and_leaders_are_configured(demo, db):
    from meridian.workflow.models import ApprovalChain, UnitFunction, UnitPost

    chains = ApprovalChain.objects.filter(case_type="agreement", is_active=True)
    assert {(c.name, c.unit.code if c.unit else None) for c in chains} == {
        ("Agreement review", None),
        ("Agreement review (International Office agreements)", "international-office"),
    }
    steps = [s.label for s in chains.get(unit=None).versions.get().steps.order_by("order", "id")]
    assert steps == [
        "Dean of the school",
        "International Office review",
        "Legal office (text in English only)",
        "Research office (research cooperation)",
        "University leader",
    ]
    functions = {f.code: f.unit.name_en for f in UnitFunction.objects.select_related("unit")}
    # Official travel adds the graduate school (when the platform knows that function).
    functions.pop("graduate_school", None)
    assert functions == {
        "finance": "Finance Office",
        "hr": "Human Resources Office",
        "research": "Office of Research Administration",
        "legal": "Office of Legal Affairs",
    }
    university = OrgUnit.objects.get(parent=None)
    assert UnitPost.objects.filter(unit=university, post="leader", user__username="demo-leader").exists()
    schools = OrgUnit.objects.filter(kind="school")
    assert (
        UnitPost.objects.filter(unit__in=schools, post="leader").values("unit").distinct().count()
        == schools.count()
    )


def test_agreements_wait_at_each_step_of_their_review(demo, db):
    from meridian.workflow.models import StepTask
    from meridian.workflow.selectors import tasks_for

    waiting = set(
        StepTask.objects.filter(state="open", approval__state="running").values_list("label", flat=True)
    )
    assert {
        "Dean of the school",
        "International Office review",
        "Legal office (text in English only)",
        "University leader",
    } <= waiting
    under_review = Agreement.objects.filter(state=AgreementState.UNDER_REVIEW)
    running = (
        StepTask.objects.filter(approval__state="running", approval__case_type="agreement")
        .values("approval__object_id")
        .distinct()
    )
    assert under_review.count() == running.count()
    officer = User.objects.get(username="demo-officer")
    assert tasks_for(user=officer).count() >= 2
    # One agreement came back for correction with a comment; one step was decided by the dean's deputy.
    returned = TransitionLog.objects.get(action="step_return")
    assert "students" in returned.comment and returned.field_comments
    assert Agreement.objects.get(pk=returned.object_id).state == AgreementState.DRAFT
    on_behalf = TransitionLog.objects.get(on_behalf_of__username="demo-dean")
    assert on_behalf.actor.username == "demo-deputy"
    # Approved agreements went through their chain step by step.
    active = Agreement.objects.filter(state=AgreementState.ACTIVE, responsible_unit__kind="school").first()
    assert active.transitions.filter(action="step_approve").count() >= 3


def test_the_demo_sends_no_mail(demo, db):
    from meridian.core.models import Notification

    assert Notification.objects.exists()
    assert not Notification.objects.filter(email_wanted=True).exists()
