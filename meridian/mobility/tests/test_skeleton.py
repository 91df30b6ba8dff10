from meridian.mobility.choices import Direction
from meridian.mobility.models import Application, CooperationCondition, Mobility
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
