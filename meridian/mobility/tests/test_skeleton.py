from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from meridian.mobility.choices import Direction
from meridian.mobility.models import (
    Application,
    ApplicationPreference,
    CallCriterion,
    CallDestination,
    CooperationCondition,
    CourseResult,
    GradeConversionRow,
    LearningAgreementCourse,
    Mobility,
)
from meridian.mobility.tests.factories import make_application, make_call, make_mobility, student_user
from meridian.workflow.registry import case_types


def test_case_types_are_registered(db):
    for code in ("exchange_call", "exchange_application", "mobility", "learning_agreement"):
        assert case_types.get(code).code == code


def test_partner_contact_sees_only_own_partner(world, org, people):
    mine = CooperationCondition.objects.visible_to(world.contact)
    assert set(mine) == {world.outgoing, world.incoming}
    assert world.other_outgoing not in CooperationCondition.objects.visible_to(world.contact)
    student = student_user(org.computing, "stu1")
    mobility = make_mobility(partner=world.partner, home_unit=org.engineering, person=student.person)
    other = make_mobility(partner=world.other_partner, home_unit=org.engineering, person=student.person)
    assert list(Mobility.objects.visible_to(world.contact)) == [mobility]
    assert other in Mobility.objects.visible_to(people.officer)
    assert mobility.direction == Direction.OUTGOING


def test_student_sees_only_own_application(world, org, people):
    call = make_call(unit=org.intl_office, destinations=[(world.partner, 2, world.outgoing)])
    one = student_user(org.computing, "stu1")
    two = student_user(org.computing, "stu2", family_name="Wang")
    mine = make_application(call, one)
    make_application(call, two)
    assert list(Application.objects.visible_to(one)) == [mine]
    assert Application.objects.visible_to(people.coordinator).count() == 2  # engineering covers computing
    assert Application.objects.visible_to(people.other_coordinator).count() == 0
    assert Application.objects.visible_to(world.contact).count() == 0


def test_numbers_out_of_range_are_refused_by_the_models(world, org):
    """Model validators keep every writer (admin, imports, the shell) within the services' ranges."""
    call = make_call(unit=org.intl_office)
    cases = [
        (world.outgoing, "places", 1000),
        (world.outgoing, "total_months", Decimal("11988.1")),
        (world.outgoing, "total_months", Decimal(-1)),
        (call, "max_preferences", 11),
        (call, "offer_days", 61),
        (call, "min_year_of_study", 9),
        (call, "grade_scale", Decimal(0)),
        (CallDestination(call=call, partner=world.partner, places=1), "places", 1000),
        (CallDestination(call=call, partner=world.partner, places=1), "months", Decimal("24.5")),
        (CallCriterion(call=call, code="x", weight=1), "weight", Decimal("100.01")),
        (CallCriterion(call=call, code="x", weight=1), "max_points", 1001),
        (Application(call=call, year_of_study=1), "year_of_study", 9),
        (Application(call=call), "grade_average", Decimal("-0.01")),
        (ApplicationPreference(rank=1), "rank", 11),
        (Mobility(months=1), "months", Decimal(25)),
        (Mobility(eqf_level=6), "eqf_level", 4),
        (LearningAgreementCourse(receiving_credits=1), "receiving_credits", Decimal("60.1")),
        (CourseResult(credits=1), "credits", Decimal("-1")),
        (GradeConversionRow(), "partner_percent", Decimal("100.01")),
    ]
    for record, name, value in cases:
        setattr(record, name, value)
        with pytest.raises(ValidationError) as refused:
            record.clean_fields(exclude=[f.name for f in record._meta.fields if f.name != name])
        assert name in refused.value.message_dict, (type(record).__name__, name)
