import factory

from meridian.accounts.choices import UnitKind
from meridian.accounts.models import Membership, OrgUnit, User
from meridian.accounts.services import org_unit_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.edu")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")


def make_unit(code: str, name: str, kind: str = UnitKind.SCHOOL, parent: OrgUnit | None = None) -> OrgUnit:
    return org_unit_create(kind=kind, code=code, name_en=name, name_zh=name, parent=parent)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "staff"
