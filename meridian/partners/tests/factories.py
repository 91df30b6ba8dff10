import factory

from meridian.partners.models import Partner, PartnerContact
from meridian.reference.tests.factories import country


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Universität Beispiel {n}")
    name_en = factory.Sequence(lambda n: f"Example University {n}")
    name_zh = factory.Sequence(lambda n: f"示例大学{n}")
    kind = "university"
    country = factory.LazyFunction(country)
    city = "Heidelberg"
    status = "active"


class PartnerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerContact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@partner.example")
