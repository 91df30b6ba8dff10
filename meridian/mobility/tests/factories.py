"""Factories of the student-exchange tests. They build records directly in the database, in any state,
without running the services (tests of moves use the services).

``exchange_world(org, people)`` gives a ready world: a partner with a coordinator contact (and a viewer), an
active student-exchange agreement of the School of Engineering, outgoing and incoming conditions, and a
second partner that must never see the first one's records. Academic year ``YEAR`` is far ahead so that
numbering by year never clashes with the services' own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.agreements.tests.factories import AgreementFactory
from meridian.mobility import numbering
from meridian.mobility.choices import (
    ApplicationState,
    CallState,
    CefrLevel,
    CreditSystem,
    Direction,
    DocumentKind,
    LearningAgreementState,
    MobilityState,
    MobilityType,
    Semester,
)
from meridian.mobility.models import (
    Application,
    ApplicationPreference,
    Call,
    CallCriterion,
    CallDestination,
    ConditionLanguage,
    CooperationCondition,
    LearningAgreement,
    LearningAgreementCourse,
    Mobility,
)
from meridian.partners.choices import PortalRole
from meridian.partners.tests.factories import PartnerContactFactory, PartnerFactory
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person

YEAR = 2099
PASSWORD = "correct horse battery staple"
_counter = {"call": 0, "application": 0, "mobility": 0}


def _next(kind: str) -> int:
    _counter[kind] += 1
    return _counter[kind]


def partner_contact(partner, username: str, *, role: str = PortalRole.COORDINATOR, org=None):
    """A signed-in partner contact of ``partner`` (role "partner contact" on the university)."""
    from meridian.accounts.models import OrgUnit

    user = user_create(username=username, email=f"{username}@partner.example", password=PASSWORD)
    unit = org.university if org is not None else OrgUnit.objects.filter(parent__isnull=True).first()
    membership_grant(user=user, unit=unit, role=Role.PARTNER_CONTACT)
    PartnerContactFactory(partner=partner, user=user, name=username.title(), portal_role=role)
    return user


def student_user(org_unit, username: str, **person):
    """A student account of ``org_unit`` with its Person record (kind student)."""
    user = user_create(username=username, email=f"{username}@stu.meridian.example", password=PASSWORD)
    membership_grant(user=user, unit=org_unit, role=Role.STUDENT)
    fields = {
        "kind": PersonKind.STUDENT,
        "family_name": "Li",
        "given_name": "Ming",
        "name_zh": "李明",
        "unit": org_unit,
    }
    fields.update(person)
    make_person(user=user, **fields)
    return user


def make_condition(agreement, partner, *, direction=Direction.OUTGOING, places=2, year=YEAR, **fields):
    values = {
        "mobility_type": MobilityType.SEMESTER,
        "total_months": Decimal(places * 5),
        "eqf_levels": [6, 7],
        "autumn_nomination_deadline": "--05-15",
        "autumn_application_deadline": "--06-15",
        "spring_nomination_deadline": "--10-15",
        "spring_application_deadline": "--11-15",
    }
    values.update(fields)
    condition = CooperationCondition.objects.create(
        agreement=agreement, partner=partner, direction=direction, places=places, academic_year=year, **values
    )
    ConditionLanguage.objects.create(condition=condition, language="en", cefr_level=CefrLevel.B2)
    return condition


def make_call(*, unit, state=CallState.OPEN, year=YEAR, destinations=(), **fields) -> Call:
    """A call of ``unit`` open from yesterday for 30 days, with two criteria (grades 60 %, motivation 40 %)
    and the given destinations ``[(partner, places), …]`` or ``[(partner, places, condition), …]``."""
    now = timezone.now()
    n = _next("call")
    values: dict[str, Any] = {
        "number": numbering.number_next(Call, prefix=numbering.CALL, year=year),
        "title_en": f"Exchange call {n}",
        "title_zh": f"交换项目选拔{n}",
        "academic_year": year,
        "semester": Semester.AUTUMN,
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30),
        "max_preferences": 3,
        "min_grade": Decimal("3.00"),
        "grade_scale": Decimal("4.00"),
        "language": "en",
        "min_cefr": CefrLevel.B2,
        "required_documents": [DocumentKind.TRANSCRIPT, DocumentKind.LANGUAGE],
    }
    values.update(fields)
    call = Call.objects.create(unit=unit, state=state, **values)
    CallCriterion.objects.create(
        call=call, code="grades", label_en="Grades", label_zh="成绩", weight=60, max_points=10
    )
    CallCriterion.objects.create(
        call=call,
        code="motivation",
        label_en="Motivation",
        label_zh="动机",
        weight=40,
        max_points=10,
        order=1,
    )
    for item in destinations:
        partner, places, *rest = item
        CallDestination.objects.create(
            call=call,
            partner=partner,
            places=places,
            condition=rest[0] if rest else None,
            mobility_type=MobilityType.SEMESTER,
            months=Decimal(5),
        )
    return call


def make_application(
    call: Call, student, *, state=ApplicationState.DRAFT, preferences=None, **fields
) -> Application:
    """An application of ``student`` (a user with a Person) to ``call``, ranking ``preferences``
    (destinations; default: all of the call's, in order, up to its maximum)."""
    person = student.person
    values: dict[str, Any] = {
        "programme": "Electrical Engineering",
        "year_of_study": 2,
        "grade_average": Decimal("3.50"),
        "language": "en",
        "cefr_level": CefrLevel.C1,
        "clean_record": True,
        "motivation": "I want to study power systems abroad.",
    }
    values.update(fields)
    values.setdefault(
        "number", numbering.number_next(Application, prefix=numbering.APPLICATION, year=call.academic_year)
    )
    application = Application.objects.create(
        call=call,
        student=student,
        person=person,
        unit=person.unit,
        state=state,
        **values,
    )
    chosen = preferences if preferences is not None else list(call.destinations.all()[: call.max_preferences])
    for rank, destination in enumerate(chosen, start=1):
        ApplicationPreference.objects.create(application=application, destination=destination, rank=rank)
    return application


def make_mobility(
    *, partner, home_unit, person, direction=Direction.OUTGOING, state=MobilityState.NOMINATED, **fields
):
    values: dict[str, Any] = {
        "mobility_type": MobilityType.SEMESTER,
        "academic_year": YEAR,
        "semester": Semester.AUTUMN,
        "months": Decimal(5),
        "nominated_at": timezone.now(),
    }
    values.update(fields)
    values.setdefault(
        "number", numbering.number_next(Mobility, prefix=numbering.MOBILITY, year=values["academic_year"])
    )
    return Mobility.objects.create(
        partner=partner, home_unit=home_unit, person=person, direction=direction, state=state, **values
    )


def make_learning_agreement(
    mobility, *, state=LearningAgreementState.DRAFT, courses=2, **fields
) -> LearningAgreement:
    la = LearningAgreement.objects.create(mobility=mobility, state=state, **fields)
    for i in range(courses):
        LearningAgreementCourse.objects.create(
            learning_agreement=la,
            order=i,
            receiving_code=f"EE{400 + i}",
            receiving_title=f"Power Systems {i + 1}",
            receiving_credits=Decimal(6),
            receiving_credit_system=CreditSystem.ECTS,
            sending_code=f"DQ{300 + i}",
            sending_title=f"电力系统{i + 1}",
            sending_credits=Decimal(3),
            sending_credit_system=CreditSystem.CN,
        )
    return la


@dataclass
class ExchangeWorld:
    partner: Any
    other_partner: Any
    contact: Any  # partner coordinator (acts in the partner portal)
    viewer: Any  # partner contact who only reads
    other_contact: Any  # contact of the other partner
    agreement: Any
    outgoing: CooperationCondition
    incoming: CooperationCondition
    other_agreement: Any
    other_outgoing: CooperationCondition


def exchange_world(org, people) -> ExchangeWorld:
    """See the module docstring. Needs the shared ``org`` and ``people`` fixtures."""
    partner = PartnerFactory(
        name="Technische Universität Beispiel", name_en="Example University of Technology"
    )
    other = PartnerFactory(name="Université Exemple", name_en="Example University")
    agreement = AgreementFactory(
        responsible_unit=org.engineering,
        partners=[partner],
        state="active",
        home_coordinator=people.coordinator,
    )
    other_agreement = AgreementFactory(responsible_unit=org.engineering, partners=[other], state="active")
    return ExchangeWorld(
        partner=partner,
        other_partner=other,
        contact=partner_contact(partner, "tub-coordinator", org=org),
        viewer=partner_contact(partner, "tub-viewer", role=PortalRole.VIEWER, org=org),
        other_contact=partner_contact(other, "ue-coordinator", org=org),
        agreement=agreement,
        outgoing=make_condition(agreement, partner, direction=Direction.OUTGOING, places=2),
        incoming=make_condition(agreement, partner, direction=Direction.INCOMING, places=2),
        other_agreement=other_agreement,
        other_outgoing=make_condition(other_agreement, other, direction=Direction.OUTGOING, places=1),
    )
